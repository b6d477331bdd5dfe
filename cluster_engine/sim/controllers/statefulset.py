"""The StatefulSet controller (`pkg/controller/statefulset`).

Pods are `<set>-0 .. <set>-N-1` with a stable hostname and `subdomain: <serviceName>` (so the headless
Service gives each `<pod>.<service>.<ns>.svc.cluster.local`). OrderedReady creates them one at a time,
each after the previous is Running and Ready, and removes them from the highest ordinal down; Parallel
does both at once. Each volumeClaimTemplate gives every ordinal a claim `<template>-<set>-<ordinal>`,
created before the pod and kept when the pod goes. Every template the set has had is a
ControllerRevision `<set>-<hash>` (`history.py`); `status.updateRevision` names the one of the current
template, `status.currentRevision` the one the set ran before the rollout began, and each pod's
`controller-revision-hash` label the one it was made from. RollingUpdate replaces pods not at the update
revision from the highest ordinal down to `partition`, one at a time; a missing pod below the partition
is recreated from the current revision (the older template), as upstream's newVersionedStatefulSetPod
does. OnDelete waits for the user to delete pods. Revisions beyond `revisionHistoryLimit` that no pod
and neither status revision uses are deleted, oldest first (`truncateHistory`).
"""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.conditions import is_ready
from cluster_engine.sim.errors import Status
from cluster_engine.sim.util import clone

from . import DONE, Context, Result, controller_ref, history, new_controller_ref, split_key
from .job import owned
from .workload import claim as claim_objects
from .workload import selector_of

NAME = "statefulset-controller"
REVISION = "controller-revision-hash"
POD_NAME = "statefulset.kubernetes.io/pod-name"
POD_INDEX = "apps.kubernetes.io/pod-index"
DEFAULT_REVISION_HISTORY_LIMIT = 10


def ordinal_of(set_name: str, pod: dict[str, Any]) -> int | None:
    """The ordinal in `<set>-<ordinal>`, or None for a pod not named that way."""
    prefix, _, suffix = pod["metadata"]["name"].rpartition("-")
    return int(suffix) if prefix == set_name and suffix.isdigit() else None


def claim_name(template: dict[str, Any], set_name: str, ordinal: int) -> str:
    return f"{template['metadata']['name']}-{set_name}-{ordinal}"


