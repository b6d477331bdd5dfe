"""A pending pod never holds up the rest: every schedulable pod is bound in the reconcile after its creation,
whatever is backing off, deleted, cordoned or reloaded meanwhile (the stall of issue 15).

Each test runs one long session in one cluster, as a learner does: a fresh cluster per assertion hid it."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sim_helpers import pod, small_cluster

from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.errors import Status

HUGE = {"requests": {"cpu": "64"}}


def _node_of(cluster: Cluster, name: str) -> str | None:
    return cluster.api.get("pods", name)["spec"].get("nodeName")


def _reload(cluster: Cluster) -> Cluster:
    return Cluster.loads(cluster.dumps())


def test_new_pods_are_bound_at_the_same_simulated_time_while_another_waits():
    cluster = small_cluster()
    cluster.api.create(pod("a1", node=None))
    cluster.step(1)
    cluster.api.create(pod("huge", node=None, resources=HUGE))
    cluster.step(1)
    assert _node_of(cluster, "huge") is None
    created_at = cluster.now
    cluster.api.create(pod("a2", node=None))
    cluster.step(0)
    assert _node_of(cluster, "a2") is not None
    assert cluster.now == created_at
    # The queue still retries `huge` on its own timer: it stays Pending and keeps being explained.
    cluster.step(20)
    assert _node_of(cluster, "huge") is None
    assert cluster.scheduling.explanation("default", "huge")["attempt"] >= 2


def test_a_reloaded_cluster_schedules_new_pods_while_another_waits():
    cluster = small_cluster()
    cluster.api.create(pod("huge", node=None, resources=HUGE))
    cluster.step(1)
    for index in range(5):
        cluster = _reload(cluster)  # the web process writes, the worker reloads: no reconcile in between
        cluster.api.create(pod(f"p{index}", node=None))
        cluster = _reload(cluster)
        cluster.step(0)
        assert _node_of(cluster, f"p{index}") is not None, f"p{index} waited for huge's retry"


def test_a_deleted_pod_leaves_every_queue_and_its_timer_wakes_nobody():
    cluster = small_cluster()
    cluster.api.create(pod("huge", node=None, resources=HUGE))
    cluster.step(1)
    cluster = _reload(cluster)
    cluster.api.delete("pods", "huge")
    cluster = _reload(cluster)  # the delete happened in another process than the next reconcile
    cluster.step(0)
    assert len(cluster.scheduler_feed.scheduler.queue) == 0
    assert cluster.timers.pending("kube-scheduler", "") is None
    assert "default/huge" not in json.dumps(json.loads(cluster.dumps())["scheduler"])


def test_an_uncordoned_node_takes_waiting_pods_at_once_even_across_a_reload():
    cluster = small_cluster()
    for node in ("worker-1", "worker-2"):
        cluster.api.patch("nodes", node, {"spec": {"unschedulable": True}}, namespace="")
    cluster.api.create(pod("w", node=None))
    cluster.step(30)  # several failed attempts: the backoff has grown to its 10 s cap
    assert _node_of(cluster, "w") is None
    cluster = _reload(cluster)
    cluster.api.patch("nodes", "worker-2", {"spec": {"unschedulable": False}}, namespace="")
    cluster = _reload(cluster)
    cluster.step(10)  # upstream: moved to backoffQ by the node update, retried once its backoff expires
    assert _node_of(cluster, "w") == "worker-2"


def test_a_job_pod_is_scheduled_while_an_unschedulable_pod_backs_off():
    cluster = small_cluster()
    cluster.api.create(pod("huge", node=None, resources=HUGE))
    cluster.step(2)
    cluster.api.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "count"},
                    "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
                        {"name": "count", "image": "busybox", "command": ["sh", "-c", "sleep 2"]}]}}}})
    cluster.step(0)
    pods = cluster.api.list("pods", label_selector="job-name=count")["items"]
    assert len(pods) == 1
    assert pods[0]["spec"].get("nodeName")
    cluster.step(15)
    assert cluster.api.get("jobs", "count")["status"].get("succeeded") == 1


def test_a_pod_placed_on_a_no_execute_tainted_node_is_evicted():
    cluster = small_cluster()
    cluster.api.patch("nodes", "worker-1", {"spec": {"taints": [{"key": "gone", "effect": "NoExecute"}]}}, namespace="")
    cluster.step(1)
    cluster.api.create(pod("late", node="worker-1"))  # placed with nodeName after the taint
    cluster.step(1)
    assert not cluster.api.list("pods", field_selector="metadata.name=late")["items"]


# ------------------------------------------------------------------ the property

operations = st.lists(
    st.one_of(
        st.tuples(st.just("small"), st.integers(0, 7)),
        st.tuples(st.just("huge"), st.integers(0, 3)),
        st.tuples(st.just("delete"), st.integers(0, 7)),
        st.tuples(st.just("cordon"), st.sampled_from(["worker-1", "worker-2"]), st.booleans()),
        st.tuples(st.just("step"), st.sampled_from([0.0, 0.5, 3.0, 11.0, 61.0, 301.0])),
        st.tuples(st.just("reload"), st.just(0)),
    ),
    min_size=5,
    max_size=40,
)


def _cordoned(cluster: Cluster) -> set[str]:
    return {n["metadata"]["name"] for n in cluster.api.list("nodes")["items"] if n["spec"].get("unschedulable")}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_every_schedulable_pod_is_bound_within_one_reconcile_of_its_creation(ops: list[tuple[Any, ...]]):
    """Small pods (10m CPU) fit any uncordoned worker; at least one worker stays uncordoned. However the writes
    interleave with unschedulable pods, deletes, cordons, time and reloads, a small pod is bound by the first
    reconcile after its creation, at the simulated time it was created."""
    cluster = small_cluster()
    for op in ops:
        kind = op[0]
        if kind == "small":
            name = f"small-{op[1]}"
            try:
                cluster.api.create(pod(name, node=None, resources={"requests": {"cpu": "10m"}}))
            except Status:
                continue  # already exists
            created_at = cluster.now
            cluster.step(0)  # the reconcile that follows the write
            assert cluster.now == created_at
            assert _node_of(cluster, name) is not None, f"{name} was not bound in the reconcile after its creation"
        elif kind == "huge":
            try:
                cluster.api.create(pod(f"huge-{op[1]}", node=None, resources=HUGE))
            except Status:
                continue
            cluster.step(0)
        elif kind == "delete":
            for prefix in ("small", "huge"):
                with contextlib.suppress(Status):
                    cluster.api.delete("pods", f"{prefix}-{op[1]}", grace_period_seconds=0)
        elif kind == "cordon":
            node, unschedulable = op[1], op[2]
            if unschedulable and _cordoned(cluster) | {node} >= {"worker-1", "worker-2"}:
                continue  # keep one worker open, else small pods are not schedulable
            cluster.api.patch("nodes", node, {"spec": {"unschedulable": unschedulable}}, namespace="")
        elif kind == "step":
            cluster.step(op[1])
        else:
            cluster = _reload(cluster)
    # Nothing deleted lingers in the scheduler's queue, and only pending pods are queued.
    cluster.step(0)
    pending = {f"default/{p['metadata']['name']}" for p in cluster.api.list("pods", namespace="default")["items"]
               if not p["spec"].get("nodeName")}
    assert set(cluster.scheduler_feed.ready().queue.pods) <= pending
