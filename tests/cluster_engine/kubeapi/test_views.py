"""The Kubernetes API in-process (Django's test client): tokens, kubeconfigs, discovery, bodies and errors."""

from __future__ import annotations

import base64
import json

import pytest
import yaml
from cryptography import x509
from django.core.management import call_command

from cluster_engine import tls, tokens
from cluster_engine.models import SandboxToken

pytestmark = pytest.mark.django_db

POD_JSON = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}


@pytest.fixture(autouse=True)
def _tls_in_tmp(settings, tmp_path):
    settings.KUBE_API_TLS_DIR = str(tmp_path / "tls")


@pytest.fixture
def token(playground) -> str:
    return tokens.sandbox_token_create(sandbox=playground)


def _get(client, playground, path: str, token: str | None, **headers):
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    extra.update(headers)
    return client.get(f"/k8s/{playground.pk}{path}", **extra)


def test_kubeconfig_download_is_for_the_owner_and_makes_a_fresh_token(client, learner, other_learner, playground):
    client.force_login(other_learner)
    assert client.get(f"/api/sandboxes/{playground.pk}/kubeconfig/").status_code == 404
    client.force_login(learner)
    first = client.get(f"/api/sandboxes/{playground.pk}/kubeconfig/")
    assert first.status_code == 200
    assert first["Content-Type"] == "application/yaml"
    config = yaml.safe_load(first.content)
    cluster = config["clusters"][0]["cluster"]
    assert cluster["server"] == f"https://127.0.0.1:6443/k8s/{playground.pk}"
    ca = x509.load_pem_x509_certificate(base64.b64decode(cluster["certificate-authority-data"]))
    assert "CN=Podlab local CA" in ca.subject.rfc4514_string()
    old_token = config["users"][0]["user"]["token"]
    assert _get(client, playground, "/api/v1/namespaces", old_token).status_code == 200
    client.get(f"/api/sandboxes/{playground.pk}/kubeconfig/")
    assert _get(client, playground, "/api/v1/namespaces", old_token).status_code == 401  # revoked
    stored = SandboxToken.objects.filter(sandbox=playground)
    assert stored.count() == 2
    assert old_token not in {t.key_hash for t in stored}


def test_public_url_setting_changes_the_server(client, learner, playground, settings):
    settings.KUBE_API_PUBLIC_URL = "https://k8s.podlab.example/"
    client.force_login(learner)
    config = yaml.safe_load(client.get(f"/api/sandboxes/{playground.pk}/kubeconfig/").content)
    assert config["clusters"][0]["cluster"]["server"] == f"https://k8s.podlab.example/k8s/{playground.pk}"


def test_management_command_prints_a_kubeconfig_creating_the_playground(learner, capsys):
    call_command("sandbox_kubeconfig", "--user", learner.username)
    config = yaml.safe_load(capsys.readouterr().out)
    assert config["current-context"] == "podlab-playground"
    assert config["users"][0]["user"]["token"].startswith("podlab_")
    assert learner.sandboxes.count() == 1


def test_server_certificate_names_localhost_and_is_signed_by_the_ca(tmp_path):
    files = tls.ensure_certificates(tmp_path, hosts=("podlab.local",))
    server = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "podlab.local" in names.get_values_for_type(x509.DNSName)
    assert server.issuer == x509.load_pem_x509_certificate(files.ca_pem()).subject
    again = tls.ensure_certificates(tmp_path, hosts=("podlab.local",))
    assert again.ca_pem() == files.ca_pem()
    assert again.server_cert.read_bytes() == files.server_cert.read_bytes()


def test_version_needs_no_token_but_everything_else_does(client, playground, token):
    assert _get(client, playground, "/version", None).json()["gitVersion"].startswith("v1.32.")
    missing = _get(client, playground, "/api", None)
    assert missing.status_code == 401
    assert missing.json()["reason"] == "Unauthorized"
    assert _get(client, playground, "/api", token).json()["kind"] == "APIVersions"


