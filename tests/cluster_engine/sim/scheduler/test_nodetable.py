"""NodeTable: incremental per-node columns equal a fresh computation after any sequence of changes."""

from __future__ import annotations

import random

import pytest
from sched_helpers import node_object, pod_object

from cluster_engine.sim.scheduler import Scheduler, nodetable
from cluster_engine.sim.scheduler.nodetable import NodeTable
from cluster_engine.sim.scheduler.plugins.balanced_allocation import NodeResourcesBalancedAllocation
from cluster_engine.sim.scheduler.plugins.node_resources_fit import NodeResourcesFit, fit_failures


def fresh(table: NodeTable, value_of) -> list[int]:
    return [value_of(slot) for slot in range(table.size)]


def test_node_columns_follow_every_change_of_nodes_and_pods():
    rng = random.Random(7)
    scheduler = Scheduler()
    table = scheduler.table
    fit, balanced = NodeResourcesFit(), NodeResourcesBalancedAllocation()
    wanted_fit = (("cpu", 500), ("memory", 256 * 1024 * 1024))
    columns = {
        "fit": lambda slot: fit_failures(table, slot, wanted_fit),
        "score": lambda slot: fit.node_score(table, slot, (300, 128 * 1024 * 1024)),
        "balanced": lambda slot: balanced.node_score(table, slot, (300, 128 * 1024 * 1024)),
    }
    pods: dict[str, dict] = {}
    for step in range(400):
        action = rng.random()
        name = f"n{rng.randrange(12)}"
        if action < 0.15:
            scheduler.observe("ADDED", node_object(name, cpu=rng.choice(["1", "2", "4"]), pods=rng.choice([2, 5])))
        elif action < 0.2:
            scheduler.observe("DELETED", node_object(name))
        elif action < 0.75:
            pod = pod_object(f"p{step}", cpu=rng.choice(["100m", "1"]), memory="512Mi", node_name=name)
            pods[pod["metadata"]["name"]] = pod
            scheduler.observe("ADDED", pod)
        elif pods:
            scheduler.observe("DELETED", pods.pop(rng.choice(sorted(pods))))
        if step % 7 == 0:  # read some columns now and then, so they are refreshed, not rebuilt
            for key, value_of in columns.items():
                assert table.node_column(key, value_of).tolist() == fresh(table, value_of), (step, key)
    for key, value_of in columns.items():
        assert table.node_column(key, value_of).tolist() == fresh(table, value_of)


def test_a_long_change_log_is_dropped_and_columns_are_rebuilt(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(nodetable, "_MAX_TOUCHED", 100)
    scheduler = Scheduler()
    table = scheduler.table
    scheduler.observe("ADDED", node_object("n1", cpu="4"))
    fit = NodeResourcesFit()

    def value_of(slot: int) -> int:
        return fit.node_score(table, slot, (100, 0))

    before = table.node_column("score", value_of).tolist()
    for i in range(60):  # more changes than the log keeps
        pod = pod_object(f"p{i}", cpu="100m", node_name="n1")
        scheduler.observe("ADDED", pod)
        scheduler.observe("DELETED", pod)
    scheduler.observe("ADDED", pod_object("last", cpu="1", node_name="n1"))
    after = table.node_column("score", value_of).tolist()
    assert after == fresh(table, value_of)
    assert after != before
    assert table._touched_epoch == 1
