"""The disruption controller (`pkg/controller/disruption/disruption.go`): keeps each PodDisruptionBudget's status,
which the eviction API (`sim/eviction.py`) reads to allow or refuse an eviction.

For each budget: the pods its selector matches in its namespace (policy/v1: an empty selector matches them all);
`expectedPods` (the number of pods for an integer `minAvailable`, else the scale of the pods' controllers);
`desiredHealthy` (`minAvailable`, or `expectedPods - maxUnavailable`, percentages rounded up); `currentHealthy`
(Ready pods that are not being deleted nor recently evicted); `disruptionsAllowed` (their difference, never below
0, and 0 while no pod is expected); the `DisruptionAllowed` condition; and `disruptedPods`, the evictions the API
has admitted whose pods are not gone yet, forgotten after two minutes (DeletionTimeout).

It hears only of budgets, pods and the workloads that scale them, and only while a budget exists in their
namespace, so a cluster without budgets pays nothing for it.
"""

from __future__ import annotations

import math
from typing import Any

from cluster_engine.sim.budgets import KIND, selects, set_condition
from cluster_engine.sim.conditions import is_ready
from cluster_engine.sim.errors import Status
from cluster_engine.sim.util import clone, parse_rfc3339

from . import DONE, Context, Result, controller_ref, split_key

NAME = "disruption-controller"
DELETION_TIMEOUT = 120.0  # DeletionTimeout: an admitted eviction whose pod still exists after it is forgotten
SCALED_KINDS = ("Deployment", "ReplicaSet", "StatefulSet")


def scaled_value(value: Any, total: int) -> int:
    """intstr.GetScaledValueFromIntOrPercent with roundUp: an integer as is, `N%` of `total` rounded up."""
    if isinstance(value, int):
        return value
    return math.ceil(int(str(value).rstrip("%")) * total / 100)


def _controller_scale(store: Any, ref: dict[str, Any], namespace: str) -> tuple[str, int] | None:
    """The finders: (uid, spec.replicas) of the scalable controller behind a pod's controller reference (a
    Deployment through its ReplicaSet), or None for a controller without a scale (a DaemonSet, a Job)."""
    kind, name = ref.get("kind"), ref.get("name", "")
    if kind == "ReplicaSet":
        rs = store.get("ReplicaSet", namespace, name)
        if rs is None or rs["metadata"].get("uid") != ref.get("uid"):
            return None
        owner = controller_ref(rs)
        if owner is not None and owner.get("kind") == "Deployment":
            deployment = store.get("Deployment", namespace, owner.get("name", ""))
            if deployment is None or deployment["metadata"].get("uid") != owner.get("uid"):
                return None
            return deployment["metadata"]["uid"], int((deployment.get("spec") or {}).get("replicas", 1))
        return rs["metadata"]["uid"], int((rs.get("spec") or {}).get("replicas", 1))
    if kind == "StatefulSet":
        sts = store.get("StatefulSet", namespace, name)
        if sts is None or sts["metadata"].get("uid") != ref.get("uid"):
            return None
        return sts["metadata"]["uid"], int((sts.get("spec") or {}).get("replicas", 1))
    return None


def expected_scale(store: Any, pods: list[dict[str, Any]]) -> tuple[int, list[str], str]:
    """getExpectedScale: (the sum of the pods' controllers' scales, the unmanaged pods, an error or "")."""
    scales: dict[str, int] = {}
    unmanaged: list[str] = []
    for pod in pods:
        ref = controller_ref(pod)
        if ref is None:
            unmanaged.append(pod["metadata"]["name"])
            continue
        if ref.get("uid") in scales:
            continue
        found = _controller_scale(store, ref, pod["metadata"]["namespace"])
        if found is None:
            return 0, unmanaged, f'found no controllers for pod "{pod["metadata"]["name"]}"'
        scales[ref.get("uid", "")] = found[1]
        scales[found[0]] = found[1]
    # a Deployment counted through two ReplicaSets' pods (mid-rollout) counts once: keep controller uids only
    controllers = {uid: scale for uid, scale in scales.items() if uid not in _replica_set_uids(store, pods)}
    return sum(controllers.values()), unmanaged, ""


def _replica_set_uids(store: Any, pods: list[dict[str, Any]]) -> set[str]:
    """The uids of ReplicaSets owned by a Deployment among the pods' controllers (their scale is the
    Deployment's, counted under the Deployment's uid)."""
    uids = set()
    for pod in pods:
        ref = controller_ref(pod)
        if ref is None or ref.get("kind") != "ReplicaSet":
            continue
        rs = store.get("ReplicaSet", pod["metadata"]["namespace"], ref.get("name", ""))
        owner = controller_ref(rs) if rs is not None else None
        if owner is not None and owner.get("kind") == "Deployment":
            uids.add(ref.get("uid", ""))
    return uids


def desired(store: Any, pdb: dict[str, Any], pods: list[dict[str, Any]]) -> tuple[int, int, list[str], str]:
    """getExpectedPodCount: (expectedPods, desiredHealthy, unmanaged pods, error)."""
    spec = pdb.get("spec") or {}
    if spec.get("maxUnavailable") is not None:
        expected, unmanaged, error = expected_scale(store, pods)
        if error:
            return 0, 0, unmanaged, error
        return expected, max(0, expected - scaled_value(spec["maxUnavailable"], expected)), unmanaged, ""
    minimum = spec.get("minAvailable")
    if isinstance(minimum, int):
        return len(pods), minimum, [], ""
    if minimum is not None:
        expected, unmanaged, error = expected_scale(store, pods)
        if error:
            return 0, 0, unmanaged, error
        return expected, scaled_value(minimum, expected), unmanaged, ""
    return 0, 0, [], ""


