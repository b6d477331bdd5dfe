"""What the cluster tells its readers: the changes since the last drain (watch events, the change log and the
diagram's flows) for the page and the Celery task, the retained change log for the grader, and a snapshot of
everything."""

from __future__ import annotations

from typing import Any

from .clock import Clock
from .kubelet import Kubelets, kubelet_actor
from .store import Store
from .util import clone, rfc3339

API_SERVER = "api-server"


def flow_of(change: dict[str, Any]) -> dict[str, Any]:
    """The diagram's arrow for one change: who asked the api-server to do what to which object."""
    actor = change["actor"]
    target = f"{change['namespace']}/{change['name']}" if change["namespace"] else change["name"]
    return {
        "from": actor.split("/", 1)[0] if actor.startswith("user:") else actor,
        "to": API_SERVER,
        "verb": change["verb"],
        "kind": change["kind"],
        "object": target,
        "reason": change["reason"],
        "resourceVersion": change["resourceVersion"],
    }


def drain_changes(store: Store) -> dict[str, Any]:
    """Everything that changed since the last drain: watch events `{type, object}`, change records
    (actor, verb, reason) and the flows the diagram animates. `resync` is True when the history
    no longer reaches back to the last drain (the page should then reload a snapshot)."""
    since = store.drained_rv
    resync = since < store.oldest_rv()
    events = (
        []
        if resync
        else [{"type": t, "object": clone(o)} for _rv, t, _k, o in store.events_since(since)]
    )
    changes = [c.to_dict() for c in store.changes_since(since)]
    store.drained_rv = store.rv
    store.trim()
    return {
        "resourceVersion": str(store.rv),
        "resync": resync,
        "events": events,
        "changes": changes,
        "flows": [flow_of(c) for c in changes],
    }


def changes(store: Store, since_rv: int = 0) -> list[dict[str, Any]]:
    """The retained change log after `since_rv` (who did what, when, why), for the grader."""
    return [c.to_dict() for c in store.changes_since(since_rv)]


def component_states(store: Store, kubelets: Kubelets, components: dict[str, bool]) -> dict[str, bool]:
    """Which components run: the scheduler, the controller manager and every node's kubelet."""
    states = dict(components)
    for node in store.items("Node"):
        name = node["metadata"]["name"]
        states[kubelet_actor(name)] = kubelets.running(name)
    return states


def snapshot(store: Store, clock: Clock, components: dict[str, bool]) -> dict[str, Any]:
    """Every object (copies), the resourceVersion, simulated time and component states."""
    items = []
    for kind in store.kinds():
        items += [clone(obj) for obj in store.items(kind)]
    return {
        "resourceVersion": str(store.rv),
        "time": clock.now,
        "timestamp": rfc3339(clock.now),
        "speed": clock.speed,
        "paused": clock.paused,
        "components": components,
        "objects": items,
    }
