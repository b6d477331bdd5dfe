"""The simulated cluster: wires the api-server, store, clock, scheduler, kubelets and controllers,
and is the one facade the web layer, the Celery task, the in-page kubectl and the grader use.

Every entry point takes simulated time from the cluster's own clock (moved by `advance(wall_now)` or
`step(seconds)`); nothing reads the wall clock or global random state, so `from_json(to_json(c))`
continues exactly as `c` would.
"""

from __future__ import annotations

import json
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

from . import faults, feeds, pod_requests, portforward, quota
from .apiserver import ApiServer
from .bootstrap import show_component, upgrade_state_v1, upgrade_state_v2
from .clock import Clock, Timers
from .controllers import CONTROLLER_MANAGER, Context
from .controllers.registry import CONTROLLERS, CORE_LOOPS, core_hearers, watchers
from .errors import Status, bad_request, not_found
from .events import Recorder
from .kubelet import Kubelets, kubelet_actor
from .nodes import NodeLifecycle
from .scheduler_feed import SCHEDULER_KINDS, SchedulerFeed, remembered_kinds
from .scheduling_host import SCHEDULER, SchedulingHost
from .store import DELETED, Store
from .util import Draws

# 2: default ServiceAccounts, the default StorageClass, stored PersistentVolumes; 3: the bootstrap RBAC policy
STATE_VERSION = 3
MAX_WORK = 2_000_000


