"""The scheduler's decision records that the lesson page shows: a failed attempt's per-node verdicts, kept while
the pod waits however many pods are bound after it."""

from __future__ import annotations

from sim_helpers import pod, small_cluster

from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.scheduling_host import EXPLANATIONS_KEPT

TOO_BIG = {"requests": {"cpu": "8"}}


def _failed_scheduling_message(cluster: Cluster, name: str) -> str:
    events = cluster.api.list("events", field_selector=f"involvedObject.name={name}")["items"]
    return [e["message"] for e in events if e["reason"] == "FailedScheduling"][-1]


def test_a_failed_attempt_records_each_nodes_verdict_and_the_events_message():
    cluster = small_cluster()
    cluster.api.create(pod("huge", node=None, resources=TOO_BIG))
    cluster.step(1)
    record = cluster.scheduling.explanation("default", "huge")
    verdicts = {n["node"]: n for n in record["filter"]["nodes"]}
    assert set(verdicts) == {"control-plane", "worker-1", "worker-2"}
    assert not any(n["passed"] for n in verdicts.values())
    assert verdicts["control-plane"]["plugin"] == "TaintToleration"
    assert verdicts["worker-1"] == {"node": "worker-1", "passed": False, "plugin": "NodeResourcesFit",
                                    "reasons": ["Insufficient cpu"]}
    assert "node" not in record["result"]
    # The record's message is the FailedScheduling event's, word for word (what `kubectl get events` shows).
    assert record["result"]["message"] == _failed_scheduling_message(cluster, "huge")
    assert record["result"]["message"].startswith("0/3 nodes are available:")


def test_a_waiting_pods_record_outlives_many_later_bindings_and_a_reload():
    cluster = small_cluster()
    cluster.api.create(pod("huge", node=None, resources=TOO_BIG))
    cluster.step(1)
    for index in range(EXPLANATIONS_KEPT + 5):
        cluster.api.create(pod(f"p{index}", node=None))
        cluster.step(0)
    cluster = Cluster.loads(cluster.dumps())
    assert cluster.scheduling.explanation("default", "huge")["filter"]["nodes"]
    # Bindings stay bounded: only the last EXPLANATIONS_KEPT bound pods keep theirs.
    kept = [f"p{i}" for i in range(EXPLANATIONS_KEPT + 5) if cluster.scheduling.explanation("default", f"p{i}")]
    assert kept == [f"p{i}" for i in range(5, EXPLANATIONS_KEPT + 5)]
