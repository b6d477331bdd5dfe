"""NodeUnschedulable, NodeName, NodePorts and ImageLocality."""

from __future__ import annotations

import numpy as np
import pytest
from sched_helpers import Harness

from cluster_engine.sim.scheduler.plugins.image_locality import MB, image_score
from cluster_engine.sim.scheduler.plugins.node_ports import ports_conflict


def test_cordoned_node_gets_no_pods():
    h = Harness()
    h.node("cordoned", unschedulable=True)
    h.node("open", cpu="1")
    h.pod("p")
    h.run()
    assert h.placement("p") == "open"


def test_pod_tolerating_unschedulable_taint_may_use_cordoned_node():
    h = Harness()
    h.node("cordoned", unschedulable=True)
    h.pod(
        "ds",
        tolerations=[
            {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}
        ],
    )
    h.run()
    assert h.placement("ds") == "cordoned"


def test_uncordon_retries_pending_pod():
    h = Harness()
    node = h.node("n1", unschedulable=True)
    h.pod("p")
    h.run()
    assert h.placement("p") is None
    node["spec"]["unschedulable"] = False
    h.scheduler.observe("MODIFIED", node)
    h.run(now=1.0)
    assert h.placement("p") == "n1"


@pytest.mark.parametrize(
    ("wanted", "used", "conflict"),
    [
        ([("0.0.0.0", "TCP", 80)], [("0.0.0.0", "TCP", 80)], True),
        ([("127.0.0.1", "TCP", 80)], [("0.0.0.0", "TCP", 80)], True),
        ([("127.0.0.1", "TCP", 80)], [("10.0.0.1", "TCP", 80)], False),
        ([("0.0.0.0", "UDP", 80)], [("0.0.0.0", "TCP", 80)], False),
        ([("0.0.0.0", "TCP", 8080)], [("0.0.0.0", "TCP", 80)], False),
    ],
)
def test_ports_conflict(wanted, used, conflict):
    assert ports_conflict(wanted, used) is conflict


def test_host_port_taken_on_one_node():
    h = Harness()
    h.node("n1")
    h.node("n2", cpu="1")
    port = {"containerPort": 80, "hostPort": 8080}
    h.pod("first", node_name="n1", containers=[{"name": "c", "image": "nginx", "ports": [port]}])
    h.pod("second", containers=[{"name": "c", "image": "nginx", "ports": [port]}])
    h.run()
    assert h.placement("second") == "n2"
    h.pod("third", containers=[{"name": "c", "image": "nginx", "ports": [port]}])
    h.run()
    assert h.failures["default/third"].startswith(
        "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports."
    )


def test_image_locality_prefers_node_with_the_image():
    h = Harness()
    h.node("without")
    h.node("with", images=[("docker.io/library/redis:7", 300 * MB)])
    h.pod("p", image="docker.io/library/redis:7")
    h.run()
    assert h.placement("p") == "with"


def test_image_score_thresholds():
    # Below 23 MB scores 0; at 1000 MB per container it is 100.
    assert image_score(np.array([10 * MB, 1000 * MB, 5000 * MB]), 1).tolist() == [0, 100, 100]
