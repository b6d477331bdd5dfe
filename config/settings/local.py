"""Settings for `make run` on a developer's or learner's own machine."""

from .base import *
from .base import env_bool

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "podlab-local-development-only-not-secret"
# Static files as production serves them: `make run` collects them (fingerprinted, gzipped) into STATIC_ROOT
# and whitenoise serves them from there with far-future caching. A developer who edits a script or a style runs
# `make run` again (or `manage.py collectstatic`).
WHITENOISE_USE_FINDERS = False
