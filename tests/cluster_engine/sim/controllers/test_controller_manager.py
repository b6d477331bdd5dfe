"""The controller framework: a stopped kube-controller-manager reconciles nothing until it starts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sim_helpers import small_cluster
from workload_helpers import daemonset, deployment, pods_of, replicaset

from cluster_engine.sim.controllers.registry import CONTROLLERS


def test_every_registered_controller_is_keyed_by_its_name():
    assert all(name == controller.name for name, controller in CONTROLLERS.items())
    assert {"replicaset-controller", "deployment-controller", "daemonset-controller"} <= set(CONTROLLERS)


def test_stopped_controller_manager_reconciles_nothing_until_started(cluster):
    cluster.set_component("kube-controller-manager", running=False)
    cluster.api.apply(deployment("web", 2))
    cluster.api.apply(daemonset("agent"))
    cluster.step(60)
    assert cluster.api.list("replicasets", namespace="default")["items"] == []
    assert pods_of(cluster, "web") == []
    assert pods_of(cluster, "agent") == []
    cluster.set_component("kube-controller-manager", running=True)
    cluster.step(60)
    assert len(pods_of(cluster, "web")) == 2
    assert len(pods_of(cluster, "agent")) == 2


def test_controller_work_survives_a_save_and_load(cluster):
    cluster.api.apply(replicaset("web", 2))
    loaded = type(cluster).loads(cluster.dumps())
    loaded.step(30)
    cluster.step(30)
    assert [p["metadata"]["name"] for p in pods_of(loaded, "web")] == [
        p["metadata"]["name"] for p in pods_of(cluster, "web")
    ]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    replicas=st.integers(min_value=0, max_value=6),
    rs_replicas=st.integers(min_value=0, max_value=5),
    new_image=st.sampled_from(["nginx:1.26", "nginx:1.25", "httpd:2.4"]),
    scale_to=st.integers(min_value=0, max_value=6),
    strategy=st.sampled_from(["RollingUpdate", "Recreate"]),
)
def test_statuses_match_specs_once_idle(replicas, rs_replicas, new_image, scale_to, strategy):
    cluster = small_cluster()
    cluster.api.apply(deployment("web", replicas, strategy={"type": strategy}))
    cluster.api.apply(replicaset("solo", rs_replicas))
    cluster.api.apply(daemonset("agent"))
    cluster.step(20)
    cluster.api.patch(
        "deployments",
        "web",
        {"spec": {"replicas": scale_to, "template": {"spec": {"containers": [{"name": "app", "image": new_image}]}}}},
    )
    cluster.run_until_idle()
    cluster.step(300)
    d = cluster.api.get("deployments", "web")
    status = d["status"]
    assert status.get("observedGeneration") == d["metadata"]["generation"]
    for key in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas"):
        assert status.get(key, 0) == scale_to, key
    rs = cluster.api.get("replicasets", "solo")["status"]
    assert rs.get("replicas", 0) == rs.get("readyReplicas", 0) == rs.get("availableReplicas", 0) == rs_replicas
    ds = cluster.api.get("daemonsets", "agent")["status"]
    assert ds["desiredNumberScheduled"] == ds["currentNumberScheduled"] == ds["numberReady"] == 2
    assert ds.get("numberMisscheduled", 0) == 0
