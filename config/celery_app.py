"""The Celery app: reads `CELERY_`-prefixed Django settings and finds each app's `tasks.py`."""

import os
import socket

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping")
def ping(payload: str) -> dict[str, str]:
    """Answer with the payload and the worker's host name: a round trip proves broker, worker and results work."""
    return {"payload": payload, "worker": socket.gethostname(), "pid": str(os.getpid())}
