"""Decision records: rendered on first read, to the same record an eager one would have held."""

from __future__ import annotations

import json
from typing import Any

from sched_helpers import Harness

from cluster_engine.sim.scheduler.explain import Record


class LazyHarness(Harness):
    """Keeps the scheduler's records unrendered, as the cluster does, to read them later."""

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, Record] = {}

    def bind(self, namespace: str, name: str, node_name: str, explanation: Record) -> None:
        self.records[f"{namespace}/{name}"] = explanation
        super().bind(namespace, name, node_name, Record())  # the base class renders what it is given

    def mark_unschedulable(self, namespace: str, name: str, message: str, explanation: Record) -> None:
        self.records[f"{namespace}/{name}"] = explanation
        super().mark_unschedulable(namespace, name, message, Record())


def test_a_record_renders_its_deferred_parts_once_in_the_order_they_were_set():
    calls: list[str] = []

    def summary() -> dict[str, Any]:
        calls.append("rendered")
        return {"feasible": 1}

    record = Record(pod="default/p", attempt=1)
    record["filter"] = summary
    record["result"] = {"node": "n1"}
    assert calls == []
    rendered = record.to_dict()
    assert list(rendered) == ["pod", "attempt", "filter", "result"]
    assert rendered["filter"] == {"feasible": 1}
    assert record.to_dict() is rendered
    assert calls == ["rendered"]


def test_a_record_read_after_its_nodes_are_gone_names_them_as_they_were():
    eager, lazy = Harness(), LazyHarness()
    for h in (eager, lazy):
        for i in range(6):
            h.node(f"n{i}", cpu="1" if i % 2 else "4")
        h.pod("p", cpu="2")
        h.run()
        for i in range(3):  # their slots are freed, then reused by other nodes
            h.scheduler.observe("DELETED", {"kind": "Node", "metadata": {"name": f"n{i}"}})
        for i in range(6, 9):
            h.node(f"n{i}")
    record = lazy.records["default/p"].to_dict()
    assert json.dumps(record) == json.dumps(eager.last("p"))
    assert {v["node"] for v in record["filter"]["nodes"]} == {f"n{i}" for i in range(6)}
    assert record["score"]["nodes"][0]["node"] == record["result"]["node"]


def test_a_failed_attempts_record_is_rendered_lazily_too():
    eager, lazy = Harness(), LazyHarness()
    for h in (eager, lazy):
        h.node("small", cpu="1")
        h.pod("big", cpu="2")
        h.run()
        h.scheduler.observe("DELETED", {"kind": "Node", "metadata": {"name": "small"}})
        h.node("other")
    record = lazy.records["default/big"].to_dict()
    assert record == eager.last("big")
    assert record["filter"]["rejected"][0]["nodes"] == ["small"]
