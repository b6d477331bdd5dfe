"""Celery tasks: thin interfaces that take ids and call one service."""

from celery import shared_task

from cluster_engine import services
from cluster_engine.models import Sandbox
from cluster_engine.wakeups import RECONCILE_TASK


@shared_task(name=RECONCILE_TASK, acks_late=True, reject_on_worker_lost=True,
             time_limit=60, soft_time_limit=45, ignore_result=True)
def reconcile(sandbox_id: str) -> None:
    """Let the sandbox's scheduler, controllers and kubelets catch up with now (see services.sandbox_reconcile).
    Enqueued by name by `cluster_engine.wakeups`."""
    try:
        services.sandbox_reconcile(sandbox_id=sandbox_id)
    except Sandbox.DoesNotExist:
        return  # the sandbox was deleted (or reset away) since the task was queued
