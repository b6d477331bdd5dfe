"""The one registry of the simulated controller manager's controllers, by name (their actor name).
Adding a controller is one line here; the cluster routes changes of `kinds_watched` to it."""

from __future__ import annotations

import functools

from . import (
    Controller,
    clusterrole_aggregation,
    cronjob,
    daemonset,
    deployment,
    disruption,
    endpoints,
    endpointslice,
    hpa,
    job,
    replicaset,
    statefulset,
)

CONTROLLERS: dict[str, Controller] = {
    replicaset.NAME: replicaset.CONTROLLER,
    deployment.NAME: deployment.CONTROLLER,
    daemonset.NAME: daemonset.CONTROLLER,
    endpoints.NAME: endpoints.CONTROLLER,
    endpointslice.NAME: endpointslice.CONTROLLER,
    job.NAME: job.CONTROLLER,
    job.TTL_NAME: job.TTL_CONTROLLER,
    cronjob.NAME: cronjob.CONTROLLER,
    statefulset.NAME: statefulset.CONTROLLER,
    statefulset.BINDER: statefulset.BINDER_CONTROLLER,
    clusterrole_aggregation.NAME: clusterrole_aggregation.CONTROLLER,
    disruption.NAME: disruption.CONTROLLER,
    hpa.NAME: hpa.CONTROLLER,
}


@functools.cache
def watchers(kind: str) -> tuple[tuple[Controller, str], ...]:
    """The registered controllers that watch `kind`, in registry order, each with the kind that must have objects
    for it to hear of this change ("" when it always does: see `Controller.active_while`). Asked on every
    change: cached."""
    found = []
    for controller in CONTROLLERS.values():
        if kind in controller.kinds_watched:
            gate = getattr(controller, "active_while", "")
            found.append((controller, "" if gate == kind else gate))
    return tuple(found)
