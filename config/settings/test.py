"""Settings for pytest: the real Redis and database, a fast password hasher."""

import os
from pathlib import Path

from .base import *

DEBUG = False
SECRET_KEY = "podlab-tests-not-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test run gets its own Redis key space and queue so parallel runs never steal each other's work.
CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = os.environ.get("CHANNEL_PREFIX", f"podlab-test-{os.getpid()}")
REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", f"podlab-test-{os.getpid()}")
# A killed worker's unacknowledged task comes back after this many seconds (production: 120 s).
CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "8"))
CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"] = int(os.environ.get("CELERY_RESTORE_INTERVAL", "2"))
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", f"podlab-test-{os.getpid()}")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the worker and server subprocesses must see the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")}
WHITENOISE_AUTOREFRESH = True  # serve straight from the apps; no collectstatic needed
if os.environ.get("PODLAB_COLLECTED_STATIC"):
    # A server for the tests of what `make run` serves: collected, fingerprinted and compressed static files.
    STATIC_ROOT = Path(os.environ["PODLAB_COLLECTED_STATIC"])
    STORAGES["staticfiles"] = {"BACKEND": "frontend.storage.PodlabStaticStorage"}
    WHITENOISE_AUTOREFRESH = False
    WHITENOISE_USE_FINDERS = False
if os.environ.get("PODLAB_LOCALE_DIR"):  # the catalogue test extracts strings into a scratch copy
    LOCALE_PATHS = [os.environ["PODLAB_LOCALE_DIR"]]
