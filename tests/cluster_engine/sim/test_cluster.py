"""The cluster facade: scheduling through the seam, time, change feed, snapshots, serialisation."""

from __future__ import annotations

import gc
import json
import weakref

import pytest
from sim_helpers import SMALL, pod, reasons

from cluster_engine.sim import scenario
from cluster_engine.sim.cluster import STATE_VERSION, Cluster
from cluster_engine.sim.errors import Status


def test_unbound_pod_is_scheduled_then_started(cluster):
    cluster.api.create(pod("web", node=None))
    cluster.step(10)
    current = cluster.api.get("pods", "web")
    assert current["spec"]["nodeName"] in ("worker-1", "worker-2")
    assert current["status"]["phase"] == "Running"
    assert reasons(cluster, "web")[0] == "Scheduled"
    assert cluster.scheduling.explanation("default", "web")["result"]["node"] == current["spec"]["nodeName"]


def test_a_cluster_that_ran_is_freed_without_a_garbage_collection():
    """Its parts call back into it (the store's listener, the kubelets' deletes) through weak references: were it a
    reference cycle, every cluster's whole state would stay in memory until a full collection."""
    gc.disable()
    try:
        built = scenario.build(SMALL)
        built.api.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                          "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                                   "template": {"metadata": {"labels": {"app": "web"}},
                                                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}})
        built.step(30)
        loaded = Cluster.from_json(json.loads(json.dumps(built.to_json())))
        loaded.api.delete("Deployment", "web")
        loaded.step(60)
        assert loaded.api.list("pods", namespace="default")["items"] == []
        freed = [weakref.ref(built), weakref.ref(loaded), weakref.ref(loaded.store)]
        del built, loaded
        assert [ref() for ref in freed] == [None, None, None]
    finally:
        gc.enable()


def test_stopped_scheduler_leaves_pods_pending(cluster):
    cluster.set_component("kube-scheduler", running=False)
    cluster.api.create(pod("web", node=None))
    cluster.step(30)
    assert "nodeName" not in cluster.api.get("pods", "web")["spec"]
    cluster.set_component("kube-scheduler", running=True)
    cluster.step(10)
    assert cluster.api.get("pods", "web")["status"]["phase"] == "Running"


def test_unschedulable_pod_gets_failed_scheduling(cluster):
    big = pod("big", node=None, resources={"requests": {"cpu": "64"}})
    cluster.api.create(big)
    cluster.step(1)
    current = cluster.api.get("pods", "big")
    scheduled = next(c for c in current["status"]["conditions"] if c["type"] == "PodScheduled")
    assert scheduled["status"] == "False"
    assert scheduled["reason"] == "Unschedulable"
    assert "Insufficient cpu" in scheduled["message"]
    assert "FailedScheduling" in reasons(cluster, "big")


def test_binding_twice_conflicts(cluster):
    cluster.api.create(pod("web"))
    with pytest.raises(Status) as error:
        cluster.scheduling.create_binding("default", "web", "worker-2", actor="user:admin")
    assert error.value.code == 409


def test_advance_follows_wall_time_at_the_chosen_speed(cluster):
    start = cluster.now
    cluster.clock.sync(1000.0)
    cluster.set_speed(10, 1000.0)
    cluster.advance(1003.0)
    assert cluster.now == pytest.approx(start + 30)
    cluster.set_paused(True, 1003.0)
    cluster.advance(2000.0)
    assert cluster.now == pytest.approx(start + 30)


def test_next_wakeup_names_the_next_timed_event(cluster):
    cluster.api.create(pod("job", image="busybox", command=["sleep", "20"], restartPolicy="Never"))
    cluster.step(5)
    due = cluster.next_wakeup()
    assert due is not None
    assert cluster.now < due <= cluster.now + 20
    cluster.step(30)
    assert cluster.api.get("pods", "job")["status"]["phase"] == "Succeeded"


def test_idle_cluster_has_nothing_due_soon(cluster):
    due = cluster.next_wakeup()
    assert due is None or due - cluster.now > 600


def test_drain_changes_reports_who_did_what(cluster):
    cluster.api.create(pod("web", node=None), actor="user:alice")
    cluster.step(10)
    drained = cluster.drain_changes()
    assert drained["resync"] is False
    actors = [(c["actor"], c["verb"], c["kind"]) for c in drained["changes"] if c["name"] == "web"]
    assert actors[0] == ("user:alice", "create", "Pod")
    assert ("kube-scheduler", "bind", "Pod") in actors
    assert any(a.startswith("kubelet/") and v == "update/status" for a, v, _ in actors)
    assert drained["flows"][0]["from"] == "user:alice"
    assert drained["flows"][0]["to"] == "api-server"
    assert {e["type"] for e in drained["events"]} >= {"ADDED", "MODIFIED"}
    assert cluster.drain_changes()["changes"] == []


