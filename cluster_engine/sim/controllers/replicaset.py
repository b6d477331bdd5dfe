"""`replicaset-controller` (`pkg/controller/replicaset`): keeps `spec.replicas` active pods matching a
ReplicaSet's selector, adopting matching orphans and releasing pods whose labels stop matching,
creating `<rs>-xxxxx` pods and deleting the ones least likely to matter first; reports status."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.conditions import condition_of
from cluster_engine.sim.controllers import DONE, Context, Result, controller_ref, key_of, split_key
from cluster_engine.sim.controllers.workload import (
    available_in,
    claim,
    create_pod,
    delete_pod,
    deletion_order,
    is_pod_active,
    is_pod_available,
    is_pod_ready,
    pod_from_template,
    selector_of,
)
from cluster_engine.sim.errors import Status
from cluster_engine.sim.selectors import selector_from_object
from cluster_engine.sim.util import clone, rfc3339

NAME = "replicaset-controller"
BURST_REPLICAS = 500  # upstream creates or deletes at most this many pods per sync


def pod_view(pod: dict[str, Any]) -> tuple[Any, ...]:
    """What of a pod a workload controller reacts to: a change elsewhere (a restart count) needs no sync."""
    meta = pod["metadata"]
    ready = condition_of(pod, "Ready")
    return (
        meta.get("labels"),
        meta.get("ownerReferences"),
        meta.get("deletionTimestamp"),
        (pod.get("status") or {}).get("phase"),
        pod["spec"].get("nodeName"),
        ready.get("status") if ready else None,
        ready.get("lastTransitionTime") if ready else None,
    )


def owner_keys(owner_kind: str, event_type: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
    """Event handlers for a workload's pods (addPod / updatePod / deletePod): the controlling owner's
    key, the old owner's when the controller reference changed, and `<namespace>/` (every owner in the
    namespace) for an orphan that some owner may adopt."""
    if event_type == "MODIFIED" and old is not None and pod_view(old) == pod_view(obj):
        return []
    namespace = obj["metadata"].get("namespace", "")
    keys: list[str] = []
    for version in (obj, old) if old is not None else (obj,):
        ref = controller_ref(version)
        if ref is None:
            if event_type != "DELETED" and version is obj and not obj["metadata"].get("deletionTimestamp"):
                keys.append(f"{namespace}/")
        elif ref.get("kind") == owner_kind:
            key = f"{namespace}/{ref.get('name', '')}"
            if key not in keys:
                keys.append(key)
    return keys


def replicaset_status(
    rs: dict[str, Any], pods: list[dict[str, Any]], now: float, failure: str | None
) -> dict[str, Any]:
    """`calculateStatus`: replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
    observedGeneration and the ReplicaFailure condition (omitting zero counts, as the API does)."""
    template_labels = ((rs["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}
    template_selector = selector_from_object({"matchLabels": template_labels})
    min_ready = rs["spec"].get("minReadySeconds", 0)
    status: dict[str, Any] = {
        "replicas": len(pods),
        "fullyLabeledReplicas": sum(1 for p in pods if template_selector.matches(p["metadata"].get("labels") or {})),
        "readyReplicas": sum(1 for p in pods if is_pod_ready(p)),
        "availableReplicas": sum(1 for p in pods if is_pod_available(p, min_ready, now)),
        "observedGeneration": rs["metadata"].get("generation", 1),
    }
    status = {k: v for k, v in status.items() if v or k == "replicas"}
    conditions = [c for c in (rs.get("status") or {}).get("conditions") or [] if c.get("type") != "ReplicaFailure"]
    old_failure = condition_of(rs, "ReplicaFailure")
    if failure is not None:
        conditions.append(
            old_failure
            if old_failure is not None and old_failure.get("message") == failure
            else {
                "type": "ReplicaFailure",
                "status": "True",
                "lastTransitionTime": rfc3339(now),
                "reason": "FailedCreate",
                "message": failure,
            }
        )
    if conditions:
        status["conditions"] = conditions
    return status


class ReplicaSetController:
    """One `reconcile` is upstream's `syncReplicaSet`."""

    name = NAME
    kinds_watched = ("ReplicaSet", "Pod")

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        if kind == "ReplicaSet":
            return [key_of(obj)]
        return owner_keys("ReplicaSet", event_type, obj, old)

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        namespace, name = split_key(key)
        if not name:
            after: list[float] = []
            for rs in list(ctx.store.items("ReplicaSet", namespace)):
                result = self.reconcile(ctx, key_of(rs), now)
                if result.requeue_after is not None:
                    after.append(result.requeue_after)
            return Result(min(after)) if after else DONE
        rs = ctx.store.get("ReplicaSet", namespace, name)
        if rs is None:
            return DONE
        selector = selector_of(rs)
        pods = claim(ctx, rs, "Pod", selector, component=NAME, now=now)
        active = [p for p in pods if is_pod_active(p)]
        failure = None
        if not rs["metadata"].get("deletionTimestamp"):
            failure = self._manage(ctx, rs, active, pods, now)
            active = [
                p
                for p in (ctx.store.get("Pod", namespace, q["metadata"]["name"]) for q in self._owned(ctx, rs))
                if p is not None and is_pod_active(p)
            ]
        rs = ctx.store.get("ReplicaSet", namespace, name)
        if rs is None:
            return DONE
        status = replicaset_status(rs, active, now, failure)
        if status != rs.get("status"):
            new = clone(rs)
            new["status"] = status
            try:
                ctx.api.update_status(new, actor=NAME, now=now)
            except Status:
                return DONE
        min_ready = rs["spec"].get("minReadySeconds", 0)
        wait = available_in(active, min_ready, now)
        return Result(wait) if wait is not None else DONE

    def _owned(self, ctx: Context, rs: dict[str, Any]) -> list[dict[str, Any]]:
        uid = rs["metadata"]["uid"]
        found = []
        for where in sorted(ctx.store.dependents.get(uid, ())):
            if where[0] == "Pod":
                pod = ctx.store.get(*where)
                if pod is not None and (controller_ref(pod) or {}).get("uid") == uid:
                    found.append(pod)
        return found

    def _manage(
        self, ctx: Context, rs: dict[str, Any], active: list[dict[str, Any]], pods: list[dict[str, Any]], now: float
    ) -> str | None:
        """`manageReplicas`: create or delete the difference. Returns the failure message of a refused
        create (for the ReplicaFailure condition), else None."""
        diff = len(active) - rs["spec"].get("replicas", 1)
        if diff < 0:
            for _ in range(min(-diff, BURST_REPLICAS)):
                pod = pod_from_template(rs, rs["spec"].get("template") or {})
                _created, error = create_pod(ctx, rs, pod, component=NAME, now=now)
                if error is not None:
                    return error
            return None
        if diff > 0:
            related = list(ctx.store.items("Pod", rs["metadata"]["namespace"]))
            for pod in deletion_order(active, self._related(rs, related), now)[: min(diff, BURST_REPLICAS)]:
                delete_pod(ctx, rs, pod, component=NAME, now=now)
        return None

    @staticmethod
    def _related(rs: dict[str, Any], pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Pods of the same owner chain: for a Deployment's ReplicaSet, the pods of all its ReplicaSets
        (`getPodsRankedByRelatedPodsOnSameNode` counts those)."""
        owner = controller_ref(rs)
        if owner is None:
            return pods
        template_labels = ((rs["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}
        shared = {k: v for k, v in template_labels.items() if k != "pod-template-hash"}
        return [p for p in pods if all((p["metadata"].get("labels") or {}).get(k) == v for k, v in shared.items())]


CONTROLLER = ReplicaSetController()
