"""The controller framework of the simulated kube-controller-manager: the `Controller` protocol every
controller module implements, the `Context` it acts through, and its `Result`.

Modelled on controller-runtime: a reconcile request carries only a key (`namespace/name`), reconcilers
are level-based and idempotent (they read the current state from the store and converge towards it),
and timed work is expressed as `Result(requeue_after=seconds)`. The cluster runs every controller
registered in `registry.CONTROLLERS` from one de-duplicating work queue, only while the
`kube-controller-manager` component runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from cluster_engine.sim.apiserver import ApiServer
from cluster_engine.sim.events import Recorder
from cluster_engine.sim.store import Store
from cluster_engine.sim.util import Draws


@dataclass(frozen=True)
class Result:
    """What a reconcile asks of the work queue: `requeue_after` seconds of simulated time until the
    same key is reconciled again (None: only when something it watches changes)."""

    requeue_after: float | None = None


DONE = Result()


@dataclass(frozen=True)
class Context:
    """What a controller may use: `store` for reads (stored dicts: never mutate them), `api` for every
    write (the normal api-server path: defaulting, admission, validation, watch events), `recorder`
    for Events and `draws` for seeded randomness.

    `memory` is the controller manager's own memory, for what an upstream controller keeps in memory rather
    than in objects (the HPA controller's recent recommendations and scale events): JSON values under the
    controller's name, saved with the cluster's state and forgotten when kube-controller-manager restarts, as
    upstream's are. Everything else a controller knows it reads from the store."""

    store: Store
    api: ApiServer
    recorder: Recorder
    draws: Draws
    memory: dict[str, Any] = field(default_factory=dict)

    def memory_of(self, controller: str) -> dict[str, Any]:
        """The controller's part of `memory` (created on first use)."""
        return self.memory.setdefault(controller, {})

    def event(
        self, obj: dict[str, Any], event_type: str, reason: str, message: str, *, component: str, now: float
    ) -> None:
        """Record an Event on `obj` from `component` (which is also the actor of the write)."""
        self.recorder.record(obj, event_type, reason, message, component=component, actor=component, now=now)


class Controller(Protocol):
    """One controller of the controller manager.

    - `name`: its actor name and work-queue owner (`replicaset-controller`); also the Event source.
    - `kinds_watched`: the kinds whose changes it hears about (its informers).
    - `keys_for(event_type, kind, obj, old)`: the reconcile keys a change maps to (the event handlers:
      an owned pod maps to its owner's key). `event_type` is ADDED, MODIFIED or DELETED; `old` is the
      previous stored version (None on ADDED). It must be cheap and must not write.
    - `active_while` (optional): a kind among `kinds_watched`. While the store holds no object of it, the
      controller hears of no change of its other kinds, so a controller of an optional kind (the disruption
      controller of PodDisruptionBudgets, which also watches every pod) costs nothing in a cluster without one.
      It must then find its state again from its own kind's objects when one appears (level-based, as always).
    - `reconcile(ctx, key, now)`: bring the object named by `key` to its desired state through
      `ctx.api`; returns a `Result`. Level-based: it may be called any number of times for a key, for
      objects that no longer exist, and must not raise (a refused write is retried on the next change
      or requeue).
    """

    name: str
    kinds_watched: tuple[str, ...]

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]: ...

    def reconcile(self, ctx: Context, key: str, now: float) -> Result: ...


def split_key(key: str) -> tuple[str, str]:
    """`namespace/name` -> (namespace, name); a cluster-scoped key has no slash: ("", name)."""
    namespace, _, name = key.rpartition("/")
    return namespace, name


def key_of(obj: dict[str, Any]) -> str:
    """The reconcile key of an object: `namespace/name`, or `name` when cluster-scoped."""
    meta = obj["metadata"]
    namespace = meta.get("namespace", "")
    return f"{namespace}/{meta['name']}" if namespace else meta["name"]


def controller_ref(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The ownerReference with `controller: true`, if any (metav1.GetControllerOf)."""
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return ref
    return None


def new_controller_ref(owner: dict[str, Any]) -> dict[str, Any]:
    """An ownerReference to `owner` with controller=true and blockOwnerDeletion=true
    (metav1.NewControllerRef), as every workload controller sets on what it creates."""
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
