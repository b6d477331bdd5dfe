import pytest

from cluster_engine.sim.errors import Status
from cluster_engine.sim.patch import json_patch, merge_diff, merge_patch, strategic_merge, three_way

POD = "io.k8s.api.core.v1.Pod"


def _pod(*containers, **meta):
    return {"metadata": {"name": "web", **meta}, "spec": {"containers": list(containers)}}


def test_merge_patch_replaces_lists_and_deletes_nulls():
    target = {"a": {"b": 1, "c": 2}, "l": [1, 2]}
    assert merge_patch(target, {"a": {"b": None, "d": 3}, "l": [3]}) == {"a": {"c": 2, "d": 3}, "l": [3]}
    assert target == {"a": {"b": 1, "c": 2}, "l": [1, 2]}


def test_merge_diff_inverts_merge_patch():
    source = {"a": {"b": 1, "c": [1]}, "x": "y"}
    target = {"a": {"b": 2, "c": [1]}, "z": True}
    assert merge_patch(source, merge_diff(source, target)) == target


def test_json_patch_operations():
    doc = {"spec": {"replicas": 1, "list": ["a"]}}
    out = json_patch(
        doc,
        [
            {"op": "replace", "path": "/spec/replicas", "value": 3},
            {"op": "add", "path": "/spec/list/-", "value": "b"},
            {"op": "copy", "from": "/spec/replicas", "path": "/spec/copy"},
            {"op": "remove", "path": "/spec/list/0"},
            {"op": "test", "path": "/spec/copy", "value": 3},
        ],
    )
    assert out == {"spec": {"replicas": 3, "list": ["b"], "copy": 3}}
    assert doc == {"spec": {"replicas": 1, "list": ["a"]}}


def test_json_patch_failure_names_the_missing_key():
    with pytest.raises(Status) as error:
        json_patch({"spec": {}}, [{"op": "replace", "path": "/spec/foo", "value": 1}])
    assert error.value.code == 422
    assert (
        error.value.causes[0].message
        == "jsonpatch replace operation does not apply: doc is missing key: /spec/foo"
    )


def test_strategic_merge_merges_containers_by_name():
    live = _pod({"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1"})
    out = strategic_merge(live, {"spec": {"containers": [{"name": "b", "image": "y:2"}]}}, POD)
    assert out["spec"]["containers"] == [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:2"}]


def test_strategic_merge_directives():
    live = _pod(
        {"name": "a", "image": "x", "ports": [{"containerPort": 80}, {"containerPort": 81}]},
        {"name": "b", "image": "y"},
        finalizers=["f1"],
    )
    patch = {
        "metadata": {"finalizers": ["f2"]},
        "spec": {
            "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
            "containers": [
                {"name": "a", "ports": [{"containerPort": 81, "$patch": "delete"}]},
                {"name": "c", "$patch": "delete"},
            ],
        },
    }
    out = strategic_merge(live, patch, POD)
    assert [c["name"] for c in out["spec"]["containers"]] == ["b", "a"]
    assert out["spec"]["containers"][1]["ports"] == [{"containerPort": 80}]
    assert out["metadata"]["finalizers"] == ["f1", "f2"]


def test_strategic_merge_replace_and_retain_keys():
    live = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    out = strategic_merge(
        live,
        {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}},
        "io.k8s.api.apps.v1.Deployment",
    )
    assert out == {"spec": {"strategy": {"type": "Recreate"}}}
    out = strategic_merge(_pod({"name": "a"}), {"spec": {"$patch": "replace", "containers": []}}, POD)
    assert out["spec"] == {"containers": []}


def test_three_way_apply_removes_what_the_user_removed_and_keeps_server_fields():
    live = _pod(
        {
            "name": "a",
            "image": "x",
            "imagePullPolicy": "Always",
            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
        },
        labels={"app": "web", "old": "yes"},
        uid="u1",
    )
    original = _pod(
        {"name": "a", "image": "x", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
        labels={"app": "web", "old": "yes"},
    )
    modified = _pod(
        {"name": "a", "image": "x:2", "env": [{"name": "A", "value": "1"}]}, labels={"app": "web"}
    )
    out = three_way(live, original, modified, POD)
    container = out["spec"]["containers"][0]
    assert container == {
        "name": "a",
        "image": "x:2",
        "imagePullPolicy": "Always",
        "env": [{"name": "A", "value": "1"}],
    }
    assert out["metadata"] == {"name": "web", "labels": {"app": "web"}, "uid": "u1"}


def test_three_way_apply_deletes_a_field_the_manifest_sets_to_null():
    live = {"spec": {"replicas": 2, "strategy": {"type": "RollingUpdate",
                                                 "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}}
    modified = {"spec": {"replicas": 2, "strategy": {"type": "Recreate", "rollingUpdate": None}}}
    out = three_way(live, {"spec": {"replicas": 2}}, modified, "io.k8s.api.apps.v1.Deployment")
    assert out == {"spec": {"replicas": 2, "strategy": {"type": "Recreate"}}}
