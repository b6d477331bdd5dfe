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
    persistentvolume,
    replicaset,
    resourcequota,
    serviceaccount,
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
    serviceaccount.NAME: serviceaccount.CONTROLLER,
    serviceaccount.ROOT_CA_NAME: serviceaccount.ROOT_CA_CONTROLLER,
    resourcequota.NAME: resourcequota.CONTROLLER,
    persistentvolume.NAME: persistentvolume.BINDER,
    persistentvolume.PROVISIONER_NAME: persistentvolume.PROVISIONER,
    persistentvolume.PVC_PROTECTION_NAME: persistentvolume.CLAIM_PROTECTION,
    persistentvolume.PV_PROTECTION_NAME: persistentvolume.VOLUME_PROTECTION,
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
