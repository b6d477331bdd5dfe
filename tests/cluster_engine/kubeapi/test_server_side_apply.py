"""Server-side apply and managedFields through the real kubectl 1.32 and the `kubernetes` Python client."""

from __future__ import annotations

import base64
import json

import pytest
import yaml
from kubernetes import client
from kubernetes.client.rest import ApiException

from cluster_engine.kubeapi import protobuf
from cluster_engine.sim import objects
from tests.cluster_engine.kubeapi.conftest import DEPLOYMENT
from tests.cluster_engine.kubeapi.protobuf_encoder import encode

pytestmark = pytest.mark.django_db(transaction=True)

CONFLICT = ('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: '
            ".spec.replicas")


@pytest.fixture(autouse=True)
def _needs_deployments() -> None:
    if objects.lookup("Deployment") is None:
        pytest.skip("the Deployment kind is not registered in cluster_engine.sim yet")


def _managers(kube, *target: str) -> dict[str, dict]:
    """managedFields of an object by `<manager>[/<subresource>]`, read with --show-managed-fields."""
    obj = json.loads(kube("get", *target, "-o", "json", "--show-managed-fields"))
    return {e["manager"] + (f"/{e['subresource']}" if e.get("subresource") else ""): e
            for e in obj["metadata"]["managedFields"]}


def test_kubectl_conflict_then_force_conflicts(kube):
    assert kube("apply", "-f", "-", stdin=DEPLOYMENT.format(replicas=2)).strip() == "deployment.apps/api created"
    refused = kube.run("apply", "--server-side", "--field-manager=lesson", "-f", "-",
                       stdin=DEPLOYMENT.format(replicas=3), check=False)
    assert refused.returncode == 1
    assert f"error: {CONFLICT}" in refused.stderr
    assert "--force-conflicts" in refused.stderr  # kubectl's own advice, printed for a 409 Conflict from apply
    assert kube("get", "deploy", "api", "-o", "jsonpath={.spec.replicas}") == "2"

    forced = kube("apply", "--server-side", "--field-manager=lesson", "--force-conflicts", "-f", "-",
                  stdin=DEPLOYMENT.format(replicas=3))
    assert forced.strip() == "deployment.apps/api serverside-applied"
    assert kube("get", "deploy", "api", "-o", "jsonpath={.spec.replicas}") == "3"
    assert "managedFields" not in kube("get", "deploy", "api", "-o", "yaml")  # kubectl hides them by default
    # kubectl then migrates what client-side apply owned to its server-side manager (a JSON patch of
    # managedFields, as kubectl 1.26+ does) and applies again: one Apply entry owns it all.
    managers = _managers(kube, "deploy", "api")
    # (the second apply then drops what only client-side apply had set; defaulting sets it again)
    assert list(managers) == ["lesson"]
    assert managers["lesson"]["operation"] == "Apply"
    assert managers["lesson"]["fieldsV1"]["f:spec"]["f:replicas"] == {}
    assert "f:revisionHistoryLimit" not in managers["lesson"]["fieldsV1"]["f:spec"]
    assert kube("get", "deploy", "api", "-o", "jsonpath={.spec.revisionHistoryLimit}") == "10"


