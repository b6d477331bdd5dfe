"""FailedScheduling messages match kube-scheduler's wording character for character."""

from __future__ import annotations

import pytest
from sched_helpers import Harness

CONTROL_PLANE_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}


def test_taint_and_insufficient_cpu_message_with_preemption_summary():
    h = Harness()
    h.node("control-plane", taints=[CONTROL_PLANE_TAINT])
    h.node("worker-1", cpu="1")
    h.node("worker-2", cpu="1")
    h.pod("big", cpu="2")
    h.run()
    assert h.failures["default/big"] == (
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
        "2 Insufficient cpu. preemption: 0/3 nodes are available: "
        "1 Preemption is not helpful for scheduling, "
        "2 No preemption victims found for incoming pod."
    )


def test_insufficient_cpu_and_memory_counts_each_reason():
    h = Harness()
    h.node("n1", cpu="1", memory="1Gi")
    h.node("n2", cpu="8", memory="1Gi")
    h.pod("p", cpu="2", memory="2Gi")
    h.run()
    assert h.failures["default/p"] == (
        "0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory. "
        "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."
    )


def test_node_selector_mismatch_is_not_helped_by_preemption():
    h = Harness()
    for name in ("a", "b", "c"):
        h.node(name)
    h.pod("p", nodeSelector={"disktype": "ssd"})
    h.run()
    assert h.failures["default/p"] == (
        "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )


@pytest.mark.parametrize(
    ("node_kwargs", "reason"),
    [
        ({"unschedulable": True}, "1 node(s) were unschedulable"),
        (
            {"taints": [{"key": "dedicated", "value": "gpu", "effect": "NoExecute"}]},
            "1 node(s) had untolerated taint {dedicated: gpu}",
        ),
        ({"pods": 0}, "1 Too many pods"),
    ],
)
def test_single_node_reasons(node_kwargs, reason):
    h = Harness()
    h.node("n1", **node_kwargs)
    h.pod("p", cpu="100m")
    h.run()
    assert h.failures["default/p"].startswith(f"0/1 nodes are available: {reason}.")


def test_preemption_policy_never():
    h = Harness()
    h.node("n1", cpu="1")
    h.pod("p", cpu="2", preemptionPolicy="Never")
    h.run()
    assert h.failures["default/p"] == (
        "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."
    )


def test_no_nodes():
    h = Harness()
    h.pod("p")
    h.run()
    assert h.failures["default/p"] == "no nodes available to schedule pods"


def test_anti_affinity_message():
    h = Harness()
    h.node("n1")
    h.pod("web-1", labels={"app": "web"}, node_name="n1")
    h.pod(
        "web-2",
        labels={"app": "web"},
        affinity={
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "labelSelector": {"matchLabels": {"app": "web"}},
                        "topologyKey": "kubernetes.io/hostname",
                    }
                ]
            }
        },
    )
    h.run()
    assert h.failures["default/web-2"] == (
        "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules. "
        "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
    )


def test_scheduled_message_in_explanation():
    h = Harness()
    h.node("n1")
    h.pod("p")
    h.run()
    assert h.last("p")["result"] == {"node": "n1", "message": "Successfully assigned default/p to n1"}
