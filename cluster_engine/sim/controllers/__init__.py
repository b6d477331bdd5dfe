"""The controller framework of the simulated kube-controller-manager: the `Controller` protocol every
controller module implements, the `Context` it acts through, and its `Result`.

Modelled on controller-runtime: a reconcile request carries only a key (`namespace/name`), reconcilers
are level-based and idempotent (they read the current state from the store and converge towards it),
and timed work is expressed as `Result(requeue_after=seconds)`. The cluster runs every controller
registered in `registry.CONTROLLERS` from one de-duplicating work queue, only while the
`kube-controller-manager` component runs. The control plane's core loops (`CoreLoop`: node lifecycle, taint
eviction, garbage collector, namespace controller, pod GC, and the api-server's event TTL) are registered beside
them in `registry.CORE_LOOPS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from cluster_engine.sim.apiserver import ApiServer
from cluster_engine.sim.clock import Timers
from cluster_engine.sim.events import Recorder
from cluster_engine.sim.kubelet import Kubelets
from cluster_engine.sim.store import Store
from cluster_engine.sim.util import Draws

CONTROLLER_MANAGER = "kube-controller-manager"
ALL_KINDS = ("*",)  # the `kinds_watched` of a core loop that hears every kind


@dataclass(frozen=True)
class Result:
    """What a reconcile asks of the work queue: `requeue_after` seconds of simulated time until the
    same key is reconciled again (None: only when something it watches changes); `follow_up`, other keys of the
    same controller to reconcile next (the garbage collector's dependents that may now need another look)."""

    requeue_after: float | None = None
    follow_up: tuple[str, ...] = ()


DONE = Result()


@dataclass(frozen=True)
class Context:
    """What a controller may use: `store` for reads (stored dicts: never mutate them), `api` for every
    write (the normal api-server path: defaulting, admission, validation, watch events), `recorder`
    for Events and `draws` for seeded randomness.

    `memory` is the controller manager's own memory, for what an upstream controller keeps in memory rather
    than in objects (the HPA controller's recent recommendations and scale events): JSON values under the
    controller's name, saved with the cluster's state and forgotten when kube-controller-manager restarts, as
    upstream's are. Everything else a controller knows it reads from the store.

    The core loops also reach the node side: `kubelets` (heartbeats, running state), `timers` (their own timed
    work) and `components` (which control-plane components run)."""

    store: Store
    api: ApiServer
    recorder: Recorder
    draws: Draws
    memory: dict[str, Any] = field(default_factory=dict)
    timers: Timers = field(kw_only=True)
    kubelets: Kubelets = field(kw_only=True)
    components: dict[str, bool] = field(kw_only=True)

    @property
    def now(self) -> float:
        """The cluster's simulated time (its clock, which the api-server reads)."""
        return self.api.clock.now

    def controller_manager_running(self) -> bool:
        return self.components.get(CONTROLLER_MANAGER, True)

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


class CoreLoop(Protocol):
    """One of the control plane's core loops, run beside the controllers: kube-controller-manager's node
    lifecycle, taint eviction, garbage collector, namespace controller and pod GC, and the api-server's event TTL.

    - `name`: its actor name and work-queue owner; its keys run before the controllers' keys.
    - `kinds_watched`: the kinds whose changes it hears about (`ALL_KINDS`: every kind).
    - `controller_manager`: whether it runs only while kube-controller-manager runs (False: the api-server's).
      Its reconciles wait for that; it hears changes and keeps its timers regardless, as the queue of work it
      left behind outlives a restart.
    - `heard(ctx, event_type, kind, obj, old)`: the keys a change maps to (`()` for none: it is called on
      every change, so it allocates nothing when it has nothing to say). Unlike `keys_for` it may read
      the store and set its own timers (`ctx.timers`); it must be cheap and must not write objects.
    - `resync(ctx)`: the keys to look at when the controller manager starts (its informers' initial list).
    - `reconcile(ctx, key, now)`: as a controller's; `Result.follow_up` names further keys to look at now.
    """

    name: str
    kinds_watched: tuple[str, ...]
    controller_manager: bool

    def heard(
        self, ctx: Context, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None
    ) -> Sequence[str]: ...

    def resync(self, ctx: Context) -> list[str]: ...

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
