"""`daemonset-controller` (`pkg/controller/daemon`): one pod per eligible node (nodeSelector, required
node affinity, taints against the template's tolerations plus the ones the controller adds), each
pinned to its node by a node affinity on `metadata.name`; nodes that join get a pod, nodes that leave
lose it; RollingUpdate replaces pods within maxUnavailable (or maxSurge); history as ControllerRevisions
`<ds>-<hash>` (`constructHistory`, `cleanupHistory`); status counts.

A sync reads every node and every daemon pod, as upstream's does. So that a DaemonSet on a thousand
nodes does not cost a thousand nodes of work per pod that becomes ready, each DaemonSet keeps an
`_Index` of what its sync reads (the nodes in the store's order, their eligibility, its pods by node and
the per-node verdict of manage, rolling update and status) and brings it up to date from the store's
change log: only nodes and pods that changed since the last sync are looked at again. The index is a
cache, never state: it is rebuilt from the store whenever the log no longer reaches back to it (after a
load, a compaction or a long pause), and a rebuilt index gives the same results.
"""

from __future__ import annotations

import heapq
import weakref
from dataclasses import dataclass
from typing import Any

from cluster_engine.sim.conditions import condition_of
from cluster_engine.sim.controllers import DONE, Context, Result, controller_ref, history, key_of, split_key
from cluster_engine.sim.controllers.replicaset import owner_keys
from cluster_engine.sim.controllers.workload import (
    available_in,
    claim,
    compute_hash,
    create_pod,
    delete_pod,
    int_or_percent,
    is_pod_available,
    is_pod_ready,
    pod_from_template,
    selector_of,
)
from cluster_engine.sim.errors import Status
from cluster_engine.sim.kinds.apps import DEFAULT_REVISION_HISTORY_LIMIT, TEMPLATE_GENERATION_ANNOTATION
from cluster_engine.sim.scheduler.labels import node_selector_term, node_selector_terms_match
from cluster_engine.sim.store import Store
from cluster_engine.sim.taints import find_untolerated_taint, taints_of, tolerations_of
from cluster_engine.sim.util import clone, parse_rfc3339

NAME = "daemonset-controller"
REVISION_HASH = "controller-revision-hash"
TEMPLATE_GENERATION = "pod-template-generation"
# AddOrUpdateDaemonPodTolerations: (key, effect); network-unavailable only for hostNetwork pods
DAEMON_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
)
NETWORK_UNAVAILABLE = ("node.kubernetes.io/network-unavailable", "NoSchedule")
# Tests set this to compare every incrementally maintained index with a freshly built one.
AUDIT = False


def daemon_tolerations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The template's tolerations plus the ones every daemon pod gets."""
    tolerations = [dict(t) for t in spec.get("tolerations") or []]
    wanted = list(DAEMON_TOLERATIONS) + ([NETWORK_UNAVAILABLE] if spec.get("hostNetwork") else [])
    for key, effect in wanted:
        if not any(t.get("key") == key and t.get("effect") == effect for t in tolerations):
            tolerations.append({"key": key, "operator": "Exists", "effect": effect})
    return tolerations


def pin_to_node(affinity: dict[str, Any] | None, node_name: str) -> dict[str, Any]:
    """`ReplaceDaemonSetPodNodeNameNodeAffinity`: required node affinity on metadata.name only."""
    affinity = clone(affinity or {})
    node_affinity = affinity.setdefault("nodeAffinity", {})
    node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}]
    }
    return affinity


def _eligibility_inputs(ds: dict[str, Any]) -> tuple[Any, ...]:
    """The parts of the template `NodeShouldRunDaemonPod` reads (compared by value between syncs)."""
    spec = (ds["spec"].get("template") or {}).get("spec") or {}
    return (
        spec.get("nodeName"),
        spec.get("nodeSelector"),
        (spec.get("affinity") or {}).get("nodeAffinity"),
        spec.get("tolerations"),
        spec.get("hostNetwork"),
    )


