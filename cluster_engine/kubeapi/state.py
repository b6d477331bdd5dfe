"""Reading a sandbox's engine for the Kubernetes API (reads never store anything)."""

from __future__ import annotations

import uuid

from cluster_engine import engine, wakeups, wallclock
from cluster_engine.engine import Status
from cluster_engine.models import Sandbox


def load(sandbox_id: uuid.UUID) -> engine.Cluster:
    """The sandbox's engine with its clock at now (timers due meanwhile are the worker's to fire).

    Raises a 404 Status when the sandbox is gone. A hibernating sandbox is woken up for the next reconcile.
    """
    row = Sandbox.objects.filter(pk=sandbox_id).values_list("state", "hibernating").first()
    if row is None:
        raise Status(404, "NotFound", "the server could not find the requested resource", {})
    state, hibernating = row
    if hibernating:
        wakeups.reconcile_soon(sandbox_id)
    cluster = engine.load(state)
    engine.sync_clock(cluster, wallclock.wall_now())
    return cluster
