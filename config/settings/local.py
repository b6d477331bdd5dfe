"""Settings for `make run` on a developer's or learner's own machine."""

from .base import *
from .base import env_bool

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "podlab-local-development-only-not-secret"
STORAGES = {  # no manifest needed while developing
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True  # serve straight from the apps; no collectstatic needed
