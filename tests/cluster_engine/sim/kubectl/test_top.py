"""The in-page `kubectl top node|pod` against a simulated cluster: kubectl 1.32's columns, percentages, sorting,
`--containers`, `--sum`, `--no-headers`, and its errors when the Metrics API is missing, down or empty. (The same
text as the real kubectl is checked in tests/cluster_engine/kubeapi/test_parity.py.)"""

from __future__ import annotations

import math

import pytest

from cluster_engine.sim import metrics, scenario
from cluster_engine.sim.kubectl.client import run_command
from cluster_engine.sim.kubectl.info import go_duration
from cluster_engine.sim.quantity import parse_quantity

ACTOR = "user:learner"
SPEC = {"seed": 3, "nodes": [{"name": "control-plane", "role": "control-plane", "cpu": "2", "memory": "4Gi"},
                             {"name": "worker-1", "cpu": "2", "memory": "4Gi"},
                             {"name": "worker-2", "cpu": "4", "memory": "8Gi"}]}
WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: "nginx:1.27"}
      - {name: sidecar, image: busybox, command: [sh, -c, "while true; do echo tick; sleep 5; done"]}
"""


@pytest.fixture(scope="module")
def built():
    cluster = scenario.build(SPEC)
    assert run_command(cluster, "kubectl apply -f -", actor=ACTOR, stdin=WEB).exit_code == 0
    cluster.step(90)
    return cluster


def top(cluster, line: str, **kwargs):
    return run_command(cluster, f"kubectl top {line}", actor=ACTOR, **kwargs)


def rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines()]


def test_top_node_prints_usage_and_its_share_of_allocatable(built):
    result = top(built, "nodes")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "NAME            CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)   "
    table = rows(result.stdout)
    assert [row[0] for row in table[1:]] == ["control-plane", "worker-1", "worker-2"]
    node = metrics.get_node_metrics(built.api, built.now, "worker-2")
    cpu = math.ceil(parse_quantity(node["usage"]["cpu"]) * 1000)
    memory = int(parse_quantity(node["usage"]["memory"]))
    allocatable = built.api.get("nodes", "worker-2")["status"]["allocatable"]
    expected_memory_share = int(memory * 1000 / (int(parse_quantity(allocatable["memory"])) * 1000) * 100)
    assert table[3] == ["worker-2", f"{cpu}m", f"{int(cpu / 4000 * 100)}%", f"{memory // 2**20}Mi",
                        f"{expected_memory_share}%"]
    capacity = rows(top(built, "node worker-2 --show-capacity --no-headers").stdout)[0]
    assert capacity[:3] == table[3][:3]
    assert int(capacity[4].rstrip("%")) <= int(table[3][4].rstrip("%"))


def test_top_node_sorts_by_cpu_or_memory_and_filters_by_label(built):
    by_cpu = [row[0] for row in rows(top(built, "node --sort-by=cpu --no-headers").stdout)]
    assert by_cpu[0] == "control-plane"
    workers = rows(top(built, "node -l '!node-role.kubernetes.io/control-plane'").stdout)
    assert [row[0] for row in workers[1:]] == ["worker-1", "worker-2"]


def test_top_pod_lists_the_namespace_and_all_namespaces(built):
    default = rows(top(built, "pod").stdout)
    assert default[0] == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert [row[0][:4] for row in default[1:]] == ["web-", "web-"]
    everywhere = rows(top(built, "pods -A").stdout)
    assert everywhere[0] == ["NAMESPACE", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert {row[0] for row in everywhere[1:]} == {"default", "kube-system"}
    assert [row[:2] for row in everywhere[1:]] == sorted(row[:2] for row in everywhere[1:])


def test_top_pod_containers_sum_and_sort(built):
    containers = rows(top(built, "pod -l app=web --containers").stdout)
    assert containers[0] == ["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert [row[1] for row in containers[1:]] == ["nginx", "sidecar", "nginx", "sidecar"]
    summed = top(built, "pod -l app=web --sum").stdout.splitlines()
    assert summed[-2].split() == ["________", "________"]
    total = sum(int(row[2].rstrip("Mi")) for row in rows("\n".join(summed[1:-2])))
    assert abs(int(summed[-1].split()[1].rstrip("Mi")) - total) <= 2  # the sum of exact bytes, then MiB
    by_memory = rows(top(built, "pod -A --sort-by=memory --no-headers").stdout)
    assert by_memory[0][1] == "kube-apiserver-control-plane"
    no_headers_sum = top(built, "pod -A --no-headers --sum").stdout.splitlines()
    assert no_headers_sum[-2].startswith("              ________   ")  # kubectl's column count without headers


def test_top_pod_errors_read_like_kubectl(built):
    assert top(built, "pod a b").stderr == \
        "error: pod [NAME | -l label]\nSee 'kubectl top pod -h' for help and examples\n"
    assert top(built, "node --sort-by=disk").stderr == "error: --sort-by accepts only cpu or memory\n"
    assert top(built, "node worker-1 -l a=b").stderr == "error: only one of NAME or --selector can be provided\n"
    assert top(built, "pod web -l a=b").stderr == "error: only one of NAME or selector can be provided\n"
    missing = top(built, "pod nope")
    assert (missing.stderr, missing.exit_code) == ('Error from server (NotFound): pods "nope" not found\n', 1)
    assert top(built, "pod -n empty").stderr == "No resources found in empty namespace.\n"
    assert top(built, "pod -l app=nope -A").stderr == "No resources found\n"


def test_pods_without_metrics_yet_and_pods_that_should_have_them():
    cluster = scenario.build(SPEC)
    run_command(cluster, "kubectl run web --image=nginx:1.27", actor=ACTOR)
    cluster.step(5)
    assert top(cluster, "pod").stderr == "error: metrics not available yet\n"
    run_command(cluster, "kubectl run crash --image=busybox", actor=ACTOR)  # exits at once: CrashLoopBackOff
    cluster.step(200)
    result = top(cluster, "pod crash")
    assert result.stderr == 'Error from server (NotFound): pods.metrics.k8s.io "default/crash" not found\n'
    result = top(cluster, "pod -l run=crash")
    assert result.stderr.startswith("error: Metrics not available for pod default/crash, age: 3m")


def test_without_metrics_server_kubectl_finds_no_metrics_api():
    cluster = scenario.build(dict(SPEC, metricsServer=False))
    result = top(cluster, "nodes")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: Metrics API not available\n(This cluster runs no metrics-server")
    assert "metrics-server" in top(cluster, "pods", language="ru").stderr.splitlines()[1]


def test_a_metrics_server_without_ready_pods_gives_the_aggregators_503():
    cluster = scenario.build(SPEC)
    run_command(cluster, "kubectl -n kube-system scale deployment metrics-server --replicas=0", actor=ACTOR)
    cluster.step(60)
    assert top(cluster, "node").stderr == ("Error from server (ServiceUnavailable): the server is currently unable "
                                           "to handle the request (get nodes.metrics.k8s.io)\n")
    assert top(cluster, "pod web").stderr.endswith("(get pods.metrics.k8s.io web)\n")


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"), (0.75, "750ms"), (5, "5s"), (125.5, "2m5.5s"), (3600, "1h0m0s"),
    (90061.123456789, "25h1m1.123456789s"),
])
def test_ages_are_printed_as_go_durations(seconds, text):
    assert go_duration(seconds) == text
