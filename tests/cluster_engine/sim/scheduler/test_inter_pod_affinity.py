"""InterPodAffinity: required and preferred pod affinity and anti-affinity over topology domains, namespaces,
and the symmetry of existing pods' anti-affinity (scenarios of the assign-pod-node page)."""

from __future__ import annotations

from sched_helpers import Harness

HOST = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"


def term(labels, key=HOST, **extra):
    return {"labelSelector": {"matchLabels": labels}, "topologyKey": key, **extra}


def affinity(kind, *terms):
    return {kind: {"requiredDuringSchedulingIgnoredDuringExecution": list(terms)}}


def zoned(h, names_zones):
    for name, zone in names_zones:
        h.node(name, labels={ZONE: zone})


def test_affinity_follows_matching_pod_to_its_zone():
    h = Harness()
    zoned(h, [("a1", "a"), ("a2", "a"), ("b1", "b")])
    h.pod("cache", labels={"app": "store"}, node_name="a1")
    h.pod("web", affinity=affinity("podAffinity", term({"app": "store"}, ZONE)))
    h.run()
    assert h.placement("web") in ("a1", "a2")


def test_affinity_without_matching_pod_is_unresolvable():
    h = Harness()
    zoned(h, [("a1", "a")])
    h.pod("web", affinity=affinity("podAffinity", term({"app": "store"}, ZONE)))
    h.run()
    assert h.failures["default/web"] == (
        "0/1 nodes are available: 1 node(s) didn't match pod affinity rules. "
        "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
    )


def test_first_pod_with_affinity_to_itself_is_allowed():
    h = Harness()
    zoned(h, [("a1", "a"), ("b1", "b")])
    h.pod("first", labels={"app": "store"}, affinity=affinity("podAffinity", term({"app": "store"}, ZONE)))
    h.run()
    assert h.placement("first") is not None


def test_affinity_requires_the_topology_label():
    h = Harness()
    h.node("unlabelled")
    h.pod("first", labels={"app": "store"}, affinity=affinity("podAffinity", term({"app": "store"}, ZONE)))
    h.run()
    assert h.placement("first") is None


def test_anti_affinity_spreads_replicas_one_per_node():
    h = Harness()
    for name in ("n1", "n2", "n3"):
        h.node(name)
    anti = affinity("podAntiAffinity", term({"app": "web"}))
    for i in range(4):
        h.pod(f"web-{i}", labels={"app": "web"}, affinity=anti)
    h.run()
    placed = [h.placement(f"web-{i}") for i in range(4)]
    assert sorted(p for p in placed if p) == ["n1", "n2", "n3"]
    assert "3 node(s) didn't match pod anti-affinity rules" in h.failures["default/web-3"]


def test_existing_pod_anti_affinity_is_symmetric():
    h = Harness()
    h.node("n1")
    h.node("n2")
    h.pod(
        "loner",
        labels={"app": "loner"},
        node_name="n1",
        affinity=affinity("podAntiAffinity", term({"app": "web"})),
    )
    h.pod("web", labels={"app": "web"})
    h.run()
    assert h.placement("web") == "n2"
    h2 = Harness()
    h2.node("n1")
    h2.pod(
        "loner",
        labels={"app": "loner"},
        node_name="n1",
        affinity=affinity("podAntiAffinity", term({"app": "web"})),
    )
    h2.pod("web", labels={"app": "web"})
    h2.run()
    assert "1 node(s) didn't satisfy existing pods anti-affinity rules" in h2.failures["default/web"]


def test_namespaces_scope_the_terms():
    h = Harness()
    h.node("n1")
    h.node("n2")
    h.pod("other-ns", namespace="team-b", labels={"app": "web"}, node_name="n1")
    anti = affinity("podAntiAffinity", term({"app": "web"}))
    h.pod("same-ns-only", labels={"app": "x"}, affinity=anti)
    h.run()
    # The term defaults to the pod's own namespace: team-b's pod does not count, n1 stays possible.
    assert h.last("same-ns-only")["filter"]["rejected"] == []
    h.pod(
        "listed",
        labels={"app": "x"},
        affinity=affinity("podAntiAffinity", term({"app": "web"}, namespaces=["team-b"])),
    )
    h.run()
    assert h.placement("listed") == "n2"


def test_namespace_selector_reads_namespace_labels():
    h = Harness()
    h.node("n1")
    h.node("n2")
    h.scheduler.observe(
        "ADDED", {"kind": "Namespace", "metadata": {"name": "prod", "labels": {"env": "prod"}}}
    )
    h.pod("db", namespace="prod", labels={"app": "db"}, node_name="n1")
    h.pod(
        "client",
        affinity=affinity(
            "podAffinity", term({"app": "db"}, namespaceSelector={"matchLabels": {"env": "prod"}})
        ),
    )
    h.run()
    assert h.placement("client") == "n1"


def test_preferred_affinity_scores_co_location():
    h = Harness()
    for name in ("n1", "n2", "n3"):
        h.node(name)
    h.pod("cache", labels={"app": "cache"}, node_name="n3")
    h.pod(
        "web",
        affinity={
            "podAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 100, "podAffinityTerm": term({"app": "cache"})}
                ]
            }
        },
    )
    h.run()
    assert h.placement("web") == "n3"


def test_preferred_anti_affinity_scores_away():
    h = Harness()
    h.node("n1")
    h.node("n2")
    h.pod("noisy", labels={"app": "noisy"}, node_name="n1", cpu="10m")
    h.pod(
        "quiet",
        cpu="10m",
        affinity={
            "podAntiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 100, "podAffinityTerm": term({"app": "noisy"})}
                ]
            }
        },
    )
    h.run()
    assert h.placement("quiet") == "n2"
    score = h.last("quiet")["score"]
    i = score["plugins"].index("InterPodAffinity")
    by_node = {row["node"]: row for row in score["nodes"]}
    assert by_node["n2"]["normalized"][i] == 100
    assert by_node["n1"]["normalized"][i] == 0
