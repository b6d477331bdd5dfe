"""The StatefulSet controller: ordered and parallel pods, stable identity, claims, rolling updates."""

from __future__ import annotations

import pytest
from sim_golden import check
from svc_helpers import job_events, service, statefulset

from cluster_engine.sim.cluster import Cluster


def _pods(cluster: Cluster, app: str = "web") -> list[str]:
    return [p["metadata"]["name"] for p in cluster.list("pods", label_selector=f"app={app}")["items"]]


def _images(cluster: Cluster) -> dict[str, str]:
    return {
        p["metadata"]["name"]: p["spec"]["containers"][0]["image"]
        for p in cluster.list("pods", label_selector="app=web")["items"]
    }


def test_ordered_ready_creates_pods_one_after_another(cluster: Cluster) -> None:
    cluster.create(statefulset())
    cluster.step(0.5)
    assert _pods(cluster) == ["web-0"]
    cluster.step(60)
    assert _pods(cluster) == ["web-0", "web-1", "web-2"]


def test_parallel_creates_all_pods_at_once(cluster: Cluster) -> None:
    cluster.create(statefulset(podManagementPolicy="Parallel"))
    cluster.run_until_idle()
    assert _pods(cluster) == ["web-0", "web-1", "web-2"]


def test_scale_down_removes_the_highest_ordinal_first(cluster: Cluster) -> None:
    cluster.create(statefulset())
    cluster.step(60)
    cluster.patch("statefulsets", "web", {"spec": {"replicas": 1}}, patch_type="merge")
    cluster.run_until_idle()
    assert cluster.get("pods", "web-2")["metadata"].get("deletionTimestamp")
    assert not cluster.get("pods", "web-1")["metadata"].get("deletionTimestamp")
    cluster.step(120)
    assert _pods(cluster) == ["web-0"]


def test_claims_are_created_bound_and_survive_pod_deletion(cluster: Cluster) -> None:
    cluster.create(statefulset())
    cluster.step(60)
    claims = cluster.list("pvc")["items"]
    assert [c["metadata"]["name"] for c in claims] == ["www-web-0", "www-web-1", "www-web-2"]
    assert {c["status"]["phase"] for c in claims} == {"Bound"}
    pod = cluster.get("pods", "web-1")
    assert {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-1"}} in pod["spec"]["volumes"]
    cluster.delete("pods", "web-1")
    cluster.step(60)
    assert cluster.get("pvc", "www-web-1")["metadata"]["uid"] == claims[1]["metadata"]["uid"]
    assert "web-1" in _pods(cluster)


def test_pods_have_stable_hostname_and_subdomain(cluster: Cluster) -> None:
    cluster.create(service(clusterIP="None"))
    cluster.create(statefulset())
    cluster.step(60)
    pod = cluster.get("pods", "web-2")
    assert (pod["spec"]["hostname"], pod["spec"]["subdomain"]) == ("web-2", "web")
    assert pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "2"
    hostnames = sorted(a["hostname"] for a in cluster.get("endpoints", "web")["subsets"][0]["addresses"])
    assert hostnames == ["web-0", "web-1", "web-2"]


def test_rolling_update_goes_from_the_highest_ordinal(cluster: Cluster) -> None:
    cluster.create(statefulset())
    cluster.step(60)
    cluster.patch(
        "statefulsets",
        "web",
        {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.26"}]}}}},
    )
    cluster.step(0.1)
    assert (
        cluster.get("pods", "web-2")["metadata"].get("deletionTimestamp")
        or _images(cluster).get("web-2") == "nginx:1.26"
    )
    assert _images(cluster)["web-0"] == "nginx:1.27"
    cluster.step(300)
    assert set(_images(cluster).values()) == {"nginx:1.26"}
    status = cluster.get("statefulsets", "web")["status"]
    assert status["currentRevision"] == status["updateRevision"]


def test_partition_keeps_lower_ordinals_on_the_old_template(cluster: Cluster) -> None:
    cluster.create(statefulset(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}))
    cluster.step(60)
    cluster.patch(
        "statefulsets",
        "web",
        {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.26"}]}}}},
    )
    cluster.step(300)
    assert _images(cluster) == {"web-0": "nginx:1.27", "web-1": "nginx:1.27", "web-2": "nginx:1.26"}


def test_statefulset_events_golden(cluster: Cluster) -> None:
    cluster.create(statefulset(replicas=2))
    cluster.step(60)
    check("controllers/statefulset_events.yaml", job_events(cluster, "StatefulSet", "web"))


@pytest.mark.parametrize(
    ("replicas", "policy"), [(1, "OrderedReady"), (4, "OrderedReady"), (5, "Parallel"), (0, "Parallel")]
)
def test_property_status_matches_spec_when_satisfiable(cluster: Cluster, replicas: int, policy: str) -> None:
    cluster.create(statefulset(replicas=replicas, podManagementPolicy=policy))
    cluster.step(300)
    status = cluster.get("statefulsets", "web")["status"]
    assert status["replicas"] == replicas
    assert status.get("readyReplicas", 0) == replicas
    assert _pods(cluster) == [f"web-{i}" for i in range(replicas)]