def _may_change_budget(pod: dict[str, Any], old: dict[str, Any]) -> bool:
    """Whether a pod update can change a budget's counts: its labels, readiness or deletion."""
    meta, old_meta = pod["metadata"], old["metadata"]
    return (meta.get("labels") != old_meta.get("labels") or is_ready(pod) != is_ready(old)
            or bool(meta.get("deletionTimestamp")) != bool(old_meta.get("deletionTimestamp"))
            or meta.get("ownerReferences") != old_meta.get("ownerReferences"))


class DisruptionController:
    name = NAME
    kinds_watched = (KIND, "Pod", *SCALED_KINDS)
    active_while = KIND  # pods and workloads are heard of only while some budget exists

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        meta = obj["metadata"]
        if kind == KIND:
            return [f"{meta['namespace']}/{meta['name']}"]
        if kind == "Pod" and old is not None and not _may_change_budget(obj, old):
            return []
        return [f"{meta.get('namespace', '')}/"]  # every budget of the namespace: the reconcile finds which

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        namespace, name = split_key(key)
        if not ctx.store.count(KIND):
            return DONE
        if name:
            pdb = ctx.store.get(KIND, namespace, name)
            return self._sync(ctx, pdb, now) if pdb is not None else DONE
        due: float | None = None
        for pdb in list(ctx.store.items(KIND, namespace)):
            result = self._sync(ctx, pdb, now)
            if result.requeue_after is not None:
                due = result.requeue_after if due is None else min(due, result.requeue_after)
        return Result(requeue_after=due)

    def _sync(self, ctx: Context, pdb: dict[str, Any], now: float) -> Result:
        """trySync: the budget's status from its pods, written only when it changed."""
        meta = pdb["metadata"]
        pods = [pod for pod in ctx.store.items("Pod", meta["namespace"]) if selects(pdb, pod)]
        if not pods:
            ctx.event(pdb, "Normal", "NoPods", "No matching pods found", component=NAME, now=now)
        expected, desired_healthy, unmanaged, error = desired(ctx.store, pdb, pods)
        if unmanaged:
            selector = (pdb.get("spec") or {}).get("selector")
            ctx.event(pdb, "Warning", "UnmanagedPods",
                      f"Pods selected by this PodDisruptionBudget (selector: {_go_selector(selector)}) were found "
                      "to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which "
                      "may result in undefined behavior. To account for these pods please set \".spec.minAvailable\" "
                      "field of the PDB to an integer value.", component=NAME, now=now)
        status = clone(pdb.get("status") or {})
        if error:
            ctx.event(pdb, "Warning", "CalculateExpectedPodCountFailed",
                      f"Failed to calculate the number of expected pods: {error}", component=NAME, now=now)
            status["disruptionsAllowed"] = 0
            status["observedGeneration"] = meta.get("generation", 0)
            set_condition(status, False, now, reason="SyncFailed")
            self._write(ctx, pdb, status, now)
            return DONE
        disrupted, recheck = self._disrupted(ctx, pdb, now)
        healthy = 0
        for pod in pods:
            if pod["metadata"].get("deletionTimestamp") or pod["metadata"]["name"] in disrupted:
                continue
            if is_ready(pod):
                healthy += 1
        allowed = healthy - desired_healthy
        if expected <= 0 or allowed <= 0:
            allowed = 0
        new: dict[str, Any] = {"observedGeneration": meta.get("generation", 0)}
        if disrupted:  # PodDisruptionBudgetStatus's JSON order
            new["disruptedPods"] = disrupted
        new.update({"disruptionsAllowed": allowed, "currentHealthy": healthy, "desiredHealthy": desired_healthy,
                    "expectedPods": expected, "conditions": status.get("conditions") or []})
        set_condition(new, allowed > 0, now)
        self._write(ctx, pdb, new, now)
        return Result(requeue_after=None if recheck is None else max(0.0, recheck - now))

    @staticmethod
    def _disrupted(ctx: Context, pdb: dict[str, Any], now: float) -> tuple[dict[str, str], float | None]:
        """buildDisruptedPodMap: the admitted evictions still pending (pod there, not being deleted, under two
        minutes old), and when the oldest of them expires."""
        kept: dict[str, str] = {}
        recheck: float | None = None
        for pod_name, stamp in ((pdb.get("status") or {}).get("disruptedPods") or {}).items():
            pod = ctx.store.get("Pod", pdb["metadata"]["namespace"], pod_name)
            if pod is None or pod["metadata"].get("deletionTimestamp"):
                continue
            expires = parse_rfc3339(stamp) + DELETION_TIMEOUT
            if expires <= now:
                continue
            kept[pod_name] = stamp
            recheck = expires if recheck is None else min(recheck, expires)
        return kept, recheck

    @staticmethod
    def _write(ctx: Context, pdb: dict[str, Any], status: dict[str, Any], now: float) -> None:
        if status == (pdb.get("status") or {}):
            return
        body = clone(pdb)
        body["status"] = status
        try:
            ctx.api.update_status(body, actor=NAME, now=now)
        except Status:
            return  # a conflicting write (an eviction just now): the change it made brings this key back


def _go_selector(selector: dict[str, Any] | None) -> str:
    from cluster_engine.sim.kinds.apps import go_label_selector

    return go_label_selector(selector)


CONTROLLER = DisruptionController()
