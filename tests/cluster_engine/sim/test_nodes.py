"""Node lifecycle: heartbeats, NotReady/Unknown after the grace period, unreachable taints, eviction."""

from __future__ import annotations

from sim_helpers import pod

from cluster_engine.sim.nodes import NODE_MONITOR_GRACE_PERIOD, eviction_delay, node_ready


def test_nodes_register_as_kubeadm_nodes(cluster):
    node = cluster.api.get("nodes", "control-plane")
    assert node["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] == ""
    assert node["spec"]["taints"] == [
        {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
    ]
    assert node["status"]["nodeInfo"]["containerRuntimeVersion"].startswith("containerd://")
    assert cluster.api.get("nodes", "worker-2")["status"]["nodeInfo"]["containerRuntimeVersion"].startswith(
        "cri-o://"
    )
    assert node_ready(node) == "True"


def test_kube_system_looks_like_a_kubeadm_cluster(cluster):
    names = [p["metadata"]["name"] for p in cluster.api.list("pods", namespace="kube-system")["items"]]
    for expected in (
        "etcd-control-plane",
        "kube-apiserver-control-plane",
        "kube-controller-manager-control-plane",
        "kube-scheduler-control-plane",
    ):
        assert expected in names
    assert sum(n.startswith("kube-proxy-") for n in names) == 3
    assert sum(n.startswith("coredns-") for n in names) == 2
    phases = {p["status"]["phase"] for p in cluster.api.list("pods", namespace="kube-system")["items"]}
    assert phases == {"Running"}


def test_the_grace_period_is_kubernetes_1_32s_default_of_50_seconds(cluster):
    # raised from 40 s in 1.32 (kubernetes/kubernetes#126287)
    cluster.set_component("kubelet/worker-1", running=False)
    cluster.step(49)
    assert node_ready(cluster.api.get("nodes", "worker-1")) == "True"
    cluster.step(2)
    assert node_ready(cluster.api.get("nodes", "worker-1")) == "Unknown"


def test_stopped_kubelet_turns_the_node_unknown_after_the_grace_period(cluster):
    cluster.set_component("kubelet/worker-1", running=False)
    cluster.step(NODE_MONITOR_GRACE_PERIOD - 1)
    assert node_ready(cluster.api.get("nodes", "worker-1")) == "True"
    cluster.step(2)
    node = cluster.api.get("nodes", "worker-1")
    assert node_ready(node) == "Unknown"
    assert [(t["key"], t["effect"]) for t in node["spec"]["taints"]] == [
        ("node.kubernetes.io/unreachable", "NoSchedule"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
    ]


def test_pods_are_evicted_after_their_toleration_seconds(cluster):
    cluster.api.create(pod("web"))
    short = pod("impatient")
    short["spec"]["tolerations"] = [
        {
            "key": "node.kubernetes.io/unreachable",
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 10,
        }
    ]
    cluster.api.create(short)
    cluster.step(10)
    cluster.set_component("kubelet/worker-1", running=False)
    cluster.step(NODE_MONITOR_GRACE_PERIOD + 1)
    assert cluster.api.get("pods", "web")["status"]["conditions"][2] | {"lastTransitionTime": ""} == {
        "type": "Ready",
        "status": "False",
        "lastTransitionTime": "",
    }
    cluster.step(10)
    assert cluster.api.get("pods", "impatient")["metadata"].get("deletionTimestamp")
    assert not cluster.api.get("pods", "web")["metadata"].get("deletionTimestamp")
    cluster.step(290)
    assert cluster.api.get("pods", "web")["metadata"].get("deletionTimestamp")
    evictions = cluster.api.list("events", field_selector="reason=TaintManagerEviction")["items"]
    assert {e["involvedObject"]["name"] for e in evictions} == {"web", "impatient"}


def test_restarted_kubelet_clears_taints_and_finishes_deletions(cluster):
    cluster.api.create(pod("web"))
    cluster.step(10)
    cluster.set_component("kubelet/worker-1", running=False)
    cluster.step(400)
    assert cluster.api.get("pods", "web")["metadata"]["deletionTimestamp"]
    cluster.set_component("kubelet/worker-1", running=True)
    cluster.step(5)
    assert node_ready(cluster.api.get("nodes", "worker-1")) == "True"
    assert "taints" not in cluster.api.get("nodes", "worker-1")["spec"]
    assert cluster.api.list("pods", field_selector="metadata.name=web")["items"] == []


def test_a_cordoned_node_is_tainted_unschedulable_until_uncordoned(cluster):
    cluster.api.patch("nodes", "worker-1", {"spec": {"taints": [{"key": "gpu", "effect": "NoSchedule"}]}},
                  patch_type="merge")
    cluster.api.patch("nodes", "worker-1", {"spec": {"unschedulable": True}}, patch_type="merge")
    cluster.run_until_idle()
    node = cluster.api.get("nodes", "worker-1")
    assert [(t["key"], t["effect"]) for t in node["spec"]["taints"]] == [
        ("gpu", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule")]
    assert node["spec"]["taints"][1]["timeAdded"]
    last = [c for c in cluster.changes() if c["kind"] == "Node"][-1]
    assert (last["actor"], last["verb"]) == ("node-lifecycle-controller", "update")
    cluster.api.patch("nodes", "worker-1", {"spec": {"unschedulable": None}}, patch_type="merge")
    cluster.run_until_idle()
    assert cluster.api.get("nodes", "worker-1")["spec"]["taints"] == [{"key": "gpu", "effect": "NoSchedule"}]


def test_a_pod_that_tolerates_the_unschedulable_taint_still_lands_on_a_cordoned_node(cluster):
    cluster.api.patch("nodes", "worker-2", {"spec": {"unschedulable": True}}, patch_type="merge")
    patient = pod("patient", node=None)
    patient["spec"]["nodeSelector"] = {"kubernetes.io/hostname": "worker-2"}
    patient["spec"]["tolerations"] = [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists",
                                       "effect": "NoSchedule"}]
    cluster.api.create(patient)
    cluster.step(5)
    assert cluster.api.get("pods", "patient")["spec"]["nodeName"] == "worker-2"


def test_stopped_controller_manager_means_no_node_monitoring(cluster):
    cluster.set_component("kube-controller-manager", running=False)
    cluster.set_component("kubelet/worker-1", running=False)
    cluster.step(120)
    assert node_ready(cluster.api.get("nodes", "worker-1")) == "True"
    cluster.set_component("kube-controller-manager", running=True)
    cluster.step(1)
    assert node_ready(cluster.api.get("nodes", "worker-1")) == "Unknown"


def test_stopped_component_shows_in_its_static_pod(cluster):
    cluster.set_component("kube-scheduler", running=False)
    state = cluster.api.get("pods", "kube-scheduler-control-plane", namespace="kube-system")["status"]
    assert state["containerStatuses"][0]["state"]["terminated"]["reason"] == "Error"
    cluster.set_component("kube-scheduler", running=True)
    state = cluster.api.get("pods", "kube-scheduler-control-plane", namespace="kube-system")["status"]
    assert "running" in state["containerStatuses"][0]["state"]
    assert state["containerStatuses"][0]["restartCount"] == 1


def test_eviction_delay_rules():
    taint = {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}
    untolerating = {"spec": {}}
    forever = {"spec": {"tolerations": [{"operator": "Exists"}]}}
    timed = {
        "spec": {
            "tolerations": [
                {"key": taint["key"], "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}
            ]
        }
    }
    assert eviction_delay(untolerating, [taint]) == 0
    assert eviction_delay(forever, [taint]) is None
    assert eviction_delay(timed, [taint]) == 30