class _Eligibility:
    """`NodeShouldRunDaemonPod` for one DaemonSet, compiled once."""

    def __init__(self, ds: dict[str, Any]) -> None:
        spec = (ds["spec"].get("template") or {}).get("spec") or {}
        self.node_name = spec.get("nodeName")
        self.node_selector = spec.get("nodeSelector") or {}
        required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution"
        )
        self.terms = (
            tuple(node_selector_term(t) for t in required.get("nodeSelectorTerms") or [])
            if required is not None
            else None
        )
        self.tolerations = tolerations_of({"tolerations": daemon_tolerations(spec)})

    def check(self, node: dict[str, Any]) -> tuple[bool, bool]:
        """(should run, should continue running)."""
        name = node["metadata"]["name"]
        labels = node["metadata"].get("labels") or {}
        if self.node_name and self.node_name != name:
            return False, False
        if any(labels.get(k) != v for k, v in self.node_selector.items()):
            return False, False
        if self.terms is not None and not node_selector_terms_match(self.terms, name, labels):
            return False, False
        taints = taints_of(node)
        if taints and find_untolerated_taint(taints, self.tolerations) is not None:
            return False, find_untolerated_taint(taints, self.tolerations, ("NoExecute",)) is None
        return True, True


def _created(pod: dict[str, Any]) -> tuple[float, str]:
    return parse_rfc3339(pod["metadata"]["creationTimestamp"]), pod["metadata"]["name"]


