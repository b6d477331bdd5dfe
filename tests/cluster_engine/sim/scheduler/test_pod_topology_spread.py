"""PodTopologySpread: maxSkew over zones and nodes, whenUnsatisfiable, minDomains, node inclusion policies
(scenarios of the topology-spread-constraints page)."""

from __future__ import annotations

from sched_helpers import Harness

ZONE = "topology.kubernetes.io/zone"


def constraint(max_skew=1, key=ZONE, when="DoNotSchedule", **extra):
    return {
        "maxSkew": max_skew,
        "topologyKey": key,
        "whenUnsatisfiable": when,
        "labelSelector": {"matchLabels": {"app": "foo"}},
        **extra,
    }


def four_nodes(h):
    # The docs' cluster: zoneA {node1, node2}, zoneB {node3, node4}.
    for name, zone in (("node1", "zoneA"), ("node2", "zoneA"), ("node3", "zoneB"), ("node4", "zoneB")):
        h.node(name, labels={ZONE: zone})


def test_incoming_pod_goes_to_the_emptier_zone():
    h = Harness()
    four_nodes(h)
    for name, node in (("a", "node1"), ("b", "node1"), ("c", "node2")):
        h.pod(name, labels={"app": "foo"}, node_name=node)
    h.pod("mypod", labels={"app": "foo"}, topologySpreadConstraints=[constraint()])
    h.run()
    assert h.placement("mypod") in ("node3", "node4")


def test_max_skew_violation_is_reported():
    h = Harness()
    h.node("node1", labels={ZONE: "zoneA"})
    # zoneB's only node is tainted, but with nodeTaintsPolicy Ignore (the default) its 0 pods still count.
    h.node("node3", labels={ZONE: "zoneB"}, taints=[{"key": "k", "value": "v", "effect": "NoSchedule"}])
    h.pod("a", labels={"app": "foo"}, node_name="node1")
    h.pod("mypod", labels={"app": "foo"}, topologySpreadConstraints=[constraint()])
    h.run()
    assert h.failures["default/mypod"].startswith(
        "0/2 nodes are available: 1 node(s) didn't match pod topology spread constraints, "
        "1 node(s) had untolerated taint {k: v}."
    )


def test_node_taints_policy_honor_skips_tainted_domains():
    h = Harness()
    h.node("node1", labels={ZONE: "zoneA"})
    h.node("node3", labels={ZONE: "zoneB"}, taints=[{"key": "k", "value": "v", "effect": "NoSchedule"}])
    h.pod("a", labels={"app": "foo"}, node_name="node1")
    h.pod("mypod", labels={"app": "foo"}, topologySpreadConstraints=[constraint(nodeTaintsPolicy="Honor")])
    h.run()
    assert h.placement("mypod") == "node1"


def test_nodes_without_the_key_are_rejected_as_missing_label():
    h = Harness()
    h.node("unlabelled")
    h.pod("mypod", labels={"app": "foo"}, topologySpreadConstraints=[constraint()])
    h.run()
    assert h.failures["default/mypod"].startswith(
        "0/1 nodes are available: "
        "1 node(s) didn't match pod topology spread constraints (missing required label)."
    )


def test_schedule_anyway_only_scores():
    h = Harness()
    h.node("node1", labels={ZONE: "zoneA"})
    h.node("node2", labels={ZONE: "zoneB"})
    for name in ("a", "b"):
        h.pod(name, labels={"app": "foo"}, node_name="node1")
    h.pod("mypod", labels={"app": "foo"}, topologySpreadConstraints=[constraint(when="ScheduleAnyway")])
    h.run()
    assert h.placement("mypod") == "node2"
    score = h.last("mypod")["score"]
    i = score["plugins"].index("PodTopologySpread")
    by_node = {row["node"]: row for row in score["nodes"]}
    assert by_node["node2"]["normalized"][i] == 100
    assert by_node["node1"]["normalized"][i] < 100


def test_min_domains_forces_a_new_domain():
    h = Harness()
    h.node("node1", labels={ZONE: "zoneA"})
    h.node("node2", labels={ZONE: "zoneB"})
    h.pod("a", labels={"app": "foo"}, node_name="node1")
    h.pod("b", labels={"app": "foo"}, node_name="node2")
    # Two domains exist but three are wanted: the global minimum is taken as 0, so skew = 1 + 1 > 1.
    h.pod("mypod", labels={"app": "foo"}, topologySpreadConstraints=[constraint(minDomains=3)])
    h.run()
    assert h.placement("mypod") is None
    assert "2 node(s) didn't match pod topology spread constraints" in h.failures["default/mypod"]


def test_node_affinity_policy_honor_ignores_excluded_nodes():
    h = Harness()
    four_nodes(h)
    h.node("node5", labels={ZONE: "zoneC", "pool": "other"})
    h.pod("a", labels={"app": "foo"}, node_name="node1")
    h.pod("b", labels={"app": "foo"}, node_name="node3")
    # zoneC is outside the pod's node affinity: its 0 does not count as the minimum.
    h.pod(
        "mypod",
        labels={"app": "foo"},
        affinity={
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchExpressions": [{"key": ZONE, "operator": "NotIn", "values": ["zoneC"]}]}
                    ]
                }
            }
        },
        topologySpreadConstraints=[constraint()],
    )
    h.run()
    assert h.placement("mypod") in ("node1", "node2", "node3", "node4")


def test_spreading_many_replicas_keeps_skew():
    h = Harness()
    four_nodes(h)
    h.node("node5", labels={ZONE: "zoneC"})
    for i in range(9):
        h.pod(f"r{i}", labels={"app": "foo"}, topologySpreadConstraints=[constraint()])
    h.run()
    zones = {"node1": "A", "node2": "A", "node3": "B", "node4": "B", "node5": "C"}
    counts = {}
    for i in range(9):
        zone = zones[h.placement(f"r{i}")]
        counts[zone] = counts.get(zone, 0) + 1
    assert sorted(counts.values()) == [3, 3, 3]