def test_snapshot_lists_everything(cluster):
    snap = cluster.snapshot()
    kinds = {o["kind"] for o in snap["objects"]}
    assert {"Namespace", "Node", "Pod", "ConfigMap"} <= kinds
    assert snap["components"]["kubelet/worker-1"] is True
    assert snap["resourceVersion"] == str(cluster.store.rv)


def test_state_round_trips_and_continues_identically(cluster):
    cluster.api.create(pod("web", node=None))
    cluster.api.create(pod("crash", image="busybox", command=["sh", "-c", "exit 1"]))
    cluster.step(3)
    copy = Cluster.loads(cluster.dumps())
    assert copy.dumps() == cluster.dumps()
    for each in (cluster, copy):
        each.api.create(pod("late", node=None))
        each.set_component("kubelet/worker-2", running=False)
        each.step(400)
    assert copy.dumps() == cluster.dumps()


def _reloaded_with_kinds_as_text(cluster: Cluster) -> Cluster:
    saved = json.loads(json.dumps(cluster.to_json(encode=json.dumps)))
    return Cluster.from_json(saved, decode=json.loads)


def test_a_state_with_kinds_saved_as_text_continues_identically(cluster):
    cluster.api.create(pod("web", node=None))
    cluster.api.create(pod("crash", image="busybox", command=["sh", "-c", "exit 1"]))
    cluster.step(3)
    copy = _reloaded_with_kinds_as_text(cluster)
    assert copy.dumps() == cluster.dumps()
    copy = _reloaded_with_kinds_as_text(cluster)
    for each in (cluster, copy):
        each.api.create(pod("late", node=None))
        each.set_component("kubelet/worker-2", running=False)
        each.step(400)
    assert copy.dumps() == cluster.dumps()


def test_a_loaded_cluster_decodes_only_the_kinds_a_write_uses(cluster):
    cluster.api.create(pod("web"))
    cluster.step(5)
    cluster.drain_changes()  # as the platform stores it: drained changes live in its database
    copy = Cluster.from_json(json.loads(json.dumps(cluster.to_json(drained_logs=False, encode=json.dumps))),
                             decode=json.loads)
    copy.api.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"a": "1"}},
               namespace="default", actor="user:ada")
    assert "Event" not in copy.store.objects  # still text
    assert "Pod" not in copy.store.objects
    assert copy.store.count("Pod") == cluster.store.count("Pod")
    # what the write did not touch is saved as it was loaded, what it did is saved anew
    saved = copy.to_json(encode=json.dumps)["store"]["encodedObjects"]
    original = cluster.to_json(encode=json.dumps)["store"]["encodedObjects"]
    assert saved["Event"] == original["Event"]
    assert saved["Pod"] == original["Pod"]
    assert saved["ConfigMap"][0] == original["ConfigMap"][0] + 1
    # reading an index (owners' dependents) decodes the rest and finds every object
    web = copy.api.get("pods", "web")
    assert copy.store.by_uid(web["metadata"]["uid"])["metadata"]["name"] == "web"


def test_same_seed_same_cluster():
    assert scenario.build(SMALL).dumps() == scenario.build(SMALL).dumps()
    other = dict(SMALL, seed=8)
    assert scenario.build(other).dumps() != scenario.build(SMALL).dumps()


def test_scenario_preloads_objects_with_taints_and_labels():
    spec = dict(
        SMALL,
        nodes=[
            *SMALL["nodes"],
            {
                "name": "gpu-1",
                "labels": {"gpu": "true"},
                "taints": [{"key": "gpu", "value": "true", "effect": "NoSchedule"}],
                "runtime": "docker",
            },
        ],
        objects=[
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "cfg", "namespace": "shop"},
                "data": {"a": "1"},
            },
        ],
    )
    built = scenario.build(spec)
    gpu = built.api.get("nodes", "gpu-1")
    assert gpu["metadata"]["labels"]["gpu"] == "true"
    assert gpu["spec"]["taints"] == [{"key": "gpu", "value": "true", "effect": "NoSchedule"}]
    assert gpu["status"]["nodeInfo"]["containerRuntimeVersion"].startswith("docker://")
    assert built.api.get("configmaps", "cfg", namespace="shop")["data"] == {"a": "1"}


def test_state_is_plain_json(cluster):
    cluster.api.create(pod("web"))
    cluster.step(5)
    assert json.loads(json.dumps(cluster.to_json())) == json.loads(cluster.dumps())


