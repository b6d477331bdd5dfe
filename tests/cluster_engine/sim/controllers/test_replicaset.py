"""replicaset-controller: replicas kept, adoption and release, names, events, deletion ranking, status."""

from __future__ import annotations

import re

from sim_golden import check
from sim_helpers import pod
from workload_helpers import events_of, pods_of, replicaset

from cluster_engine.sim.controllers.workload import compute_hash, deletion_order, safe_encode
from cluster_engine.sim.util import NAME_ALPHABET


def test_replicaset_creates_its_replicas_named_after_it(cluster):
    cluster.api.apply(replicaset("web", 3))
    cluster.step(20)
    names = [p["metadata"]["name"] for p in pods_of(cluster, "web")]
    assert len(names) == 3
    assert all(re.fullmatch(f"web-[{NAME_ALPHABET}]{{5}}", n) for n in names)
    ref = pods_of(cluster, "web")[0]["metadata"]["ownerReferences"][0]
    assert ref["kind"] == "ReplicaSet"
    assert ref["controller"] is True
    assert ref["blockOwnerDeletion"] is True


def test_replicaset_status_counts_ready_and_available_replicas(cluster):
    cluster.api.apply(replicaset("web", 2))
    cluster.step(30)
    status = cluster.api.get("replicasets", "web")["status"]
    assert status == {
        "replicas": 2,
        "fullyLabeledReplicas": 2,
        "readyReplicas": 2,
        "availableReplicas": 2,
        "observedGeneration": 1,
    }


def test_replicaset_replaces_a_deleted_pod(cluster):
    cluster.api.apply(replicaset("web", 2))
    cluster.step(20)
    victim = pods_of(cluster, "web")[0]["metadata"]["name"]
    cluster.api.delete("pods", victim)
    cluster.step(40)
    names = [p["metadata"]["name"] for p in pods_of(cluster, "web")]
    assert len(names) == 2
    assert victim not in names


def test_scaling_down_deletes_pending_pods_before_running_ones(cluster):
    cluster.api.apply(replicaset("web", 2))
    cluster.step(30)
    running = {p["metadata"]["name"] for p in pods_of(cluster, "web")}
    cluster.set_component("kube-scheduler", running=False)
    cluster.api.patch("replicasets", "web", {"spec": {"replicas": 4}}, patch_type="merge")
    cluster.api.patch("replicasets", "web", {"spec": {"replicas": 2}}, patch_type="merge")
    cluster.step(1)
    assert {p["metadata"]["name"] for p in pods_of(cluster, "web")} == running


def test_deletion_order_ranks_unscheduled_pending_not_ready_and_newest_first(cluster):
    base = {"metadata": {"creationTimestamp": "2026-01-05T10:00:00Z"}, "spec": {}, "status": {}}

    def make(name, node="", phase="Running", ready=False, created="2026-01-05T10:00:00Z"):
        conditions = [
            {"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": "2026-01-05T10:00:00Z"}
        ]
        return {
            **base,
            "metadata": {"name": name, "creationTimestamp": created},
            "spec": {"nodeName": node} if node else {},
            "status": {"phase": phase, "conditions": conditions},
        }

    pods = [
        make("ready-old", "w1", ready=True),
        make("ready-new", "w2", ready=True, created="2026-01-05T10:01:00Z"),
        make("not-ready", "w1"),
        make("pending", "w1", phase="Pending"),
        make("unscheduled", phase="Pending"),
    ]
    order = [p["metadata"]["name"] for p in deletion_order(pods, pods, now=1767607300.0)]
    # among the ready pods, the one on the node with more related pods (w1) goes first
    assert order == ["unscheduled", "pending", "not-ready", "ready-old", "ready-new"]


def test_replicaset_adopts_a_matching_orphan(cluster):
    orphan = pod("stray", node=None)
    orphan["metadata"]["labels"] = {"app": "web"}
    cluster.api.apply(orphan)
    cluster.api.apply(replicaset("web", 2))
    cluster.step(20)
    stray = cluster.api.get("pods", "stray")
    assert stray["metadata"]["ownerReferences"][0]["name"] == "web"
    assert len(pods_of(cluster, "web")) == 2


def test_replicaset_releases_a_pod_whose_labels_stop_matching(cluster):
    cluster.api.apply(replicaset("web", 2))
    cluster.step(20)
    name = pods_of(cluster, "web")[0]["metadata"]["name"]
    cluster.api.patch("pods", name, {"metadata": {"labels": {"app": "debug"}}}, patch_type="merge")
    cluster.step(20)
    assert "ownerReferences" not in cluster.api.get("pods", name)["metadata"]
    assert len(pods_of(cluster, "web")) == 2


def test_replicaset_events_read_like_upstream(cluster):
    cluster.api.apply(replicaset("web", 2))
    cluster.step(20)
    cluster.api.patch("replicasets", "web", {"spec": {"replicas": 1}}, patch_type="merge")
    cluster.step(5)
    events = events_of(cluster, "ReplicaSet", "web")
    check("controllers/replicaset-events.yaml", [re.sub(r"web-[a-z0-9]{5}$", "web-xxxxx", e) for e in events] + events)


def test_refused_pod_create_records_failed_create_and_replica_failure(cluster):
    manifest = replicaset("web", 1)
    manifest["spec"]["template"]["spec"]["priorityClassName"] = "no-such-class"
    cluster.api.apply(manifest)
    cluster.step(5)
    events = events_of(cluster, "ReplicaSet", "web")
    assert events[0].startswith('FailedCreate: Error creating: pods "web-')
    assert "no PriorityClass with name no-such-class was found" in events[0]
    conditions = cluster.api.get("replicasets", "web")["status"]["conditions"]
    assert conditions[0]["type"] == "ReplicaFailure"
    assert conditions[0]["reason"] == "FailedCreate"


def test_compute_hash_uses_the_safe_alphabet_and_the_collision_count():
    template = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "a", "image": "nginx"}]}}
    first, second = compute_hash(template), compute_hash(template, 1)
    assert first != second
    assert set(first + second) <= set("bcdf456789")
    assert safe_encode("0123456789") == "456789bcdf"
