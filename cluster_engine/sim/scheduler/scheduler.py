"""The scheduler: observes pods, nodes and PriorityClasses, and schedules queued pods one cycle at a time."""

from __future__ import annotations

import random
from functools import partial
from typing import Any, Protocol

import numpy as np

from cluster_engine.sim.errors import Status
from cluster_engine.sim.scheduler import explain
from cluster_engine.sim.scheduler.framework import CycleState, Diagnosis, Framework, PostFilterOutcome
from cluster_engine.sim.scheduler.nodetable import NodeTable
from cluster_engine.sim.scheduler.podinfo import PodInfo, TemplateCache, spread_selectors
from cluster_engine.sim.scheduler.profile import Profile, default_profile
from cluster_engine.sim.scheduler.queue import (
    ASSIGNED_POD_ADDED,
    ASSIGNED_POD_DELETED,
    NODE_ADDED,
    NODE_CHANGED,
    VOLUME_CHANGED,
    QueuedPod,
    SchedulingQueue,
)
from cluster_engine.sim.scheduler.registry import REGISTRY

ACTOR = "kube-scheduler"
MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5
DEFAULT_PREEMPTION_POLICY = "PreemptLowerPriority"
VOLUME_KINDS = ("StorageClass", "PersistentVolume", "PersistentVolumeClaim")


class SchedulerHost(Protocol):
    """What the scheduler asks of the cluster (implemented by `scheduling_host.py`). `explanation` is the attempt's
    decision record: keep the object, call its `to_dict()` when it is read."""

    def bind(self, namespace: str, name: str, node_name: str, explanation: explain.Record) -> None: ...
    def mark_unschedulable(
        self, namespace: str, name: str, message: str, explanation: explain.Record
    ) -> None: ...
    def nominate(self, namespace: str, name: str, node_name: str) -> None: ...
    def evict_for_preemption(self, namespace: str, name: str, preemptor: str) -> None: ...
    def bind_claim(self, namespace: str, claim: str, node_name: str, volume: str) -> None: ...


