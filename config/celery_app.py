"""The Celery app: reads `CELERY_`-prefixed Django settings and finds each app's `tasks.py`."""

import logging
import os
import socket

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def prepare_worker(**_kwargs: object) -> None:
    """The worker decodes the API schemas once at start (its pool processes inherit them), not inside the first
    reconcile, commits its reconciles without waiting for the disk (see services.asynchronous_commits) and
    yields the CPU to the web process (settings.WORKER_NICENESS, settings.WORKER_IDLE_PRIORITY)."""
    from django.conf import settings
    from django.db.backends.signals import connection_created

    from cluster_engine import engine, services

    engine.warm_up()
    connection_created.connect(services.asynchronous_commits, weak=False)
    # Learners' requests before reconciles: where the web process and the workers share CPUs, a busy worker
    # must not make the api-server answer late. The pool processes inherit the niceness.
    os.nice(settings.WORKER_NICENESS)
    if settings.WORKER_IDLE_PRIORITY and hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError as error:  # a sandbox (seccomp) may forbid it; niceness still applies
            logging.getLogger(__name__).warning("could not enter the idle scheduling class: %s", error)


@task_prerun.connect
@task_postrun.connect
def recycle_database_connections(**_kwargs: object) -> None:
    """Around each task, close a connection that is broken or older than CONN_MAX_AGE, as Django does around
    each request; a healthy one is kept (settings.CELERY_DB_REUSE_MAX stops Celery closing it every time)."""
    from django.db import close_old_connections

    close_old_connections()


@app.task(name="config.ping")
def ping(payload: str) -> dict[str, str]:
    """Answer with the payload and the worker's host name: a round trip proves broker, worker and results work."""
    return {"payload": payload, "worker": socket.gethostname(), "pid": str(os.getpid())}
