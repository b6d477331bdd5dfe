"""The StatefulSet controller: ordered and parallel pods, stable identity, claims, rolling updates."""

from __future__ import annotations

import pytest
from sim_golden import check
from svc_helpers import job_events, service, statefulset

from cluster_engine.sim.cluster import Cluster


def _pods(cluster: Cluster, app: str = "web") -> list[str]:
    return [p["metadata"]["name"] for p in cluster.api.list("pods", label_selector=f"app={app}")["items"]]


def _images(cluster: Cluster) -> dict[str, str]:
    return {
        p["metadata"]["name"]: p["spec"]["containers"][0]["image"]
        for p in cluster.api.list("pods", label_selector="app=web")["items"]
    }


def test_ordered_ready_creates_pods_one_after_another(cluster: Cluster) -> None:
    cluster.api.create(statefulset())
    cluster.step(0.5)
    assert _pods(cluster) == ["web-0"]
    cluster.step(60)
    assert _pods(cluster) == ["web-0", "web-1", "web-2"]


def test_parallel_creates_all_pods_at_once(cluster: Cluster) -> None:
    cluster.api.create(statefulset(podManagementPolicy="Parallel"))
    cluster.run_until_idle()
    assert _pods(cluster) == ["web-0", "web-1", "web-2"]


def test_scale_down_removes_the_highest_ordinal_first(cluster: Cluster) -> None:
    cluster.api.create(statefulset())
    cluster.step(60)
    cluster.api.patch("statefulsets", "web", {"spec": {"replicas": 1}}, patch_type="merge")
    cluster.run_until_idle()
    assert cluster.api.get("pods", "web-2")["metadata"].get("deletionTimestamp")
    assert not cluster.api.get("pods", "web-1")["metadata"].get("deletionTimestamp")
    cluster.step(120)
    assert _pods(cluster) == ["web-0"]


