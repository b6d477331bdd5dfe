"""deployment-controller: ReplicaSet names and revisions, rolling update and Recreate, rollback, pause,
restart, scale, progress deadline and conditions, ScalingReplicaSet events."""

from __future__ import annotations

import re

import pytest
from sim_golden import check
from workload_helpers import deployment, events_of, owned_replicasets, pods_of

from cluster_engine.sim.controllers.deployment import max_surge, max_unavailable, rollback_patch
from cluster_engine.sim.errors import Status

REVISION = "deployment.kubernetes.io/revision"


def _image(cluster, name, image):
    cluster.api.patch(
        "deployments", name, {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}}
    )


def _conditions(cluster, name):
    return {c["type"]: (c["status"], c["reason"]) for c in cluster.api.get("deployments", name)["status"]["conditions"]}


def test_deployment_creates_a_replicaset_named_after_the_template_hash(cluster):
    cluster.api.apply(deployment("web", 3))
    cluster.step(30)
    (rs,) = owned_replicasets(cluster, "web")
    template_hash = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{template_hash}"
    assert re.fullmatch("[bcdf4-9]{1,10}", template_hash)
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": template_hash}
    assert rs["metadata"]["annotations"] == {
        "deployment.kubernetes.io/desired-replicas": "3",
        "deployment.kubernetes.io/max-replicas": "4",
        REVISION: "1",
    }
    assert all(p["metadata"]["name"].startswith(f"web-{template_hash}-") for p in pods_of(cluster, "web"))


def test_deployment_becomes_available_and_complete(cluster):
    cluster.api.apply(deployment("web", 3))
    cluster.step(30)
    d = cluster.api.get("deployments", "web")
    assert d["metadata"]["annotations"][REVISION] == "1"
    assert {k: d["status"][k] for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas")} == {
        "replicas": 3,
        "updatedReplicas": 3,
        "readyReplicas": 3,
        "availableReplicas": 3,
    }
    assert _conditions(cluster, "web") == {
        "Available": ("True", "MinimumReplicasAvailable"),
        "Progressing": ("True", "NewReplicaSetAvailable"),
    }


def test_defaults_round_as_upstream():
    d = {
        "spec": {
            "replicas": 10,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
        }
    }
    assert (max_surge(d), max_unavailable(d)) == (3, 2)
    d["spec"]["strategy"]["rollingUpdate"] = {"maxSurge": 0, "maxUnavailable": "10%"}
    d["spec"]["replicas"] = 3
    assert max_unavailable(d) == 1  # both resolve to 0: unavailable becomes 1


def test_rolling_update_events_golden(cluster):
    cluster.api.apply(deployment("web", 3))
    cluster.step(30)
    _image(cluster, "web", "nginx:1.26")
    cluster.step(60)
    new_hash = {
        rs["metadata"]["annotations"][REVISION]: rs["metadata"]["name"] for rs in owned_replicasets(cluster, "web")
    }
    events = events_of(cluster, "Deployment", "web")
    names = {new_hash["1"]: "web-<rev1>", new_hash["2"]: "web-<rev2>"}
    check(
        "controllers/deployment-rolling-events.yaml",
        [re.sub(r"web-[bcdf4-9]+", lambda m: names.get(m.group(0), m.group(0)), e) for e in events],
    )
    assert sorted(new_hash) == ["1", "2"]


def test_rolling_update_never_exceeds_surge_or_unavailability(cluster):
    cluster.api.apply(deployment("web", 4))
    cluster.step(30)
    _image(cluster, "web", "nginx:1.26")
    for _ in range(40):
        cluster.step(1)
        rss = owned_replicasets(cluster, "web")
        assert sum(rs["spec"]["replicas"] for rs in rss) <= 4 + 1  # maxSurge 25 % of 4, rounded up
        available = sum(rs.get("status", {}).get("availableReplicas", 0) for rs in rss)
        assert available >= 4 - 1  # maxUnavailable 25 % of 4, rounded down
    d = cluster.api.get("deployments", "web")
    assert d["status"]["updatedReplicas"] == 4
    assert d["status"]["replicas"] == 4


def test_recreate_scales_old_down_before_creating_new(cluster):
    cluster.api.apply(deployment("web", 2, strategy={"type": "Recreate"}))
    cluster.step(30)
    _image(cluster, "web", "nginx:1.26")
    cluster.step(0.1)
    rss = {rs["metadata"]["annotations"][REVISION]: rs for rs in owned_replicasets(cluster, "web")}
    assert rss["1"]["spec"]["replicas"] == 0
    assert "2" not in rss  # old pods still terminating
    cluster.step(60)
    rss = {rs["metadata"]["annotations"][REVISION]: rs for rs in owned_replicasets(cluster, "web")}
    assert rss["2"]["spec"]["replicas"] == 2
    assert rss["2"]["status"]["availableReplicas"] == 2


