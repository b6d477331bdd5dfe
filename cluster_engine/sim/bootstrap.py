"""What a cluster holds from its first moment without any request creating it: objects stored with fixed uids
(`system_owner_uid`), so they take none of the seeded draws the cluster's generated names come from. Used by
`scenario.build` and by the upgrades of states saved before these objects existed (`upgrade_state_v1`,
`upgrade_state_v2`). Also what the control plane's static pods show when a component stops or starts."""

from __future__ import annotations

import hashlib
from typing import Any

from . import objects
from .apiserver import API_SERVER
from .kinds import rbac as kinds_rbac
from .kubelet import kubelet_actor
from .store import Store
from .util import clone, rfc3339

ACTOR = "scenario"  # who the change log names for what a cluster starts with


def system_owner_uid(kind: str, namespace: str, name: str) -> str:
    """The uid the kube-system pods' ownerReferences name for their owner (the kube-proxy DaemonSet,
    the coredns ReplicaSet): whoever later creates those objects must give them this uid."""
    return _uid(kind.lower(), namespace, name)


def _hash(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _uid(*parts: str) -> str:
    digest = _hash("uid", *parts)
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-{digest[20:32]}"


def create_system_object(cluster: Any, manifest: dict[str, Any], *, actor: str, now: float) -> dict[str, Any]:
    """Create a kube-system workload object (or an account, the default StorageClass, a bootstrap RBAC object)
    through the api-server's decoding, defaulting and validation, with the fixed uid `system_owner_uid` gives it
    (the existing pods' ownerReferences name that uid; such an object draws nothing, so the names drawn after it
    stay put)."""
    kind = objects.kind_of(manifest)
    obj = cluster.api.decode(kind, manifest)
    kind.default(obj)
    kind.strategy(obj, None)
    causes = kind.validate(obj, None)
    if causes:
        raise ValueError(f"invalid system object {kind.kind}: {causes}")
    meta = obj["metadata"]
    meta["uid"] = system_owner_uid(kind.kind, meta.get("namespace", ""), meta["name"])
    meta["creationTimestamp"] = rfc3339(now)
    if kind.tracks_generation:
        meta["generation"] = 1
    return cluster.store.put(kind.kind, obj, actor=actor, reason="", verb="create", now=now)


SYSTEM_SERVICE_ACCOUNTS = ("kube-proxy", "coredns", "metrics-server")  # what the kube-system pods run as


def default_storage_class() -> dict[str, Any]:
    """The default StorageClass kind ships: `standard`, served by rancher's local-path provisioner once a pod
    that uses the claim is scheduled (WaitForFirstConsumer)."""
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "rancher.io/local-path",
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer",
    }


def create_system_accounts(cluster: Any, namespaces: tuple[str, ...], *, now: float) -> None:
    """Every namespace's `default` ServiceAccount (the ServiceAccount controller's), the kube-system add-ons'
    accounts and the default StorageClass, with fixed uids: they take no seeded draws, so the names the
    cluster generates afterwards are the same as before they existed."""
    for namespace in namespaces:
        account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default",
                                                                              "namespace": namespace}}
        create_system_object(cluster, account, actor="serviceaccount-controller", now=now)
    for name in SYSTEM_SERVICE_ACCOUNTS:
        account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": "kube-system"}}
        create_system_object(cluster, account, actor=ACTOR, now=now)
    create_system_object(cluster, default_storage_class(), actor=ACTOR, now=now)


def create_bootstrap_policy(cluster: Any, *, now: float, missing_only: bool = False) -> None:
    """kube-apiserver's bootstrap RBAC policy and kubeadm's bindings (`kinds.rbac.bootstrap_objects`), written by
    the api-server itself with fixed uids; `missing_only` skips those a ClusterRole or ClusterRoleBinding of the
    same name already stands for. The aggregating roles (admin, edit, view) start without rules: the
    clusterrole-aggregation controller fills them, as on a real cluster."""
    for manifest in kinds_rbac.bootstrap_objects():
        if missing_only and cluster.store.get(manifest["kind"], "", manifest["metadata"]["name"]) is not None:
            continue
        create_system_object(cluster, manifest, actor=API_SERVER, now=now)