def test_a_state_saved_before_accounts_and_volumes_existed_is_upgraded_on_load() -> None:
    """State version 1 had no ServiceAccounts, no StorageClass and claims bound to volumes that were never
    stored: loading it adds the accounts and the class, and stores the volumes, so its claims stay Bound and its
    StatefulSet keeps working; nothing draws from the seeded random source."""
    cluster = scenario.build(SMALL)
    cluster.api.create({
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
        "spec": {"serviceName": "db", "replicas": 1, "selector": {"matchLabels": {"app": "db"}},
                 "template": {"metadata": {"labels": {"app": "db"}},
                              "spec": {"containers": [{"name": "db", "image": "redis:7"}]}},
                 "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                     "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}})
    cluster.step(60)
    state = json.loads(cluster.dumps())
    objects = state["store"]["objects"]
    removed = ("ServiceAccount", "StorageClass", "PersistentVolume", "ClusterRole", "ClusterRoleBinding")
    for kind in removed:
        objects.pop(kind, None)
    state["store"]["history"] = [entry for entry in state["store"]["history"] if entry[2] not in removed]
    for claim in objects["PersistentVolumeClaim"]:  # as the old binder left them: no class, no finalizer
        claim["spec"].pop("storageClassName")
        claim["metadata"].pop("finalizers")
    state["version"] = 1
    draws = state["draws"]
    old = Cluster.from_json(state)
    assert old.draws.counter == draws
    assert [sa["metadata"]["name"] for sa in old.api.list("sa", namespace="default")["items"]] == ["default"]
    assert old.api.get("sc", "standard")["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == \
        "true"
    claim = old.api.get("pvc", "data-db-0")
    volume = old.api.get("pv", claim["spec"]["volumeName"])
    assert volume["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]
    node = old.api.get("pods", "db-0")["spec"]["nodeName"]
    assert volume["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]["values"] == \
        [node]
    old.api.delete("pods", "db-0")
    old.step(60)
    assert old.api.get("pvc", "data-db-0")["status"]["phase"] == "Bound"
    assert old.api.get("pods", "db-0")["spec"]["nodeName"] == node
    assert old.api.get("clusterrolebindings", "kubeadm:cluster-admins")["roleRef"]["name"] == "cluster-admin"
    assert Cluster.loads(old.dumps()).to_json()["version"] == STATE_VERSION


def _rbac(cluster: Cluster) -> dict[tuple[str, str], dict]:
    """The stored RBAC objects by kind and name, without what depends on when they were written."""
    found = {}
    for kind in ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"):
        for obj in cluster.store.items(kind):
            meta = {k: v for k, v in obj["metadata"].items()
                    if k not in ("resourceVersion", "creationTimestamp", "managedFields")}
            found[(kind, meta["name"])] = {**obj, "metadata": meta}
    return found


def test_a_state_saved_before_the_rbac_kinds_gets_the_bootstrap_policy_on_load() -> None:
    """State version 2 had no RBAC kinds: loading it adds kube-apiserver's bootstrap ClusterRoles and bindings with
    the uids a new cluster gives them, and the aggregation controller fills admin, edit and view on the next step,
    so the old sandbox ends up with exactly a new one's policy; nothing draws from the seeded random source."""
    new = scenario.build(SMALL)
    assert _rbac(new)[("ClusterRole", "view")]["rules"]  # aggregated while the new cluster settled
    state = json.loads(new.dumps())
    for kind in ("ClusterRole", "ClusterRoleBinding"):
        state["store"]["objects"].pop(kind)
    state["store"]["history"] = [entry for entry in state["store"]["history"]
                                 if entry[2] not in ("ClusterRole", "ClusterRoleBinding")]
    state["version"] = 2
    draws = state["draws"]
    old = Cluster.from_json(state)
    assert old.draws.counter == draws
    assert not old.api.get("clusterroles", "view").get("rules")  # the controller has not run yet
    old.step(1)
    assert _rbac(old) == _rbac(new)
    assert old.draws.counter == draws
    assert Cluster.loads(old.dumps()).to_json()["version"] == STATE_VERSION


def test_a_current_state_is_loaded_without_an_upgrade() -> None:
    """Loading a state of this version adds nothing: a learner's deletion of a bootstrap role stays deleted."""
    cluster = scenario.build(SMALL)
    cluster.api.delete("clusterroles", "view")
    loaded = Cluster.loads(cluster.dumps())
    assert loaded.store.get("ClusterRole", "", "view") is None
    assert loaded.to_json()["version"] == STATE_VERSION
