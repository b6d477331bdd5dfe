"""The container lifecycle as golden input/output pairs (testdata/stages/cases.yaml -> <name>.golden.yaml) and the
back-off rules."""

from __future__ import annotations

import pytest
from sim_golden import check, load
from sim_helpers import small_cluster

from cluster_engine.sim import stages

CASES = load("stages/cases.yaml")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_stage_golden(case):
    cluster = small_cluster()
    body = case["pod"]
    body["spec"]["nodeName"] = "worker-1"
    created = cluster.api.create(body)
    name = created["metadata"]["name"]
    start = cluster.now
    seen: set[str] = set()
    frames = []
    for at in case["at"]:
        cluster.step(start + at - cluster.now)
        current = cluster.api.get("pods", name)
        events = cluster.api.list("events", field_selector=f"involvedObject.name={name}")["items"]
        events.sort(key=lambda e: int(e["metadata"]["resourceVersion"]))
        fresh = []
        for event in events:
            key = f"{event['metadata']['name']}/{event['count']}"
            if key not in seen:
                seen.add(key)
                fresh.append(f"{event['type']} {event['reason']} (x{event['count']}): {event['message']}")
        frames.append({"at": at, "status": current["status"], "events": fresh})
    check(f"stages/{case['name']}.golden.yaml", {"pod": name, "frames": frames})


def test_restart_backoff_doubles_to_five_minutes():
    assert [stages.restart_backoff(n) for n in range(8)] == [0, 10, 20, 40, 80, 160, 300, 300]


def test_image_backoff_doubles_to_five_minutes():
    assert [stages.image_backoff(n) for n in (1, 2, 3, 6, 9)] == [10, 20, 40, 300, 300]