def _released_claim_volume(claim: dict[str, Any], node: str) -> dict[str, Any]:
    """The PersistentVolume a v1 state's claim was bound to without one being stored (the old binder named
    `pvc-<claim uid>`), as local-path would have made it on `node` (any node when no pod uses the claim)."""
    meta, spec = claim["metadata"], claim.get("spec") or {}
    volume: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": spec["volumeName"],
                     "annotations": {"pv.kubernetes.io/provisioned-by": "rancher.io/local-path"},
                     "finalizers": ["kubernetes.io/pv-protection"]},
        "spec": {
            "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
            "capacity": {"storage": ((spec.get("resources") or {}).get("requests") or {}).get("storage", "0")},
            "claimRef": {"kind": "PersistentVolumeClaim", "namespace": meta["namespace"], "name": meta["name"],
                         "uid": meta["uid"], "apiVersion": "v1"},
            "hostPath": {"path": f"/var/local-path-provisioner/{spec['volumeName']}_{meta['namespace']}_{meta['name']}",
                         "type": "DirectoryOrCreate"},
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": spec.get("storageClassName") or "",
            "volumeMode": spec.get("volumeMode", "Filesystem"),
        },
        "status": {"phase": "Bound"},
    }
    if node:
        volume["spec"]["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}}
    return volume


def upgrade_state_v1(cluster: Any, *, now: float) -> None:
    """Give a cluster saved by state version 1 what version 2 clusters start with: every namespace's `default`
    ServiceAccount, the kube-system add-ons' accounts and the default StorageClass (only where missing), and a
    PersistentVolume for every claim the old binder bound to a volume it never stored (else the new binder would
    find the claim Lost). Takes no seeded draws."""
    store = cluster.store
    namespaces = tuple(ns["metadata"]["name"] for ns in store.items("Namespace"))
    for namespace in namespaces:
        if store.get("ServiceAccount", namespace, "default") is None:
            account = {"apiVersion": "v1", "kind": "ServiceAccount",
                       "metadata": {"name": "default", "namespace": namespace}}
            create_system_object(cluster, account, actor="serviceaccount-controller", now=now)
    if "kube-system" in namespaces:
        for name in SYSTEM_SERVICE_ACCOUNTS:
            if store.get("ServiceAccount", "kube-system", name) is None:
                account = {"apiVersion": "v1", "kind": "ServiceAccount",
                           "metadata": {"name": name, "namespace": "kube-system"}}
                create_system_object(cluster, account, actor=ACTOR, now=now)
    if not store.count("StorageClass"):
        create_system_object(cluster, default_storage_class(), actor=ACTOR, now=now)
    users = {
        (pod["metadata"]["namespace"], volume["persistentVolumeClaim"]["claimName"]): pod["spec"].get("nodeName", "")
        for pod in store.items("Pod")
        for volume in (pod.get("spec") or {}).get("volumes") or ()
        if volume.get("persistentVolumeClaim")
    }
    for claim in list(store.items("PersistentVolumeClaim")):
        volume_name = (claim.get("spec") or {}).get("volumeName")
        if volume_name and store.get("PersistentVolume", "", volume_name) is None:
            node = users.get((claim["metadata"]["namespace"], claim["metadata"]["name"]), "")
            volume = _released_claim_volume(claim, node)
            volume["metadata"]["uid"] = system_owner_uid("PersistentVolume", "", volume_name)
            volume["metadata"]["creationTimestamp"] = claim["metadata"].get("creationTimestamp") or rfc3339(now)
            store.put("PersistentVolume", volume, actor="persistentvolume-binder-controller", reason="", verb="create",
                      now=now)


def upgrade_state_v2(cluster: Any, *, now: float) -> None:
    """Give a cluster saved by state version 2 (or upgraded from 1) what version 3 clusters start with: the
    bootstrap RBAC policy (`create_bootstrap_policy`), each object only where missing. Takes no seeded draws; the
    ClusterRole changes reach the clusterrole-aggregation controller, which fills `admin`, `edit` and `view` on
    the cluster's next step."""
    create_bootstrap_policy(cluster, now=now, missing_only=True)


def show_component(store: Store, name: str, *, running: bool, now: float) -> None:
    """Reflect a stopped or restarted control-plane component (`kube-scheduler`, `kube-controller-manager`) in its
    static pod, as `kubectl get pods -n kube-system` would show it: the container terminated (`Error`), or running
    again with its restart count one higher."""
    for pod in store.items("Pod", "kube-system"):
        if (pod["metadata"].get("labels") or {}).get("component") != name:
            continue
        new = clone(pod)
        cstatus = (new.get("status") or {}).get("containerStatuses") or []
        stamp = rfc3339(now)
        for entry in cstatus:
            if running:
                previous = entry.get("state", {}).get("terminated")
                entry["lastState"] = {"terminated": previous} if previous else {}
                entry["state"] = {"running": {"startedAt": stamp}}
                entry["ready"] = True
                entry["started"] = True
                entry["restartCount"] = entry.get("restartCount", 0) + 1
            else:
                started = entry.get("state", {}).get("running", {}).get("startedAt", stamp)
                entry["state"] = {
                    "terminated": {
                        "exitCode": 1,
                        "reason": "Error",
                        "startedAt": started,
                        "finishedAt": stamp,
                        "containerID": entry.get("containerID", ""),
                    }
                }
                entry["ready"] = False
                entry["started"] = False
        for condition in new.get("status", {}).get("conditions") or []:
            if condition["type"] in ("Ready", "ContainersReady"):
                condition["status"] = "True" if running else "False"
                condition["lastTransitionTime"] = stamp
        node = pod["spec"].get("nodeName", "")
        store.put(
            "Pod",
            new,
            actor=kubelet_actor(node),
            reason="Started" if running else "Killing",
            verb="update/status",
            now=now,
        )
