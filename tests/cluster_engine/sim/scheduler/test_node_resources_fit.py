"""NodeResourcesFit and NodeResourcesBalancedAllocation: requests (with init containers, sidecars, overhead)
must fit; LeastAllocated, MostAllocated and balance scores as upstream computes them."""

from __future__ import annotations

import pytest
from sched_helpers import Harness

from cluster_engine.sim.scheduler import Profile
from cluster_engine.sim.scheduler.plugins.balanced_allocation import balanced_score
from cluster_engine.sim.scheduler.plugins.node_resources_fit import insufficient_resources
from cluster_engine.sim.scheduler.podinfo import pod_requests


def container(cpu: str, memory: str | None = None, **extra):
    requests = {"cpu": cpu, **({"memory": memory} if memory else {})}
    return {"name": "c", "image": "busybox", "resources": {"requests": requests}, **extra}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            {"containers": [container("100m", "100Mi"), container("200m")]},
            {"cpu": 300, "memory": 100 * 2**20},
        ),
        # An init container asking for more than all app containers together sets the request.
        ({"containers": [container("100m")], "initContainers": [container("2")]}, {"cpu": 2000}),
        ({"containers": [container("3")], "initContainers": [container("2")]}, {"cpu": 3000}),
        # A sidecar (restartable init container) runs alongside the app containers: it adds up.
        (
            {"containers": [container("1")], "initContainers": [container("500m", restartPolicy="Always")]},
            {"cpu": 1500},
        ),
        ({"containers": [container("1")], "overhead": {"cpu": "250m"}}, {"cpu": 1250}),
        # Limits without requests default the requests.
        (
            {"containers": [{"name": "c", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]},
            {"cpu": 1000, "memory": 2**30},
        ),
    ],
)
def test_pod_requests(spec, expected):
    assert pod_requests(spec) == expected


@pytest.mark.parametrize(
    ("requests", "requested", "pods", "reasons"),
    [
        ({"cpu": 1000}, {"cpu": 3000}, 0, []),
        ({"cpu": 1001}, {"cpu": 3000}, 0, ["Insufficient cpu"]),
        (
            {"cpu": 1000, "memory": 5},
            {"cpu": 3500, "memory": 8},
            0,
            ["Insufficient cpu", "Insufficient memory"],
        ),
        ({"cpu": 0}, {"cpu": 4000}, 0, []),  # a best-effort pod fits a full node
        ({"cpu": 1}, {}, 10, ["Too many pods"]),
        ({"example.com/gpu": 1}, {}, 0, ["Insufficient example.com/gpu"]),
    ],
)
def test_insufficient_resources(requests, requested, pods, reasons):
    allocatable = {"cpu": 4000, "memory": 10, "pods": 10}
    assert insufficient_resources(requests, allocatable, requested, pods) == reasons


def test_pod_goes_where_it_fits():
    h = Harness()
    h.node("small", cpu="1")
    h.node("large", cpu="4")
    h.pod("p", cpu="2")
    h.run()
    assert h.placement("p") == "large"


def test_existing_requests_count_and_init_containers_count():
    h = Harness()
    h.node("n1", cpu="2")
    h.pod("running", cpu="1500m", node_name="n1")
    h.pod("p", cpu="100m", initContainers=[container("1")])
    h.run()
    assert h.placement("p") is None
    assert "1 Insufficient cpu" in h.failures["default/p"]


def test_extended_resource_fits_only_where_advertised():
    h = Harness()
    h.node("plain")
    h.node("gpu", extra={"nvidia.com/gpu": "2"})
    h.pod("p", requests={"nvidia.com/gpu": "1"})
    h.run()
    assert h.placement("p") == "gpu"


def scores_for(profile: Profile | None = None):
    h = Harness(profile)
    # Upstream's documented example: node 4000m / 10000 bytes, pod 3000m / 5000 bytes.
    h.node("n1", cpu="4", memory="10000")
    h.node("n2", cpu="4", memory="10000")
    h.pod("p", cpu="3", memory="5000")
    h.run()
    score = h.last("p")["score"]
    row = score["nodes"][0]
    return dict(zip(score["plugins"], row["raw"], strict=True))


def test_least_allocated_score():
    # cpu (4000-3000)*100/4000 = 25, memory (10000-5000)*100/10000 = 50, mean 37.
    assert scores_for()["NodeResourcesFit"] == 37


def test_most_allocated_score():
    # cpu 3000*100/4000 = 75, memory 50, mean 62.
    profile = Profile.from_dict(
        {"pluginConfig": {"NodeResourcesFit": {"scoringStrategy": {"type": "MostAllocated"}}}}
    )
    assert scores_for(profile)["NodeResourcesFit"] == 62


def test_balanced_allocation_score():
    # fractions 0.75 and 0.5: standard deviation 0.125, score 87.
    assert scores_for()["NodeResourcesBalancedAllocation"] == 87
    assert balanced_score([0.75, 0.5]) == 87
    assert balanced_score([2.0, 1.0]) == 100


def test_least_allocated_spreads_pods():
    h = Harness()
    h.node("a", cpu="4")
    h.node("b", cpu="4")
    for i in range(4):
        h.pod(f"p{i}", cpu="1")
    h.run()
    placed = [h.placement(f"p{i}") for i in range(4)]
    assert placed.count("a") == 2
    assert placed.count("b") == 2