def _weak(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method`, called without keeping its cluster alive. The parts call back into the cluster that owns them;
    with plain bound methods every cluster was a reference cycle, so its whole state (thousands of dicts) stayed
    in memory until a garbage collection, and those collections stalled the web process for 100 ms and more."""
    reference = weakref.WeakMethod(method)

    def call(*args: Any, **kwargs: Any) -> Any:
        return reference()(*args, **kwargs)  # type: ignore[misc]

    return call


class Cluster:
    """One sandbox's simulated Kubernetes cluster. Requests raise only `Status`."""

    def __init__(
        self,
        *,
        seed: int = 0,
        now: float = 0.0,
        history_limit: int = 1000,
        change_limit: int = 2000,
        _state: dict[str, Any] | None = None,
        _decode: Callable[[str], Any] | None = None,
    ) -> None:
        state = _state or {}
        self.seed = seed
        self.draws = Draws(seed, state.get("draws", 0))
        self.clock = Clock.from_json(state["clock"]) if "clock" in state else Clock(now)
        self.timers = Timers.from_json(state["timers"]) if "timers" in state else Timers()
        saved_scheduler = state.get("scheduler")
        self.store = (
            Store.from_json(state["store"], decode=_decode, remember_loaded=remembered_kinds(saved_scheduler))
            if "store" in state
            else Store(history_limit=history_limit, change_limit=change_limit)
        )
        self.api = ApiServer(self.store, self.draws, quota.limits_from_json(state.get("limits")), clock=self.clock)
        self.recorder = Recorder(self.store, self.draws)
        self.kubelets = Kubelets(
            self.store,
            self.recorder,
            timers=self.timers,
            draws=self.draws,
            delete_pod=_weak(self._kubelet_delete),
            state=state.get("kubelets"),
        )
        self.components: dict[str, bool] = state.get(
            "components", {SCHEDULER: True, CONTROLLER_MANAGER: True}
        )
        # what the controller manager keeps in memory (Context.memory): saved with the state, lost on its restart
        self.controller_memory: dict[str, Any] = state.get("controllerMemory") or {}
        self.ctx = Context(self.store, self.api, self.recorder, self.draws, self.controller_memory,
                           timers=self.timers, kubelets=self.kubelets, components=self.components)
        self.nodes = NodeLifecycle(self.ctx)
        self.api.service_accounts_managed = self.components.get(CONTROLLER_MANAGER, True)
        # the scheduler's side of the api-server, and its last decision records
        self.scheduling = SchedulingHost(self.store, self.api, self.recorder, self.clock, state.get("explanations", {}))
        # Two FIFO queues at the same simulated time: node-level and core work first, then the controllers'
        # keys, so that a burst of pod updates (a kubelet starting 100 pods) costs one reconcile of their
        # owner rather than one per update; the order is fixed, so runs stay deterministic.
        saved_work = [tuple(item) for item in state.get("work", [])]
        self.work: deque[tuple[str, str]] = deque(item for item in saved_work if item[0] not in CONTROLLERS)
        self.controller_work: deque[tuple[str, str]] = deque(item for item in saved_work if item[0] in CONTROLLERS)
        self._queued: set[tuple[str, str]] = set(saved_work)
        self.scheduler_feed = SchedulerFeed(self.store, saved_scheduler)  # what kube-scheduler hears
        self.store.listen(self)

    # --- serialisation --------------------------------------------------------------------------
    def to_json(self, *, drained_logs: bool = True, encode: Callable[[Any], str] | None = None) -> dict[str, Any]:
        """The whole sandbox as one JSON-serialisable document (objects, counters, clock, timers, seed).
        It shares structure with the live cluster: serialise it before the cluster changes again.
        `drained_logs=False` leaves out the watch history and change log already drained; with `encode` each
        kind's objects are saved as JSON text, decoded by a loaded cluster only when used (Store.to_json)."""
        return {
            "version": STATE_VERSION,
            "seed": self.seed,
            "draws": self.draws.counter,
            "clock": self.clock.to_json(),
            "timers": self.timers.to_json(),
            "store": self.store.to_json(drained_logs=drained_logs, encode=encode),
            "kubelets": self.kubelets.to_json(),
            "components": dict(self.components),
            "limits": quota.limits_to_json(self.api.limits),
            "explanations": self.scheduling.to_json(),
            "work": [list(item) for item in (*self.work, *self.controller_work)],
            "scheduler": self.scheduler_feed.to_json(),
        } | ({"controllerMemory": self.controller_memory} if self.controller_memory else {})

    @classmethod
    def from_json(cls, data: dict[str, Any], *, decode: Callable[[str], Any] | None = None) -> Cluster:
        """A cluster that continues exactly where the saved one stood. Takes ownership of `data`
        (pass a fresh `json.loads` result, or a copy). `decode` reads kinds saved as text (Store.from_json)."""
        version = data.get("version")
        if version not in (1, 2, STATE_VERSION):
            raise ValueError(f"unsupported state version {version!r}")
        cluster = cls(seed=data["seed"], _state=data, _decode=decode)
        if version == 1:
            upgrade_state_v1(cluster, now=cluster.clock.now)
        if version in (1, 2):
            upgrade_state_v2(cluster, now=cluster.clock.now)
        return cluster

    def dumps(self) -> str:
        """`to_json()` as compact JSON text (the platform stores `to_json(drained_logs=False)`, compressed)."""
        return json.dumps(self.to_json(), separators=(",", ":"))

    @classmethod
    def loads(cls, text: str | bytes) -> Cluster:
        return cls.from_json(json.loads(text))

    # --- time -----------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.clock.now

    def advance(self, wall_now: float) -> float:
        """Move simulated time to what `wall_now` corresponds to (speed, pause) and run everything due.
        Returns the new simulated time."""
        target = self.clock.target(wall_now)
        self.clock.sync(wall_now)
        self._run_to(target)
        return self.clock.now

    def step(self, seconds: float) -> float:
        """Move simulated time forward by `seconds` regardless of speed or pause; run what is due."""
        self._run_to(self.clock.now + max(0.0, seconds))
        return self.clock.now

    def set_speed(self, speed: float, wall_now: float) -> None:
        self.advance(wall_now)
        self.clock.set_speed(speed, wall_now)

    def set_paused(self, paused: bool, wall_now: float) -> None:
        self.advance(wall_now)
        self.clock.set_paused(paused, wall_now)

    def next_wakeup(self) -> float | None:
        """Simulated time of the next timed event (None when nothing is pending)."""
        if self.work or self.controller_work:
            return self.clock.now
        timer = self.timers.peek()
        return timer.time if timer else None

    def next_wakeup_wall(self) -> float | None:
        """Wall time at which `advance` should be called next (None if idle or paused)."""
        due = self.next_wakeup()
        return None if due is None else self.clock.wall_for(due)

    def _run_to(self, target: float) -> None:
        self.run_until_idle()
        while True:
            timer = self.timers.pop_due(target)
            if timer is None:
                break
            self.clock.now = max(self.clock.now, timer.time)
            self._fire(timer.owner, timer.key)
            self.run_until_idle()
        self.clock.now = max(self.clock.now, target)

    # --- the reconcile loop ---------------------------------------------------------------------
    def run_until_idle(self) -> None:
        """Let every running component react to what changed at the current time until nothing does."""
        now = self.clock.now
        for _ in range(MAX_WORK):
            if self.work or self.controller_work:
                item = self.work.popleft() if self.work else self.controller_work.popleft()
                self._queued.discard(item)
                self._dispatch(item[0], item[1], now)
                continue
            if self.components.get(SCHEDULER) and self._run_scheduler_if_due(now):
                continue
            return

    def _run_scheduler_if_due(self, now: float) -> bool:
        """Run the scheduler if its queue has a pod due now, and point its timer at the queue's next due time.

        The decision is read from the queue on every call, never from the timer: a timer set at the last run
        (a backing-off pod's retry, the five-minute flush) knows nothing of pods queued since, and trusting it
        once kept every new pod Pending until an unschedulable pod's retry came round. The timer only tells
        `next_wakeup` when to call again. Returns True when the run changed something others must see."""
        due = self.scheduler_feed.queue_due(now)
        if due is None or due > now:
            if due is None:
                self.timers.cancel(SCHEDULER, "")
            else:
                self.timers.schedule(due, SCHEDULER, "", earliest=False)
            return False
        self.timers.cancel(SCHEDULER, "")
        rv = self.store.rv
        self.scheduler_feed.ready().run(self.scheduling, now=now, rng=self.draws.random())
        changed = self.store.rv != rv or bool(self.work or self.controller_work)
        if not changed:  # nothing bound or marked: wait for the queue's next due time, not for this instant
            later = self.scheduler_feed.scheduler.queue.next_due(now)
            if later is not None and later > now:
                self.timers.schedule(later, SCHEDULER, "", earliest=False)
        return changed

    def _enqueue(self, owner: str, key: str) -> None:
        item = (owner, key)
        if item not in self._queued:
            self._queued.add(item)
            (self.controller_work if owner in CONTROLLERS else self.work).append(item)

    def _dispatch(self, owner: str, key: str, now: float) -> None:
        if owner.startswith("kubelet/"):
            self.kubelets.sync(owner.split("/", 1)[1], key, now)
            return
        if owner == faults.OWNER:
            faults.fire(self, key)
            return
        loop = CORE_LOOPS.get(owner) or CONTROLLERS.get(owner)
        if loop is None or (getattr(loop, "controller_manager", True) and not self.ctx.controller_manager_running()):
            return
        result = loop.reconcile(self.ctx, key, now)
        if result.requeue_after is not None:
            self.timers.schedule(now + max(0.0, result.requeue_after), owner, key)
        for follow_up in result.follow_up:
            self._enqueue(owner, follow_up)

    def _fire(self, owner: str, key: str) -> None:
        if owner == SCHEDULER:
            return  # run_until_idle runs the scheduler once its timer is due
        self._enqueue(owner, key)

    def store_changed(self, event: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        """The store's listener: route every change to the components that watch it (as informers do). It runs on every
        write (twice per binding), so it reads each thing once: benchmarks/scheduler.py measures it."""
        if kind in SCHEDULER_KINDS:
            self.scheduler_feed.observe(event, kind, obj, old)
        enqueue = self._enqueue
        if self.ctx.controller_manager_running():
            # the controllers' informers: a stopped controller manager hears nothing and resyncs on start
            for controller, gate in watchers(kind):
                if gate and not self.store.count(gate):
                    continue  # a controller of an optional kind hears nothing while none exists
                keys = controller.keys_for(event, kind, obj, old)
                if keys:
                    for key in keys:
                        enqueue(controller.name, key)
        if kind == "Pod":
            meta = obj["metadata"]
            node = obj["spec"].get("nodeName")
            if node:
                enqueue(kubelet_actor(node), f"{meta.get('namespace', '')}/{meta['name']}")
            if event == DELETED:
                self.kubelets.forget(meta.get("uid", ""))
        ctx = self.ctx
        for name, heard in core_hearers(kind):
            keys = heard(ctx, event, kind, obj, old)
            if keys:
                for key in keys:
                    enqueue(name, key)

    def _kubelet_delete(self, namespace: str, name: str, actor: str, now: float) -> None:
        try:
            self.api.delete(
                "Pod",
                name,
                namespace=namespace,
                actor=actor,
                now=now,
                grace_period_seconds=0,
                reason="Killing",
            )
        except Status:
            return

    # --- components -----------------------------------------------------------------------------
    def set_component(self, name: str, *, running: bool) -> None:
        """Stop or start `kube-scheduler`, `kube-controller-manager` or `kubelet/<node>`."""
        now = self.clock.now
        if name.startswith("kubelet/"):
            node = name.split("/", 1)[1]
            if self.store.get("Node", "", node) is None:
                raise not_found("nodes", node)
            state = self.kubelets.node_state(node)
            if state["running"] == running:
                return
            state["running"] = running
            if running:
                self.nodes.kubelet_started(node, now)
                for pod in self.store.pods_on(node):
                    self._enqueue(name, f"{pod['metadata']['namespace']}/{pod['metadata']['name']}")
            else:
                self.nodes.kubelet_stopped(node, now)
        elif name in (SCHEDULER, CONTROLLER_MANAGER):
            if self.components.get(name) == running:
                return
            self.components[name] = running
            self.api.service_accounts_managed = self.components.get(CONTROLLER_MANAGER, True)
            if name == CONTROLLER_MANAGER:
                self.controller_memory.clear()  # a restarted controller manager remembers nothing
            show_component(self.store, name, running=running, now=now)
            if running and name == CONTROLLER_MANAGER:
                self._resync_controllers()
        else:
            raise bad_request(
                f'unknown component "{name}": expected kube-scheduler, kube-controller-manager '
                "or kubelet/<node>"
            )
        self.run_until_idle()

    def _resync_controllers(self) -> None:
        """Enqueue every key of every registered loop (its informers' initial list on start)."""
        for loop in CORE_LOOPS.values():
            for key in loop.resync(self.ctx):
                self._enqueue(loop.name, key)
        for controller in CONTROLLERS.values():
            gate = getattr(controller, "active_while", "")
            if gate and not self.store.count(gate):
                continue
            for kind in controller.kinds_watched:
                for obj in list(self.store.items(kind)):
                    for key in controller.keys_for("ADDED", kind, obj, None):
                        self._enqueue(controller.name, key)

    def component_running(self, name: str) -> bool:
        if name.startswith("kubelet/"):
            return self.kubelets.running(name.split("/", 1)[1])
        return self.components.get(name, False)

    # --- requests through a node (`pod_requests.py`) ----------------------------------------------
    def logs(self, name: str, *, namespace: str = "default", container: str | None = None, previous: bool = False,
             timestamps: bool = False, tail: int | None = None) -> str:
        """`kubectl logs`: the container's output, or the Status kube-apiserver answers."""
        return pod_requests.logs(self.store, self.kubelets, name, now=self.clock.now, namespace=namespace,
                                 container=container, previous=previous, timestamps=timestamps, tail=tail)

    def http_request(self, url: str, *, from_pod: str | None = None, namespace: str = "default") -> dict[str, Any]:
        """`curl <url>` from pod `from_pod` in `namespace` (or from a node), routed as kube-proxy and DNS would."""
        return pod_requests.http_request(self.store, self.kubelets, self.draws, url, from_pod=from_pod,
                                         namespace=namespace)

    def port_forward(self, name: str, *, namespace: str, uid: str, port: int,
                     request: bytes | None = None) -> portforward.Forwarded:
        """One connection of `kubectl port-forward` to `port` of pod `namespace/name` (`pod_requests.py`)."""
        return pod_requests.port_forward(self.store, self.kubelets, name, namespace=namespace, uid=uid, port=port,
                                         request=request, now=self.clock.now)

    # --- feeds for the page, the grader and the Celery task (`feeds.py`) --------------------------
    def drain_changes(self) -> dict[str, Any]:
        """Everything that changed since the last drain: `{resourceVersion, resync, events, changes, flows}`."""
        return feeds.drain_changes(self.store)

    def changes(self, since_rv: int = 0) -> list[dict[str, Any]]:
        """The retained change log after `since_rv` (who did what, when, why), for the grader."""
        return feeds.changes(self.store, since_rv)

    def component_states(self) -> dict[str, bool]:
        """Which components run: the scheduler, the controller manager and every node's kubelet."""
        return feeds.component_states(self.store, self.kubelets, self.components)

    def snapshot(self) -> dict[str, Any]:
        """Every object (copies), the resourceVersion, simulated time and component states."""
        return feeds.snapshot(self.store, self.clock, self.component_states())
