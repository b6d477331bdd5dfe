"""kube-proxy and cluster DNS, simulated: requests by DNS name, ClusterIP, NodePort, per-pod names."""

from __future__ import annotations

from svc_helpers import service, statefulset, web_pod

from cluster_engine.sim.cluster import Cluster


def _two_pods(cluster: Cluster) -> None:
    cluster.api.create(web_pod("a"))
    cluster.api.create(web_pod("b"))
    cluster.step(30)


def test_request_by_dns_name_is_answered_by_a_ready_pod(cluster: Cluster) -> None:
    cluster.api.create(service())
    _two_pods(cluster)
    reply = cluster.http_request("http://web.default.svc.cluster.local/")
    assert reply["status"] == 200
    assert "Welcome to nginx!" in reply["body"]
    assert reply["pod"] in ("a", "b")
    assert reply["service"] == "web"


def test_requests_are_spread_over_endpoints_at_random(cluster: Cluster) -> None:
    cluster.api.create(service())
    _two_pods(cluster)
    answered = {cluster.http_request("web")["pod"] for _ in range(20)}
    assert answered == {"a", "b"}


def test_request_by_cluster_ip_and_port(cluster: Cluster) -> None:
    ip = cluster.api.create(service())["spec"]["clusterIP"]
    _two_pods(cluster)
    assert cluster.http_request(f"http://{ip}:80/")["status"] == 200


def test_request_to_node_port_on_any_node(cluster: Cluster) -> None:
    port = cluster.api.create(service(type="NodePort"))["spec"]["ports"][0]["nodePort"]
    _two_pods(cluster)
    for node in cluster.api.list("nodes")["items"]:
        address = node["status"]["addresses"][0]["address"]
        assert cluster.http_request(f"http://{address}:{port}/")["status"] == 200


def test_service_without_ready_endpoints_refuses_the_connection(cluster: Cluster) -> None:
    cluster.api.create(service())
    reply = cluster.http_request("http://web/")
    assert reply["status"] is None
    assert "Connection refused" in reply["error"]


def test_unknown_name_does_not_resolve(cluster: Cluster) -> None:
    assert "Could not resolve host: nothing" in cluster.http_request("http://nothing/")["error"]


def test_short_name_resolves_in_the_pods_namespace(cluster: Cluster) -> None:
    cluster.api.create(service())
    _two_pods(cluster)
    assert cluster.http_request("web", from_pod="a")["status"] == 200


def test_statefulset_pod_has_its_own_dns_name(cluster: Cluster) -> None:
    cluster.api.create(service(clusterIP="None", selector={"app": "web"}))
    cluster.api.create(statefulset("web", replicas=2))
    cluster.step(60)
    reply = cluster.http_request("http://web-1.web.default.svc.cluster.local/")
    assert (reply["status"], reply["pod"]) == (200, "web-1")


def test_unserved_path_is_404(cluster: Cluster) -> None:
    cluster.api.create(service())
    _two_pods(cluster)
    assert cluster.http_request("http://web/missing")["status"] == 404


def test_localhost_is_the_pod_itself(cluster: Cluster) -> None:
    _two_pods(cluster)
    for host in ("localhost", "127.0.0.1", "[::1]"):
        reply = cluster.http_request(f"http://{host}:80/", from_pod="b")
        assert (reply["status"], reply["pod"]) == (200, "b")
    refused = cluster.http_request("localhost:81", from_pod="b")
    assert refused["error"] == "curl: (7) Failed to connect to localhost port 81 after 0 ms: Couldn't connect to server"
    assert cluster.http_request("http://localhost/")["status"] is None  # a node's own servers are not simulated
