"""Settings shared by every environment; every secret and address comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# ------------------------------------------------------------------ core
DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "channels",
    "frontend",
    "cluster_engine",
    "lessons",
    "teaching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.roles",
            ],
        },
    },
]

# ------------------------------------------------------------------ database
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# Persistent connections: every WebSocket command and every reconcile would otherwise pay for a new
# PostgreSQL connection (a server process fork), which dominated the write path under load.
# No health checks: Channels wraps every WebSocket message in a "request", so each command would pay one more
# round trip (`SELECT 1`). A connection that broke (a database restart) fails one command and is then closed
# and replaced, since Django drops connections that saw errors.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
                                              conn_health_checks=os.environ.get("DB_HEALTH_CHECKS") == "true")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker share the file: WAL plus IMMEDIATE transactions avoid "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# ------------------------------------------------------------------ auth
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
INSTRUCTOR_GROUP = "instructors"

# ------------------------------------------------------------------ i18n
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"  # Django's default leaks into Celery otherwise
USE_TZ = True

# ------------------------------------------------------------------ static files
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "frontend.storage.PodlabStaticStorage"},
}

# ------------------------------------------------------------------ redis, channels, celery
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CHANNEL_LAYERS = {
    "default": {
        # Measured a little faster than RedisChannelLayer here (STACK-NOTES); groups are all we need.
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": os.environ.get("CHANNEL_PREFIX", "podlab")},
    },
}
REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "podlab")  # rate limits, reconcile de-duplication
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60
# How much lower than the web process the worker runs (os.nice): the api-server role answers learners first;
# reconciles catch up when the CPUs are free. 0 where workers have machines of their own.
WORKER_NICENESS = int(os.environ.get("WORKER_NICENESS", "10"))
# On Linux, also the idle scheduling class (SCHED_IDLE): a learner's request thread that wakes up then takes the
# CPU from a reconcile at once. Niceness alone lowers the worker's share, but the kernel (EEVDF) lets a running
# niced task finish its slice first, and a request waits for a dozen wake-ups (database, Redis, the GIL).
# Measured: docs/performance.md.
WORKER_IDLE_PRIORITY = os.environ.get("WORKER_IDLE_PRIORITY", "true").lower() in {"1", "true", "yes"}
# Threads per server process running learners' sandbox requests (WebSocket commands and applies). Requests hold
# the GIL most of their time, so more threads only wait for it longer, and one thread no longer overlaps one
# request's database wait with another's work (asyncio's default of 6 and the alternatives measured:
# docs/performance.md).
SANDBOX_REQUEST_THREADS = int(os.environ.get("SANDBOX_REQUEST_THREADS", "2"))
# Memory a worker process may use for the engines it keeps after storing them (cluster_engine/kept_engines.py;
# an engine's size: docs/performance.md): the next reconcile of the same sandbox skips reading and decoding its
# state when nobody wrote in between. platform/k8s/worker.yaml's limit counts on two processes of 128 MB.
SANDBOX_KEPT_ENGINES_MB = int(os.environ.get("SANDBOX_KEPT_ENGINES_MB", "128"))
# Celery's Django fix-up closes the database connection around every task unless this is set, and a new
# PostgreSQL session per reconcile cost more than the reconcile. Connections are instead recycled by Django's
# own rules (CONN_MAX_AGE, health checks) around each task: see config/celery_app.py.
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_TASK_SOFT_TIME_LIMIT = 45
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "podlab")
# A task whose worker died is redelivered after this many seconds (acks_late + Redis visibility timeout), found by a
# sweep every worker runs every `unacked_restore_interval` seconds. kombu sweeps only on every tenth tick by default
# (`unacked_restore_throttle`), so a dead worker's task waited up to 100 s more; one sweep per interval is one small
# Redis query per worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "120")),
    "unacked_restore_interval": int(os.environ.get("CELERY_RESTORE_INTERVAL", "10")),
    "unacked_restore_throttle": 1,
}

# ------------------------------------------------------------------ api
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Podlab API",
    "DESCRIPTION": "Sandboxes (simulated Kubernetes clusters for learners), lessons, exercises and grading.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# ------------------------------------------------------------------ logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# ------------------------------------------------------------------ serving
# Whitenoise serves static files from the apps' folders too, so daphne alone serves a complete site.
WHITENOISE_USE_FINDERS = True

# ------------------------------------------------------------------ the Kubernetes-compatible API
# Where learners' kubectl reaches their sandboxes (written into downloaded kubeconfigs). `make run` serves
# https://127.0.0.1:6443 with a CA it generates under KUBE_API_TLS_DIR; production sits behind the ingress's TLS
# and sets KUBE_API_INCLUDE_CA=false when the ingress certificate is publicly trusted.
KUBE_API_PUBLIC_URL = os.environ.get("KUBE_API_PUBLIC_URL", "")
KUBE_API_TLS_DIR = os.environ.get("KUBE_API_TLS_DIR", str(BASE_DIR / "var" / "tls"))
KUBE_API_INCLUDE_CA = env_bool("KUBE_API_INCLUDE_CA", default=True)
