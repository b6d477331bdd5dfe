"""The one registry of the simulated control plane's loops, by name (their actor name): the controller manager's
controllers (`CONTROLLERS`) and the core loops beside them (`CORE_LOOPS`: node lifecycle, taint eviction, pod GC,
event TTL, namespace controller, garbage collector). Adding one is one line here; the cluster routes changes of
`kinds_watched` to it and runs its keys from the work queue (the core loops' keys first)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from cluster_engine.sim import gc, nodes

from . import (
    ALL_KINDS,
    Controller,
    CoreLoop,
    clusterrole_aggregation,
    cronjob,
    daemonset,
    deployment,
    disruption,
    endpoints,
    endpointslice,
    event_ttl,
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

# In the order they hear a change: it is the order of their keys in the queue and of the timers they set.
CORE_LOOPS: dict[str, CoreLoop] = {
    nodes.CONTROLLER: nodes.NODE_LIFECYCLE,
    nodes.EVICTION: nodes.TAINT_EVICTION,
    gc.POD_GC: gc.PODS_OF_DELETED_NODES,
    event_ttl.NAME: event_ttl.CONTROLLER,
    gc.NAMESPACE_CONTROLLER: gc.NAMESPACES,
    gc.GC: gc.GARBAGE_COLLECTOR,
}


@functools.cache
def core_hearers(kind: str) -> tuple[tuple[str, Callable[..., Sequence[str]]], ...]:
    """The core loops that hear of a change of `kind`, in registry order, as (name, bound `heard`) pairs: asked on
    every change, so cached and without attribute lookups."""
    return tuple((loop.name, loop.heard) for loop in CORE_LOOPS.values()
                 if loop.kinds_watched == ALL_KINDS or kind in loop.kinds_watched)


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
