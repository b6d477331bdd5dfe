"""The StatefulSet controller (`pkg/controller/statefulset`) and the claim binder standing in for the
persistent-volume controller.

Pods are `<set>-0 .. <set>-N-1` with a stable hostname and `subdomain: <serviceName>` (so the headless
Service gives each `<pod>.<service>.<ns>.svc.cluster.local`). OrderedReady creates them one at a time,
each after the previous is Running and Ready, and removes them from the highest ordinal down; Parallel
does both at once. Each volumeClaimTemplate gives every ordinal a claim `<template>-<set>-<ordinal>`,
created before the pod and kept when the pod goes. RollingUpdate replaces pods whose revision is not
the update revision from the highest ordinal down to `partition`, one at a time; OnDelete waits for
the user to delete them. No ControllerRevision objects are written: the revision names
(`<set>-<hash of the template>`) appear in the pods' `controller-revision-hash` label and the status,
and a pod below the partition that is deleted comes back from the current template (upstream restores
the older revision's template).
"""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.errors import Status
from cluster_engine.sim.util import clone

from . import DONE, Context, Result, controller_ref, new_controller_ref, split_key
from .endpoints import is_ready
from .job import owned
from .workload import compute_hash

NAME = "statefulset-controller"
BINDER = "persistentvolume-binder-controller"
REVISION = "controller-revision-hash"
POD_NAME = "statefulset.kubernetes.io/pod-name"
POD_INDEX = "apps.kubernetes.io/pod-index"


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
        replicas = spec.get("replicas", 1)
        parallel = spec.get("podManagementPolicy") == "Parallel"
        update_revision = (
            f"{name}-{compute_hash(spec['template'], (sts.get('status') or {}).get('collisionCount') or None)}"
        )
        current_revision = (sts.get("status") or {}).get("currentRevision") or update_revision
        pods = {}
        for pod in owned(ctx, sts, "Pod"):
            ordinal = ordinal_of(name, pod)
            if ordinal is not None:
                pods[ordinal] = pod
        # replicas: create, recreate failed ones, wait on OrderedReady for each to be Running and Ready
        blocked = False
        for ordinal in range(replicas):
            pod = pods.get(ordinal)
            if pod is None:
                self._claims(ctx, sts, ordinal, now)
                pods[ordinal] = self._create_pod(ctx, sts, ordinal, update_revision, now)
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
        self._status(ctx, sts, update_revision, current_revision, now)

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
            ctx.api.create(body, namespace=namespace, actor=NAME, now=now)
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
        revision: str,
        now: float,
    ) -> dict[str, Any]:
        set_name = sts["metadata"]["name"]
        pod_name = f"{set_name}-{ordinal}"
        source = clone(sts["spec"]["template"])
        meta = source.get("metadata") or {}
        labels = dict(meta.get("labels") or {})
        labels.update({REVISION: revision, POD_NAME: pod_name, POD_INDEX: str(ordinal)})
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
        metadata["ownerReferences"] = [new_controller_ref(dict(sts, apiVersion="apps/v1", kind="StatefulSet"))]
        pod = ctx.api.create(
            {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": pod_spec},
            namespace=sts["metadata"]["namespace"],
            actor=NAME,
            now=now,
        )
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
        self, ctx: Context, sts: dict[str, Any], update_revision: str, current_revision: str, now: float
    ) -> None:
        pods = [p for p in owned(ctx, sts, "Pod") if ordinal_of(sts["metadata"]["name"], p) is not None]
        live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        revisions = [(p["metadata"].get("labels") or {}).get(REVISION) for p in live]
        replicas = sts["spec"].get("replicas", 1)
        ready = sum(1 for p in live if _running_ready(p))
        updated = sum(1 for r in revisions if r == update_revision)
        if updated == replicas and len(live) == replicas and ready == replicas:
            current_revision = update_revision
        status: dict[str, Any] = {
            "observedGeneration": sts["metadata"].get("generation", 1),
            "replicas": len(live),
            "readyReplicas": ready,
            "currentReplicas": sum(1 for r in revisions if r == current_revision),
            "updatedReplicas": updated,
            "currentRevision": current_revision,
            "updateRevision": update_revision,
            "collisionCount": (sts.get("status") or {}).get("collisionCount", 0),
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


class ClaimBinder:
    """`persistentvolume-binder-controller`, simulated: every Pending claim is bound at once to a volume
    `pvc-<claim uid>` of the requested size (no PersistentVolume objects are served)."""

    name = BINDER
    kinds_watched = ("PersistentVolumeClaim",)

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        if event_type == "DELETED" or (obj.get("status") or {}).get("phase") == "Bound":
            return []
        return [f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"]

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        namespace, name = split_key(key)
        claim = ctx.store.get("PersistentVolumeClaim", namespace, name)
        if (
            claim is None
            or (claim.get("status") or {}).get("phase") == "Bound"
            or claim["metadata"].get("deletionTimestamp")
        ):
            return DONE
        try:
            new = clone(claim)
            new.setdefault("apiVersion", "v1")
            new.setdefault("kind", "PersistentVolumeClaim")
            if not new["spec"].get("volumeName"):
                new["spec"]["volumeName"] = f"pvc-{claim['metadata']['uid']}"
                annotations = new["metadata"].setdefault("annotations", {})
                annotations["pv.kubernetes.io/bind-completed"] = "yes"
                annotations["pv.kubernetes.io/bound-by-controller"] = "yes"
                new = ctx.api.update(new, namespace=namespace, actor=BINDER, now=now)
            storage = ((new["spec"].get("resources") or {}).get("requests") or {}).get("storage", "")
            new["status"] = {
                "phase": "Bound",
                "accessModes": list(new["spec"].get("accessModes") or []),
                "capacity": {"storage": storage},
            }
            ctx.api.update_status(new, namespace=namespace, actor=BINDER, now=now)
        except Status:
            return DONE
        return DONE


CONTROLLER = StatefulSetController()
BINDER_CONTROLLER = ClaimBinder()
