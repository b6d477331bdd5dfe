"""daemonset-controller: one pod per eligible node, tolerations, pinning, joins and leaves, rolling update."""

from __future__ import annotations

from sim_golden import check
from workload_helpers import daemonset, events_of, pods_of

from cluster_engine.sim import scenario
from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.controllers import daemonset as daemonset_controller


def _nodes_of(cluster, app):
    return sorted(p["spec"].get("nodeName", "") for p in pods_of(cluster, app))


def test_daemonset_runs_one_pod_per_schedulable_node(cluster):
    cluster.api.apply(daemonset("agent"))
    cluster.step(30)
    # the control plane's NoSchedule taint is not tolerated by the template
    assert _nodes_of(cluster, "agent") == ["worker-1", "worker-2"]
    status = cluster.api.get("daemonsets", "agent")["status"]
    assert status["desiredNumberScheduled"] == 2
    assert status["numberReady"] == 2
    assert status["numberAvailable"] == 2


def test_daemon_pods_are_pinned_and_get_the_daemon_tolerations(cluster):
    cluster.api.apply(daemonset("agent"))
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
    cluster.api.apply(manifest)
    cluster.step(10)
    assert _nodes_of(cluster, "agent") == ["worker-2"]


def test_daemonset_lands_on_a_cordoned_node(cluster):
    cluster.api.patch("nodes", "worker-1", {"spec": {"unschedulable": True}}, patch_type="merge")
    cluster.step(1)
    cluster.api.apply(daemonset("agent"))
    cluster.step(10)
    assert "worker-1" in _nodes_of(cluster, "agent")


def test_tolerating_the_control_plane_taint_adds_that_node(cluster):
    manifest = daemonset("agent")
    manifest["spec"]["template"]["spec"]["tolerations"] = [
        {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}
    ]
    cluster.api.apply(manifest)
    cluster.step(10)
    assert _nodes_of(cluster, "agent") == ["control-plane", "worker-1", "worker-2"]


def test_a_node_that_joins_gets_its_pod_and_one_that_leaves_loses_it(cluster):
    cluster.api.apply(daemonset("agent"))
    cluster.step(10)
    node = scenario.node_manifest({"name": "worker-9"}, 9, scenario.KUBERNETES_VERSION, cluster.now)
    cluster.api.create(node, actor="kubelet/worker-9")
    cluster.kubelets.node_state("worker-9")  # its kubelet runs, as scenario.build registers one
    cluster.step(30)
    assert "worker-9" in _nodes_of(cluster, "agent")
    cluster.api.delete("nodes", "worker-1")
    cluster.step(60)
    assert "worker-1" not in _nodes_of(cluster, "agent")


