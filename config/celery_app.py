"""The Celery app: reads `CELERY_`-prefixed Django settings and finds each app's `tasks.py`."""

import os
import socket

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def warm_up_engine(**_kwargs: object) -> None:
    """Each worker process decodes the API schemas once at start, not inside its first reconcile."""
    from cluster_engine import engine

    engine.warm_up()


@app.task(name="config.ping")
def ping(payload: str) -> dict[str, str]:
    """Answer with the payload and the worker's host name: a round trip proves broker, worker and results work."""
    return {"payload": payload, "worker": socket.gethostname(), "pid": str(os.getpid())}