def test_kubectl_server_side_apply_takes_over_client_side_apply(kube):
    kube("apply", "-f", "-", stdin=DEPLOYMENT.format(replicas=2))
    applied = kube("apply", "--server-side", "-f", "-", stdin=DEPLOYMENT.format(replicas=4))
    assert applied.strip() == "deployment.apps/api serverside-applied"
    obj = json.loads(kube("get", "deploy", "api", "-o", "json", "--show-managed-fields"))
    assert obj["spec"]["replicas"] == 4
    # `kubectl` may take over what client-side apply applied; kubectl keeps the annotation with its own
    # manager (`kubectl-last-applied`) and the server keeps it equal to what was applied
    managers = {e["manager"]: e["operation"] for e in obj["metadata"]["managedFields"]}
    assert managers == {"kubectl": "Apply", "kubectl-last-applied": "Apply"}
    last = json.loads(obj["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert last["spec"]["replicas"] == 4


def test_scale_owns_replicas_through_the_scale_subresource(kube):
    kube("apply", "--server-side", "--field-manager=lesson", "-f", "-", stdin=DEPLOYMENT.format(replicas=2))
    assert kube("scale", "deploy", "api", "--replicas=5").strip() == "deployment.apps/api scaled"
    scalers = [key for key in _managers(kube, "deploy", "api") if key.endswith("/scale")]
    assert len(scalers) == 1
    refused = kube.run("apply", "--server-side", "--field-manager=lesson", "-f", "-",
                       stdin=DEPLOYMENT.format(replicas=2), check=False)
    manager = scalers[0].removesuffix("/scale")
    assert (f'conflict with "{manager}" with subresource "scale" using apps/v1: .spec.replicas'
            in refused.stderr)


def test_dry_run_server_side_apply_stores_nothing(kube):
    result = kube("apply", "--server-side", "--dry-run=server", "-f", "-", stdin=DEPLOYMENT.format(replicas=1))
    assert result.strip() == "deployment.apps/api serverside-applied (server dry run)"
    assert "NotFound" in kube.run("get", "deploy", "api", check=False).stderr


def _client(kube) -> client.ApiClient:
    config = yaml.safe_load(kube.kubeconfig.read_text())
    configuration = client.Configuration()
    configuration.host = config["clusters"][0]["cluster"]["server"]
    ca_file = kube.home / "ca.crt"
    ca_file.write_bytes(base64.b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"]))
    configuration.ssl_ca_cert = str(ca_file)
    configuration.api_key = {"authorization": f"Bearer {config['users'][0]['user']['token']}"}
    return client.ApiClient(configuration)


def test_python_client_sees_managed_fields_and_apply_conflicts(kube):
    core = client.CoreV1Api(_client(kube))
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "one", "labels": {"app": "one"}},
           "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}}
    created = core.create_namespaced_pod("default", pod)
    [entry] = created.metadata.managed_fields
    # no fieldManager: the User-Agent's prefix, as kube-apiserver derives it
    assert (entry.manager, entry.operation, entry.api_version) == ("OpenAPI-Generator", "Update", "v1")
    assert entry.fields_v1["f:metadata"] == {"f:labels": {".": {}, "f:app": {}}}

    relabel = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "one", "labels": {"app": "two"}}}
    with pytest.raises(ApiException) as conflict:
        core.patch_namespaced_pod("one", "default", relabel, field_manager="lesson",
                                  _content_type="application/apply-patch+yaml")
    assert conflict.value.status == 409
    status = json.loads(conflict.value.body)
    assert status["reason"] == "Conflict"
    assert status["details"]["causes"] == [{"reason": "FieldManagerConflict", "field": ".metadata.labels.app",
                                            "message": 'conflict with "OpenAPI-Generator" using v1'}]
    forced = core.patch_namespaced_pod("one", "default", relabel, field_manager="lesson", force=True,
                                       _content_type="application/apply-patch+yaml")
    assert forced.metadata.labels == {"app": "two"}
    assert {e.manager: e.operation for e in forced.metadata.managed_fields} == {
        "lesson": "Apply", "OpenAPI-Generator": "Update"}

    with pytest.raises(ApiException) as too_long:
        core.patch_namespaced_pod("one", "default", {"metadata": {"labels": {"x": "y"}}}, field_manager="m" * 129)
    assert too_long.value.status == 422
    assert json.loads(too_long.value.body)["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes')


def test_protobuf_bodies_carry_managed_fields():
    entry = {"manager": "kubectl", "operation": "Apply", "apiVersion": "v1", "time": "2026-01-05T10:00:00Z",
             "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:mode": {}}}}
    body = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "settings", "managedFields": [entry]}, "data": {"mode": "dev"}}
    assert protobuf.decode(encode(body)) == body
