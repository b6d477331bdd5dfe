"""The API kinds beyond the core ones in `objects.py`, one module per group. Importing this package registers every
one of them in the order listed here, which is the order `objects.all_kinds()` gives (discovery, and the order the
garbage collector and the namespace controller walk kinds), whichever module is imported first."""

# isort: off
from . import apiextensions  # noqa: F401 - each module registers its kinds when imported
from . import apps  # noqa: F401
from . import core  # noqa: F401
from . import storage  # noqa: F401
from . import autoscaling  # noqa: F401
from . import batch  # noqa: F401
from . import coordination  # noqa: F401
from . import disruption  # noqa: F401
from . import networking  # noqa: F401
from . import policy  # noqa: F401
from . import rbac  # noqa: F401
from . import scheduling  # noqa: F401
from . import statefulset  # noqa: F401
# isort: on

# The table columns of the policy and storage kinds (the other kinds' modules hold their own).
from cluster_engine.sim import printers_storage_quota  # noqa: F401
