"""TaintToleration: NoSchedule and NoExecute taints need a toleration; PreferNoSchedule ones lower the score
(cases from the taints-and-tolerations page and the plugin's unit-test scenarios)."""

from __future__ import annotations

import pytest
from sched_helpers import Harness

from cluster_engine.sim.taints import (
    Taint,
    Toleration,
    find_untolerated_taint,
    tolerations_of,
)

TAINT = Taint("key1", "value1", "NoSchedule")


@pytest.mark.parametrize(
    ("toleration", "tolerated"),
    [
        ({"key": "key1", "operator": "Equal", "value": "value1", "effect": "NoSchedule"}, True),
        ({"key": "key1", "operator": "Exists", "effect": "NoSchedule"}, True),
        ({"key": "key1", "value": "value1", "effect": "NoSchedule"}, True),  # operator defaults to Equal
        ({"key": "key1", "operator": "Equal", "value": "value2", "effect": "NoSchedule"}, False),
        ({"key": "key1", "operator": "Equal", "value": "value1", "effect": "NoExecute"}, False),
        ({"key": "key1", "operator": "Equal", "value": "value1"}, True),  # empty effect matches all effects
        ({"operator": "Exists"}, True),  # empty key with Exists tolerates everything
        ({"key": "key2", "operator": "Exists"}, False),
    ],
)
def test_toleration_matches_taint(toleration, tolerated):
    (parsed,) = tolerations_of({"tolerations": [toleration]})
    assert parsed.tolerates(TAINT) is tolerated


def test_prefer_no_schedule_never_filters():
    taints = [Taint("k", "v", "PreferNoSchedule")]
    assert find_untolerated_taint(taints, []) is None


def test_first_untolerated_taint_is_reported():
    taints = [Taint("a", "1", "NoSchedule"), Taint("b", "2", "NoExecute")]
    assert find_untolerated_taint(taints, [Toleration("a", "Exists", "", "")]) == taints[1]


def test_pod_without_toleration_avoids_tainted_node():
    h = Harness()
    h.node("tainted", taints=[{"key": "key1", "value": "value1", "effect": "NoSchedule"}])
    h.node("clean", cpu="1")
    h.pod("p")
    h.run()
    assert h.placement("p") == "clean"


def test_pod_with_untolerated_taint_stays_pending():
    h = Harness()
    h.node("tainted", taints=[{"key": "key1", "value": "value1", "effect": "NoExecute"}])
    h.pod("p")
    h.run()
    assert h.placement("p") is None
    assert "had untolerated taint {key1: value1}" in h.failures["default/p"]


def test_tolerating_pod_lands_on_tainted_node():
    h = Harness()
    h.node("tainted", taints=[{"key": "key1", "value": "value1", "effect": "NoSchedule"}])
    h.pod("p", tolerations=[{"key": "key1", "operator": "Exists", "effect": "NoSchedule"}])
    h.run()
    assert h.placement("p") == "tainted"


def test_prefer_no_schedule_lowers_score():
    h = Harness()
    h.node("preferred-not", taints=[{"key": "k", "value": "v", "effect": "PreferNoSchedule"}])
    h.node("fine")
    h.pod("p")
    h.run()
    assert h.placement("p") == "fine"
    score = h.last("p")["score"]
    i = score["plugins"].index("TaintToleration")
    by_node = {row["node"]: row for row in score["nodes"]}
    # Reversed normalisation: no intolerable taint gives 100, the one with the most gives 0; weight 3.
    assert by_node["fine"]["normalized"][i] == 100
    assert by_node["preferred-not"]["normalized"][i] == 0
    assert by_node["fine"]["weighted"][i] == 300


def test_tolerated_prefer_no_schedule_does_not_count():
    h = Harness()
    h.node("a", taints=[{"key": "k", "value": "v", "effect": "PreferNoSchedule"}])
    h.node(
        "b",
        taints=[
            {"key": "k", "value": "v", "effect": "PreferNoSchedule"},
            {"key": "other", "value": "x", "effect": "PreferNoSchedule"},
        ],
    )
    h.pod("p", tolerations=[{"key": "k", "operator": "Exists", "effect": "PreferNoSchedule"}])
    h.run()
    assert h.placement("p") == "a"
