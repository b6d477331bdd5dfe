"""The one toleration rule (`v1.Toleration.ToleratesTaint`) and DefaultTolerationSeconds' own key-and-effect test,
with the cases where the copies that used to exist disagreed."""

from __future__ import annotations

import pytest
from sim_helpers import pod

from cluster_engine.sim.nodes import NODE_MONITOR_GRACE_PERIOD, eviction_delay
from cluster_engine.sim.taints import NOT_READY, UNREACHABLE, Taint, Toleration, declares_toleration_of

UNREACHABLE_TAINT = {"key": UNREACHABLE, "effect": "NoExecute"}


@pytest.mark.parametrize(
    ("toleration", "tolerated"),
    [
        ({"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute"}, True),
        ({"key": UNREACHABLE, "effect": "NoExecute"}, True),  # Equal, both values empty
        ({"key": UNREACHABLE, "operator": "Equal", "value": "x", "effect": "NoExecute"}, False),
        ({"operator": "Exists"}, True),
        ({"operator": "Exists", "effect": "NoSchedule"}, False),
        # an operator Kubernetes does not know tolerates nothing (the taint eviction controller's copy of the rule
        # read it as Equal and kept such a pod on an unreachable node)
        ({"key": UNREACHABLE, "operator": "Gt", "effect": "NoExecute"}, False),
    ],
)
def test_toleration_rule(toleration, tolerated):
    assert Toleration.from_dict(toleration).tolerates(Taint.from_dict(UNREACHABLE_TAINT)) is tolerated
    assert (eviction_delay({"spec": {"tolerations": [toleration]}}, [UNREACHABLE_TAINT]) != 0) is tolerated


@pytest.mark.parametrize(
    ("toleration", "declared"),
    [
        ({"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute"}, True),
        ({"key": UNREACHABLE, "operator": "Equal", "value": "x", "effect": "NoExecute"}, True),
        ({"key": UNREACHABLE, "operator": "Exists"}, True),
        ({"operator": "Exists"}, True),
        ({"key": UNREACHABLE, "operator": "Exists", "effect": "NoSchedule"}, False),
        ({"key": NOT_READY, "operator": "Exists", "effect": "NoExecute"}, False),
    ],
)
def test_default_toleration_seconds_compares_key_and_effect_only(toleration, declared):
    assert declares_toleration_of(toleration, UNREACHABLE, "NoExecute") is declared


def test_a_pod_naming_the_unreachable_taint_with_a_value_gets_no_default_toleration_and_is_evicted_at_once(cluster):
    # DefaultTolerationSeconds sees the unreachable taint named and adds only the not-ready default; the taint
    # eviction controller finds no toleration of the real (valueless) taint and evicts without waiting
    odd = pod("odd")
    odd["spec"]["tolerations"] = [{"key": UNREACHABLE, "operator": "Equal", "value": "x", "effect": "NoExecute"}]
    created = cluster.api.create(odd)
    assert [(t["key"], t.get("value")) for t in created["spec"]["tolerations"]] == [
        (UNREACHABLE, "x"),
        (NOT_READY, None),
    ]
    cluster.api.create(pod("web"))
    cluster.step(10)
    cluster.set_component("kubelet/worker-1", running=False)
    cluster.step(NODE_MONITOR_GRACE_PERIOD + 2)
    assert cluster.api.get("pods", "odd")["metadata"].get("deletionTimestamp")
    assert not cluster.api.get("pods", "web")["metadata"].get("deletionTimestamp")
