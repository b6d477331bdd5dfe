"""The simulated metrics-server (`sim/metrics.py`): when the Metrics API exists and answers, and usage that is
deterministic, plausible and consistent with what the simulation runs in each container."""

from __future__ import annotations

import pytest
from sim_helpers import SMALL, pod

from cluster_engine.sim import metrics, scenario
from cluster_engine.sim.errors import Status
from cluster_engine.sim.quantity import cpu_millis, memory_bytes, parse_quantity

MiB = 1024 * 1024


def _usage(item: dict) -> tuple[float, int]:
    """(millicores, bytes) of a NodeMetrics or a PodMetrics (summed over its containers)."""
    usages = [item["usage"]] if "usage" in item else [c["usage"] for c in item["containers"]]
    cpu = sum(parse_quantity(u["cpu"]) for u in usages) * 1000
    return float(cpu), int(sum(parse_quantity(u["memory"]) for u in usages))


def _run(cluster, manifest: dict, seconds: float = 60) -> dict:
    cluster.api.create(manifest)
    cluster.step(seconds)
    return metrics.get_pod_metrics(cluster.api, cluster.now, "default", manifest["metadata"]["name"])


def test_the_default_cluster_runs_metrics_server_and_serves_every_ready_node(cluster):
    assert metrics.api_state(cluster.api) == metrics.AVAILABLE
    server = cluster.api.list("pods", namespace="kube-system", label_selector="k8s-app=metrics-server")["items"]
    assert [p["status"]["phase"] for p in server] == ["Running"]
    assert server[0]["metadata"]["name"].startswith("metrics-server-7fbb699795-")
    nodes = metrics.list_node_metrics(cluster.api, cluster.now)
    assert [n["metadata"]["name"] for n in nodes] == ["control-plane", "worker-1", "worker-2"]
    assert {n["window"] for n in nodes} == {"20s"}
    system = metrics.list_pod_metrics(cluster.api, cluster.now, namespace="kube-system")
    assert len(system) == len(cluster.api.list("pods", namespace="kube-system")["items"])


def test_without_metrics_server_there_is_no_metrics_api():
    assert metrics.api_state(scenario.build(dict(SMALL, metricsServer=False)).api) == metrics.ABSENT


def test_metrics_server_without_a_ready_endpoint_makes_the_api_unavailable(cluster):
    cluster.api.patch("deployments", "metrics-server", {"spec": {"replicas": 0}}, namespace="kube-system",
                  patch_type="merge")
    cluster.step(60)
    assert metrics.api_state(cluster.api) == metrics.UNAVAILABLE
    assert metrics.unavailable("nodes", "worker-1").kubectl_text() == (
        "Error from server (ServiceUnavailable): the server is currently unable to handle the request "
        "(get nodes.metrics.k8s.io worker-1)")
    cluster.api.delete("services", "metrics-server", namespace="kube-system")
    assert metrics.api_state(cluster.api) == metrics.ABSENT


def test_usage_is_reproducible_and_moves_once_per_scrape(cluster):
    first = metrics.list_node_metrics(cluster.api, cluster.now)
    assert metrics.list_node_metrics(cluster.api, cluster.now) == first
    assert scenario.build(SMALL).dumps() == scenario.build(SMALL).dumps()
    start = metrics.scrape_time(cluster.now)
    same_scrape = metrics.list_node_metrics(cluster.api, start + 14.9)
    assert [n["usage"] for n in same_scrape] == [n["usage"] for n in metrics.list_node_metrics(cluster.api, start)]
    assert same_scrape[0]["timestamp"] == metrics.list_node_metrics(cluster.api, start)[0]["timestamp"]
    later = metrics.list_node_metrics(cluster.api, start + 15)
    assert [n["usage"] for n in later] != [n["usage"] for n in same_scrape]


def test_idle_containers_use_a_few_millicores_and_their_process_memory(cluster):
    cpu, memory = _usage(_run(cluster, pod("web")))
    assert 0 < cpu <= 2
    assert 5 * MiB <= memory <= 6 * MiB  # nginx's resident memory in the image catalogue
    cpu, memory = _usage(_run(cluster, pod("nap", image="busybox", command=["sleep", "3600"])))
    assert cpu == 0  # a sleeping process uses no CPU between two scrapes
    assert memory < MiB


def test_the_control_plane_uses_what_a_quiet_kubeadm_control_plane_uses(cluster):
    usage = {p["metadata"]["name"]: _usage(p) for p in metrics.list_pod_metrics(cluster.api, cluster.now,
                                                                               namespace="kube-system")}
    apiserver_cpu, apiserver_memory = usage["kube-apiserver-control-plane"]
    assert 20 <= apiserver_cpu <= 60
    assert 200 * MiB <= apiserver_memory <= 260 * MiB
    control, worker = (_usage(n) for n in metrics.list_node_metrics(cluster.api, cluster.now)[:2])
    assert control[0] > worker[0]
    assert control[1] > worker[1]


