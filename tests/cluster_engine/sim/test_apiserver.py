"""The api-server verbs over the store: CRUD, optimistic concurrency, watch, deletion, apply."""

from __future__ import annotations

import json

import pytest
from sim_helpers import pod

from cluster_engine.sim.errors import Status
from cluster_engine.sim.managedfields import LAST_APPLIED


def _cm(name, **data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def test_create_sets_system_metadata_and_defaults(cluster):
    created = cluster.api.create(pod("web"))
    meta = created["metadata"]
    assert meta["namespace"] == "default"
    assert meta["uid"]
    assert meta["creationTimestamp"].endswith("Z")
    assert int(meta["resourceVersion"]) == cluster.store.rv
    assert created["spec"]["restartPolicy"] == "Always"
    assert created["status"]["phase"] == "Pending"
    assert list(created)[:4] == ["apiVersion", "kind", "metadata", "spec"]


def test_generate_name_uses_the_upstream_alphabet(cluster):
    body = pod("x")
    body["metadata"] = {"generateName": "web-"}
    name = cluster.api.create(body)["metadata"]["name"]
    assert name.startswith("web-")
    assert len(name) == 9
    assert set(name[4:]) <= set("bcdfghjklmnpqrstvwxz2456789")


def test_returned_objects_are_copies(cluster):
    created = cluster.api.create(_cm("c", a="1"))
    created["data"]["a"] = "changed"
    assert cluster.api.get("configmaps", "c")["data"] == {"a": "1"}


def test_resource_versions_strictly_increase(cluster):
    versions = [int(cluster.api.create(_cm(f"c{i}"))["metadata"]["resourceVersion"]) for i in range(5)]
    assert versions == sorted(set(versions))


def test_update_with_stale_resource_version_conflicts(cluster):
    first = cluster.api.create(_cm("c", a="1"))
    first["data"]["a"] = "2"
    second = cluster.api.update(first)
    assert second["data"] == {"a": "2"}
    first["data"]["a"] = "3"
    with pytest.raises(Status) as error:
        cluster.api.update(first)
    assert error.value.code == 409


def test_noop_update_keeps_the_resource_version(cluster):
    created = cluster.api.create(_cm("c", a="1"))
    again = cluster.api.update(created)
    assert again["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


def test_status_is_ignored_by_the_main_endpoint_and_set_by_the_status_subresource(cluster):
    created = cluster.api.create(pod("web", node=None))
    created["status"]["phase"] = "Running"
    assert cluster.api.update(created)["status"]["phase"] == "Pending"
    created = cluster.api.get("pods", "web")
    created["status"]["phase"] = "Running"
    assert cluster.api.update_status(created)["status"]["phase"] == "Running"


def test_patch_types(cluster):
    cluster.api.create(_cm("c", a="1", b="2"))
    assert cluster.api.patch("configmaps", "c", {"data": {"a": None}}, patch_type="merge")["data"] == {"b": "2"}
    out = cluster.api.patch(
        "configmaps", "c", [{"op": "add", "path": "/data/z", "value": "9"}], patch_type="json"
    )
    assert out["data"] == {"b": "2", "z": "9"}
    out = cluster.api.patch("configmaps", "c", {"metadata": {"labels": {"app": "x"}}})
    assert out["metadata"]["labels"] == {"app": "x"}


def test_list_filters_by_labels_and_fields_and_sorts(cluster):
    for name, app in (("b", "web"), ("a", "web"), ("c", "db")):
        body = _cm(name)
        body["metadata"]["labels"] = {"app": app}
        cluster.api.create(body)
    listed = cluster.api.list("cm", namespace="default", label_selector="app=web")
    assert listed["kind"] == "ConfigMapList"
    assert [i["metadata"]["name"] for i in listed["items"]] == ["a", "b"]
    assert listed["metadata"]["resourceVersion"] == str(cluster.store.rv)
    assert [
        i["metadata"]["name"] for i in cluster.api.list("configmaps", field_selector="metadata.name=c")["items"]
    ] == ["c"]


def test_watch_replays_events_after_a_resource_version(cluster):
    start = cluster.store.rv
    cluster.api.create(_cm("c", a="1"))
    cluster.api.patch("configmaps", "c", {"data": {"a": "2"}})
    cluster.api.delete("configmaps", "c")
    events = cluster.api.watch(start, kind="configmaps")
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]
    assert events[1]["object"]["data"] == {"a": "2"}
    assert int(events[2]["object"]["metadata"]["resourceVersion"]) == cluster.store.rv


def test_watch_before_the_compacted_history_is_gone(cluster):
    with pytest.raises(Status) as error:
        cluster.api.watch(1)
    assert error.value.code == 410
    assert error.value.message.startswith("too old resource version: 1 (")


def test_bounded_history_expires_old_resource_versions():
    from sim_helpers import SMALL

    from cluster_engine.sim import scenario

    small = scenario.build(dict(SMALL, historyLimit=5))
    start = small.store.rv
    for index in range(8):
        small.api.create(_cm(f"c{index}"))
    assert len(small.api.watch(start)) == 8  # nothing is forgotten before it is drained (published)
    small.drain_changes()
    with pytest.raises(Status):
        small.api.watch(start)
    assert len(small.api.watch(small.store.rv - 5)) == 5


def test_pod_on_a_node_terminates_gracefully(cluster):
    cluster.api.create(pod("web"))
    cluster.step(10)
    deleted = cluster.api.delete("pods", "web")
    assert deleted["metadata"]["deletionGracePeriodSeconds"] == 30
    assert cluster.api.get("pods", "web")["metadata"]["deletionTimestamp"]
    cluster.step(1)
    with pytest.raises(Status):
        cluster.api.get("pods", "web")


def test_sleeping_container_takes_the_whole_grace_period(cluster):
    cluster.api.create(pod("sleeper", image="busybox", command=["sleep", "3600"]))
    cluster.step(10)
    cluster.api.delete("pods", "sleeper")
    cluster.step(29)
    assert cluster.api.get("pods", "sleeper")["metadata"]["deletionTimestamp"]
    cluster.step(2)
    with pytest.raises(Status):
        cluster.api.get("pods", "sleeper")


def test_unscheduled_pod_is_deleted_at_once(cluster):
    cluster.api.create(pod("web", node=None, schedulerName="nobody"))
    cluster.api.delete("pods", "web")
    with pytest.raises(Status):
        cluster.api.get("pods", "web")


def test_finalizers_hold_an_object_until_removed(cluster):
    body = _cm("c")
    body["metadata"]["finalizers"] = ["example.com/hold"]
    cluster.api.create(body)
    cluster.api.delete("configmaps", "c")
    held = cluster.api.get("configmaps", "c")
    assert held["metadata"]["deletionTimestamp"]
    cluster.api.patch("configmaps", "c", {"metadata": {"finalizers": None}}, patch_type="merge")
    with pytest.raises(Status):
        cluster.api.get("configmaps", "c")


def test_delete_preconditions(cluster):
    cluster.api.create(_cm("c"))
    with pytest.raises(Status) as error:
        cluster.api.delete("configmaps", "c", preconditions={"uid": "nope"})
    assert error.value.code == 409
    assert "Precondition failed: UID in precondition: nope" in error.value.message


def test_apply_creates_configures_and_leaves_unchanged(cluster):
    manifest = _cm("c", a="1")
    obj, result = cluster.api.apply(manifest)
    assert result == "created"
    # as kubectl records it: the namespace filled in, an annotations map even when the manifest has none
    recorded = {**manifest, "metadata": {**manifest["metadata"], "annotations": {}, "namespace": "default"}}
    assert json.loads(obj["metadata"]["annotations"][LAST_APPLIED]) == recorded
    assert cluster.api.apply(manifest)[1] == "unchanged"
    obj, result = cluster.api.apply(_cm("c", b="2"))
    assert result == "configured"
    assert obj["data"] == {"b": "2"}


def test_apply_keeps_fields_set_by_others(cluster):
    cluster.api.apply(pod("web"))
    cluster.step(5)
    labelled = pod("web")
    labelled["metadata"]["labels"] = {"app": "web"}
    obj, result = cluster.api.apply(labelled)
    assert result == "configured"
    assert obj["spec"]["nodeName"] == "worker-1"
    assert obj["status"]["phase"] == "Running"
    assert obj["spec"]["volumes"][0]["name"].startswith("kube-api-access-")


def test_apply_of_a_null_deletes_the_field_so_a_deployment_can_switch_to_recreate(cluster):
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                  "spec": {"selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}
    assert cluster.api.apply(json.loads(json.dumps(deployment)))[0]["spec"]["strategy"]["rollingUpdate"]
    deployment["spec"]["strategy"] = {"type": "Recreate"}
    with pytest.raises(Status, match="may not be specified when strategy `type` is 'Recreate'"):
        cluster.api.apply(json.loads(json.dumps(deployment)))  # the defaulted rolling update is still there
    deployment["spec"]["strategy"]["rollingUpdate"] = None
    obj, result = cluster.api.apply(json.loads(json.dumps(deployment)))
    assert result == "configured"
    assert obj["spec"]["strategy"] == {"type": "Recreate"}
    assert cluster.api.apply(json.loads(json.dumps(deployment)))[1] == "unchanged"


def test_applying_a_toleration_to_a_pending_pod_keeps_the_admitted_defaults(cluster):
    # The applied list replaces the pod's tolerations; DefaultTolerationSeconds admits updates too and adds the
    # not-ready and unreachable tolerations back, so validation sees an addition, not a removal.
    cluster.api.apply(pod("trainer", node=None, nodeSelector={"kubernetes.io/hostname": "control-plane"}))
    cluster.step(5)
    assert cluster.api.get("pods", "trainer")["status"]["phase"] == "Pending"
    tolerant = pod("trainer", node=None, nodeSelector={"kubernetes.io/hostname": "control-plane"},
                   tolerations=[{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists",
                                 "effect": "NoSchedule"}])
    obj, result = cluster.api.apply(tolerant)
    assert result == "configured"
    assert [t["key"] for t in obj["spec"]["tolerations"]] == [
        "node-role.kubernetes.io/control-plane", "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
    cluster.step(5)
    assert cluster.api.get("pods", "trainer")["spec"]["nodeName"] == "control-plane"
    removed = pod("trainer", node=None, nodeSelector={"kubernetes.io/hostname": "control-plane"})
    with pytest.raises(Status) as error:
        cluster.api.apply(removed)
    assert error.value.causes[0].message.endswith(
        "existing toleration can not be modified except its tolerationSeconds")


def test_dry_run_changes_nothing(cluster):
    before = cluster.dumps()
    cluster.api.create(pod("web"), dry_run=True)
    cluster.api.apply(_cm("c"), dry_run=True)
    assert cluster.dumps() == before


def test_secret_string_data_is_stored_base64(cluster):
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "stringData": {"password": "hunter2"},
    }
    created = cluster.api.create(secret)
    assert created["data"] == {"password": "aHVudGVyMg=="}
    assert "stringData" not in created
    assert created["type"] == "Opaque"


def test_cluster_scoped_objects_have_no_namespace(cluster):
    ns = cluster.api.create(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team", "namespace": "x"}}
    )
    assert "namespace" not in ns["metadata"]
    assert ns["status"] == {"phase": "Active"}
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team"}


def test_deleting_a_namespace_empties_it_first(cluster):
    cluster.api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    cluster.api.create(pod("web"), namespace="team")
    cluster.api.create(_cm("c"), namespace="team")
    cluster.step(5)
    deleted = cluster.api.delete("namespaces", "team")
    assert deleted["status"]["phase"] == "Terminating"
    with pytest.raises(Status) as error:
        cluster.api.create(_cm("d"), namespace="team")
    assert error.value.code == 403
    assert "because it is being terminated" in error.value.message
    cluster.step(5)
    with pytest.raises(Status):
        cluster.api.get("namespaces", "team")
    assert cluster.api.list("pods", namespace="team")["items"] == []


def test_watch_with_a_selector_reports_objects_entering_and_leaving_it(cluster):
    start = cluster.store.rv
    cluster.api.create(_cm("c"))
    cluster.api.patch("configmaps", "c", {"metadata": {"labels": {"app": "web"}}})
    cluster.api.patch("configmaps", "c", {"data": {"a": "1"}})
    cluster.api.patch("configmaps", "c", {"metadata": {"labels": {"app": "db"}}})
    events = cluster.api.watch(start, kind="configmaps", label_selector="app=web")
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]
    assert events[-1]["object"]["metadata"]["labels"] == {"app": "db"}


def test_priority_classes_give_pods_their_priority_and_refuse_reserved_values(cluster):
    cluster.api.create({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "high"},
                    "value": 1000})
    assert cluster.api.create(pod("vip") | {"spec": {**pod("vip")["spec"], "priorityClassName": "high"}},
                          actor="user:ada")["spec"]["priority"] == 1000
    with pytest.raises(Status) as refused:
        cluster.api.create({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                        "metadata": {"name": "huge"}, "value": 2_000_000_000})
    assert refused.value.message == ('PriorityClass "huge" is invalid: value: Invalid value: 2000000000: '
                                     "maximum allowed value of a user defined priority is 1000000000")
    with pytest.raises(Status) as immutable:
        cluster.api.patch("priorityclasses", "high", {"value": 5}, patch_type="merge")
    assert "value: Forbidden: may not be changed in an update." in immutable.value.message


