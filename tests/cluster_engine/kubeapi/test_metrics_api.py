"""The Metrics API (metrics.k8s.io/v1beta1, `kubeapi/metrics.py`) and node Leases, in-process (Django's test
client): discovery that follows the sandbox's metrics-server, NodeMetrics and PodMetrics, the aggregator's 503."""

from __future__ import annotations

import json

import pytest

from cluster_engine import control, tokens

pytestmark = pytest.mark.django_db

AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


@pytest.fixture(autouse=True)
def _tls_in_tmp(settings, tmp_path):
    settings.KUBE_API_TLS_DIR = str(tmp_path / "tls")


@pytest.fixture
def api(client, playground):
    token = tokens.sandbox_token_create(sandbox=playground)

    def call(method: str, path: str, body: dict | None = None, **headers):
        data = json.dumps(body).encode() if body is not None else b""
        content_type = headers.pop("content_type", "application/json")
        return client.generic(method, f"/k8s/{playground.pk}{path}", data, content_type=content_type,
                              HTTP_AUTHORIZATION=f"Bearer {token}", **headers)

    return call


def _groups(api) -> dict[str, dict]:
    response = api("GET", "/apis", HTTP_ACCEPT=AGGREGATED)
    assert response["Content-Type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    return {item["metadata"]["name"]: item for item in response.json()["items"]}


def test_discovery_lists_the_metrics_group_while_metrics_server_is_registered(api):
    metrics = _groups(api)["metrics.k8s.io"]
    resources = {r["resource"]: r for r in metrics["versions"][0]["resources"]}
    assert metrics["versions"][0]["version"] == "v1beta1"
    assert resources["nodes"]["scope"] == "Cluster"
    assert resources["pods"]["responseKind"]["kind"] == "PodMetrics"
    assert resources["pods"]["verbs"] == ["get", "list"]
    assert "coordination.k8s.io" in _groups(api)  # Lease is a registered kind
    legacy = api("GET", "/apis").json()
    assert "metrics.k8s.io" in {group["name"] for group in legacy["groups"]}
    assert api("GET", "/apis/metrics.k8s.io").json()["preferredVersion"]["groupVersion"] == "metrics.k8s.io/v1beta1"
    listing = api("GET", "/apis/metrics.k8s.io/v1beta1").json()
    assert {(r["name"], r["kind"]) for r in listing["resources"]} == {("nodes", "NodeMetrics"), ("pods", "PodMetrics")}
    assert api("POST", "/apis", {}).status_code == 405

    deleted = api("DELETE", "/api/v1/namespaces/kube-system/services/metrics-server")
    assert deleted.status_code == 200, deleted.json()
    assert "metrics.k8s.io" not in _groups(api)
    assert "metrics.k8s.io" not in {group["name"] for group in api("GET", "/apis").json()["groups"]}
    assert api("GET", "/apis/metrics.k8s.io/v1beta1/nodes").status_code == 404


def test_node_and_pod_metrics_are_listed_and_read(api):
    nodes = api("GET", "/apis/metrics.k8s.io/v1beta1/nodes").json()
    assert nodes["kind"] == "NodeMetricsList"
    assert [n["metadata"]["name"] for n in nodes["items"]] == ["control-plane", "worker-1", "worker-2", "worker-3"]
    node = nodes["items"][1]
    assert node["window"] == "20s"
    assert node["usage"]["cpu"].endswith("n")
    assert node["usage"]["memory"].endswith("Ki")
    assert node["metadata"]["labels"]["kubernetes.io/hostname"] == "worker-1"
    assert api("GET", "/apis/metrics.k8s.io/v1beta1/nodes/worker-1").json()["usage"] == node["usage"]
    control = api("GET", "/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=node-role.kubernetes.io/control-plane")
    assert [n["metadata"]["name"] for n in control.json()["items"]] == ["control-plane"]
    missing = api("GET", "/apis/metrics.k8s.io/v1beta1/nodes/nope")
    assert (missing.status_code, missing.json()["message"]) == (404, 'nodes "nope" not found')

    pods = api("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns")
    assert pods.json()["kind"] == "PodMetricsList"
    coredns = pods.json()["items"]
    assert len(coredns) == 2
    assert coredns[0]["containers"][0]["name"] == "coredns"
    name = coredns[0]["metadata"]["name"]
    one = api("GET", f"/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods/{name}").json()
    assert one["containers"] == coredns[0]["containers"]
    everything = api("GET", "/apis/metrics.k8s.io/v1beta1/pods").json()["items"]
    assert {p["metadata"]["namespace"] for p in everything} == {"kube-system"}
    assert api("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods").json()["items"] == []
    by_name = api("GET", f"/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.name%3D{name}").json()
    assert [p["metadata"]["name"] for p in by_name["items"]] == [name]

    table = api("GET", "/apis/metrics.k8s.io/v1beta1/nodes", HTTP_ACCEPT=TABLE).json()
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "cpu", "memory", "Window"]
    assert table["rows"][1]["cells"] == ["worker-1", node["usage"]["cpu"], node["usage"]["memory"], "20s"]
    assert table["rows"][1]["object"]["kind"] == "PartialObjectMetadata"


def test_metrics_are_read_only(api):
    refused = api("POST", "/apis/metrics.k8s.io/v1beta1/nodes", {"kind": "NodeMetrics"})
    assert refused.status_code == 405
    assert refused.json()["message"] == 'post is not supported on resources of kind "nodes.metrics.k8s.io"'
    watch = api("GET", "/apis/metrics.k8s.io/v1beta1/pods?watch=true")
    assert watch.json()["message"] == 'watch is not supported on resources of kind "pods.metrics.k8s.io"'


def test_without_a_ready_metrics_server_the_aggregator_answers_503(api, playground, learner):
    scaled = api("PATCH", "/apis/apps/v1/namespaces/kube-system/deployments/metrics-server",
                 {"spec": {"replicas": 0}}, content_type="application/merge-patch+json")
    assert scaled.status_code == 200, scaled.json()
    control.sandbox_control(sandbox_id=playground.pk, user=learner, request={"action": "step", "seconds": 60})
    assert "metrics.k8s.io" in _groups(api)  # the APIService is still registered
    unavailable = api("GET", "/apis/metrics.k8s.io/v1beta1/nodes")
    assert unavailable.status_code == 503
    assert unavailable.content == b"service unavailable\n"
    assert unavailable["Content-Type"].startswith("text/plain")


def test_node_leases_are_served(api):
    leases = api("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases").json()
    assert leases["kind"] == "LeaseList"
    assert [lease["spec"]["holderIdentity"] for lease in leases["items"]] == \
        ["control-plane", "worker-1", "worker-2", "worker-3"]
    lease = leases["items"][1]
    assert lease["spec"]["leaseDurationSeconds"] == 40
    assert lease["metadata"]["ownerReferences"][0]["kind"] == "Node"
    table = api("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", HTTP_ACCEPT=TABLE).json()
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Holder", "Age"]
    assert table["rows"][1]["cells"][:2] == ["worker-1", "worker-1"]
