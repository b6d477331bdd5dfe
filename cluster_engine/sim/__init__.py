"""The simulated cluster. Importing any part of it registers every API kind first (`kinds/`), so the kind
registry in `objects.py` is complete whichever module a caller imports first."""

from . import kinds  # noqa: F401