def test_rollback_reuses_the_old_replicaset_with_the_next_revision(cluster):
    cluster.api.apply(deployment("web", 2))
    cluster.step(30)
    _image(cluster, "web", "nginx:1.26")
    cluster.step(60)
    first = next(rs for rs in owned_replicasets(cluster, "web") if rs["metadata"]["annotations"][REVISION] == "1")
    ops, message = rollback_patch(cluster.store, "default", "web", 1)
    assert message == "rolled back"
    cluster.api.patch("deployments", "web", ops, patch_type="json")
    cluster.step(60)
    again = cluster.api.get("replicasets", first["metadata"]["name"])
    assert again["metadata"]["annotations"][REVISION] == "3"
    assert again["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
    assert again["spec"]["replicas"] == 2
    assert cluster.api.get("deployments", "web")["metadata"]["annotations"][REVISION] == "3"
    assert len(owned_replicasets(cluster, "web")) == 2


def test_rollback_to_the_current_template_is_skipped(cluster):
    cluster.api.apply(deployment("web", 1))
    cluster.step(30)
    _image(cluster, "web", "nginx:1.26")
    cluster.step(30)
    assert rollback_patch(cluster.store, "default", "web", 2) == (
        [],
        "skipped rollback (current template already matches revision 2)",
    )


def test_revision_history_limit_deletes_the_oldest_unused_replicasets(cluster):
    cluster.api.apply(deployment("web", 1, revisionHistoryLimit=1))
    for tag in ("1.24", "1.25", "1.26"):
        cluster.step(30)
        _image(cluster, "web", f"nginx:{tag}")
    cluster.step(60)
    revisions = sorted(rs["metadata"]["annotations"][REVISION] for rs in owned_replicasets(cluster, "web"))
    assert revisions == ["3", "4"]


def test_paused_deployment_does_not_roll_out_until_resumed(cluster):
    cluster.api.apply(deployment("web", 2))
    cluster.step(30)
    cluster.api.patch("deployments", "web", {"spec": {"paused": True}}, patch_type="merge")
    _image(cluster, "web", "nginx:1.26")
    cluster.step(30)
    assert len(owned_replicasets(cluster, "web")) == 1
    assert _conditions(cluster, "web")["Progressing"] == ("Unknown", "DeploymentPaused")
    cluster.api.patch("deployments", "web", {"spec": {"paused": False}}, patch_type="merge")
    cluster.step(60)
    assert len(owned_replicasets(cluster, "web")) == 2
    assert _conditions(cluster, "web")["Progressing"] == ("True", "NewReplicaSetAvailable")


def test_rollout_restart_annotation_rolls_out_a_new_replicaset(cluster):
    cluster.api.apply(deployment("web", 2))
    cluster.step(30)
    stamp = {"kubectl.kubernetes.io/restartedAt": "2026-01-05T10:05:00Z"}
    cluster.api.patch("deployments", "web", {"spec": {"template": {"metadata": {"annotations": stamp}}}})
    cluster.step(60)
    revisions = {rs["metadata"]["annotations"][REVISION]: rs for rs in owned_replicasets(cluster, "web")}
    assert revisions["2"]["spec"]["replicas"] == 2
    assert revisions["1"]["spec"]["replicas"] == 0
    assert all(p["metadata"]["annotations"] == stamp for p in pods_of(cluster, "web"))


def test_scaling_via_spec_replicas_scales_the_replicaset(cluster):
    cluster.api.apply(deployment("web", 2))
    cluster.step(30)
    cluster.api.patch("deployments", "web", {"spec": {"replicas": 5}}, patch_type="merge")
    cluster.step(30)
    (rs,) = owned_replicasets(cluster, "web")
    assert rs["spec"]["replicas"] == 5
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "5"
    assert events_of(cluster, "Deployment", "web")[-1] == (
        f"ScalingReplicaSet: Scaled up replica set {rs['metadata']['name']} from 2 to 5"
    )


def test_progress_deadline_exceeded_when_the_new_pods_never_become_ready(cluster):
    cluster.api.apply(deployment("web", 2, progressDeadlineSeconds=60))
    cluster.step(30)
    _image(cluster, "web", "nginx:9.9-no-such-tag")
    cluster.step(30)
    assert _conditions(cluster, "web")["Progressing"] == ("True", "ReplicaSetUpdated")
    cluster.step(60)
    conditions = cluster.api.get("deployments", "web")["status"]["conditions"]
    progressing = next(c for c in conditions if c["type"] == "Progressing")
    assert (progressing["status"], progressing["reason"]) == ("False", "ProgressDeadlineExceeded")
    assert progressing["message"].endswith("has timed out progressing.")


def test_deleting_a_deployment_garbage_collects_replicasets_and_pods(cluster):
    cluster.api.apply(deployment("web", 2))
    cluster.step(30)
    cluster.api.delete("deployments", "web")
    cluster.step(60)
    assert cluster.api.list("replicasets", namespace="default")["items"] == []
    assert pods_of(cluster, "web", include_terminating=True) == []


def test_invalid_deployment_is_refused_with_upstream_wording(cluster):
    manifest = deployment("web", 1)
    manifest["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    with pytest.raises(Status, match="`selector` does not match template `labels`"):
        cluster.api.apply(manifest)
