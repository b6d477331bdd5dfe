"""Node Leases (coordination.k8s.io/v1 in kube-node-lease): one per node, renewed when the kubelet's heartbeat
moves, deleted with the node; the Lease kind's validation and `kubectl get leases` / `describe node`."""

from __future__ import annotations

import pytest

from cluster_engine.sim.errors import Status
from cluster_engine.sim.kubectl.client import run_command
from cluster_engine.sim.nodes import NODE_MONITOR_GRACE_PERIOD
from cluster_engine.sim.util import parse_rfc3339, rfc3339

NS = "kube-node-lease"


def _renewed(cluster, node: str) -> float:
    return parse_rfc3339(cluster.api.get("leases", node, namespace=NS)["spec"]["renewTime"])


def test_every_node_has_a_lease_held_by_its_kubelet(cluster):
    leases = cluster.api.list("leases", namespace=NS)["items"]
    assert [lease["metadata"]["name"] for lease in leases] == ["control-plane", "worker-1", "worker-2"]
    lease = cluster.api.get("leases", "worker-1", namespace=NS)
    node = cluster.api.get("nodes", "worker-1")
    assert lease["apiVersion"] == "coordination.k8s.io/v1"
    assert lease["spec"]["holderIdentity"] == "worker-1"
    assert lease["spec"]["leaseDurationSeconds"] == 40
    assert lease["spec"]["renewTime"] == rfc3339(parse_rfc3339(node["metadata"]["creationTimestamp"])).replace(
        "Z", ".000000Z")  # MicroTime
    assert "acquireTime" not in lease["spec"]
    assert lease["metadata"]["ownerReferences"] == [
        {"apiVersion": "v1", "kind": "Node", "name": "worker-1", "uid": node["metadata"]["uid"]}]


def test_an_idle_cluster_renews_nothing(cluster):
    before = cluster.store.rv
    cluster.step(600)
    assert cluster.store.rv == before  # implicit heartbeats: no Lease writes while nothing changes


def test_a_stopping_kubelet_renews_its_lease_last_and_the_node_turns_unknown_a_grace_period_later(cluster):
    cluster.step(100)
    stopped_at = cluster.now
    cluster.set_component("kubelet/worker-1", running=False)
    assert _renewed(cluster, "worker-1") == stopped_at
    assert _renewed(cluster, "worker-2") < stopped_at
    changes = [c for c in cluster.changes() if c["kind"] == "Lease"]
    assert (changes[-1]["actor"], changes[-1]["verb"]) == ("kubelet/worker-1", "update")
    cluster.step(NODE_MONITOR_GRACE_PERIOD - 1)  # counted from the last renewal
    ready = next(c for c in cluster.api.get("nodes", "worker-1")["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True"
    cluster.step(2)
    ready = next(c for c in cluster.api.get("nodes", "worker-1")["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "Unknown"
    cluster.step(100)
    started_at = cluster.now
    cluster.set_component("kubelet/worker-1", running=True)
    assert _renewed(cluster, "worker-1") == started_at


def test_a_deleted_lease_comes_back_when_the_kubelet_restarts(cluster):
    cluster.api.delete("leases", "worker-1", namespace=NS)
    cluster.set_component("kubelet/worker-1", running=False)
    cluster.set_component("kubelet/worker-1", running=True)
    assert cluster.api.get("leases", "worker-1", namespace=NS)["spec"]["holderIdentity"] == "worker-1"


def test_the_garbage_collector_deletes_the_lease_with_its_node(cluster):
    cluster.api.delete("nodes", "worker-2")
    cluster.run_until_idle()
    assert [lease["metadata"]["name"] for lease in cluster.api.list("leases", namespace=NS)["items"]] == \
        ["control-plane", "worker-1"]


def test_a_node_created_by_hand_has_no_kubelet_and_so_no_lease(cluster):
    cluster.api.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "manual"}})
    cluster.run_until_idle()
    with pytest.raises(Status) as missing:
        cluster.api.get("leases", "manual", namespace=NS)
    assert missing.value.message == 'leases.coordination.k8s.io "manual" not found'
    text = run_command(cluster, "kubectl describe node manual", actor="user:a").stdout
    assert 'Lease:              Failed to get lease: leases.coordination.k8s.io "manual" not found\n' in text


def test_lease_validation_reads_like_upstream(cluster):
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "lock"},
             "spec": {"holderIdentity": "me", "leaseDurationSeconds": 0, "leaseTransitions": -1}}
    with pytest.raises(Status) as invalid:
        cluster.api.create(lease)
    assert invalid.value.message.endswith(
        'is invalid: [spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0, '
        "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0]")
    assert invalid.value.kubectl_text().startswith('The Lease "lock" is invalid: \n* spec.leaseDurationSeconds')
    lease["spec"] = {"holderIdentity": "me", "leaseDurationSeconds": 15}
    assert cluster.api.create(lease)["metadata"]["namespace"] == "default"


def test_kubectl_get_leases_and_describe_node_read_the_stored_lease(cluster):
    cluster.step(60)
    cluster.set_component("kubelet/worker-1", running=False)
    table = run_command(cluster, "kubectl get leases -n kube-node-lease", actor="user:a").stdout
    assert table.splitlines()[0].split() == ["NAME", "HOLDER", "AGE"]
    assert table.splitlines()[2].split()[:2] == ["worker-1", "worker-1"]
    described = run_command(cluster, "kubectl describe node worker-1", actor="user:a").stdout
    renew = rfc3339(cluster.now)
    assert "Lease:\n  HolderIdentity:  worker-1\n  AcquireTime:     <unset>\n" in described
    assert f"  RenewTime:       {_rfc1123z(renew)}\n" in described


def _rfc1123z(stamp: str) -> str:
    from cluster_engine.sim.kubectl.describe import rfc1123z

    return rfc1123z(stamp)
