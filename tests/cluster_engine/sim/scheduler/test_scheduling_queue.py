"""The scheduling queue: priority order, 1 s doubling backoff capped at 10 s, event-driven and five-minute
retries, and a round trip through to_json/from_json."""

from __future__ import annotations

import pytest
from sched_helpers import Harness, node_object, pod_object

from cluster_engine.sim.scheduler import Scheduler
from cluster_engine.sim.scheduler.queue import SchedulingQueue, backoff_duration


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (9, 10)])
def test_backoff_doubles_to_ten_seconds(attempts, seconds):
    assert backoff_duration(attempts) == seconds


def test_higher_priority_first_then_arrival():
    queue = SchedulingQueue()
    queue.add("ns/low", 0)
    queue.add("ns/high", 100)
    queue.add("ns/low2", 0)
    assert [queue.pop().key for _ in range(3)] == ["ns/high", "ns/low", "ns/low2"]
    assert queue.pop() is None


def test_priority_order_decides_who_gets_the_last_room():
    h = Harness()
    h.node("n1", cpu="1")
    h.pod("early-low", cpu="1", priority=0)
    h.pod("late-high", cpu="1", priority=10)
    h.run()
    assert h.placement("late-high") == "n1"


def test_unschedulable_pod_waits_for_a_cluster_event_then_backoff():
    h = Harness()
    h.node("n1", cpu="1")
    h.pod("p", cpu="2")
    assert h.run() == 300.0  # nothing changes: retried after five minutes
    assert h.run(now=100.0) == 300.0
    h.node("n2", cpu="4")  # a node arrives at t=0.2: the pod moves to backoffQ until 1 s
    assert h.run(now=0.2) == 1.0
    assert h.placement("p") is None
    h.run(now=1.0)
    assert h.placement("p") == "n2"


def test_unrelated_event_does_not_move_the_pod():
    h = Harness()
    h.node("n1", cpu="1")
    h.pod("p", cpu="2")
    h.run()
    h.pod("other", cpu="100m", node_name="n1")  # an assigned pod added cannot help a cpu shortage
    assert h.scheduler.queue.unschedulable
    h.delete_pod("default/other")  # but a deletion could
    assert not h.scheduler.queue.unschedulable


def test_five_minute_flush_retries_and_backoff_grows():
    h = Harness()
    h.node("n1", cpu="1")
    h.pod("p", cpu="2")
    h.run(now=0.0)
    h.run(now=300.0)
    attempts = h.scheduler.queue.pods["default/p"].attempts
    assert attempts == 2
    assert h.scheduler.queue.pods["default/p"].backoff_until == 302.0


def test_pod_for_another_scheduler_is_ignored():
    h = Harness()
    h.node("n1")
    h.pod("mine")
    h.pod("theirs", schedulerName="my-scheduler")
    h.run()
    assert h.placement("mine") == "n1"
    assert h.placement("theirs") is None
    assert "default/theirs" not in h.failures


def test_deleted_pending_pod_leaves_the_queue():
    h = Harness()
    h.node("n1", cpu="1")
    h.pod("p", cpu="2")
    h.run()
    h.delete_pod("default/p")
    assert h.run(now=1.0) is None


def test_to_json_round_trip_keeps_backoff():
    h = Harness()
    h.node("n1", cpu="1")
    h.pod("p", cpu="2")
    h.run()
    saved = h.scheduler.to_json()
    restored = Scheduler.from_json(saved)
    restored.observe("ADDED", node_object("n1", cpu="1"))
    restored.observe("ADDED", pod_object("p", cpu="2"))
    assert restored.to_json() == saved
    assert restored.queue.next_wakeup() == 300.0