def num_feasible_nodes_to_find(percentage: int, num_all_nodes: int) -> int:
    """How many feasible nodes to look for before scoring (`numFeasibleNodesToFind`): all of a small cluster;
    otherwise `percentage` % (adaptive `50 - nodes/125`, at least 5 %) but never fewer than 100."""
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND:
        return num_all_nodes
    if percentage == 0:
        percentage = max(50 - num_all_nodes // 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    if percentage >= 100:
        return num_all_nodes
    return max(num_all_nodes * percentage // 100, MIN_FEASIBLE_NODES_TO_FIND)


class Scheduler:
    """kube-scheduler for one profile (`schedulerName`), fed watch events through `observe()`.

    Deterministic: pods leave the queue by (priority, arrival), nodes are examined from a rotating start
    index, and ties between equally scored nodes are broken with the `rng` passed to `run()`.
    """

    def __init__(self, profile: Profile | None = None) -> None:
        self.profile = profile or default_profile()
        self.framework = Framework(self.profile, REGISTRY)
        self.table = NodeTable()
        self.queue = SchedulingQueue()
        self.templates = TemplateCache()
        self.pending: dict[str, PodInfo] = {}
        self.priority_classes: dict[str, dict[str, Any]] = {}
        self.next_start_node_index = 0
        # After from_json the cluster replays every object as ADDED; those are not news to the saved queue.
        self._replaying = False

    # ---- watch events --------------------------------------------------------------------------------------
    def observe(self, event_type: str, obj: dict[str, Any]) -> None:
        """Take in an ADDED/MODIFIED/DELETED event of a Pod, Node, PriorityClass, Namespace (whose labels
        `namespaceSelector` reads) or of the storage kinds VolumeBinding reads. Other kinds are ignored. Never
        calls the host."""
        kind = obj.get("kind")
        if kind == "Pod":
            self._observe_pod(event_type, obj)
        elif kind == "Node":
            self._observe_node(event_type, obj)
        elif kind == "PriorityClass":
            self._observe_priority_class(event_type, obj)
        elif kind == "Namespace":
            meta = obj.get("metadata") or {}
            self.table.set_namespace(
                meta.get("name", ""), None if event_type == "DELETED" else meta.get("labels") or {}
            )
        elif kind in VOLUME_KINDS:
            changed = self.table.volumes.observe(event_type, kind, obj)
            if changed and not self._replaying:
                self.queue.cluster_event(VOLUME_CHANGED)

    def _observe_node(self, event_type: str, node: dict[str, Any]) -> None:
        name = (node.get("metadata") or {}).get("name", "")
        if event_type == "DELETED":
            self.table.remove_node(name)
            return
        is_new = name not in self.table.slot_of
        if self.table.upsert_node(node) and not self._replaying:
            self.queue.cluster_event(NODE_ADDED if is_new else NODE_CHANGED)

    def _observe_priority_class(self, event_type: str, pc: dict[str, Any]) -> None:
        name = (pc.get("metadata") or {}).get("name", "")
        if event_type == "DELETED":
            self.priority_classes.pop(name, None)
        else:
            self.priority_classes[name] = {
                "value": int(pc.get("value", 0)),
                "globalDefault": bool(pc.get("globalDefault")),
                "preemptionPolicy": pc.get("preemptionPolicy"),
            }
        # Pods admitted before their class was known get its priority now.
        for pod in [*self.pending.values(), *self.table.assigned.values()]:
            if pod.template.spec_priority is None:
                pod.priority, pod.preemption_policy = self._priority_of(pod.template)
                if pod.key in self.pending:
                    self.queue.updated(pod.key, pod.priority)

    def _priority_of(self, template: Any) -> tuple[int, str]:
        """`spec.priority` if admission set it, else the PriorityClass's (or the global default's) value."""
        pc = (
            self.priority_classes.get(template.priority_class_name)
            if template.priority_class_name
            else next((c for c in self.priority_classes.values() if c["globalDefault"]), None)
        )
        priority = (
            template.spec_priority if template.spec_priority is not None else (pc["value"] if pc else 0)
        )
        policy = template.preemption_policy or (pc or {}).get("preemptionPolicy") or DEFAULT_PREEMPTION_POLICY
        return int(priority), policy

    def _pod_info(self, pod: dict[str, Any]) -> PodInfo:
        meta = pod.get("metadata") or {}
        spec = pod.get("spec") or {}
        status = pod.get("status") or {}
        namespace = meta.get("namespace", "default")
        labels = dict(meta.get("labels") or {})
        template = self.templates.template_for(spec, namespace)
        priority, policy = self._priority_of(template)
        info = PodInfo(
            namespace,
            meta.get("name", ""),
            meta.get("uid", ""),
            labels,
            template,
            priority,
            policy,
            spec.get("nodeName") or "",
            status.get("phase") in ("Succeeded", "Failed"),
            bool(meta.get("deletionTimestamp")),
            status.get("startTime") or meta.get("creationTimestamp") or "",
            status.get("nominatedNodeName") or "",
        )
        if template.spread_constraints:
            info.spread_selectors = spread_selectors(template, labels)
        claims = tuple(c for v in spec.get("volumes") or () if (c := (v.get("persistentVolumeClaim") or {})
                                                                  .get("claimName")))
        if claims:
            info.claims = claims
        return info

    def _observe_pod(self, event_type: str, pod: dict[str, Any]) -> None:
        meta = pod.get("metadata") or {}
        key = f"{meta.get('namespace', 'default')}/{meta.get('name', '')}"
        table = self.table
        if event_type == "DELETED":
            self._forget_pending(key)
            table.preempted.discard(key)
            if table.remove_pod(key) is not None and not self._replaying:
                self.queue.cluster_event(ASSIGNED_POD_DELETED)
            return
        node_name = (pod.get("spec") or {}).get("nodeName")
        if node_name:
            self._forget_pending(key)
            status = pod.get("status") or {}
            if status.get("phase") in ("Succeeded", "Failed"):
                if table.remove_pod(key) is not None:
                    self.queue.cluster_event(ASSIGNED_POD_DELETED)
                return
            known = table.assigned.get(key)
            if (
                known is not None
                and known.node_name == node_name
                and known.uid == meta.get("uid", known.uid)
                and known.deleting == bool(meta.get("deletionTimestamp"))
                and known.labels == (meta.get("labels") or {})
            ):
                return  # our own binding coming back, or a status-only update
            table.add_pod(self._pod_info(pod))
            if not self._replaying:
                self.queue.cluster_event(ASSIGNED_POD_ADDED)
            return
        if meta.get("deletionTimestamp") or (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            self._forget_pending(key)
            return
        info = self._pod_info(pod)
        if info.template.scheduler_name != self.profile.scheduler_name:
            self._forget_pending(key)
            return
        old = self.pending.get(key)
        self.pending[key] = info
        self._set_nomination(info)
        if old is None:
            self.queue.add(key, info.priority)
        elif old.template is not info.template or old.labels != info.labels or old.priority != info.priority:
            self.queue.updated(key, info.priority)

    def end_replay(self) -> None:
        """The saved objects have been replayed: what is observed from now on is news again (a node update
        moves unschedulable pods). Queue entries of pods the replay did not find pending are dropped: states
        saved before this was fixed kept some (an unschedulable pod outliving its delete)."""
        self._replaying = False
        for key in [key for key in self.queue.pods if key not in self.pending]:
            self.queue.delete(key)

    def _set_nomination(self, info: PodInfo) -> None:
        slot = self.table.slot_of.get(info.nominated_node) if info.nominated_node else None
        if slot is None:
            self.table.nominated.pop(info.key, None)
        else:
            self.table.nominated[info.key] = (slot, info)

    def _forget_pending(self, key: str) -> None:
        self.pending.pop(key, None)
        self.queue.delete(key)
        self.table.nominated.pop(key, None)

    # ---- scheduling ----------------------------------------------------------------------------------------
    def run(self, host: SchedulerHost, *, now: float, rng: random.Random) -> float | None:
        """Schedule every pod that is due at `now` (binding, nominating or marking it unschedulable through
        `host`); return the next simulated time something in the queue becomes due, or None."""
        self._replaying = False
        self.queue.flush_unschedulable_leftover(now)
        while True:
            self.queue.flush_backoff(now)
            queued = self.queue.pop()
            if queued is None:
                break
            pod = self.pending.get(queued.key)
            if pod is None:
                self.queue.done(queued.key)
                continue
            self.schedule_one(host, queued, pod, now=now, rng=rng)
        return self.queue.next_wakeup()

    def schedule_one(
        self, host: SchedulerHost, queued: QueuedPod, pod: PodInfo, *, now: float, rng: random.Random
    ) -> None:
        """One scheduling cycle for `pod`: PreFilter, Filter from the rotating start index until enough
        feasible nodes are found, then PreScore/Score/NormalizeScore and Bind, or PostFilter on failure."""
        table = self.table
        framework = self.framework
        total_nodes = table.node_count
        record = explain.Record(
            pod=pod.key,
            time=now,
            attempt=queued.attempts + 1,
            schedulerName=self.profile.scheduler_name,
            nodes=total_nodes,
        )
        if total_nodes == 0:
            record["result"] = {"message": explain.NO_NODES_AVAILABLE}
            self.queue.errored(queued, now)
            host.mark_unschedulable(pod.namespace, pod.name, explain.NO_NODES_AVAILABLE, record)
            return
        state = CycleState()
        state["rng"] = rng
        rejected, allowed, restricting = framework.run_pre_filter(state, pod, table)
        order = table.order()
        if rejected is not None:
            diagnosis = Diagnosis(
                total_nodes, order[:0], np.zeros(0, dtype=np.int16), [], pre_filter=rejected
            )
            record["filter"] = partial(explain.filter_summary, diagnosis, table.names, 0, 0)
            self._fail(host, queued, pod, diagnosis, state=state, record=record, now=now)
            return
        absent = 0
        if allowed is not None:
            wanted = [table.slot_of[n] for n in allowed if n in table.slot_of]
            order = order[np.isin(order, np.array(wanted, dtype=np.int64))]
            absent = total_nodes - len(order)
        codes, reasons = framework.run_filter(state, pod, table)
        nominated = table.slot_of.get(pod.nominated_node) if pod.nominated_node else None
        if (
            nominated is not None
            and codes[nominated] == 0
            and (allowed is None or pod.nominated_node in allowed)
        ):
            # The node preemption made room on is tried first (`evaluateNominatedNode`); fitting, it wins.
            record["nominatedNode"] = pod.nominated_node
            record["filter"] = {"feasible": 1, "notEvaluated": total_nodes - 1, "rejected": []}
            record["score"] = {"skipped": "the nominated node fits"}
            self._bind(host, queued, pod, pod.nominated_node, state=state, record=record, now=now)
            return
        count = len(order)
        to_find = num_feasible_nodes_to_find(self.profile.percentage_of_nodes_to_score, count)
        start = self.next_start_node_index % count if count else 0
        if np.count_nonzero(codes):
            rotated = np.concatenate((order[start:], order[:start])) if start else order
            rotated_codes = codes[rotated]
            feasible_at = np.flatnonzero(rotated_codes == 0)
            processed = count
            if len(feasible_at) > to_find:
                feasible_at = feasible_at[:to_find]
                processed = int(feasible_at[-1]) + 1
            feasible = rotated[feasible_at]
        else:  # every node passes: the first `to_find` from the start index are the feasible ones
            processed = to_find
            rotated = order[start : start + to_find]
            if len(rotated) < to_find:
                rotated = np.concatenate((rotated, order[: to_find - len(rotated)]))
            rotated_codes = np.zeros(to_find, dtype=np.int16)
            feasible = rotated
        if count:
            self.next_start_node_index = (start + processed) % count
        diagnosis = Diagnosis(
            total_nodes,
            rotated[:processed],
            rotated_codes[:processed],
            reasons,
            absent_nodes=absent,
            absent_plugins=tuple(restricting),
        )
        record["percentageOfNodesToScore"] = {
            "numNodesToFind": to_find,
            "startIndex": start,
            "evaluated": processed,
        }
        record["filter"] = partial(
            explain.filter_summary, diagnosis, table.names, len(feasible), count - processed
        )
        if not len(feasible):
            self._fail(host, queued, pod, diagnosis, state=state, record=record, now=now)
            return
        if len(feasible) == 1:
            chosen = 0
            record["score"] = {"skipped": "only one feasible node"}
        else:
            plugin_scores = framework.run_score(state, pod, table, feasible)
            totals = np.zeros(len(feasible), dtype=np.int64)
            for _, weight, _, normalized in plugin_scores:
                totals += normalized * weight
            best = np.flatnonzero(totals == totals.max())
            chosen = int(best[rng.randrange(len(best))]) if len(best) > 1 else int(best[0])
            record["score"] = partial(
                explain.score_summary, table.names, feasible, totals, plugin_scores, chosen=chosen, tied=len(best)
            )
        self._bind(host, queued, pod, table.names[int(feasible[chosen])], state=state, record=record, now=now)

    def _bind(
        self,
        host: SchedulerHost,
        queued: QueuedPod,
        pod: PodInfo,
        node: str,
        *,
        state: CycleState,
        record: explain.Record,
        now: float,
    ) -> None:
        """Run PreBind, then assume the pod on `node` (so the next cycle sees it there) and bind it through the
        host. A PreBind that asked for the pod's claims to be bound on `node` leaves the pod waiting for that (a
        claim or volume change moves it back), as upstream's binding cycle waits, without a FailedScheduling event."""
        if not all(plugin.pre_bind(state, pod, self.table, node, host) for plugin in self.framework.pre_bind):
            record["result"] = {"node": node, "message": f"waiting for the volumes of {pod.key} to be bound"}
            self.queue.failed(queued, now, frozenset({"VolumeBinding"}))
            return
        assumed = PodInfo(
            pod.namespace,
            pod.name,
            pod.uid,
            pod.labels,
            pod.template,
            pod.priority,
            pod.preemption_policy,
            node,
            start_time=pod.start_time,
            spread_selectors=pod.spread_selectors,
        )
        self.table.add_pod(assumed)
        self.pending.pop(pod.key, None)
        self.table.nominated.pop(pod.key, None)
        self.queue.done(pod.key)
        record["result"] = {"node": node, "message": explain.scheduled_message(pod.namespace, pod.name, node)}
        try:
            for binder in self.framework.bind:
                binder.bind(host, pod.namespace, pod.name, node, record)
        except Status:
            # The binding was refused (the pod changed or went away): forget the assumption and retry later.
            self.table.remove_pod(pod.key)
            self.pending[pod.key] = pod
            self.queue.pods[pod.key] = queued
            self.queue.errored(queued, now)

    def _fail(
        self,
        host: SchedulerHost,
        queued: QueuedPod,
        pod: PodInfo,
        diagnosis: Diagnosis,
        *,
        state: CycleState,
        record: explain.Record,
        now: float,
    ) -> None:
        outcome = PostFilterOutcome()
        for plugin in self.framework.post_filter:
            outcome = plugin.post_filter(
                state, pod, self.table, diagnosis, framework=self.framework, host=host
            )
            if outcome.nominated_node:
                break
        message = explain.fit_error_message(diagnosis, outcome.message)
        rejected_by = {diagnosis.reasons[c - 1][0] for c in np.unique(diagnosis.codes).tolist() if c}
        if diagnosis.pre_filter is not None:
            rejected_by.add(diagnosis.pre_filter[0])
        rejected_by.update(diagnosis.absent_plugins)
        if outcome.nominated_node:
            rejected_by.add("DefaultPreemption")
            record["preemption"] = outcome.detail
            pod.nominated_node = outcome.nominated_node
            self._set_nomination(pod)
            host.nominate(pod.namespace, pod.name, outcome.nominated_node)
        elif outcome.message:
            record["preemption"] = {"message": outcome.message}
        record["result"] = {"message": message}
        self.queue.failed(queued, now, frozenset(rejected_by))
        host.mark_unschedulable(pod.namespace, pod.name, message, record)

    # ---- state ---------------------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """The queue (with attempts and backoff) and the rotating start index; the cluster's objects are
        replayed through `observe()` after `from_json`."""
        return {"queue": self.queue.to_json(), "nextStartNodeIndex": self.next_start_node_index}

    @classmethod
    def from_json(cls, data: dict[str, Any], profile: Profile | None = None) -> Scheduler:
        scheduler = cls(profile)
        scheduler.queue = SchedulingQueue.from_json(data.get("queue") or {})
        scheduler.next_start_node_index = int(data.get("nextStartNodeIndex", 0))
        scheduler._replaying = True
        return scheduler
