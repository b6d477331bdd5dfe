"""DefaultPreemption: a PriorityClass'd pod evicts lower-priority pods and is nominated to their node."""

from __future__ import annotations

from sched_helpers import Harness

from cluster_engine.sim.scheduler.plugins.default_preemption import num_candidates


def test_high_priority_pod_preempts_low_priority_pod():
    h = Harness(evict_immediately=False)
    h.priority_class("high", 1000)
    h.node("n1", cpu="2")
    h.pod("low", cpu="1500m", node_name="n1", priority=0)
    h.pod("vip", cpu="1", priorityClassName="high")
    h.run()
    assert h.evictions == [("default/low", "default/vip")]
    assert h.nominations["default/vip"] == "n1"
    assert h.failures["default/vip"] == "0/1 nodes are available: 1 Insufficient cpu."
    assert h.last("vip")["preemption"]["victims"] == ["default/low"]
    # The victim terminates: the preemptor is retried and lands on the nominated node.
    h.delete_pod("default/low")
    h.run(now=1.0)
    assert h.placement("vip") == "n1"


def test_nominated_room_is_not_taken_by_lower_priority_pods():
    h = Harness(evict_immediately=False)
    h.priority_class("high", 1000)
    h.node("n1", cpu="2")
    h.pod("low", cpu="1500m", node_name="n1", priority=0)
    h.pod("vip", cpu="1", priorityClassName="high")
    h.run()
    h.delete_pod("default/low")
    h.pod("sneaky", cpu="1500m", priority=0)
    h.run(now=0.5)  # vip still backing off; sneaky must not take the room kept for it
    assert h.placement("sneaky") is None
    h.run(now=1.0)
    assert h.placement("vip") == "n1"


def test_preemption_picks_fewest_least_important_victims():
    h = Harness()
    h.priority_class("high", 1000)
    h.node("n1", cpu="2")
    h.node("n2", cpu="2")
    h.pod("mid", cpu="2", node_name="n1", priority=500)
    h.pod("low-a", cpu="1", node_name="n2", priority=10)
    h.pod("low-b", cpu="1", node_name="n2", priority=10)
    h.pod("vip", cpu="1", priorityClassName="high")
    h.run()
    # n2's highest victim (10) beats n1's (500); only one of its two pods has to go.
    assert h.nominations["default/vip"] == "n2"
    assert len(h.evictions) == 1
    assert h.evictions[0][0] in ("default/low-a", "default/low-b")


def test_equal_priority_pods_are_not_victims():
    h = Harness()
    h.node("n1", cpu="1")
    h.pod("a", cpu="1", node_name="n1", priority=100)
    h.pod("b", cpu="1", priority=100)
    h.run()
    assert h.evictions == []
    assert h.failures["default/b"].endswith(
        "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
    )


def test_preemption_that_would_not_help_reports_the_filter_reason():
    h = Harness()
    h.priority_class("high", 1000)
    h.node("n1", cpu="1")
    h.pod("low", cpu="500m", node_name="n1", priority=0)
    h.pod("vip", cpu="2", priorityClassName="high")
    h.run()
    assert h.evictions == []
    assert h.failures["default/vip"] == (
        "0/1 nodes are available: 1 Insufficient cpu. "
        "preemption: 0/1 nodes are available: 1 Insufficient cpu."
    )


def test_num_candidates():
    assert num_candidates(50) == 50
    assert num_candidates(500) == 100
    assert num_candidates(5000) == 500


def test_nominated_node_is_tried_first():
    h = Harness()
    for name in ("n1", "n2", "n3"):
        h.node(name)
    pod = h.pod("p")
    pod = {**pod, "status": {**pod["status"], "nominatedNodeName": "n3"}}
    h.pods["default/p"] = pod
    h.scheduler.observe("MODIFIED", pod)
    h.run()
    assert h.placement("p") == "n3"
    assert h.last("p")["nominatedNode"] == "n3"