def _running_ready(pod: dict[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") == "Running" and is_ready(pod)


def _terminal(pod: dict[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


class StatefulSetController:
    """`statefulset-controller`."""

    name = NAME
    kinds_watched = ("StatefulSet", "Pod")

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        if kind == "StatefulSet":
            return [f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"]
        ref = controller_ref(obj)
        if ref is None or ref.get("kind") != "StatefulSet":
            return []
        return [f"{obj['metadata']['namespace']}/{ref['name']}"]

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        namespace, name = split_key(key)
        sts = ctx.store.get("StatefulSet", namespace, name)
        if sts is None or sts["metadata"].get("deletionTimestamp"):
            return DONE
        try:
            self._sync(ctx, sts, now)
        except Status:
            return DONE
        return DONE

    def _sync(self, ctx: Context, sts: dict[str, Any], now: float) -> None:
        spec = sts["spec"]
        name = sts["metadata"]["name"]
        owner = dict(sts, apiVersion="apps/v1", kind="StatefulSet")
        replicas = spec.get("replicas", 1)
        parallel = spec.get("podManagementPolicy") == "Parallel"
        revisions = history.owned(ctx, owner, component=NAME, now=now)
        current, update, collisions = self._revisions(ctx, owner, revisions, now)
        update_revision = update["metadata"]["name"]
        pods = {}
        for pod in self._claim_pods(ctx, owner, now):
            ordinal = ordinal_of(name, pod)
            if ordinal is not None:
                pods[ordinal] = pod
        live_revisions = {(p["metadata"].get("labels") or {}).get(REVISION, "") for p in pods.values()}
        # replicas: create, recreate failed ones, wait on OrderedReady for each to be Running and Ready
        blocked = False
        for ordinal in range(replicas):
            pod = pods.get(ordinal)
            if pod is None:
                self._claims(ctx, sts, ordinal, now)
                revision = self._versioned(sts, ordinal, current, update)
                pods[ordinal] = self._create_pod(ctx, owner, ordinal, revision, now)
                if not parallel:
                    blocked = True
                    break
                continue
            if _terminal(pod) and not pod["metadata"].get("deletionTimestamp"):
                ctx.event(
                    sts,
                    "Warning",
                    "RecreatingFailedPod",
                    f"StatefulSet {sts['metadata']['namespace']}/{name} "
                    f"is recreating failed Pod {pod['metadata']['name']}",
                    component=NAME,
                    now=now,
                )
                self._delete_pod(ctx, sts, pod, now)
                if not parallel:
                    blocked = True
                    break
                continue
            if not parallel and (pod["metadata"].get("deletionTimestamp") or not _running_ready(pod)):
                blocked = True
                break
        # scale down: highest ordinal first; OrderedReady one at a time, and only with the rest healthy
        condemned = sorted((o for o in pods if o >= replicas), reverse=True)
        for ordinal in condemned:
            pod = pods[ordinal]
            if pod["metadata"].get("deletionTimestamp"):
                if not parallel:
                    blocked = True
                    break
                continue
            if not parallel and blocked:
                break
            self._delete_pod(ctx, sts, pod, now)
            if not parallel:
                blocked = True
                break
        strategy = (spec.get("updateStrategy") or {}).get("type", "RollingUpdate")
        if strategy == "RollingUpdate" and not blocked:
            healthy = all(
                _running_ready(pods[o]) and not pods[o]["metadata"].get("deletionTimestamp")
                for o in range(replicas)
                if o in pods
            )
            for ordinal in range(replicas - 1, self._partition(sts) - 1, -1):
                pod = pods.get(ordinal)
                if pod is None or not healthy:
                    break
                if (pod["metadata"].get("labels") or {}).get(REVISION) != update_revision:
                    self._delete_pod(ctx, sts, pod, now)
                    break
        self._status(ctx, sts, update_revision, current["metadata"]["name"], now, collisions=collisions)
        self._truncate_history(
            ctx, sts, revisions, {current["metadata"]["name"], update_revision, *live_revisions}, now
        )

    def _claim_pods(self, ctx: Context, sts: dict[str, Any], now: float) -> list[dict[str, Any]]:
        """`getPodsForStatefulSet`: its pods after adopting orphans named `<set>-<ordinal>` that match the
        selector and releasing ones whose labels no longer match."""
        name = sts["metadata"]["name"]
        pool = [
            p
            for p in ctx.store.items("Pod", sts["metadata"]["namespace"])
            if controller_ref(p) is None and ordinal_of(name, p) is not None
        ]
        pool += owned(ctx, sts, "Pod")
        return claim_objects(ctx, sts, "Pod", selector_of(sts), component=NAME, now=now, candidates=pool)

    def _revisions(
        self, ctx: Context, sts: dict[str, Any], revisions: list[dict[str, Any]], now: float
    ) -> tuple[dict[str, Any], dict[str, Any], int]:
        """`getStatefulSetRevisions`: (current revision, update revision, collision count). The update
        revision is the newest one if it holds the current template, an older one holding it renumbered
        as the newest (a rollback), or a new one; the current revision is the one `status.currentRevision`
        names, else the update revision."""
        status = sts.get("status") or {}
        collisions = int(status.get("collisionCount") or 0)
        next_number = history.revision_number(revisions[-1]) + 1 if revisions else 1
        equal = [r for r in revisions if history.matches(sts, r)]
        if equal and history.matches(sts, revisions[-1]):
            update = revisions[-1]
        elif equal:
            update = history.set_revision_number(ctx, equal[-1], next_number, component=NAME, now=now)
        else:
            update, collisions = self._create_revision(ctx, sts, next_number, collisions, now)
        current = next((r for r in revisions if r["metadata"]["name"] == status.get("currentRevision")), update)
        return current, update, collisions

    def _create_revision(
        self, ctx: Context, sts: dict[str, Any], number: int, collisions: int, now: float
    ) -> tuple[dict[str, Any], int]:
        """`NewControllerRevision` + `CreateControllerRevision`: `<set>-<hash>`; a name taken by a revision
        with other data bumps the collision count and tries the next name."""
        data = history.template_patch(sts)
        labels = dict((((sts["spec"].get("template") or {}).get("metadata") or {}).get("labels")) or {})
        labels[history.HASH_LABEL] = history.hash_revision(data, collisions)
        namespace = sts["metadata"]["namespace"]
        while True:
            name = history.revision_name(sts["metadata"]["name"], history.hash_revision(data, collisions))
            body = history.new_revision(sts, name=name, labels=labels, data=data, revision=number)
            try:
                return ctx.api.create(body, namespace=namespace, actor=NAME, now=now), collisions
            except Status as error:
                if error.reason != "AlreadyExists":
                    raise
            existing = ctx.store.get(history.KIND, namespace, name)
            if existing is not None and existing.get("data") == data:
                return existing, collisions
            collisions += 1

    def _versioned(
        self, sts: dict[str, Any], ordinal: int, current: dict[str, Any], update: dict[str, Any]
    ) -> dict[str, Any]:
        """`newVersionedStatefulSetPod`: below the partition (or, without a rollingUpdate block, below
        the current replica count) a pod is made from the current revision, else from the update one."""
        strategy = sts["spec"].get("updateStrategy") or {}
        rolling = strategy.get("rollingUpdate")
        current_replicas = int((sts.get("status") or {}).get("currentReplicas") or 0)
        if (
            strategy.get("type", "RollingUpdate") == "RollingUpdate" and rolling is None and ordinal < current_replicas
        ) or (rolling is not None and ordinal < int(rolling.get("partition") or 0)):
            return current
        return update

    def _truncate_history(
        self, ctx: Context, sts: dict[str, Any], revisions: list[dict[str, Any]], live: set[str], now: float
    ) -> None:
        """`truncateHistory`: delete the oldest revisions that no pod and neither status revision uses
        until at most `revisionHistoryLimit` of them remain."""
        unused = [r for r in revisions if r["metadata"]["name"] not in live]
        limit = sts["spec"].get("revisionHistoryLimit", DEFAULT_REVISION_HISTORY_LIMIT)
        if limit < 0 or len(unused) <= limit:
            return
        for revision in unused[: len(unused) - limit]:
            history.delete(ctx, revision, component=NAME, now=now)

    def _partition(self, sts: dict[str, Any]) -> int:
        strategy = sts["spec"].get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return 0
        return int((strategy.get("rollingUpdate") or {}).get("partition", 0) or 0)

    def _claims(self, ctx: Context, sts: dict[str, Any], ordinal: int, now: float) -> None:
        namespace = sts["metadata"]["namespace"]
        pod_name = f"{sts['metadata']['name']}-{ordinal}"
        selector_labels = (sts["spec"].get("selector") or {}).get("matchLabels") or {}
        for template in sts["spec"].get("volumeClaimTemplates") or []:
            claim = claim_name(template, sts["metadata"]["name"], ordinal)
            if ctx.store.get("PersistentVolumeClaim", namespace, claim) is not None:
                continue
            meta = template.get("metadata") or {}
            labels = dict(meta.get("labels") or {}) | dict(selector_labels)
            body: dict[str, Any] = {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": claim, "labels": labels},
                "spec": clone(template.get("spec") or {}),
            }
            if meta.get("annotations"):
                body["metadata"]["annotations"] = dict(meta["annotations"])
            try:
                ctx.api.create(body, namespace=namespace, actor=NAME, now=now)
            except Status as error:
                ctx.event(
                    sts,
                    "Warning",
                    "FailedCreate",
                    f"create Claim {claim} for Pod {pod_name} in StatefulSet {sts['metadata']['name']} "
                    f"failed error: {error.message}",
                    component=NAME,
                    now=now,
                )
                raise
            ctx.event(
                sts,
                "Normal",
                "SuccessfulCreate",
                f"create Claim {claim} Pod {pod_name} in StatefulSet {sts['metadata']['name']} success",
                component=NAME,
                now=now,
            )

    def _create_pod(
        self,
        ctx: Context,
        sts: dict[str, Any],
        ordinal: int,
        revision: dict[str, Any],
        now: float,
    ) -> dict[str, Any]:
        """`newStatefulSetPod` from the revision's template, labelled with the revision's name."""
        set_name = sts["metadata"]["name"]
        pod_name = f"{set_name}-{ordinal}"
        source = history.template_of(revision)
        meta = source.get("metadata") or {}
        labels = dict(meta.get("labels") or {})
        labels.update({REVISION: revision["metadata"]["name"], POD_NAME: pod_name, POD_INDEX: str(ordinal)})
        pod_spec = source.get("spec") or {}
        pod_spec["hostname"] = pod_name
        if sts["spec"].get("serviceName"):
            pod_spec["subdomain"] = sts["spec"]["serviceName"]
        volumes = {v["name"]: v for v in pod_spec.get("volumes") or []}
        for claim in sts["spec"].get("volumeClaimTemplates") or []:
            volume_name = claim["metadata"]["name"]
            volumes[volume_name] = {
                "name": volume_name,
                "persistentVolumeClaim": {"claimName": claim_name(claim, set_name, ordinal)},
            }
        if volumes:
            pod_spec["volumes"] = list(volumes.values())
        metadata: dict[str, Any] = {"name": pod_name, "labels": labels}
        if meta.get("annotations"):
            metadata["annotations"] = dict(meta["annotations"])
        metadata["ownerReferences"] = [new_controller_ref(sts)]
        try:
            pod = ctx.api.create(
                {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": pod_spec},
                namespace=sts["metadata"]["namespace"],
                actor=NAME,
                now=now,
            )
        except Status as error:
            # the api-server validates the pod spec only here (not in the StatefulSet): recordPodEvent's wording
            ctx.event(
                sts,
                "Warning",
                "FailedCreate",
                f"create Pod {pod_name} in StatefulSet {set_name} failed error: {error.message}",
                component=NAME,
                now=now,
            )
            raise
        ctx.event(
            sts,
            "Normal",
            "SuccessfulCreate",
            f"create Pod {pod_name} in StatefulSet {set_name} successful",
            component=NAME,
            now=now,
        )
        return pod

    def _delete_pod(self, ctx: Context, sts: dict[str, Any], pod: dict[str, Any], now: float) -> None:
        ctx.api.delete("Pod", pod["metadata"]["name"], namespace=pod["metadata"]["namespace"], actor=NAME, now=now)
        ctx.event(
            sts,
            "Normal",
            "SuccessfulDelete",
            f"delete Pod {pod['metadata']['name']} in StatefulSet {sts['metadata']['name']} successful",
            component=NAME,
            now=now,
        )

    def _status(
        self,
        ctx: Context,
        sts: dict[str, Any],
        update_revision: str,
        current_revision: str,
        now: float,
        *,
        collisions: int,
    ) -> None:
        pods = [p for p in owned(ctx, sts, "Pod") if ordinal_of(sts["metadata"]["name"], p) is not None]
        live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        revisions = [(p["metadata"].get("labels") or {}).get(REVISION) for p in live]
        replicas = sts["spec"].get("replicas", 1)
        ready = sum(1 for p in live if _running_ready(p))
        updated = sum(1 for r in revisions if r == update_revision)
        rolling = (sts["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"
        if rolling and updated == replicas and len(live) == replicas and ready == replicas:
            current_revision = update_revision  # completeRollingUpdate (never under OnDelete, as upstream)
        status: dict[str, Any] = {
            "observedGeneration": sts["metadata"].get("generation", 1),
            "replicas": len(live),
            "readyReplicas": ready,
            "currentReplicas": sum(1 for r in revisions if r == current_revision),
            "updatedReplicas": updated,
            "currentRevision": current_revision,
            "updateRevision": update_revision,
            "collisionCount": collisions,
            "availableReplicas": ready,
        }
        for key in ("readyReplicas", "currentReplicas", "updatedReplicas"):
            if not status[key]:
                status.pop(key)
        if status == (sts.get("status") or {}):
            return
        current = ctx.store.get("StatefulSet", sts["metadata"]["namespace"], sts["metadata"]["name"]) or sts
        body = dict(clone(current), status=status)
        body.setdefault("apiVersion", "apps/v1")
        body.setdefault("kind", "StatefulSet")
        ctx.api.update_status(body, namespace=sts["metadata"]["namespace"], actor=NAME, now=now)


CONTROLLER = StatefulSetController()
