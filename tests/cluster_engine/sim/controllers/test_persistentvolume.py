"""Persistent storage: the binder, the local-path provisioner, claim and volume protection, and the scheduler's
VolumeBinding plugin, as a learner meets them on a kind cluster (default class `standard`, WaitForFirstConsumer)."""

from __future__ import annotations

from typing import Any

from sim_helpers import pod
from svc_helpers import job_events, statefulset

from cluster_engine.sim.cluster import Cluster


def _claim(name: str, storage: str = "1Gi", **spec: Any) -> dict[str, Any]:
    body = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": storage}}, **spec}
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name}, "spec": body}


def _volume(name: str, storage: str, *, class_name: str = "manual", labels: dict[str, str] | None = None,
            **spec: Any) -> dict[str, Any]:
    body = {"storageClassName": class_name, "capacity": {"storage": storage}, "accessModes": ["ReadWriteOnce"],
            "hostPath": {"path": f"/mnt/{name}"}, **spec}
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name, "labels": labels or {}},
            "spec": body}


def _consumer(name: str, claim: str) -> dict[str, Any]:
    body = pod(name, node=None, volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": claim}}])
    body["spec"]["containers"][0]["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
    return body


def _phase(cluster: Cluster, kind: str, name: str) -> str:
    return cluster.api.get(kind, name)["status"]["phase"]


def test_a_claim_binds_the_smallest_available_volume_that_fits(cluster: Cluster) -> None:
    for name, size in (("big", "10Gi"), ("small", "2Gi"), ("tiny", "500Mi")):
        cluster.api.create(_volume(name, size))
    cluster.api.create(_volume("other-class", "2Gi", class_name="fast"))
    cluster.run_until_idle()
    assert {pv["metadata"]["name"]: pv["status"]["phase"] for pv in cluster.api.list("pv")["items"]} == {
        "big": "Available", "small": "Available", "tiny": "Available", "other-class": "Available"}
    cluster.api.create(_claim("c", "1Gi", storageClassName="manual"))
    cluster.run_until_idle()
    claim = cluster.api.get("pvc", "c")
    assert claim["spec"]["volumeName"] == "small"
    assert claim["status"] == {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "2Gi"}}
    assert cluster.api.get("pv", "small")["spec"]["claimRef"]["name"] == "c"
    assert _phase(cluster, "pv", "small") == "Bound"


def test_a_selector_and_access_modes_narrow_the_match(cluster: Cluster) -> None:
    cluster.api.create(_volume("plain", "5Gi"))
    cluster.api.create(_volume("local", "5Gi", labels={"type": "local"}))
    cluster.api.create(_claim("picky", "1Gi", storageClassName="manual", selector={"matchLabels": {"type": "local"}}))
    cluster.api.create(_claim("shared", "1Gi", storageClassName="manual", accessModes=["ReadWriteMany"]))
    cluster.run_until_idle()
    assert cluster.api.get("pvc", "picky")["spec"]["volumeName"] == "local"
    assert _phase(cluster, "pvc", "shared") == "Pending"


def test_a_pod_waits_for_its_unbound_immediate_claim(cluster: Cluster) -> None:
    cluster.api.create(_claim("nothing", storageClassName="manual"))
    cluster.api.create(_consumer("waiting", "nothing"))
    cluster.step(2)
    condition = cluster.api.get("pods", "waiting")["status"]["conditions"][0]
    assert condition["message"] == (
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are "
        "available: 3 Preemption is not helpful for scheduling.")
    assert job_events(cluster, "PersistentVolumeClaim", "nothing")[0] == (
        'Warning ProvisioningFailed: storageclass.storage.k8s.io "manual" not found')
    cluster.api.create(_volume("late", "1Gi"))
    cluster.step(15)
    assert cluster.api.get("pods", "waiting")["spec"].get("nodeName")


def test_a_pod_with_a_missing_claim_says_so(cluster: Cluster) -> None:
    cluster.api.create(_consumer("orphan", "absent"))
    cluster.step(2)
    message = cluster.api.get("pods", "orphan")["status"]["conditions"][0]["message"]
    assert message.startswith('0/3 nodes are available: persistentvolumeclaim "absent" not found.')


def test_the_default_class_provisions_on_the_node_the_scheduler_chose(cluster: Cluster) -> None:
    created = cluster.api.create(_claim("data"))
    cluster.step(2)
    assert _phase(cluster, "pvc", "data") == "Pending"
    assert job_events(cluster, "PersistentVolumeClaim", "data") == [
        "Normal WaitForFirstConsumer: waiting for first consumer to be created before binding"]
    cluster.api.create(_consumer("user", "data"))
    cluster.step(10)
    node = cluster.api.get("pods", "user")["spec"]["nodeName"]
    claim = cluster.api.get("pvc", "data")
    volume = cluster.api.get("pv", f"pvc-{created['metadata']['uid']}")
    assert claim["spec"]["volumeName"] == volume["metadata"]["name"]
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == node
    assert volume["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]["values"] == \
        [node]
    assert volume["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    reasons = [line.split(":")[0] for line in job_events(cluster, "PersistentVolumeClaim", "data")]
    assert reasons == ["Normal WaitForFirstConsumer", "Normal ExternalProvisioning", "Normal Provisioning",
                       "Normal ProvisioningSucceeded"]
    assert job_events(cluster, "PersistentVolumeClaim", "data")[3].endswith(
        f"Successfully provisioned volume {volume['metadata']['name']}")
    scheduled = [e for e in job_events(cluster, "Pod", "user") if "Scheduled" in e]
    assert scheduled == [f"Normal Scheduled: Successfully assigned default/user to {node}"]


def test_a_local_volume_pins_its_consumer_to_its_node(cluster: Cluster) -> None:
    cluster.api.create({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "local"},
                    "provisioner": "kubernetes.io/no-provisioner", "volumeBindingMode": "WaitForFirstConsumer"})
    affinity = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
        {"key": "kubernetes.io/hostname", "operator": "In", "values": ["worker-2"]}]}]}}
    cluster.api.create(_volume("disk", "5Gi", class_name="local", nodeAffinity=affinity))
    cluster.api.create(_claim("local-claim", storageClassName="local"))
    cluster.step(2)
    assert _phase(cluster, "pvc", "local-claim") == "Pending"
    for index in range(2):
        cluster.api.create(_consumer(f"user-{index}", "local-claim"))
    cluster.step(15)
    assert cluster.api.get("pvc", "local-claim")["spec"]["volumeName"] == "disk"
    assert {cluster.api.get("pods", f"user-{i}")["spec"]["nodeName"] for i in range(2)} == {"worker-2"}


