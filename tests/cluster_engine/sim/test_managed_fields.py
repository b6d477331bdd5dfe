"""Field ownership (metadata.managedFields) and server-side apply in the simulated api-server, against what
kube-apiserver 1.32 records and answers."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from cluster_engine.sim import managedfields
from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.errors import Status
from cluster_engine.sim.kubectl.client import run_command
from cluster_engine.sim.util import rfc3339

DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "api", "labels": {"app": "api"}},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "api"}},
        "template": {
            "metadata": {"labels": {"app": "api"}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]},
        },
    },
}


def deployment(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(DEPLOYMENT)
    for key, value in changes.items():
        body["spec"][key] = value
    return body


def entries(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """managedFields by manager name (`<manager>/<subresource>` for a subresource's)."""
    return {entry["manager"] + (f"/{entry['subresource']}" if entry.get("subresource") else ""): entry
            for entry in obj["metadata"].get("managedFields") or []}


def owned(obj: dict[str, Any], manager: str) -> set[str]:
    """The paths a manager owns, as conflict messages print them."""
    return {managedfields.path_string(p) for p in managedfields.decode_fields(entries(obj)[manager]["fieldsV1"])}


def conflict_of(call: Any) -> Status:
    with pytest.raises(Status) as raised:
        call()
    assert raised.value.code == 409
    return raised.value


# ------------------------------------------------------------------ Update operations


def test_a_create_records_its_manager_with_upstreams_fieldsv1_encoding(cluster: Cluster) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"run": "web"}},
           "spec": {"containers": [{"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80}]}]}}
    created = cluster.api.create(pod, field_manager="kubectl-run")
    [entry] = created["metadata"]["managedFields"]
    assert {k: v for k, v in entry.items() if k != "fieldsV1"} == {
        "manager": "kubectl-run", "operation": "Update", "apiVersion": "v1", "time": rfc3339(cluster.now),
        "fieldsType": "FieldsV1"}
    # What `kubectl run` gets from kube-apiserver 1.32: defaults are the creator's, admission's additions
    # (service account volume, tolerations, priority) nobody's; `.` marks list items and new maps.
    assert entry["fieldsV1"] == {
        "f:metadata": {"f:labels": {"f:run": {}, ".": {}}},
        "f:spec": {
            "f:containers": {'k:{"name":"nginx"}': {
                "f:image": {}, "f:imagePullPolicy": {}, "f:name": {},
                "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {
                    "f:containerPort": {}, "f:protocol": {}, ".": {}}, ".": {}},
                "f:resources": {}, "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}, ".": {}}},
            "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {},
            "f:securityContext": {}, "f:terminationGracePeriodSeconds": {},
        },
    }
    assert list(entry["fieldsV1"]["f:spec"]["f:containers"]['k:{"name":"nginx"}'])[-1] == "."


def test_nested_structs_of_the_zero_object_carry_no_dot(cluster: Cluster) -> None:
    created, _ = cluster.api.apply(deployment())
    fields = entries(created)["kubectl-client-side-apply"]["fieldsV1"]["f:spec"]
    assert "." not in fields["f:strategy"]  # a non-pointer struct: already in Go's zero Deployment
    assert "." in fields["f:strategy"]["f:rollingUpdate"]  # a pointer: added by defaulting
    assert "." not in fields["f:template"]
    assert "." not in fields["f:template"]["f:spec"]
    assert fields["f:selector"] == {}  # LabelSelector is atomic


def test_an_update_takes_the_fields_it_changes_from_their_owner(cluster: Cluster) -> None:
    cluster.api.apply(deployment())
    patched = cluster.api.patch("Deployment", "api", {"metadata": {"labels": {"app": "v2", "tier": "web"}}},
                            field_manager="kubectl-label")
    assert owned(patched, "kubectl-label") == {".metadata.labels.app", ".metadata.labels.tier"}
    assert ".metadata.labels.app" not in owned(patched, "kubectl-client-side-apply")
    removed = cluster.api.patch("Deployment", "api", {"metadata": {"labels": {"tier": None}}},
                            field_manager="kubectl-label")
    assert owned(removed, "kubectl-label") == {".metadata.labels.app"}


def test_a_write_that_changes_nothing_records_nothing(cluster: Cluster) -> None:
    created, _ = cluster.api.apply(deployment())
    same = cluster.api.patch("Deployment", "api", {"spec": {"replicas": 2}}, field_manager="someone")
    assert same["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    assert "someone" not in entries(same)


def test_a_user_without_field_manager_and_controllers_have_the_component_names(cluster: Cluster) -> None:
    cluster.api.create(deployment())
    cluster.step(5)
    dep = cluster.api.get("Deployment", "api")
    assert entries(dep)["kubectl"]["operation"] == "Update"
    assert set(entries(dep)["kube-controller-manager/status"]["fieldsV1"]) == {"f:status"}
    # what the controllers create is not tracked (their churn stays cheap), like an object whose
    # managedFields were reset: later writes leave it so
    rs = cluster.api.list("ReplicaSet")["items"][0]
    assert "managedFields" not in rs["metadata"]
    scaled = cluster.api.patch("ReplicaSet", rs["metadata"]["name"], {"metadata": {"labels": {"x": "y"}}})
    assert "managedFields" not in scaled["metadata"]
    assert managedfields.default_manager("kubelet/worker-1") == "kubelet"
    assert managedfields.default_manager("endpointslice-controller") == "kube-controller-manager"


def test_the_scale_subresource_owns_replicas(cluster: Cluster) -> None:
    cluster.api.apply(deployment())
    scaled = cluster.api.patch("Deployment", "api", {"spec": {"replicas": 5}}, patch_type="merge", subresource="scale",
                           field_manager="kubectl")
    entry = entries(scaled)["kubectl/scale"]
    assert (entry["subresource"], entry["operation"], entry["fieldsV1"]) == (
        "scale", "Update", {"f:spec": {"f:replicas": {}}})
    error = conflict_of(lambda: cluster.api.server_side_apply("Deployment", "api", deployment(replicas=3),
                                                          field_manager="lesson"))
    assert error.message == ('Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" '
                             "using apps/v1: .spec.replicas")


def test_managed_fields_can_be_reset_and_are_then_no_longer_tracked(cluster: Cluster) -> None:
    cluster.api.apply(deployment())
    reset = cluster.api.patch("Deployment", "api", {"metadata": {"managedFields": [{}]}}, patch_type="merge")
    assert "managedFields" not in reset["metadata"]
    later = cluster.api.patch("Deployment", "api", {"spec": {"replicas": 4}}, field_manager="kubectl-scale")
    assert "managedFields" not in later["metadata"]
    # The first apply then owns what it applies; what was there before goes to "before-first-apply".
    applied, _ = cluster.api.server_side_apply("Deployment", "api", deployment(replicas=4), field_manager="lesson")
    assert set(entries(applied)) == {"lesson", "before-first-apply"}
    assert ".spec.revisionHistoryLimit" in owned(applied, "before-first-apply")


def test_update_managers_beyond_ten_merge_into_ancient_changes(cluster: Cluster) -> None:
    cluster.api.apply(deployment())
    for index in range(12):
        cluster.step(1)
        cluster.api.patch("Deployment", "api", {"metadata": {"annotations": {f"k{index}": "v"}}},
                      field_manager=f"editor-{index}")
    fields = cluster.api.get("Deployment", "api")["metadata"]["managedFields"]
    updaters = [e for e in fields if e["operation"] == "Update"]
    assert len(updaters) == 10
    assert "ancient-changes" in {e["manager"] for e in updaters}


# ------------------------------------------------------------------ server-side apply


def test_an_apply_that_creates_owns_exactly_what_it_applied(cluster: Cluster) -> None:
    created, was_created = cluster.api.server_side_apply("Deployment", "api", deployment(), field_manager="kubectl")
    assert was_created
    [entry] = created["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["apiVersion"]) == ("kubectl", "Apply", "apps/v1")
    assert owned(created, "kubectl") == {
        ".metadata.labels.app", ".spec.replicas", ".spec.selector", ".spec.template.metadata.labels.app",
        '.spec.template.spec.containers[name="app"]', '.spec.template.spec.containers[name="app"].name',
        '.spec.template.spec.containers[name="app"].image',
        '.spec.template.spec.containers[name="app"].ports[containerPort=80,protocol="TCP"]',
        '.spec.template.spec.containers[name="app"].ports[containerPort=80,protocol="TCP"].containerPort',
    }
    assert created["spec"]["revisionHistoryLimit"] == 10  # defaulted, and owned by nobody


def test_a_changed_field_of_another_manager_is_a_conflict(cluster: Cluster) -> None:
    cluster.api.apply(deployment())
    error = conflict_of(lambda: cluster.api.server_side_apply("Deployment", "api", deployment(replicas=3),
                                                          field_manager="lesson"))
    assert error.reason == "Conflict"
    assert error.message == ('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using '
                             "apps/v1: .spec.replicas")
    assert error.to_dict()["details"] == {"causes": [{
        "reason": "FieldManagerConflict", "message": 'conflict with "kubectl-client-side-apply" using apps/v1',
        "field": ".spec.replicas"}]}
    assert cluster.api.get("Deployment", "api")["spec"]["replicas"] == 2


def test_several_conflicts_are_listed_by_manager(cluster: Cluster) -> None:
    cluster.api.apply(deployment())
    cluster.api.patch("Deployment", "api", {"metadata": {"labels": {"app": "edited"}}}, field_manager="kubectl-label")
    image = copy.deepcopy(deployment(replicas=3))
    image["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    error = conflict_of(lambda: cluster.api.server_side_apply("Deployment", "api", image, field_manager="lesson"))
    assert error.message == (
        "Apply failed with 3 conflicts: "
        'conflicts with "kubectl-client-side-apply" using apps/v1:\n'
        "- .spec.replicas\n"
        '- .spec.template.spec.containers[name="app"].image\n'
        'conflicts with "kubectl-label" using apps/v1:\n'
        "- .metadata.labels.app")
    assert [cause.field for cause in error.causes] == [
        ".spec.replicas", '.spec.template.spec.containers[name="app"].image', ".metadata.labels.app"]


def test_applying_the_same_value_shares_the_field(cluster: Cluster) -> None:
    cluster.api.apply(deployment())
    shared, _ = cluster.api.server_side_apply("Deployment", "api", deployment(), field_manager="lesson")
    assert ".spec.replicas" in owned(shared, "lesson")
    assert ".spec.replicas" in owned(shared, "kubectl-client-side-apply")


def test_force_takes_ownership(cluster: Cluster) -> None:
    cluster.api.apply(deployment())
    forced, _ = cluster.api.server_side_apply("Deployment", "api", deployment(replicas=3), field_manager="lesson",
                                          force=True)
    assert forced["spec"]["replicas"] == 3
    assert ".spec.replicas" in owned(forced, "lesson")
    assert ".spec.replicas" not in owned(forced, "kubectl-client-side-apply")


def test_a_field_dropped_from_the_configuration_goes_unless_someone_else_owns_it(cluster: Cluster) -> None:
    with_sidecar = deployment()
    with_sidecar["metadata"]["labels"]["tier"] = "web"
    with_sidecar["spec"]["template"]["spec"]["containers"].append({"name": "sidecar", "image": "busybox"})
    cluster.api.server_side_apply("Deployment", "api", with_sidecar, field_manager="lesson")
    cluster.api.server_side_apply("Deployment", "api", deployment(), field_manager="other")  # shares the rest
    without = deployment()
    del without["spec"]["replicas"]
    result, _ = cluster.api.server_side_apply("Deployment", "api", without, field_manager="lesson")
    assert result["metadata"]["labels"] == {"app": "api"}  # only "lesson" had the tier label
    assert [c["name"] for c in result["spec"]["template"]["spec"]["containers"]] == ["app"]
    assert result["spec"]["replicas"] == 2  # "other" still applies replicas: 2
    alone, _ = cluster.api.server_side_apply("Deployment", "api", without, field_manager="other")
    assert alone["spec"]["replicas"] == 1  # nobody applies it now: removed, then defaulted again


def test_kubectl_takes_over_what_client_side_apply_applied(cluster: Cluster) -> None:
    cluster.api.apply(deployment())
    applied, _ = cluster.api.server_side_apply("Deployment", "api", deployment(replicas=3), field_manager="kubectl")
    assert applied["spec"]["replicas"] == 3
    assert ".spec.replicas" not in owned(applied, "kubectl-client-side-apply")
    last = json.loads(applied["metadata"]["annotations"][managedfields.LAST_APPLIED])
    assert last["spec"]["replicas"] == 3  # kept in step for a later client-side apply
    # A value someone else changed since is not client-side apply's any more: a conflict again.
    cluster.api.patch("Deployment", "api", {"spec": {"minReadySeconds": 5}}, field_manager="kubectl-edit")
    body = deployment(minReadySeconds=9)
    error = conflict_of(lambda: cluster.api.server_side_apply("Deployment", "api", body, field_manager="kubectl"))
    assert 'conflict with "kubectl-edit" using apps/v1: .spec.minReadySeconds' in error.message


def test_an_apply_that_changes_nothing_does_not_write(cluster: Cluster) -> None:
    first, _ = cluster.api.server_side_apply("Deployment", "api", deployment(), field_manager="lesson")
    cluster.step(30)
    again, created = cluster.api.server_side_apply("Deployment", "api", deployment(), field_manager="lesson")
    assert not created
    assert again["metadata"]["resourceVersion"] == cluster.api.get("Deployment", "api")["metadata"]["resourceVersion"]
    assert entries(again)["lesson"]["time"] == entries(first)["lesson"]["time"]


def test_a_dry_run_apply_stores_nothing(cluster: Cluster) -> None:
    result, created = cluster.api.server_side_apply("Deployment", "api", deployment(), field_manager="lesson",
                                                dry_run=True)
    assert created
    assert entries(result)["lesson"]["operation"] == "Apply"
    with pytest.raises(Status):
        cluster.api.get("Deployment", "api")


def test_a_configuration_must_not_carry_managed_fields_or_another_version(cluster: Cluster) -> None:
    body = deployment()
    body["metadata"]["managedFields"] = [{"manager": "x", "operation": "Apply", "apiVersion": "apps/v1",
                                          "fieldsType": "FieldsV1", "fieldsV1": {}}]
    with pytest.raises(Status) as raised:
        cluster.api.server_side_apply("Deployment", "api", body, field_manager="lesson")
    assert (raised.value.code, raised.value.message) == (400, "metadata.managedFields must be nil")
    nameless = deployment()
    del nameless["spec"]["template"]["spec"]["containers"][0]["name"]
    with pytest.raises(Status) as missing_key:
        cluster.api.server_side_apply("Deployment", "api", nameless, field_manager="lesson")
    assert missing_key.value.code == 500
    assert missing_key.value.message == (
        "failed to create typed patch object (default/api; apps/v1, Kind=Deployment): "
        ".spec.template.spec.containers: element 0: associative list with keys has an element that omits key "
        'field "name" (and doesn\'t have default value)')


def test_status_is_applied_through_the_status_subresource_only(cluster: Cluster) -> None:
    cluster.api.server_side_apply("Deployment", "api", deployment(), field_manager="lesson")
    body = deployment()
    body["status"] = {"replicas": 9}
    main, _ = cluster.api.server_side_apply("Deployment", "api", body, field_manager="lesson")
    assert (main.get("status") or {}).get("replicas") != 9
    assert not any(p.startswith(".status") for p in owned(main, "lesson"))


# ------------------------------------------------------------------ managers and the in-page kubectl


@pytest.mark.parametrize(("agent", "manager"), [
    ("kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd", "kubectl"),
    ("OpenAPI-Generator/31.0.0/python", "OpenAPI-Generator"),
    ("", "unknown"),
])
def test_the_default_manager_is_the_user_agent_prefix(agent: str, manager: str) -> None:
    assert managedfields.user_agent_manager(agent) == manager


def test_field_manager_names_are_checked_as_upstream_checks_them() -> None:
    assert managedfields.manager_problem("x" * 129) == "Too long: may not be more than 128 bytes"
    assert managedfields.manager_problem("ok") == ""


def test_the_in_page_kubectl_hides_managed_fields_unless_asked(cluster: Cluster) -> None:
    run_command(cluster, "kubectl run web --image=nginx", actor="user:ada")
    plain = run_command(cluster, "kubectl get pod web -o yaml", actor="user:ada").stdout
    shown = run_command(cluster, "kubectl get pod web -o yaml --show-managed-fields", actor="user:ada").stdout
    assert "managedFields" not in plain
    managers = run_command(cluster, "kubectl get pod web -o jsonpath={.metadata.managedFields[*].manager}",
                           actor="user:ada").stdout
    assert managers == "kubectl-run"  # jsonpath sees them; `kubectl run` records kubectl-run, as kubectl does
    assert "managedFields:" in shown
    assert "f:run: {}" in shown