def test_the_site_root_serves_the_api_of_the_sandbox_the_token_opens(client, playground, token):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api", **headers).json()["kind"] == "APIVersions"
    assert client.get("/api/v1/namespaces/default/pods", **headers).json()["kind"] == "PodList"
    anonymous = client.get("/api/v1/namespaces/default/pods")
    assert anonymous.status_code == 401
    assert anonymous.json()["reason"] == "Unauthorized"
    assert client.get("/api/v1/pods", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
    assert client.get("/api/schema/").status_code == 200  # the platform's REST API keeps its paths


def test_aggregated_and_legacy_discovery(client, playground, token):
    accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
    response = _get(client, playground, "/api", token, HTTP_ACCEPT=accept)
    assert response["Content-Type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    pods = next(r for r in response.json()["items"][0]["versions"][0]["resources"] if r["resource"] == "pods")
    assert pods["shortNames"] == ["po"]
    assert pods["categories"] == ["all"]
    assert {s["subresource"] for s in pods["subresources"]} >= {"status", "log", "eviction", "binding"}
    legacy = _get(client, playground, "/api/v1", token).json()
    eviction = next(r for r in legacy["resources"] if r["name"] == "pods/eviction")
    assert (eviction["group"], eviction["version"], eviction["kind"]) == ("policy", "v1", "Eviction")


def test_openapi_v3_has_a_patch_operation_with_field_validation_per_kind(client, playground, token):
    root = _get(client, playground, "/openapi/v3", token).json()
    url = root["paths"]["api/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/api/v1?hash=")
    document = _get(client, playground, url.split("?")[0], token).json()
    operation = document["paths"]["/api/v1/namespaces/{namespace}/pods/{name}"]["patch"]
    assert operation["x-kubernetes-group-version-kind"] == {"group": "", "version": "v1", "kind": "Pod"}
    assert "fieldValidation" in {p["name"] for p in operation["parameters"]}
    assert "io.k8s.api.core.v1.PodSpec" in document["components"]["schemas"]
    assert _get(client, playground, "/openapi/v2", token).json()["swagger"] == "2.0"


def test_bodies_in_yaml_or_without_content_type_and_table_output(client, playground, token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/k8s/{playground.pk}/api/v1/namespaces/default/pods"
    created = client.post(url, yaml.safe_dump(POD_JSON), content_type="application/yaml", **auth)
    assert created.status_code == 201, created.json()
    second = dict(POD_JSON, metadata={"name": "api"})
    assert client.generic("POST", url, json.dumps(second).encode(), content_type="", **auth).status_code == 201
    table = client.get(url, HTTP_ACCEPT="application/json;as=Table;v=v1;g=meta.k8s.io", **auth).json()
    assert table["kind"] == "Table"
    assert [c["name"] for c in table["columnDefinitions"]][:3] == \
        ["Name", "Ready", "Status"]
    assert [row["cells"][0] for row in table["rows"]] == ["api", "web"]
    assert any(c["priority"] == 1 for c in table["columnDefinitions"])
    deleted = client.generic("DELETE", f"{url}/api", b"{not json", content_type="application/json", **auth)
    assert deleted.status_code == 200


def test_unknown_fields_are_dropped_with_a_warning_unless_strict(client, playground, token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/k8s/{playground.pk}/api/v1/namespaces/default/configmaps"
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}, "extra": 1}
    warned = client.post(url, json.dumps(body), content_type="application/json", **auth)
    assert warned.status_code == 201
    assert warned["Warning"] == '299 - "unknown field \\"extra\\""'
    strict = client.post(f"{url}?fieldValidation=Strict", json.dumps(dict(body, metadata={"name": "b"})),
                         content_type="application/json", **auth)
    assert strict.status_code == 400
    assert strict.json()["message"] == ('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict '
                                        'decoding error: unknown field "extra"')


def test_dry_run_changes_nothing_and_unknown_resources_are_404(client, playground, token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/k8s/{playground.pk}/api/v1/namespaces/default/pods"
    assert client.post(f"{url}?dryRun=All", json.dumps(POD_JSON), content_type="application/json",
                       **auth).status_code == 201
    assert client.get(f"{url}/web", **auth).status_code == 404
    unknown = client.get(f"/k8s/{playground.pk}/api/v1/namespaces/default/widgets", **auth)
    assert unknown.status_code == 404
    assert unknown.json()["kind"] == "Status"