def test_a_released_volume_is_deleted_or_kept_as_its_policy_says(cluster: Cluster) -> None:
    cluster.api.create(_volume("kept", "1Gi", persistentVolumeReclaimPolicy="Retain"))
    cluster.api.create(_claim("c", storageClassName="manual"))
    cluster.run_until_idle()
    cluster.api.delete("pvc", "c")
    cluster.run_until_idle()
    assert _phase(cluster, "pv", "kept") == "Released"
    dynamic = cluster.api.create(_claim("d"))
    cluster.api.create(_consumer("user", "d"))
    cluster.step(10)
    cluster.api.delete("pods", "user", grace_period_seconds=0)
    cluster.api.delete("pvc", "d")
    cluster.step(5)
    assert cluster.store.get("PersistentVolume", "", f"pvc-{dynamic['metadata']['uid']}") is None


def test_a_claim_in_use_stays_terminating_until_its_pod_is_gone(cluster: Cluster) -> None:
    cluster.api.create(_claim("held"))
    cluster.api.create(_consumer("user", "held"))
    cluster.step(10)
    cluster.api.delete("pvc", "held")
    cluster.step(5)
    claim = cluster.api.get("pvc", "held")
    assert claim["metadata"]["deletionTimestamp"]
    assert claim["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    cluster.api.delete("pods", "user")
    cluster.step(60)
    assert cluster.store.get("PersistentVolumeClaim", "default", "held") is None


def test_statefulset_claims_outlive_their_pods_and_come_back_to_the_same_node(cluster: Cluster) -> None:
    cluster.api.create(statefulset(replicas=2))
    cluster.step(60)
    nodes = {p["metadata"]["name"]: p["spec"]["nodeName"] for p in cluster.api.list("pods", label_selector="app=web")
             ["items"]}
    volumes = {c["metadata"]["name"]: c["spec"]["volumeName"] for c in cluster.api.list("pvc")["items"]}
    assert set(volumes) == {"www-web-0", "www-web-1"}
    cluster.api.delete("pods", "web-1")
    cluster.step(60)
    assert cluster.api.get("pvc", "www-web-1")["spec"]["volumeName"] == volumes["www-web-1"]
    assert cluster.api.get("pods", "web-1")["spec"]["nodeName"] == nodes["web-1"]
    cluster.api.patch("statefulsets", "web", {"spec": {"replicas": 1}}, patch_type="merge")
    cluster.step(60)
    assert "www-web-1" in {c["metadata"]["name"] for c in cluster.api.list("pvc")["items"]}


def test_a_reloaded_cluster_continues_a_provisioning_exactly(cluster: Cluster) -> None:
    cluster.api.create(statefulset(replicas=2, podManagementPolicy="Parallel"))
    cluster.run_until_idle()
    copy = Cluster.loads(cluster.dumps())
    for each in (cluster, copy):
        each.step(60)
    assert copy.dumps() == cluster.dumps()
    assert {c["status"]["phase"] for c in copy.api.list("pvc")["items"]} == {"Bound"}
