"""The scheduling queue: activeQ (priority, then arrival), backoffQ (1 s doubling to 10 s), the unschedulable
pods, moved back when a cluster event could help them or after five minutes (`internal/queue`)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

INITIAL_BACKOFF = 1.0
MAX_BACKOFF = 10.0
MAX_IN_UNSCHEDULABLE = 300.0  # podMaxInUnschedulablePodsDuration

ACTIVE, BACKOFF, UNSCHEDULABLE, IN_FLIGHT = "active", "backoff", "unschedulable", "inFlight"

# Cluster events, and the plugins whose rejections such an event may lift (upstream's EventsToRegister).
NODE_ADDED = "NodeAdd"
NODE_CHANGED = "NodeUpdate"
ASSIGNED_POD_ADDED = "AssignedPodAdd"
ASSIGNED_POD_DELETED = "AssignedPodDelete"
VOLUME_CHANGED = "PersistentVolumeClaimUpdate"  # a claim bound, a volume or storage class added or changed
EVENT_PLUGINS: dict[str, frozenset[str] | None] = {
    NODE_ADDED: None,  # every plugin
    NODE_CHANGED: None,
    ASSIGNED_POD_ADDED: frozenset({"InterPodAffinity", "PodTopologySpread"}),
    ASSIGNED_POD_DELETED: frozenset(
        {"NodeResourcesFit", "NodePorts", "InterPodAffinity", "PodTopologySpread", "DefaultPreemption"}
    ),
    VOLUME_CHANGED: frozenset({"VolumeBinding"}),
}


def backoff_duration(attempts: int) -> float:
    """1 s after the first failed attempt, doubling each time, at most 10 s."""
    return min(INITIAL_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


@dataclass
class QueuedPod:
    key: str
    priority: int
    seq: int  # arrival order in activeQ (upstream's queue timestamp)
    where: str = ACTIVE
    attempts: int = 0
    backoff_until: float = 0.0
    unschedulable_since: float = 0.0
    rejected_by: frozenset[str] = field(default_factory=frozenset)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "priority": self.priority,
            "seq": self.seq,
            "where": self.where,
            "attempts": self.attempts,
            "backoffUntil": self.backoff_until,
            "unschedulableSince": self.unschedulable_since,
            "rejectedBy": sorted(self.rejected_by),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QueuedPod:
        return cls(
            data["key"],
            int(data["priority"]),
            int(data["seq"]),
            data["where"],
            int(data["attempts"]),
            float(data["backoffUntil"]),
            float(data["unschedulableSince"]),
            frozenset(data["rejectedBy"]),
        )


class SchedulingQueue:
    """Pending pods by key. Heaps hold (order, key) and are cleaned lazily: an entry counts only while the pod
    is still in that sub-queue."""

    def __init__(self) -> None:
        self.pods: dict[str, QueuedPod] = {}
        self._active: list[tuple[int, int, str]] = []
        self._backoff: list[tuple[float, int, str]] = []
        self.unschedulable: dict[str, QueuedPod] = {}
        self._seq = 0

    def __len__(self) -> int:
        return len(self.pods)

    def __contains__(self, key: str) -> bool:
        return key in self.pods

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _to_active(self, pod: QueuedPod) -> None:
        self.unschedulable.pop(pod.key, None)
        pod.where = ACTIVE
        pod.seq = self._next_seq()
        heapq.heappush(self._active, (-pod.priority, pod.seq, pod.key))

    def _to_backoff(self, pod: QueuedPod) -> None:
        self.unschedulable.pop(pod.key, None)
        pod.where = BACKOFF
        heapq.heappush(self._backoff, (pod.backoff_until, pod.seq, pod.key))

    def add(self, key: str, priority: int) -> None:
        """A new pending pod goes straight to activeQ (no-op if already queued)."""
        if key not in self.pods:
            pod = self.pods[key] = QueuedPod(key, priority, 0)
            self._to_active(pod)

    def updated(self, key: str, priority: int) -> None:
        """The pod's spec or labels changed: an unschedulable pod may fit now, so it is retried."""
        pod = self.pods.get(key)
        if pod is None:
            self.add(key, priority)
            return
        pod.priority = priority
        if pod.where == UNSCHEDULABLE:
            self._requeue(pod)
        elif pod.where == ACTIVE:
            heapq.heappush(self._active, (-pod.priority, pod.seq, pod.key))

    def delete(self, key: str) -> None:
        self.pods.pop(key, None)
        self.unschedulable.pop(key, None)

    def _requeue(self, pod: QueuedPod) -> None:
        if pod.backoff_until > 0 and pod.attempts:
            self._to_backoff(pod)
        else:
            self._to_active(pod)

    def cluster_event(self, event: str) -> int:
        """Move the unschedulable pods this event may help to backoffQ (activeQ once their backoff expired);
        returns how many moved."""
        plugins = EVENT_PLUGINS.get(event)
        moved = 0
        for pod in list(self.unschedulable.values()):
            if plugins is None or not pod.rejected_by or pod.rejected_by & plugins:
                self._to_backoff(pod)
                moved += 1
        return moved

    def flush_backoff(self, now: float) -> None:
        """Backed-off pods whose time came go to activeQ."""
        while self._backoff and self._backoff[0][0] <= now:
            _, _, key = heapq.heappop(self._backoff)
            pod = self.pods.get(key)
            if pod is not None and pod.where == BACKOFF and pod.backoff_until <= now:
                self._to_active(pod)

    def flush_unschedulable_leftover(self, now: float) -> None:
        """Pods unschedulable for five minutes are retried anyway (`flushUnschedulablePodsLeftover`)."""
        for pod in list(self.unschedulable.values()):
            if now - pod.unschedulable_since >= MAX_IN_UNSCHEDULABLE:
                self._requeue(pod)

    def pop(self) -> QueuedPod | None:
        """The highest-priority, earliest pod of activeQ, now in flight; None if activeQ is empty."""
        while self._active:
            neg_priority, seq, key = heapq.heappop(self._active)
            pod = self.pods.get(key)
            if pod is not None and pod.where == ACTIVE and pod.seq == seq and -neg_priority == pod.priority:
                pod.where = IN_FLIGHT
                return pod
        return None

    def done(self, key: str) -> None:
        """The pod was bound (or is gone): it leaves the queue."""
        self.delete(key)

    def failed(self, pod: QueuedPod, now: float, rejected_by: frozenset[str]) -> None:
        """A failed attempt: count it, start its backoff and park it with the unschedulable pods."""
        if self.pods.get(pod.key) is not pod:
            return  # deleted while in flight
        pod.attempts += 1
        pod.backoff_until = now + backoff_duration(pod.attempts)
        pod.unschedulable_since = now
        pod.rejected_by = rejected_by
        pod.where = UNSCHEDULABLE
        self.unschedulable[pod.key] = pod

    def errored(self, pod: QueuedPod, now: float) -> None:
        """An attempt that failed for a reason other than the pod not fitting (binding refused): backoffQ."""
        self.failed(pod, now, frozenset())
        if self.pods.get(pod.key) is pod:
            self._to_backoff(pod)

    def next_wakeup(self) -> float | None:
        """When something queued becomes due: the earliest backoff expiry or five-minute retry."""
        times = [p.backoff_until for p in self.pods.values() if p.where == BACKOFF]
        times += [p.unschedulable_since + MAX_IN_UNSCHEDULABLE for p in self.unschedulable.values()]
        return min(times) if times else None

    def next_due(self, now: float) -> float | None:
        """When the scheduler must run next: `now` while activeQ holds a pod (kube-scheduler pops it at once,
        whatever else is backing off), else `next_wakeup()`; None for an empty queue. Read from the queue
        itself on every call, so no observation can leave it stale."""
        if any(pod.where in (ACTIVE, IN_FLIGHT) for pod in self.pods.values()):
            return now
        due = self.next_wakeup()
        return None if due is None else max(due, now)

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self._seq,
            "pods": [p.to_json() for p in sorted(self.pods.values(), key=lambda p: p.seq)],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SchedulingQueue:
        queue = cls()
        queue._seq = int(data.get("seq", 0))
        for raw in data.get("pods", []):
            pod = QueuedPod.from_json(raw)
            if pod.where == IN_FLIGHT:
                pod.where = ACTIVE
            queue.pods[pod.key] = pod
            if pod.where == ACTIVE:
                heapq.heappush(queue._active, (-pod.priority, pod.seq, pod.key))
            elif pod.where == BACKOFF:
                heapq.heappush(queue._backoff, (pod.backoff_until, pod.seq, pod.key))
            else:
                queue.unschedulable[pod.key] = pod
        return queue
