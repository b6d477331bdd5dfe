"""What kube-scheduler hears, as the cluster runs it: every change of the kinds it watches, in order (its
informers), and a loaded scheduler rebuilt lazily.

Replaying every object through `observe()` costs more than the rest of loading, and most loads (a write in the web
process) never schedule anything. Until the scheduler is needed, the objects as loaded (the store remembers them)
and the events since are kept (references only) and fed to it in the same order when it is, which gives exactly
the eager result. Events that could change the scheduling queue mark the saved queue stale: the scheduler is then
replayed before it decides anything and before the state is saved again.
"""

from __future__ import annotations

from typing import Any

from .scheduler import Scheduler
from .store import DELETED, Store

SCHEDULER_KINDS = ("Pod", "Node", "PriorityClass", "Namespace", "StorageClass", "PersistentVolume",
                   "PersistentVolumeClaim")
# what a loaded scheduler is fed, in this order (the storage kinds before the pods whose claims they are)
REPLAYED_KINDS = ("Namespace", "PriorityClass", "Node", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
                  "Pod")
PENDING_EVENTS_MAX = 20_000


def _may_change_scheduling_queue(event: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> bool:
    """Whether a change the scheduler observes could change its queue: a pod to queue, requeue or drop, or a
    cluster event that moves unschedulable pods. False for what the scheduler takes in without touching the
    queue: status updates of a bound pod (most of what kubelets write) and Namespace labels."""
    if kind == "Namespace":
        return False
    if kind != "Pod" or event == DELETED or old is None:
        return True
    node = obj["spec"].get("nodeName")
    if not node or node != old["spec"].get("nodeName"):
        return True
    meta, old_meta = obj["metadata"], old["metadata"]
    if meta.get("labels") != old_meta.get("labels"):
        return True
    if bool(meta.get("deletionTimestamp")) != bool(old_meta.get("deletionTimestamp")):
        return True
    finished = ("Succeeded", "Failed")
    return (obj.get("status") or {}).get("phase") in finished and (old.get("status") or {}).get("phase") not in finished


def remembered_kinds(saved: dict[str, Any] | None) -> tuple[str, ...]:
    """The kinds a store being loaded must remember as loaded, for the replay of the `saved` scheduler."""
    return REPLAYED_KINDS if saved is not None else ()


class SchedulerFeed:
    """The scheduler (`scheduler`, as saved or new) and what it has yet to hear. `ready()` is the scheduler with
    every observation delivered; `observe` routes one change of the store to it."""

    def __init__(self, store: Store, saved: dict[str, Any] | None = None) -> None:
        self.store = store
        self.scheduler = Scheduler.from_json(saved) if saved is not None else Scheduler()
        self._replay_due = saved is not None
        self._replay: list[dict[str, Any]] | None = None  # the loaded objects, once read (`_replay_objects`)
        self._pending_events: list[tuple[str, dict[str, Any]]] = []
        # Whether an event held back from a loaded scheduler could change its queue (then the saved queue is
        # stale: it is replayed before deciding anything, and before being saved again).
        self._news = False

    def observe(self, event: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        """One change of the store (any kind: those the scheduler does not watch are ignored)."""
        if kind not in SCHEDULER_KINDS:
            return
        if not self._replay_due:
            self.scheduler.observe(event, obj)
            return
        self._pending_events.append((event, obj))
        if not self._news:
            self._news = _may_change_scheduling_queue(event, kind, obj, old)

    def _replay_objects(self) -> list[dict[str, Any]]:
        """The objects a loaded scheduler is fed, as loaded; read on first need, as the store decodes a kind only
        when used (a write in the web process usually touches neither Pods nor Nodes)."""
        if self._replay is None:
            self._replay = [obj for kind in REPLAYED_KINDS for obj in self.store.loaded_items(kind)]
        return self._replay

    def ready(self) -> Scheduler:
        """The scheduler with every observation delivered (replaying a loaded state on first use)."""
        if self._replay_due:
            replay, self._replay, self._replay_due = self._replay_objects(), None, False
            self.store.forget_loaded()
            for obj in replay:
                self.scheduler.observe("ADDED", obj)
            self.scheduler.end_replay()
            events, self._pending_events = self._pending_events, []
            for event, obj in events:
                self.scheduler.observe(event, obj)
            self._news = False
        return self.scheduler

    def queue_due(self, now: float) -> float | None:
        """When the scheduler must run next (`now` if a pod waits in activeQ), read from its queue.

        A loaded scheduler's saved queue is current until news that could change it arrives (a pod to queue
        or drop, a cluster event that moves unschedulable pods): only then is the scheduler replayed first.
        Status updates of bound pods, most of a reconcile's changes, leave the saved queue as it is."""
        if self._replay_due and (self._news or len(self._pending_events) > PENDING_EVENTS_MAX):
            self.ready()
        return self.scheduler.queue.next_due(now)

    def to_json(self) -> dict[str, Any]:
        """The scheduler as saved: a loaded one still waiting for its replay is saved as loaded, unless news
        arrived since (the next load would never see those events: their objects are then simply part of the
        state)."""
        return (self.ready() if self._replay_due and self._news else self.scheduler).to_json()
