"""Garbage collection through ownerReferences: background, foreground and orphan propagation."""

from __future__ import annotations

import pytest
from sim_helpers import pod

from cluster_engine.sim.errors import Status


def _owner(cluster, name="owner"):
    return cluster.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})


def _dependent(cluster, name, owner, node="worker-1"):
    body = pod(name, node=node)
    body["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"],
            "blockOwnerDeletion": True,
        }
    ]
    return cluster.api.create(body)


def _exists(cluster, kind, name):
    try:
        cluster.api.get(kind, name)
    except Status:
        return False
    return True


def test_background_deletion_collects_dependents(cluster):
    owner = _owner(cluster)
    _dependent(cluster, "a", owner)
    _dependent(cluster, "b", owner, node=None)
    cluster.step(5)
    cluster.api.delete("configmaps", "owner")
    assert not _exists(cluster, "configmaps", "owner")
    cluster.step(2)
    assert not _exists(cluster, "pods", "a")
    assert not _exists(cluster, "pods", "b")
    actors = {c["actor"] for c in cluster.changes() if c["name"] in ("a", "b") and c["verb"] == "delete"}
    assert "garbage-collector" in actors


def test_foreground_deletion_waits_for_dependents(cluster):
    owner = _owner(cluster)
    _dependent(cluster, "a", owner)
    cluster.step(5)
    cluster.api.delete("configmaps", "owner", propagation_policy="Foreground")
    cluster.step(0)
    held = cluster.api.get("configmaps", "owner")
    assert "foregroundDeletion" in held["metadata"]["finalizers"]
    assert cluster.api.get("pods", "a")["metadata"]["deletionTimestamp"]
    cluster.step(2)
    assert not _exists(cluster, "pods", "a")
    assert not _exists(cluster, "configmaps", "owner")


def test_orphan_deletion_keeps_dependents_without_the_reference(cluster):
    owner = _owner(cluster)
    _dependent(cluster, "a", owner)
    cluster.api.delete("configmaps", "owner", propagation_policy="Orphan")
    cluster.step(1)
    assert not _exists(cluster, "configmaps", "owner")
    assert "ownerReferences" not in cluster.api.get("pods", "a")["metadata"]


def test_dependent_with_one_live_owner_survives(cluster):
    first, second = _owner(cluster, "first"), _owner(cluster, "second")
    body = pod("shared", node=None, schedulerName="none")
    body["metadata"]["ownerReferences"] = [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "first", "uid": first["metadata"]["uid"]},
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "second", "uid": second["metadata"]["uid"]},
    ]
    cluster.api.create(body)
    cluster.api.delete("configmaps", "first")
    cluster.step(1)
    refs = cluster.api.get("pods", "shared")["metadata"]["ownerReferences"]
    assert [r["name"] for r in refs] == ["second"]


def test_stopped_controller_manager_collects_nothing_until_restarted(cluster):
    owner = _owner(cluster)
    _dependent(cluster, "a", owner, node=None)
    cluster.set_component("kube-controller-manager", running=False)
    cluster.api.delete("configmaps", "owner")
    cluster.step(30)
    assert _exists(cluster, "pods", "a")
    cluster.set_component("kube-controller-manager", running=True)
    cluster.step(1)
    assert not _exists(cluster, "pods", "a")


def test_owner_of_an_unserved_kind_is_left_alone(cluster):
    proxies = [
        p
        for p in cluster.api.list("pods", namespace="kube-system")["items"]
        if p["metadata"]["name"].startswith("kube-proxy-")
    ]
    assert proxies[0]["metadata"]["ownerReferences"][0]["kind"] == "DaemonSet"
    cluster.step(60)
    assert len(
        [
            p
            for p in cluster.api.list("pods", namespace="kube-system")["items"]
            if p["metadata"]["name"].startswith("kube-proxy-")
        ]
    ) == len(proxies)


def test_pods_with_node_owner_go_when_the_node_goes(cluster):
    with pytest.raises(Status):
        cluster.api.get("pods", "etcd-worker-1", namespace="kube-system")
    cluster.api.delete("nodes", "control-plane")
    cluster.step(60)
    names = [p["metadata"]["name"] for p in cluster.api.list("pods", namespace="kube-system")["items"]]
    assert "etcd-control-plane" not in names
