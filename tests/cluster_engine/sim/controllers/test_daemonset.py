"""daemonset-controller: one pod per eligible node, tolerations, pinning, joins and leaves, rolling update."""

from __future__ import annotations

from sim_golden import check
from workload_helpers import daemonset, events_of, pods_of

from cluster_engine.sim import scenario


def _nodes_of(cluster, app):
    return sorted(p["spec"].get("nodeName", "") for p in pods_of(cluster, app))


def test_daemonset_runs_one_pod_per_schedulable_node(cluster):
    cluster.apply(daemonset("agent"))
    cluster.step(30)
    # the control plane's NoSchedule taint is not tolerated by the template
    assert _nodes_of(cluster, "agent") == ["worker-1", "worker-2"]
    status = cluster.get("daemonsets", "agent")["status"]
    assert status["desiredNumberScheduled"] == 2
    assert status["numberReady"] == 2
    assert status["numberAvailable"] == 2


def test_daemon_pods_are_pinned_and_get_the_daemon_tolerations(cluster):
    cluster.apply(daemonset("agent"))
    cluster.step(10)
    pod = pods_of(cluster, "agent")[0]
    terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"] == [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [pod["spec"]["nodeName"]]}]}
    ]
    keys = [(t["key"], t["effect"]) for t in pod["spec"]["tolerations"] if t.get("operator") == "Exists"]
    assert keys[:6] == [
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ]
    assert pod["metadata"]["labels"]["pod-template-generation"] == "1"


def test_daemonset_honours_node_selector(cluster):
    manifest = daemonset("agent")
    manifest["spec"]["template"]["spec"]["nodeSelector"] = {"topology.kubernetes.io/zone": "zone-b"}
    cluster.apply(manifest)
    cluster.step(10)
    assert _nodes_of(cluster, "agent") == ["worker-2"]


def test_daemonset_lands_on_a_cordoned_node(cluster):
    cluster.patch("nodes", "worker-1", {"spec": {"unschedulable": True}}, patch_type="merge")
    cluster.step(1)
    cluster.apply(daemonset("agent"))
    cluster.step(10)
    assert "worker-1" in _nodes_of(cluster, "agent")


def test_tolerating_the_control_plane_taint_adds_that_node(cluster):
    manifest = daemonset("agent")
    manifest["spec"]["template"]["spec"]["tolerations"] = [
        {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}
    ]
    cluster.apply(manifest)
    cluster.step(10)
    assert _nodes_of(cluster, "agent") == ["control-plane", "worker-1", "worker-2"]


def test_a_node_that_joins_gets_its_pod_and_one_that_leaves_loses_it(cluster):
    cluster.apply(daemonset("agent"))
    cluster.step(10)
    node = scenario.node_manifest({"name": "worker-9"}, 9, scenario.KUBERNETES_VERSION, cluster.now)
    cluster.create(node, actor="kubelet/worker-9")
    cluster.kubelets.node_state("worker-9")  # its kubelet runs, as scenario.build registers one
    cluster.step(30)
    assert "worker-9" in _nodes_of(cluster, "agent")
    cluster.delete("nodes", "worker-1")
    cluster.step(60)
    assert "worker-1" not in _nodes_of(cluster, "agent")


def test_rolling_update_replaces_one_pod_at_a_time(cluster):
    cluster.apply(daemonset("agent"))
    cluster.step(30)
    cluster.patch(
        "daemonsets",
        "agent",
        {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.26"}]}}}},
    )
    assert (
        cluster.get("daemonsets", "agent")["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "2"
    )
    cluster.step(0.1)
    terminating = [
        p for p in pods_of(cluster, "agent", include_terminating=True) if p["metadata"].get("deletionTimestamp")
    ]
    assert len(terminating) == 1
    cluster.step(120)
    pods = pods_of(cluster, "agent")
    assert len(pods) == 2
    assert all(p["spec"]["containers"][0]["image"] == "nginx:1.26" for p in pods)
    assert cluster.get("daemonsets", "agent")["status"]["updatedNumberScheduled"] == 2


def test_daemonset_events_golden(cluster):
    cluster.apply(daemonset("agent"))
    cluster.step(10)
    events = [e.rsplit("-", 1)[0] + "-xxxxx" for e in events_of(cluster, "DaemonSet", "agent")]
    check("controllers/daemonset-events.yaml", events)


def test_kube_system_workloads_own_the_system_pods(cluster):
    ds = cluster.get("daemonsets", "kube-proxy", namespace="kube-system")
    assert ds["metadata"]["uid"] == scenario.system_owner_uid("DaemonSet", "kube-system", "kube-proxy")
    assert ds["status"]["desiredNumberScheduled"] == ds["status"]["numberReady"] == 3
    d = cluster.get("deployments", "coredns", namespace="kube-system")
    assert d["status"]["availableReplicas"] == 2
    rs = cluster.get("replicasets", "coredns-668d6bf9bc", namespace="kube-system")
    assert rs["status"]["readyReplicas"] == 2
    coredns = cluster.list("pods", namespace="kube-system", label_selector="k8s-app=kube-dns")["items"]
    assert {p["metadata"]["ownerReferences"][0]["uid"] for p in coredns} == {rs["metadata"]["uid"]}
