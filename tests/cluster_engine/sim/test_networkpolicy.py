"""NetworkPolicy enforcement on the simulated network: isolation per direction, peers, ports, DNS egress, and what
curl and wget print when a connection is dropped."""

from __future__ import annotations

import pytest

from cluster_engine.sim import scenario
from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.kubectl.client import run_command


def app(name: str, labels: dict, namespace: str = "default") -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": namespace},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                         {"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80, "name": "http"}]}]}}}}


def policy(name: str, spec: dict, namespace: str = "default") -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


@pytest.fixture
def net() -> Cluster:
    cluster = scenario.build()
    cluster.api.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team", "labels": {"team": "a"}}})
    cluster.api.apply(app("web", {"app": "web"}))
    cluster.api.apply(app("client", {"app": "client"}))
    cluster.api.apply(app("other", {"app": "other"}))
    cluster.api.apply(app("remote", {"app": "remote"}, "team"))
    cluster.api.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                   "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}})
    cluster.step(30)
    return cluster


def pod_of(cluster: Cluster, app_name: str) -> dict:
    return next(p for p in cluster.api.list("pods", namespace=None)["items"]
                if (p["metadata"].get("labels") or {}).get("app") == app_name)


def reach(cluster: Cluster, source: str, url: str = "web.default") -> int | None:
    pod = pod_of(cluster, source)
    return cluster.http_request(url, from_pod=pod["metadata"]["name"], namespace=pod["metadata"]["namespace"])[
        "status"]


def test_without_policies_everything_connects(net):
    assert reach(net, "client") == reach(net, "other") == reach(net, "remote") == 200


def test_default_deny_ingress_isolates_every_pod_of_the_namespace(net):
    net.api.apply(policy("deny", {"podSelector": {}}))
    assert net.api.get("networkpolicies", "deny")["spec"]["policyTypes"] == ["Ingress"]
    assert reach(net, "client") is None
    assert reach(net, "remote") is None


def test_allowing_policies_add_up(net):
    net.api.apply(policy("deny", {"podSelector": {}}))
    net.api.apply(policy("clients", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
        {"from": [{"podSelector": {"matchLabels": {"app": "client"}}}], "ports": [{"port": "http"}]}]}))
    net.api.apply(policy("team-a", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
        {"from": [{"namespaceSelector": {"matchLabels": {"team": "a"}}}]}]}))
    assert reach(net, "client") == 200
    assert reach(net, "remote") == 200
    assert reach(net, "other") is None


def test_ports_must_match_the_destination_port(net):
    net.api.apply(policy("only-8080", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
        {"ports": [{"port": 8000, "endPort": 8080}]}]}))
    assert reach(net, "client") is None


def test_ip_blocks_match_the_source_address(net):
    client_ip = pod_of(net, "client")["status"]["podIP"]
    net.api.apply(policy("by-ip", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
        {"from": [{"ipBlock": {"cidr": "10.244.0.0/16", "except": [f"{client_ip}/32"]}}]}]}))
    assert reach(net, "client") is None
    assert reach(net, "other") == 200


def test_egress_isolation_blocks_dns_unless_allowed(net):
    net.api.apply(policy("client-egress", {"podSelector": {"matchLabels": {"app": "client"}},
                                           "policyTypes": ["Egress"]}))
    pod = pod_of(net, "client")["metadata"]["name"]
    assert net.http_request("web", from_pod=pod)["error"] == "curl: (6) Could not resolve host: web"
    web_ip = pod_of(net, "web")["status"]["podIP"]
    assert net.http_request(web_ip, from_pod=pod)["timed_out"] is True
    net.api.apply(policy("client-egress", {"podSelector": {"matchLabels": {"app": "client"}}, "policyTypes": ["Egress"],
                                       "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]},
                                                  {"to": [{"podSelector": {"matchLabels": {"app": "web"}}}]}]}))
    assert net.http_request("web", from_pod=pod)["status"] == 200


def test_curl_and_wget_time_out_as_they_report_it(net):
    net.api.apply(policy("deny", {"podSelector": {}}))
    client = pod_of(net, "client")["metadata"]["name"]
    plain = run_command(net, f"kubectl exec {client} -- curl web", actor="user:ada")
    assert plain.exit_code == 28
    assert plain.stderr.startswith("curl: (28) Failed to connect to web port 80 after ")
    limited = run_command(net, f"kubectl exec {client} -- curl -m 5 web", actor="user:ada")
    assert "curl: (28) Connection timed out after 5001 milliseconds" in limited.stderr
    connect = run_command(net, f"kubectl exec {client} -- curl --connect-timeout 2 web", actor="user:ada")
    assert "curl: (28) Failed to connect to web port 80 after 2001 ms: Timeout was reached" in connect.stderr


def test_validation_words_as_upstream(net):
    from cluster_engine.sim.errors import Status

    with pytest.raises(Status) as error:
        net.api.apply(policy("bad", {"podSelector": {}, "ingress": [{"from": [{}], "ports": [{"endPort": 90}]}]}))
    assert "spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is not specified" \
        in error.value.message
    assert "spec.ingress[0].from[0]: Required value: must specify a peer" in error.value.message