def test_stress_cpu_workers_are_throttled_at_the_cpu_limit(cluster):
    stressed = pod("burn", image="polinux/stress", command=["stress", "--cpu", "2"],
                   resources={"limits": {"cpu": "500m"}, "requests": {"cpu": "100m"}})
    cpu, _memory = _usage(_run(cluster, stressed))
    assert cpu == pytest.approx(500, abs=1)
    unlimited = pod("burn-free", image="polinux/stress", command=["stress", "--cpu", "1"], node="worker-2")
    cpu, _memory = _usage(_run(cluster, unlimited))
    assert 970 <= cpu <= 1000


def test_stress_vm_bytes_is_the_working_set_within_the_memory_limit(cluster):
    # the Kubernetes docs' memory-demo: 150M in a container limited to 200Mi
    demo = pod("memory-demo", image="polinux/stress", command=["stress"],
               args=["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"],
               resources={"limits": {"memory": "200Mi"}, "requests": {"memory": "100Mi"}})
    cpu, memory = _usage(_run(cluster, demo))
    assert 135 * MiB <= memory <= 150 * MiB
    assert cpu < 5  # --vm-hang: the worker sleeps once it has its memory


def test_a_container_over_its_memory_limit_is_oom_killed_and_never_reported(cluster):
    over = pod("memory-demo-2", image="polinux/stress", command=["stress"],
               args=["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"],
               resources={"limits": {"memory": "100Mi"}})
    cluster.api.create(over)
    cluster.step(120)
    status = cluster.api.get("pods", "memory-demo-2")["status"]["containerStatuses"][0]
    assert status["lastState"]["terminated"]["reason"] == "OOMKilled"
    with pytest.raises(Status) as missing:
        metrics.get_pod_metrics(cluster.api, cluster.now, "default", "memory-demo-2")
    assert missing.value.message == 'pods.metrics.k8s.io "default/memory-demo-2" not found'


def test_a_container_has_metrics_once_two_scrapes_have_seen_it(cluster):
    cluster.api.create(pod("web"))
    cluster.step(5)
    with pytest.raises(Status):
        metrics.get_pod_metrics(cluster.api, cluster.now, "default", "web")
    cluster.step(30)
    assert metrics.get_pod_metrics(cluster.api, cluster.now, "default", "web")["containers"][0]["name"] == "app"


def test_a_node_is_its_pods_plus_the_kubelet_runtime_and_system(cluster):
    scrape = metrics.scrape_time(cluster.now)
    node = metrics.get_node_metrics(cluster.api, cluster.now, "control-plane")
    pods = cluster.api.list("pods", field_selector="spec.nodeName=control-plane")["items"]
    container_cpu = sum(metrics.container_usage(p, c, scrape)[0] for p in pods for c in p["spec"]["containers"])
    container_memory = sum(metrics.container_usage(p, c, scrape)[1] for p in pods for c in p["spec"]["containers"])
    cpu, memory = _usage(node)
    assert cpu * 1e6 - container_cpu >= 0.85 * metrics.NODE_CPU * 1e6
    assert memory - container_memory >= 0.95 * metrics.NODE_MEMORY
    capacity = cluster.api.get("nodes", "control-plane")["status"]["capacity"]
    assert cpu < cpu_millis(capacity["cpu"])
    assert memory < memory_bytes(capacity["memory"])


def test_a_node_whose_kubelet_stopped_has_no_metrics_nor_do_its_pods(cluster):
    cluster.api.create(pod("web", node="worker-1"))
    cluster.step(60)
    cluster.set_component("kubelet/worker-1", running=False)
    cluster.step(60)
    assert [n["metadata"]["name"] for n in metrics.list_node_metrics(cluster.api, cluster.now)] == \
        ["control-plane", "worker-2"]
    with pytest.raises(Status) as missing:
        metrics.get_node_metrics(cluster.api, cluster.now, "worker-1")
    assert missing.value.message == 'nodes.metrics.k8s.io "worker-1" not found'
    assert metrics.list_pod_metrics(cluster.api, cluster.now, namespace="default") == []


def test_pod_metrics_filter_by_labels_and_by_object_meta_fields_only(cluster):
    cluster.api.create(pod("web", node="worker-1") | {"metadata": {"name": "web", "labels": {"app": "web"}}})
    cluster.api.create(pod("db", node="worker-2"))
    cluster.step(60)
    names = [p["metadata"]["name"] for p in metrics.list_pod_metrics(cluster.api, cluster.now, namespace="default")]
    assert names == ["db", "web"]
    assert [p["metadata"]["name"] for p in metrics.list_pod_metrics(
        cluster.api, cluster.now, namespace="default", label_selector="app=web")] == ["web"]
    assert [p["metadata"]["name"] for p in metrics.list_pod_metrics(
        cluster.api, cluster.now, field_selector="metadata.name=db")] == ["db"]
    # metrics-server only knows metadata fields: any other field selector matches nothing
    assert metrics.list_pod_metrics(cluster.api, cluster.now, field_selector="spec.nodeName=worker-1") == []
