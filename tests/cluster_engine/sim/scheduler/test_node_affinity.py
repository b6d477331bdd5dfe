"""NodeAffinity: nodeSelector, required terms (ORed terms, ANDed expressions, all operators), preferred
weights, and the metadata.name PreFilter used by DaemonSet pods."""

from __future__ import annotations

import pytest
from sched_helpers import Harness

from cluster_engine.sim.scheduler.labels import node_selector_term, node_selector_terms_match

LABELS = {"zone": "a", "disk": "ssd", "cores": "8"}


@pytest.mark.parametrize(
    ("expression", "matches"),
    [
        ({"key": "zone", "operator": "In", "values": ["a", "b"]}, True),
        ({"key": "zone", "operator": "In", "values": ["b"]}, False),
        ({"key": "zone", "operator": "NotIn", "values": ["b"]}, True),
        ({"key": "missing", "operator": "NotIn", "values": ["b"]}, True),
        ({"key": "disk", "operator": "Exists"}, True),
        ({"key": "missing", "operator": "Exists"}, False),
        ({"key": "missing", "operator": "DoesNotExist"}, True),
        ({"key": "disk", "operator": "DoesNotExist"}, False),
        ({"key": "cores", "operator": "Gt", "values": ["4"]}, True),
        ({"key": "cores", "operator": "Gt", "values": ["8"]}, False),
        ({"key": "cores", "operator": "Lt", "values": ["16"]}, True),
        ({"key": "zone", "operator": "Gt", "values": ["1"]}, False),  # not a number
        ({"key": "missing", "operator": "Lt", "values": ["1"]}, False),
    ],
)
def test_operators(expression, matches):
    term = node_selector_term({"matchExpressions": [expression]})
    assert node_selector_terms_match((term,), "n1", LABELS) is matches


def test_terms_are_ored_and_expressions_anded():
    terms = (
        node_selector_term(
            {
                "matchExpressions": [
                    {"key": "zone", "operator": "In", "values": ["a"]},
                    {"key": "disk", "operator": "In", "values": ["hdd"]},
                ]
            }
        ),
        node_selector_term({"matchExpressions": [{"key": "cores", "operator": "Exists"}]}),
    )
    assert node_selector_terms_match(terms, "n1", LABELS)
    assert not node_selector_terms_match(terms[:1], "n1", LABELS)


def test_empty_terms_match_nothing():
    assert not node_selector_terms_match((), "n1", LABELS)
    assert not node_selector_terms_match((node_selector_term({}),), "n1", LABELS)


def test_match_fields_on_node_name():
    term = node_selector_term({"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]})
    assert node_selector_terms_match((term,), "n1", {})
    assert not node_selector_terms_match((term,), "n2", {})


def required(*expressions):
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": list(expressions)}]
            }
        }
    }


def test_node_selector_places_pod():
    h = Harness()
    h.node("hdd", labels={"disktype": "hdd"})
    h.node("ssd", labels={"disktype": "ssd"})
    h.pod("p", nodeSelector={"disktype": "ssd"})
    h.run()
    assert h.placement("p") == "ssd"


def test_required_affinity_and_node_selector_both_apply():
    h = Harness()
    h.node("a-ssd", labels={"zone": "a", "disktype": "ssd"})
    h.node("b-ssd", labels={"zone": "b", "disktype": "ssd"})
    h.node("a-hdd", labels={"zone": "a", "disktype": "hdd"})
    h.pod(
        "p",
        nodeSelector={"disktype": "ssd"},
        affinity=required({"key": "zone", "operator": "In", "values": ["a"]}),
    )
    h.run()
    assert h.placement("p") == "a-ssd"


def test_preferred_affinity_picks_heaviest_match():
    h = Harness()
    h.node("n1", labels={"zone": "a"})
    h.node("n2", labels={"zone": "b"})
    h.node("n3", labels={"zone": "c"})
    h.pod(
        "p",
        affinity={
            "nodeAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 1,
                        "preference": {
                            "matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]
                        },
                    },
                    {
                        "weight": 50,
                        "preference": {
                            "matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]
                        },
                    },
                ]
            }
        },
    )
    h.run()
    assert h.placement("p") == "n2"
    score = h.last("p")["score"]
    i = score["plugins"].index("NodeAffinity")
    by_node = {row["node"]: row for row in score["nodes"]}
    assert by_node["n2"]["raw"][i] == 50
    assert by_node["n2"]["normalized"][i] == 100
    assert by_node["n1"]["normalized"][i] == 2  # 100 * 1 // 50
    assert by_node["n2"]["weighted"][i] == 200


def test_daemonset_style_pod_is_narrowed_to_its_node():
    h = Harness()
    for name in ("n1", "n2", "n3"):
        h.node(name, cpu="1")
    h.pod("hog", cpu="1", node_name="n2")
    h.pod(
        "ds",
        cpu="500m",
        affinity={
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n2"]}]}
                    ]
                }
            }
        },
    )
    h.run()
    assert h.failures["default/ds"] == (
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. "
        "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
        "2 Preemption is not helpful for scheduling."
    )


def test_label_change_makes_pending_pod_schedulable():
    h = Harness()
    node = h.node("n1")
    h.pod("p", nodeSelector={"disktype": "ssd"})
    h.run()
    assert h.placement("p") is None
    node["metadata"]["labels"]["disktype"] = "ssd"
    h.scheduler.observe("MODIFIED", node)
    h.run(now=1.0)  # the backoff of the first failure (1 s) has passed
    assert h.placement("p") == "n1"