def test_claims_are_created_bound_and_survive_pod_deletion(cluster: Cluster) -> None:
    cluster.api.create(statefulset())
    cluster.step(60)
    claims = cluster.api.list("pvc")["items"]
    assert [c["metadata"]["name"] for c in claims] == ["www-web-0", "www-web-1", "www-web-2"]
    assert {c["status"]["phase"] for c in claims} == {"Bound"}
    pod = cluster.api.get("pods", "web-1")
    assert {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-1"}} in pod["spec"]["volumes"]
    cluster.api.delete("pods", "web-1")
    cluster.step(60)
    assert cluster.api.get("pvc", "www-web-1")["metadata"]["uid"] == claims[1]["metadata"]["uid"]
    assert "web-1" in _pods(cluster)


def test_pods_have_stable_hostname_and_subdomain(cluster: Cluster) -> None:
    cluster.api.create(service(clusterIP="None"))
    cluster.api.create(statefulset())
    cluster.step(60)
    pod = cluster.api.get("pods", "web-2")
    assert (pod["spec"]["hostname"], pod["spec"]["subdomain"]) == ("web-2", "web")
    assert pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "2"
    hostnames = sorted(a["hostname"] for a in cluster.api.get("endpoints", "web")["subsets"][0]["addresses"])
    assert hostnames == ["web-0", "web-1", "web-2"]


def test_rolling_update_goes_from_the_highest_ordinal(cluster: Cluster) -> None:
    cluster.api.create(statefulset())
    cluster.step(60)
    cluster.api.patch(
        "statefulsets",
        "web",
        {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.26"}]}}}},
    )
    cluster.step(0.1)
    assert (
        cluster.api.get("pods", "web-2")["metadata"].get("deletionTimestamp")
        or _images(cluster).get("web-2") == "nginx:1.26"
    )
    assert _images(cluster)["web-0"] == "nginx:1.27"
    cluster.step(300)
    assert set(_images(cluster).values()) == {"nginx:1.26"}
    status = cluster.api.get("statefulsets", "web")["status"]
    assert status["currentRevision"] == status["updateRevision"]


def test_partition_keeps_lower_ordinals_on_the_old_template(cluster: Cluster) -> None:
    cluster.api.create(statefulset(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}))
    cluster.step(60)
    cluster.api.patch(
        "statefulsets",
        "web",
        {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.26"}]}}}},
    )
    cluster.step(300)
    assert _images(cluster) == {"web-0": "nginx:1.27", "web-1": "nginx:1.27", "web-2": "nginx:1.26"}


def test_statefulset_events_golden(cluster: Cluster) -> None:
    cluster.api.create(statefulset(replicas=2))
    cluster.step(60)
    check("controllers/statefulset_events.yaml", job_events(cluster, "StatefulSet", "web"))


@pytest.mark.parametrize(
    ("replicas", "policy"), [(1, "OrderedReady"), (4, "OrderedReady"), (5, "Parallel"), (0, "Parallel")]
)
def test_property_status_matches_spec_when_satisfiable(cluster: Cluster, replicas: int, policy: str) -> None:
    cluster.api.create(statefulset(replicas=replicas, podManagementPolicy=policy))
    cluster.step(300)
    status = cluster.api.get("statefulsets", "web")["status"]
    assert status["replicas"] == replicas
    assert status.get("readyReplicas", 0) == replicas
    assert _pods(cluster) == [f"web-{i}" for i in range(replicas)]


# --- ControllerRevisions ------------------------------------------------------------------------------
def _revisions(cluster: Cluster, app: str = "web") -> list[tuple[str, int]]:
    items = cluster.api.list("controllerrevisions", label_selector=f"app={app}")["items"]
    return sorted((r["metadata"]["name"], r["revision"]) for r in items)


def _set_image(cluster: Cluster, image: str) -> None:
    cluster.api.patch(
        "statefulsets", "web", {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": image}]}}}}
    )


def test_each_template_becomes_a_controller_revision_owned_by_the_set(cluster: Cluster) -> None:
    cluster.api.create(statefulset(replicas=1))
    cluster.step(30)
    sts = cluster.api.get("statefulsets", "web")
    (revision,) = cluster.api.list("controllerrevisions", label_selector="app=web")["items"]
    name = revision["metadata"]["name"]
    assert name == f"web-{revision['metadata']['labels']['controller.kubernetes.io/hash']}"
    assert revision["revision"] == 1
    assert revision["data"]["spec"]["template"]["$patch"] == "replace"
    assert revision["metadata"]["ownerReferences"][0]["uid"] == sts["metadata"]["uid"]
    assert revision["metadata"]["ownerReferences"][0]["controller"] is True
    assert sts["status"]["currentRevision"] == sts["status"]["updateRevision"] == name
    assert sts["status"]["collisionCount"] == 0
    assert cluster.api.get("pods", "web-0")["metadata"]["labels"]["controller-revision-hash"] == name


def test_a_template_change_adds_a_revision_and_the_rollout_moves_current_to_it(cluster: Cluster) -> None:
    cluster.api.create(statefulset(replicas=2))
    cluster.step(60)
    first = cluster.api.get("statefulsets", "web")["status"]["currentRevision"]
    _set_image(cluster, "nginx:1.26")
    cluster.step(0.1)
    status = cluster.api.get("statefulsets", "web")["status"]
    assert status["currentRevision"] == first
    assert status["updateRevision"] != first
    assert [n for _name, n in _revisions(cluster)] in ([1, 2], [2, 1])
    cluster.step(300)
    status = cluster.api.get("statefulsets", "web")["status"]
    assert status["currentRevision"] == status["updateRevision"] != first


def test_partition_recreates_a_deleted_old_pod_from_the_current_revision(cluster: Cluster) -> None:
    cluster.api.create(statefulset(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}))
    cluster.step(60)
    old = cluster.api.get("statefulsets", "web")["status"]["currentRevision"]
    _set_image(cluster, "nginx:1.26")
    cluster.step(120)
    cluster.api.delete("pods", "web-0")
    cluster.step(120)
    pod = cluster.api.get("pods", "web-0")
    assert pod["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert pod["metadata"]["labels"]["controller-revision-hash"] == old
    assert _images(cluster) == {"web-0": "nginx:1.27", "web-1": "nginx:1.27", "web-2": "nginx:1.26"}


def test_a_deleted_pod_at_or_above_the_partition_comes_back_from_the_update_revision(cluster: Cluster) -> None:
    cluster.api.create(statefulset(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}))
    cluster.step(60)
    _set_image(cluster, "nginx:1.26")
    cluster.step(300)
    assert _images(cluster) == {"web-0": "nginx:1.27", "web-1": "nginx:1.26", "web-2": "nginx:1.26"}
    cluster.api.delete("pods", "web-1")
    cluster.step(120)
    assert _images(cluster)["web-1"] == "nginx:1.26"


def test_on_delete_recreates_deleted_pods_from_the_update_revision(cluster: Cluster) -> None:
    cluster.api.create(statefulset(replicas=2, updateStrategy={"type": "OnDelete"}))
    cluster.step(60)
    first = cluster.api.get("statefulsets", "web")["status"]["currentRevision"]
    _set_image(cluster, "nginx:1.26")
    cluster.step(60)
    assert set(_images(cluster).values()) == {"nginx:1.27"}
    cluster.api.delete("pods", "web-0")
    cluster.step(120)
    assert _images(cluster) == {"web-0": "nginx:1.26", "web-1": "nginx:1.27"}
    # upstream completes a rollout (current := update revision) only under RollingUpdate
    assert cluster.api.get("statefulsets", "web")["status"]["currentRevision"] == first


def test_going_back_to_an_old_template_renumbers_its_revision(cluster: Cluster) -> None:
    cluster.api.create(statefulset(replicas=1))
    cluster.step(60)
    _set_image(cluster, "nginx:1.26")
    cluster.step(120)
    names = dict(_revisions(cluster))
    _set_image(cluster, "nginx:1.27")
    cluster.step(120)
    renumbered = dict(_revisions(cluster))
    assert set(renumbered) == set(names)  # no new revision
    oldest = min(names, key=names.__getitem__)
    assert renumbered[oldest] == 3
    assert cluster.api.get("statefulsets", "web")["status"]["updateRevision"] == oldest


def test_revisions_beyond_the_history_limit_are_deleted_oldest_first(cluster: Cluster) -> None:
    cluster.api.create(statefulset(replicas=1, revisionHistoryLimit=1))
    cluster.step(60)
    for image in ("nginx:1.26", "nginx:1.25", "nginx:1.24"):
        _set_image(cluster, image)
        cluster.step(120)
    # the live revision (pods, current and update) plus one unused one
    assert [n for _name, n in sorted(_revisions(cluster), key=lambda r: r[1])] == [3, 4]


def test_a_taken_revision_name_bumps_the_collision_count(cluster: Cluster) -> None:
    cluster.api.create(statefulset(replicas=1))
    cluster.step(30)
    (first,) = cluster.api.list("controllerrevisions", label_selector="app=web")["items"]
    cluster.api.delete("statefulsets", "web", propagation_policy="Orphan")
    cluster.api.delete("controllerrevisions", first["metadata"]["name"])
    cluster.step(5)
    squatter = {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": {"name": first["metadata"]["name"], "labels": {"app": "other"}},
        "data": {"something": "else"},
        "revision": 1,
    }
    cluster.api.create(squatter)
    cluster.api.create(statefulset(replicas=1))
    cluster.step(30)
    status = cluster.api.get("statefulsets", "web")["status"]
    assert status["collisionCount"] == 1
    assert status["updateRevision"] != first["metadata"]["name"]
    assert cluster.api.get("controllerrevisions", status["updateRevision"])["revision"] == 1


def test_revisions_go_with_their_statefulset(cluster: Cluster) -> None:
    cluster.api.create(statefulset(replicas=1))
    cluster.step(30)
    assert _revisions(cluster)
    cluster.api.delete("statefulsets", "web")
    cluster.step(30)
    assert _revisions(cluster) == []


def test_orphaned_pods_are_adopted_by_a_new_set_of_the_same_name(cluster: Cluster) -> None:
    cluster.api.create(statefulset(replicas=2))
    cluster.step(60)
    uids = {
        p["metadata"]["name"]: p["metadata"]["uid"] for p in cluster.api.list("pods", label_selector="app=web")["items"]
    }
    cluster.api.delete("statefulsets", "web", propagation_policy="Orphan")
    cluster.step(5)
    assert not cluster.api.get("pods", "web-0")["metadata"].get("ownerReferences")
    cluster.api.create(statefulset(replicas=2))
    cluster.step(5)
    sts_uid = cluster.api.get("statefulsets", "web")["metadata"]["uid"]
    for name, uid in uids.items():
        pod = cluster.api.get("pods", name)
        assert pod["metadata"]["uid"] == uid
        assert pod["metadata"]["ownerReferences"][0]["uid"] == sts_uid


def test_a_mount_may_name_a_volume_claim_template(cluster: Cluster) -> None:
    """`ValidatePodTemplateSpecForStatefulSet` leaves the pod spec alone: the docs' StatefulSet tutorials mount
    their claim templates (`volumeMounts[].name: www`) without a matching `volumes` entry."""
    sts = statefulset(replicas=1)
    sts["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] = [{"name": "www", "mountPath": "/data"}]
    cluster.api.create(sts)
    cluster.step(60)
    pod = cluster.api.get("pods", "web-0")
    assert {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}} in pod["spec"]["volumes"]
    assert pod["status"]["phase"] == "Running"


def test_a_pod_the_api_server_refuses_is_a_failed_create_event(cluster: Cluster) -> None:
    sts = statefulset(replicas=1)
    sts["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] = [{"name": "nope", "mountPath": "/data"}]
    cluster.api.create(sts)
    cluster.step(5)
    assert _pods(cluster) == []
    warnings = [e for e in job_events(cluster, "StatefulSet", "web") if e.startswith("Warning")]
    assert warnings[0] == (
        'Warning FailedCreate: create Pod web-0 in StatefulSet web failed error: Pod "web-0" is invalid: '
        'spec.containers[0].volumeMounts[0].name: Not found: "nope"'
    )