def test_applying_a_pod_again_with_a_new_toleration_keeps_the_default_ones(cluster):
    """DefaultTolerationSeconds admits updates too: the client's list without the defaults gets them back, so
    adding a toleration is allowed and removing the defaults is not possible by accident."""
    manifest = pod("nightly", node=None, nodeSelector={"kubernetes.io/hostname": "worker-1"})
    cluster.api.apply(manifest)
    manifest["spec"]["tolerations"] = [{"key": "dedicated", "operator": "Equal", "value": "batch",
                                        "effect": "NoSchedule"}]
    _obj, result = cluster.api.apply(manifest)
    assert result == "configured"
    tolerations = cluster.api.get("pods", "nightly")["spec"]["tolerations"]
    assert [(t.get("key"), t.get("tolerationSeconds")) for t in tolerations] == [
        ("dedicated", None), ("node.kubernetes.io/not-ready", 300), ("node.kubernetes.io/unreachable", 300)]


def test_a_pod_update_that_changes_an_existing_toleration_is_still_refused(cluster):
    manifest = pod("nightly", node=None, tolerations=[{"key": "dedicated", "operator": "Exists",
                                                       "effect": "NoSchedule"}])
    cluster.api.apply(manifest)
    manifest["spec"]["tolerations"] = [{"key": "dedicated", "operator": "Exists", "effect": "NoExecute"}]
    with pytest.raises(Status) as caught:
        cluster.api.apply(manifest)
    assert "existing toleration can not be modified except its tolerationSeconds" in caught.value.message
