"""Services: ClusterIP and NodePort allocation, the system Services, Endpoints and EndpointSlices."""

from __future__ import annotations

import ipaddress

import pytest
from svc_helpers import service, web_pod

from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.errors import Status


def test_cluster_starts_with_kubernetes_and_kube_dns_services(cluster: Cluster) -> None:
    assert cluster.api.get("services", "kubernetes")["spec"]["clusterIP"] == "10.96.0.1"
    dns = cluster.api.get("services", "kube-dns", namespace="kube-system")
    assert dns["spec"]["clusterIP"] == "10.96.0.10"
    assert len(cluster.api.get("endpoints", "kube-dns", namespace="kube-system")["subsets"][0]["addresses"]) == 2


def test_dynamic_cluster_ip_comes_from_the_upper_band_of_the_range(cluster: Cluster) -> None:
    ip = ipaddress.ip_address(cluster.api.create(service())["spec"]["clusterIP"])
    assert ip in ipaddress.ip_network("10.96.0.0/12")
    assert ip >= ipaddress.ip_address("10.96.1.0")


def test_taken_cluster_ip_is_refused_with_upstream_message(cluster: Cluster) -> None:
    with pytest.raises(Status) as caught:
        cluster.api.create(service(clusterIP="10.96.0.10"))
    assert "failed to allocate IP 10.96.0.10: provided IP is already allocated" in caught.value.message


def test_node_port_is_allocated_in_range_and_a_taken_one_refused(cluster: Cluster) -> None:
    port = cluster.api.create(service(type="NodePort"))["spec"]["ports"][0]["nodePort"]
    assert 30000 <= port <= 32767
    with pytest.raises(Status) as caught:
        cluster.api.create(service("other", type="NodePort", ports=[{"port": 80, "nodePort": port}]))
    assert "provided port is already allocated" in caught.value.message


def test_headless_service_gets_no_cluster_ip(cluster: Cluster) -> None:
    assert cluster.api.create(service(clusterIP="None"))["spec"]["clusterIPs"] == ["None"]


def test_external_name_service_has_no_cluster_ip(cluster: Cluster) -> None:
    svc = cluster.api.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "db"},
            "spec": {"type": "ExternalName", "externalName": "db.example.com"},
        }
    )
    assert "clusterIP" not in svc["spec"]


def test_two_ports_need_names(cluster: Cluster) -> None:
    with pytest.raises(Status) as caught:
        cluster.api.create(service(ports=[{"port": 80}, {"port": 443}]))
    assert caught.value.causes[0].field == "spec.ports[0].name"


def test_endpoints_list_ready_and_not_ready_pods_with_named_target_port(cluster: Cluster) -> None:
    cluster.api.create(service())
    cluster.api.create(web_pod("ready"))
    pending = web_pod("broken", image="nginx:no-such-tag")
    cluster.api.create(pending)
    cluster.step(30)
    subsets = cluster.api.get("endpoints", "web")["subsets"]
    assert [a["targetRef"]["name"] for a in subsets[0]["addresses"]] == ["ready"]
    assert subsets[0]["ports"] == [{"port": 80, "protocol": "TCP"}]


def test_endpoints_follow_pods_as_they_go(cluster: Cluster) -> None:
    cluster.api.create(service())
    cluster.api.create(web_pod("a"))
    cluster.step(30)
    cluster.api.delete("pods", "a")
    cluster.step(60)
    assert "subsets" not in cluster.api.get("endpoints", "web")


def test_endpointslices_hold_at_most_100_endpoints(cluster: Cluster) -> None:
    cluster.api.create(service())
    for index in range(105):
        cluster.api.create(web_pod(f"p{index}", image="registry.k8s.io/pause:3.10"))
    cluster.step(60)
    slices = cluster.api.list("endpointslices", label_selector="kubernetes.io/service-name=web")["items"]
    assert sorted(len(s["endpoints"]) for s in slices) == [5, 100]
    assert all(s["metadata"]["name"].startswith("web-") for s in slices)


def test_service_without_pods_has_one_empty_endpointslice(cluster: Cluster) -> None:
    cluster.api.create(service())
    cluster.step(1)
    slices = cluster.api.list("endpointslices", label_selector="kubernetes.io/service-name=web")["items"]
    assert len(slices) == 1
    assert slices[0]["endpoints"] == []