def test_rolling_update_replaces_one_pod_at_a_time(cluster):
    cluster.api.apply(daemonset("agent"))
    cluster.step(30)
    cluster.api.patch(
        "daemonsets",
        "agent",
        {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.26"}]}}}},
    )
    assert (
        cluster.api.get("daemonsets", "agent")["metadata"]["annotations"][
            "deprecated.daemonset.template.generation"] == "2"
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
    assert cluster.api.get("daemonsets", "agent")["status"]["updatedNumberScheduled"] == 2


def test_daemonset_events_golden(cluster):
    cluster.api.apply(daemonset("agent"))
    cluster.step(10)
    events = [e.rsplit("-", 1)[0] + "-xxxxx" for e in events_of(cluster, "DaemonSet", "agent")]
    check("controllers/daemonset-events.yaml", events)


def test_kube_system_workloads_own_the_system_pods(cluster):
    ds = cluster.api.get("daemonsets", "kube-proxy", namespace="kube-system")
    assert ds["metadata"]["uid"] == scenario.system_owner_uid("DaemonSet", "kube-system", "kube-proxy")
    assert ds["status"]["desiredNumberScheduled"] == ds["status"]["numberReady"] == 3
    d = cluster.api.get("deployments", "coredns", namespace="kube-system")
    assert d["status"]["availableReplicas"] == 2
    rs = cluster.api.get("replicasets", "coredns-668d6bf9bc", namespace="kube-system")
    assert rs["status"]["readyReplicas"] == 2
    coredns = cluster.api.list("pods", namespace="kube-system", label_selector="k8s-app=kube-dns")["items"]
    assert {p["metadata"]["ownerReferences"][0]["uid"] for p in coredns} == {rs["metadata"]["uid"]}


# --- ControllerRevisions ------------------------------------------------------------------------------
def _revisions(cluster, app="agent"):
    items = cluster.api.list("controllerrevisions", label_selector=f"app={app}")["items"]
    return {r["metadata"]["name"]: r for r in items}


def _set_image(cluster, image):
    cluster.api.patch(
        "daemonsets", "agent", {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}}
    )


def test_daemonset_template_is_a_controller_revision_its_pods_carry_the_hash_of(cluster):
    cluster.api.apply(daemonset("agent"))
    cluster.step(10)
    ds = cluster.api.get("daemonsets", "agent")
    ((name, revision),) = _revisions(cluster).items()
    hash_ = revision["metadata"]["labels"]["controller-revision-hash"]
    assert name == f"agent-{hash_}"
    assert revision["revision"] == 1
    assert revision["metadata"]["ownerReferences"][0]["uid"] == ds["metadata"]["uid"]
    assert revision["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "1"
    assert {p["metadata"]["labels"]["controller-revision-hash"] for p in pods_of(cluster, "agent")} == {hash_}
    assert "currentRevision" not in ds["status"]  # DaemonSetStatus has no revision names


def test_a_template_change_adds_revision_two_and_a_rollback_renumbers_revision_one(cluster):
    cluster.api.apply(daemonset("agent"))
    cluster.step(30)
    (first,) = _revisions(cluster)
    _set_image(cluster, "nginx:1.26")
    cluster.step(120)
    assert sorted(r["revision"] for r in _revisions(cluster).values()) == [1, 2]
    _set_image(cluster, "nginx:1.27")
    cluster.step(120)
    revisions = _revisions(cluster)
    assert len(revisions) == 2
    assert revisions[first]["revision"] == 3
    hash_ = revisions[first]["metadata"]["labels"]["controller-revision-hash"]
    assert {p["metadata"]["labels"]["controller-revision-hash"] for p in pods_of(cluster, "agent")} == {hash_}


def test_daemonset_history_beyond_the_limit_keeps_only_revisions_pods_use(cluster):
    cluster.api.apply(daemonset("agent", revisionHistoryLimit=1))
    cluster.step(30)
    for image in ("nginx:1.26", "nginx:1.25", "nginx:1.24"):
        _set_image(cluster, image)
        cluster.step(120)
    assert sorted(r["revision"] for r in _revisions(cluster).values()) == [3, 4]


def test_a_revision_name_taken_by_other_data_bumps_the_daemonset_collision_count(cluster):
    cluster.api.apply(daemonset("agent"))
    cluster.step(10)
    (name,) = _revisions(cluster)
    cluster.api.delete("daemonsets", "agent")
    cluster.step(60)
    squatter = {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": {"name": name, "labels": {"app": "other"}},
        "data": {"something": "else"},
        "revision": 1,
    }
    cluster.api.create(squatter)
    cluster.api.apply(daemonset("agent"))
    cluster.step(10)
    ds = cluster.api.get("daemonsets", "agent")
    assert ds["status"]["collisionCount"] == 1
    (revision,) = _revisions(cluster).values()
    assert revision["metadata"]["name"] != name
    assert {p["metadata"]["labels"]["controller-revision-hash"] for p in pods_of(cluster, "agent")} == {
        revision["metadata"]["labels"]["controller-revision-hash"]
    }


def test_daemonset_revisions_are_garbage_collected_with_it(cluster):
    cluster.api.apply(daemonset("agent"))
    cluster.step(10)
    assert _revisions(cluster)
    cluster.api.delete("daemonsets", "agent")
    cluster.step(60)
    assert _revisions(cluster) == {}


def test_kube_proxy_revision_is_named_after_the_hash_its_pods_carry(cluster):
    (revision,) = cluster.api.list("controllerrevisions", namespace="kube-system")["items"]
    assert revision["metadata"]["name"] == f"kube-proxy-{scenario.KUBE_PROXY_REVISION_HASH}"
    pods = cluster.api.list("pods", namespace="kube-system", label_selector="k8s-app=kube-proxy")["items"]
    assert {p["metadata"]["labels"]["controller-revision-hash"] for p in pods} == {scenario.KUBE_PROXY_REVISION_HASH}


# --- the incremental index ---------------------------------------------------------------------------------
def test_index_kept_from_the_change_log_equals_one_built_from_the_store(cluster, monkeypatch):
    monkeypatch.setattr(daemonset_controller, "AUDIT", True)  # every sync compares the two
    cluster.api.apply(daemonset("agent", updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}))
    cluster.step(20)
    cluster.api.patch("nodes", "worker-1", {"spec": {"taints": [{"key": "x", "effect": "NoExecute"}]}},
                      patch_type="merge")
    cluster.step(20)
    node = scenario.node_manifest({"name": "worker-9"}, 9, scenario.KUBERNETES_VERSION, cluster.now)
    cluster.api.create(node, actor="kubelet/worker-9")
    cluster.kubelets.node_state("worker-9")
    cluster.step(20)
    _set_image(cluster, "nginx:1.26")
    cluster.step(60)
    cluster.api.delete("nodes", "worker-2")
    cluster.api.patch("nodes", "worker-1", {"spec": {"taints": None}}, patch_type="merge")
    cluster.step(60)
    assert _nodes_of(cluster, "agent") == ["worker-1", "worker-9"]
    assert {p["spec"]["containers"][0]["image"] for p in pods_of(cluster, "agent")} == {"nginx:1.26"}


def test_index_is_rebuilt_when_the_change_log_no_longer_reaches_it(cluster):
    cluster.api.apply(daemonset("agent"))
    cluster.step(20)
    cluster.store.compact()  # forgets the change log, as scenario.build does
    node = scenario.node_manifest({"name": "worker-9"}, 9, scenario.KUBERNETES_VERSION, cluster.now)
    cluster.api.create(node, actor="kubelet/worker-9")
    cluster.kubelets.node_state("worker-9")
    cluster.step(30)
    assert _nodes_of(cluster, "agent") == ["worker-1", "worker-2", "worker-9"]
    assert cluster.api.get("daemonsets", "agent")["status"]["numberAvailable"] == 3


def test_a_loaded_cluster_gives_the_daemonset_the_same_result(cluster):
    cluster.api.apply(daemonset("agent"))
    cluster.step(5)
    copy = Cluster.loads(cluster.dumps())
    for each in (cluster, copy):
        each.api.patch(
            "nodes", "worker-2", {"metadata": {"labels": {"topology.kubernetes.io/zone": "x"}}}, patch_type="merge"
        )
        each.step(30)
    assert cluster.api.get("daemonsets", "agent")["status"] == copy.api.get("daemonsets", "agent")["status"]
    assert [p["metadata"]["name"] for p in pods_of(cluster, "agent")] == [
        p["metadata"]["name"] for p in pods_of(copy, "agent")
    ]