def _pod_node(pod: dict[str, Any]) -> str:
    """The node a daemon pod is for: its nodeName, else the metadata.name it is pinned to."""
    if pod["spec"].get("nodeName"):
        return pod["spec"]["nodeName"]
    required = (
        ((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution"
        )
    ) or {}
    for term in required.get("nodeSelectorTerms") or []:
        for field in term.get("matchFields") or []:
            if field.get("key") == "metadata.name" and field.get("values"):
                return field["values"][0]
    return ""


def _pod_view(pod: dict[str, Any]) -> tuple[Any, ...]:
    """What of a pod a sync reads: its binding (to the node it is pinned to anyway) or a status change
    short of failing or of readiness needs no sync."""
    meta = pod["metadata"]
    ready = condition_of(pod, "Ready")
    return (
        meta.get("labels"),
        meta.get("ownerReferences"),
        meta.get("deletionTimestamp"),
        (pod.get("status") or {}).get("phase") == "Failed",
        _pod_node(pod),
        ready.get("status") if ready else None,
        ready.get("lastTransitionTime") if ready else None,
    )


def _revision_keys(event_type: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
    """addHistory / updateHistory / deleteHistory: the owning DaemonSet (old and new owner); an orphan
    may be adopted by any DaemonSet of its namespace."""
    namespace = obj["metadata"].get("namespace", "")
    keys: list[str] = []
    for version in (obj, old):
        if version is None:
            continue
        ref = controller_ref(version)
        if ref is None:
            if version is obj and event_type != "DELETED":
                keys.append(f"{namespace}/")
        elif ref.get("kind") == "DaemonSet" and f"{namespace}/{ref.get('name', '')}" not in keys:
            keys.append(f"{namespace}/{ref.get('name', '')}")
    return keys


def _node_view(node: dict[str, Any]) -> tuple[Any, ...]:
    return (
        node["metadata"].get("labels"),
        (node.get("spec") or {}).get("taints"),
        (node.get("spec") or {}).get("unschedulable"),
    )


class DaemonSetController:
    """One `reconcile` is upstream's `syncDaemonSet` (history, manage, rolling update, history cleanup,
    status)."""

    name = NAME
    kinds_watched = ("DaemonSet", "Pod", "Node", "ControllerRevision")

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        if kind == "DaemonSet":
            return [key_of(obj)]
        if kind == "Pod":
            if event_type == "MODIFIED" and old is not None and _pod_view(old) == _pod_view(obj):
                return []
            return owner_keys("DaemonSet", event_type, obj, old)
        if kind == "ControllerRevision":
            return _revision_keys(event_type, obj, old)
        if event_type == "MODIFIED" and old is not None and _node_view(old) == _node_view(obj):
            return []
        return ["*"]  # a node came, went or changed what eligibility reads: every DaemonSet looks again

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        if key == "*" or key.endswith("/"):
            namespace = None if key == "*" else key[:-1]
            after = [
                r.requeue_after
                for ds in list(ctx.store.items("DaemonSet", namespace))
                if (r := self.reconcile(ctx, key_of(ds), now)).requeue_after is not None
            ]
            return Result(min(after)) if after else DONE
        namespace, name = split_key(key)
        ds = ctx.store.get("DaemonSet", namespace, name)
        if ds is None or ds["metadata"].get("deletionTimestamp"):
            return DONE
        return _Sync(ctx, ds, now).run()


# --- the index ---------------------------------------------------------------------------------------
_STATUS_FIELDS = 6  # desired, current, misscheduled, ready, available, updated


@dataclass(frozen=True)
class _Shape:
    """What a node's verdict depends on besides the node and its pods."""

    hash: str
    generation: str | None
    min_ready: int
    surge_zero: bool


@dataclass(frozen=True)
class _Verdict:
    """One node's share of a sync: what manage does there, how the rolling update sees it, what it adds
    to the status."""

    create: bool = False
    failed: tuple[dict[str, Any], ...] = ()  # failed pods to report (FailedDaemonPod) and delete
    delete: tuple[dict[str, Any], ...] = ()  # every pod manage deletes there, failed ones first
    status: tuple[int, ...] = (0,) * _STATUS_FIELDS
    counted: dict[str, Any] | None = None  # the pod the status counts (for minReadySeconds requeues)
    rolling: str = ""  # "", "unavailable", "replace" or "candidate" (rolling update without surge)
    old: dict[str, Any] | None = None  # the old pod of a "replace" or "candidate" node
    has_old: bool = False  # one old pod at most and one there (rolling update with surge)


_EMPTY = _Verdict()


class _Index:
    """What the sync of one DaemonSet reads, kept current from the store's change log."""

    def __init__(self, ds: dict[str, Any]) -> None:
        self.uid = ds["metadata"]["uid"]
        self.namespace = ds["metadata"]["namespace"]
        self.rv = -1  # the store's resourceVersion this index reflects; -1: never built
        self._reset()

    def _reset(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}  # in the store's order
        self.position: dict[str, int] = {}
        self.next_position = 0
        self.pods: dict[str, dict[str, dict[str, Any]]] = {}  # node -> pod name -> pod
        self.pod_node: dict[str, str] = {}
        self.eligibility_inputs: tuple[Any, ...] | None = None
        self.eligibility: _Eligibility | None = None
        self.eligible: dict[str, tuple[bool, bool]] = {}
        self.desired = 0
        self.shape: _Shape | None = None
        self.verdicts: dict[str, _Verdict] = {}
        self.totals = [0] * _STATUS_FIELDS
        self.unavailable = 0
        self.actionable: set[str] = set()
        self.replace: set[str] = set()
        self.candidates: set[str] = set()
        self.old_nodes: set[str] = set()

    # --- inputs ---------------------------------------------------------------------------------------
    def _place(self, name: str, node: dict[str, Any] | None = None) -> None:
        """Put a node last (as the store's dict does with a node created again)."""
        self.nodes.pop(name, None)
        self.nodes[name] = node or {}
        self.position[name] = self.next_position
        self.next_position += 1

    def _changes(self, store: Store) -> tuple[set[str], set[str]] | None:
        """(changed node names, changed pod names in the namespace) since `rv`; None when the change log
        no longer reaches back that far. Node order follows the store's (a node created again goes last)."""
        wanted = store.rv - self.rv
        if self.rv < 0 or (store.changes and store.changes[0].rv > self.rv + 1) or (wanted and not store.changes):
            return None
        found = []
        if wanted:
            for change in reversed(store.changes):
                if change.rv <= self.rv:
                    break
                found.append(change)
        if len(found) != wanted:
            return None
        nodes: set[str] = set()
        pods: set[str] = set()
        for change in reversed(found):
            if change.kind == "Node":
                nodes.add(change.name)
                if change.type == "DELETED":
                    self.nodes.pop(change.name, None)
                elif change.type == "ADDED" or change.name not in self.nodes:
                    self._place(change.name)
            elif change.kind == "Pod" and change.namespace == self.namespace:
                pods.add(change.name)
        return nodes, pods

    def _forget_pod(self, name: str, dirty: set[str]) -> None:
        node = self.pod_node.pop(name, None)
        if node is None:
            return
        dirty.add(node)
        on_node = self.pods.get(node)
        if on_node is not None:
            on_node.pop(name, None)
            if not on_node:
                del self.pods[node]

    def _add_pod(self, pod: dict[str, Any], dirty: set[str]) -> None:
        node = _pod_node(pod)
        self.pod_node[pod["metadata"]["name"]] = node
        self.pods.setdefault(node, {})[pod["metadata"]["name"]] = pod
        dirty.add(node)

    def refresh(self, sync: _Sync) -> None:
        """Bring nodes, eligibility, pods and verdicts up to date for this sync (adopting orphans and
        releasing pods as `getNodesToDaemonPods` does)."""
        ctx, ds, store = sync.ctx, sync.ds, sync.ctx.store
        changes = self._changes(store)
        dirty: set[str] = set()
        if changes is None:  # (re)build from the store
            self._reset()
            self.rv = store.rv
            for node in store.items("Node"):
                self._place(node["metadata"]["name"], node)
            pool = [p for p in store.items("Pod", self.namespace) if controller_ref(p) is None]
            pool += [
                p
                for w in sorted(store.dependents.get(self.uid, ()))
                if w[0] == "Pod" and (p := store.get(*w)) is not None
            ]
            dirty.update(self.nodes)
        else:
            changed_nodes, changed_pods = changes
            self.rv = store.rv
            for name in changed_nodes:
                node = store.get("Node", "", name)
                if node is None:
                    self.nodes.pop(name, None)
                elif name in self.nodes:
                    self.nodes[name] = node
                else:
                    self._place(name, node)
            dirty |= changed_nodes
            pool = []
            for name in sorted(changed_pods):
                self._forget_pod(name, dirty)
                pod = store.get("Pod", self.namespace, name)
                if pod is not None and ((ref := controller_ref(pod)) is None or ref.get("uid") == self.uid):
                    pool.append(pod)
        if pool:
            for pod in claim(ctx, ds, "Pod", selector_of(ds), component=NAME, now=sync.now, candidates=pool):
                self._add_pod(pod, dirty)
        self._eligibility(ds, dirty)
        self._verdicts(sync, dirty)

    def _eligibility(self, ds: dict[str, Any], dirty: set[str]) -> None:
        inputs = _eligibility_inputs(ds)
        if self.eligibility is None or inputs != self.eligibility_inputs:
            self.eligibility_inputs, self.eligibility = inputs, _Eligibility(ds)
            self.eligible, self.desired = {}, 0
            dirty.update(self.nodes)
        for name in dirty:
            before = self.eligible.pop(name, None)
            if before is not None and before[0]:
                self.desired -= 1
            node = self.nodes.get(name)
            if node is not None:
                after = self.eligible[name] = self.eligibility.check(node)
                self.desired += after[0]

    # --- verdicts ---------------------------------------------------------------------------------------
    def _verdicts(self, sync: _Sync, dirty: set[str]) -> None:
        surge_zero = not sync.rolling or int_or_percent(sync.raw_surge, self.desired, round_up=True) == 0
        shape = _Shape(sync.hash, sync.generation, sync.min_ready, surge_zero)
        if shape != self.shape or sync.min_ready:  # availability after minReadySeconds depends on the time
            self.shape = shape
            dirty = set(self.nodes) | set(self.pods) | set(self.verdicts)
        for name in dirty:
            node, eligible, pods = self.nodes.get(name), self.eligible.get(name), self.sorted_pods(name)
            self._set(name, sync.verdict(node, eligible, pods, surge_zero=surge_zero))

    def sorted_pods(self, node: str) -> list[dict[str, Any]]:
        return sorted((self.pods.get(node) or {}).values(), key=_created)

    def _set(self, name: str, verdict: _Verdict) -> None:
        old = self.verdicts.get(name, _EMPTY)
        if verdict == _EMPTY:
            self.verdicts.pop(name, None)
        else:
            self.verdicts[name] = verdict
        for i in range(_STATUS_FIELDS):
            self.totals[i] += verdict.status[i] - old.status[i]
        self.unavailable += (verdict.rolling in ("unavailable", "replace")) - (
            old.rolling in ("unavailable", "replace")
        )
        for members, flag in (
            (self.actionable, verdict.create or bool(verdict.delete)),
            (self.replace, verdict.rolling == "replace"),
            (self.candidates, verdict.rolling == "candidate"),
            (self.old_nodes, verdict.has_old),
        ):
            if flag:
                members.add(name)
            else:
                members.discard(name)

    def snapshot(self) -> tuple[Any, ...]:
        """Everything a sync reads from the index (the audit compares it with a rebuilt one)."""
        return (
            list(self.nodes),
            {n: sorted(p) for n, p in self.pods.items()},
            self.eligible,
            self.desired,
            self.verdicts,
            self.totals,
            self.unavailable,
            self.actionable,
            self.replace,
            self.candidates,
            self.old_nodes,
        )


_INDEXES: weakref.WeakKeyDictionary[Store, dict[str, _Index]] = weakref.WeakKeyDictionary()


def _index_for(store: Store, ds: dict[str, Any]) -> _Index:
    indexes = _INDEXES.setdefault(store, {})
    uid = ds["metadata"]["uid"]
    index = indexes.get(uid)
    if index is None:
        for stale in [u for u in indexes if u not in store.uids]:
            del indexes[stale]
        index = indexes[uid] = _Index(ds)
    return index


# --- one sync ------------------------------------------------------------------------------------------
class _Sync:
    def __init__(self, ctx: Context, ds: dict[str, Any], now: float) -> None:
        self.ctx = ctx
        self.ds = ds
        self.now = now
        self.namespace = ds["metadata"]["namespace"]
        self.hash = ""
        self.generation = (ds["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)
        self.min_ready = ds["spec"].get("minReadySeconds", 0)
        rolling = (ds["spec"].get("updateStrategy") or {}).get("rollingUpdate") or {}
        self.rolling = (ds["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"
        self.raw_surge = rolling.get("maxSurge", 0)
        self.raw_unavailable = rolling.get("maxUnavailable", 1)

    def updated(self, pod: dict[str, Any]) -> bool:
        """`IsPodUpdated`: the revision hash or the template generation label matches."""
        labels = pod["metadata"].get("labels") or {}
        return labels.get(REVISION_HASH) == self.hash or (
            self.generation is not None and labels.get(TEMPLATE_GENERATION) == self.generation
        )

    def available(self, pod: dict[str, Any]) -> bool:
        return is_pod_available(pod, self.min_ready, self.now)

    def run(self) -> Result:
        found = self._history()
        if found is None:
            return DONE  # a hash collision bumped status.collisionCount: that change syncs again
        current, old = found
        self.hash = (current["metadata"].get("labels") or {}).get(REVISION_HASH) or current["metadata"]["name"]
        index = _index_for(self.ctx.store, self.ds)
        index.refresh(self)
        self._audit(index)
        rv = self.ctx.store.rv
        self._manage(index)
        if self.rolling:
            if self.ctx.store.rv != rv:
                index.refresh(self)
                rv = self.ctx.store.rv
            self._rolling_update(index)
        self._cleanup_history(old, index)
        if self.ctx.store.rv != rv:
            index.refresh(self)
        self._audit(index)
        return self._update_status(index)

    def _audit(self, index: _Index) -> None:
        if AUDIT:
            fresh = _Index(self.ds)
            fresh.refresh(self)
            assert fresh.snapshot() == index.snapshot(), "the DaemonSet index drifted from the store"

    # --- history --------------------------------------------------------------------------------------
    def _history(self) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        """`constructHistory`: (the revision of the current template, the older ones); the current one
        is created (`snapshot`) or, after a rollback, given the next revision number. None when a
        name collision bumped the collision count instead."""
        revisions = history.owned(self.ctx, self.ds, component=NAME, now=self.now)
        current: list[dict[str, Any]] = []
        old: list[dict[str, Any]] = []
        for listed in revisions:
            revision = listed
            if REVISION_HASH not in (listed["metadata"].get("labels") or {}):
                revision = self._label_revision(listed, listed["metadata"]["name"])  # a name: never collides
            (current if history.matches(self.ds, revision) else old).append(revision)
        number = max((history.revision_number(r) for r in old), default=0) + 1
        if not current:
            return (cur, old) if (cur := self._snapshot(number)) is not None else None
        cur = self._dedup(current)
        if history.revision_number(cur) < number:
            cur = history.set_revision_number(self.ctx, cur, number, component=NAME, now=self.now)
        return cur, old

    def _label_revision(self, revision: dict[str, Any], value: str) -> dict[str, Any]:
        body = clone(revision)
        body["metadata"].setdefault("labels", {})[REVISION_HASH] = value
        return self.ctx.api.update(body, namespace=self.namespace, actor=NAME, now=self.now)

    def _snapshot(self, number: int) -> dict[str, Any] | None:
        """`snapshot`: the revision `<ds>-<ComputeHash(template, collisionCount)>`. A name already taken
        by another template (or owner) bumps `status.collisionCount` (None is returned)."""
        template = self.ds["spec"].get("template") or {}
        collisions = (self.ds.get("status") or {}).get("collisionCount")
        hash_ = compute_hash(template, collisions)
        name = f"{self.ds['metadata']['name']}-{hash_}"
        labels = dict((template.get("metadata") or {}).get("labels") or {})
        labels[REVISION_HASH] = hash_
        body = history.new_revision(
            self.ds, name=name, labels=labels, data=history.template_patch(self.ds), revision=number
        )
        try:
            return self.ctx.api.create(body, namespace=self.namespace, actor=NAME, now=self.now)
        except Status as error:
            if error.reason != "AlreadyExists":
                raise
        existing = self.ctx.store.get(history.KIND, self.namespace, name)
        if existing is not None:
            ref = controller_ref(existing)
            if ref is not None and ref.get("uid") == self.ds["metadata"]["uid"] and history.matches(self.ds, existing):
                return existing
        latest = self.ctx.store.get("DaemonSet", self.namespace, self.ds["metadata"]["name"])
        if latest is None or (latest.get("status") or {}).get("collisionCount") != collisions:
            return None  # a stale collision count: the newer DaemonSet syncs again
        body = clone(latest)
        body.setdefault("status", {})["collisionCount"] = (collisions or 0) + 1
        self.ctx.api.update_status(body, actor=NAME, now=self.now)
        return None

    def _dedup(self, current: list[dict[str, Any]]) -> dict[str, Any]:
        """`dedupCurHistories`: of several revisions holding the current template keep the newest; pods
        labelled with another one's hash are relabelled to it, the others deleted."""
        keep = current[0]
        for revision in current:
            if history.revision_number(revision) >= history.revision_number(keep):
                keep = revision
        keep_hash = (keep["metadata"].get("labels") or {}).get(REVISION_HASH, "")
        for revision in current:
            if revision is keep:
                continue
            duplicate = (revision["metadata"].get("labels") or {}).get(REVISION_HASH)
            for pod in list(self.ctx.store.items("Pod", self.namespace)):
                ref = controller_ref(pod)
                if ref is None or ref.get("uid") != self.ds["metadata"]["uid"]:
                    continue
                if (pod["metadata"].get("labels") or {}).get(REVISION_HASH) == duplicate:
                    self.ctx.api.patch(
                        "Pod",
                        pod["metadata"]["name"],
                        {"metadata": {"labels": {REVISION_HASH: keep_hash}}},
                        namespace=self.namespace,
                        actor=NAME,
                        now=self.now,
                    )
            history.delete(self.ctx, revision, component=NAME, now=self.now)
        return keep

    def _cleanup_history(self, old: list[dict[str, Any]], index: _Index) -> None:
        """`cleanupHistory`: beyond `revisionHistoryLimit` old revisions, delete the oldest ones whose
        hash no daemon pod carries."""
        limit = self.ds["spec"].get("revisionHistoryLimit", DEFAULT_REVISION_HISTORY_LIMIT)
        excess = len(old) - limit
        if excess <= 0:
            return
        live = {
            (pod["metadata"].get("labels") or {}).get(REVISION_HASH)
            for on_node in index.pods.values()
            for pod in on_node.values()
        }
        for revision in sorted(old, key=history.revision_number):
            if excess <= 0:
                break
            if (revision["metadata"].get("labels") or {}).get(REVISION_HASH) in live:
                continue
            history.delete(self.ctx, revision, component=NAME, now=self.now)
            excess -= 1

    # --- verdicts -------------------------------------------------------------------------------------
    def verdict(
        self,
        node: dict[str, Any] | None,
        eligible: tuple[bool, bool] | None,
        pods: list[dict[str, Any]],
        *,
        surge_zero: bool,
    ) -> _Verdict:
        """One node's verdict (a node that no longer exists only has its pods deleted)."""
        if node is None or eligible is None:
            if not pods:
                return _EMPTY
            return _Verdict(delete=tuple(p for p in pods if not p["metadata"].get("deletionTimestamp")))
        run, keep = eligible
        create, failed, delete = self._manage_node(run, keep, pods, surge_zero=surge_zero)
        status = [0] * _STATUS_FIELDS
        counted = None
        if run:
            status[0] = 1
            if pods:
                counted = pods[0]
                status[1] = 1
                if is_pod_ready(counted):
                    status[3] = 1
                    status[4] = int(self.available(counted))
                status[5] = int(self.updated(counted))
        elif pods:
            status[2] = 1
        rolling, old_pod, has_old = "", None, False
        if pods:
            new, old_pod, ok = self._split(pods)
            has_old = ok and old_pod is not None
            if not ok or (old_pod is None) == (new is None):
                rolling = "unavailable"
            elif new is not None:
                rolling = "" if self.available(new) else "unavailable"
            elif old_pod is not None and not self.available(old_pod):
                rolling = "replace"
            else:
                rolling = "candidate"
            if rolling not in ("replace", "candidate"):
                old_pod = None
        return _Verdict(create, failed, delete, tuple(status), counted, rolling, old_pod, has_old)

    def _manage_node(
        self, run: bool, keep: bool, pods: list[dict[str, Any]], *, surge_zero: bool
    ) -> tuple[bool, tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
        """`podsShouldBeOnNode`: (create a pod, failed pods, pods to delete)."""
        if run and not pods:
            return True, (), ()
        if not keep:
            return False, (), tuple(p for p in pods if not p["metadata"].get("deletionTimestamp"))
        running = []
        failed = []
        for pod in pods:
            if pod["metadata"].get("deletionTimestamp"):
                continue
            if (pod.get("status") or {}).get("phase") == "Failed":
                failed.append(pod)
                continue
            running.append(pod)
        create = not running and run and not any(p["metadata"].get("deletionTimestamp") for p in pods)
        extras = running[1:] if surge_zero else self._surge_extras(running)
        return create, tuple(failed), (*failed, *extras)

    def _surge_extras(self, running: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """With surge: keep the oldest updated pod and, until it is available, the oldest old pod."""
        new = [p for p in running if self.updated(p)]
        old = [p for p in running if not self.updated(p)]
        extras = new[1:] + old[1:]
        if new and old and self.available(new[0]):
            extras.append(old[0])
        return extras

    def _split(self, pods: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, dict[str, Any] | None, bool]:
        """`findUpdatedPodsOnNode`: (the new pod, the old pod, at most one of each)."""
        new = old = None
        for pod in pods:
            if pod["metadata"].get("deletionTimestamp"):
                continue
            if self.updated(pod):
                if new is not None:
                    return None, None, False
                new = pod
            else:
                if old is not None:
                    return None, None, False
                old = pod
        return new, old, True

    # --- manage ---------------------------------------------------------------------------------------
    def _manage(self, index: _Index) -> None:
        """`manage`: create a pod on every node that should run one and has none; delete failed pods,
        extra pods and pods on nodes that should not (or no longer) run one. Nodes in the store's order,
        then pods whose node is gone (`getUnscheduledPodsWithoutNode`)."""
        existing = sorted((n for n in index.actionable if n in index.nodes), key=index.position.__getitem__)
        gone = sorted(
            (n for n in index.actionable if n not in index.nodes), key=lambda n: min(index.pods.get(n) or [""])
        )
        to_create: list[str] = []
        to_delete: list[dict[str, Any]] = []
        for node_name in existing:
            verdict = index.verdicts[node_name]
            for pod in verdict.failed:
                self.ctx.event(
                    self.ds,
                    "Warning",
                    "FailedDaemonPod",
                    f"Found failed daemon pod {self.namespace}/{pod['metadata']['name']} on node "
                    f"{node_name}, will try to kill it",
                    component=NAME,
                    now=self.now,
                )
            if verdict.create:
                to_create.append(node_name)
            to_delete += verdict.delete
        for node_name in gone:
            to_delete += index.verdicts[node_name].delete
        self._sync_nodes(to_delete, to_create)

    def _sync_nodes(self, to_delete: list[dict[str, Any]], to_create: list[str]) -> None:
        for pod in to_delete:
            delete_pod(self.ctx, self.ds, pod, component=NAME, now=self.now)
        template = self.ds["spec"].get("template") or {}
        labels = {REVISION_HASH: self.hash}
        if self.generation is not None:
            labels[TEMPLATE_GENERATION] = self.generation
        for node_name in to_create:
            pod = pod_from_template(self.ds, template, extra_labels=labels)
            spec = pod["spec"]
            spec["affinity"] = pin_to_node(spec.get("affinity"), node_name)
            spec["tolerations"] = daemon_tolerations(spec)
            _pod, error = create_pod(self.ctx, self.ds, pod, component=NAME, now=self.now)
            if error is not None:
                break

    # --- rolling update -------------------------------------------------------------------------------
    def _rolling_update(self, index: _Index) -> None:
        """`rollingUpdate`. Without surge: replace old pods that are not available, and old available
        ones while fewer than maxUnavailable nodes are unavailable (nodes by name). With surge: start a
        new pod beside an old one (at most maxSurge at a time), delete the old one once the new is
        available."""
        desired = index.desired
        surge = int_or_percent(self.raw_surge, desired, round_up=True)
        unavailable_max = int_or_percent(self.raw_unavailable, desired, round_up=True)
        if surge == 0 and unavailable_max == 0:
            unavailable_max = 1
        if surge == 0:
            replace = sorted(n for n in index.replace if n in index.nodes)
            candidates = [n for n in index.candidates if n in index.nodes]
            if not replace and not candidates:
                return
            room = min(max(0, unavailable_max - index.unavailable), len(candidates))
            chosen = replace + heapq.nsmallest(room, candidates)
            self._sync_nodes([index.verdicts[n].old for n in chosen if index.verdicts[n].old is not None], [])
            return
        surged = 0
        to_delete: list[dict[str, Any]] = []
        to_create: list[str] = []
        for node_name in sorted(n for n in index.old_nodes if n in index.nodes):
            new, old, _ok = self._split(index.sorted_pods(node_name))
            if old is None:
                continue
            if new is None:
                if not self.available(old):
                    to_create.append(node_name)
                elif surged < surge:
                    surged += 1
                    to_create.append(node_name)
            elif self.available(new):
                to_delete.append(old)
            else:
                surged += 1
        self._sync_nodes(to_delete, to_create)

    # --- status -----------------------------------------------------------------------------------------
    def _update_status(self, index: _Index) -> Result:
        desired, current, misscheduled, ready, available, updated = index.totals
        status: dict[str, Any] = {
            "currentNumberScheduled": current,
            "numberMisscheduled": misscheduled,
            "desiredNumberScheduled": desired,
            "numberReady": ready,
            "observedGeneration": self.ds["metadata"].get("generation", 1),
            "updatedNumberScheduled": updated,
            "numberAvailable": available,
            "numberUnavailable": desired - available,
        }
        optional = ("observedGeneration", "updatedNumberScheduled", "numberAvailable", "numberUnavailable")
        status = {k: v for k, v in status.items() if v or k not in optional}
        ds = self.ctx.store.get("DaemonSet", self.namespace, self.ds["metadata"]["name"])
        previous = ((ds if ds is not None else self.ds).get("status")) or {}
        for key in ("collisionCount", "conditions"):
            if key in previous:
                status[key] = previous[key]
        if ds is not None and ds.get("status") != status:
            new = clone(ds)
            new["status"] = status
            try:
                self.ctx.api.update_status(new, actor=NAME, now=self.now)
            except Status:
                return DONE
        if not self.min_ready:
            return DONE
        counted = [v.counted for n, v in index.verdicts.items() if v.counted is not None and n in index.nodes]
        wait = available_in(counted, self.min_ready, self.now)
        return Result(wait) if wait is not None else DONE


CONTROLLER = DaemonSetController()
