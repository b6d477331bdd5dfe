"""The Celery app: reads `CELERY_`-prefixed Django settings and finds each app's `tasks.py`."""

import os
import socket

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def prepare_worker(**_kwargs: object) -> None:
    """The worker decodes the API schemas once at start (its pool processes inherit them), not inside the first
    reconcile, and commits its reconciles without waiting for the disk (see services.asynchronous_commits)."""
    from django.db.backends.signals import connection_created

    from cluster_engine import engine, services

    engine.warm_up()
    connection_created.connect(services.asynchronous_commits, weak=False)


@app.task(name="config.ping")
def ping(payload: str) -> dict[str, str]:
    """Answer with the payload and the worker's host name: a round trip proves broker, worker and results work."""
    return {"payload": payload, "worker": socket.gethostname(), "pid": str(os.getpid())}
