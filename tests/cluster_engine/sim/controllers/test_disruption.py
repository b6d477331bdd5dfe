"""disruption-controller and the eviction API: a PodDisruptionBudget's status, and evictions it allows or refuses."""

from __future__ import annotations

import pytest
from workload_helpers import deployment, events_of, pods_of

from cluster_engine.sim.errors import Status


def pdb(name: str = "web", **spec) -> dict:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, **spec}}


def test_budget_status_counts_healthy_pods_against_min_available(cluster):
    cluster.api.apply(deployment("web", 3))
    cluster.step(30)
    cluster.api.apply(pdb(minAvailable=2))
    cluster.step(1)
    status = cluster.api.get("pdb", "web")["status"]
    assert (status["currentHealthy"], status["desiredHealthy"], status["expectedPods"],
            status["disruptionsAllowed"]) == (3, 2, 3, 1)
    assert status["observedGeneration"] == 1
    condition = status["conditions"][0]
    assert (condition["type"], condition["status"], condition["reason"]) == ("DisruptionAllowed", "True",
                                                                             "SufficientPods")


def test_max_unavailable_percentage_reads_the_deployments_scale(cluster):
    cluster.api.apply(deployment("web", 4))
    cluster.step(30)
    cluster.api.apply(pdb(maxUnavailable="25%"))
    cluster.step(1)
    status = cluster.api.get("pdb", "web")["status"]
    assert (status["expectedPods"], status["desiredHealthy"], status["disruptionsAllowed"]) == (4, 3, 1)


def test_unmanaged_pods_with_max_unavailable_warn_as_upstream(cluster):
    cluster.api.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "lonely", "labels": {"app": "web"}},
                   "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}})
    cluster.step(20)
    cluster.api.apply(pdb(maxUnavailable=1))
    cluster.step(1)
    assert any(e.startswith("UnmanagedPods: Pods selected by this PodDisruptionBudget (selector: &v1.LabelSelector")
               for e in events_of(cluster, "PodDisruptionBudget", "web"))


def test_eviction_spends_a_disruption_and_then_refuses_with_429(cluster):
    cluster.api.apply(deployment("web", 3))
    cluster.step(30)
    cluster.api.apply(pdb(minAvailable=2))
    cluster.step(1)
    first, second = (p["metadata"]["name"] for p in pods_of(cluster, "web")[:2])
    evicted = cluster.api.evict(first)
    assert evicted["metadata"]["deletionTimestamp"]
    assert any(c["type"] == "DisruptionTarget" for c in cluster.api.get("pods", first)["status"]["conditions"])
    status = cluster.api.get("pdb", "web")["status"]
    assert status["disruptionsAllowed"] == 0
    assert first in status["disruptedPods"]
    before = cluster.dumps()
    with pytest.raises(Status) as refused:
        cluster.api.evict(second)
    assert refused.value.code == 429
    assert refused.value.message == "Cannot evict pod as it would violate the pod's disruption budget."
    assert refused.value.causes[0].reason == "DisruptionBudget"
    assert cluster.dumps() == before  # a refused eviction changes nothing


def test_budget_allows_again_once_the_replacement_is_ready(cluster):
    cluster.api.apply(deployment("web", 3))
    cluster.step(30)
    cluster.api.apply(pdb(minAvailable=2))
    cluster.step(1)
    cluster.api.evict(pods_of(cluster, "web")[0]["metadata"]["name"])
    cluster.step(60)
    status = cluster.api.get("pdb", "web")["status"]
    assert status["disruptionsAllowed"] == 1
    assert "disruptedPods" not in status


def test_a_pod_outside_every_budget_or_not_running_is_evicted_at_once(cluster):
    cluster.api.apply(deployment("web", 1))
    cluster.api.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "other"},
                   "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}})
    cluster.step(30)
    cluster.api.apply(pdb(minAvailable=1))
    cluster.step(1)
    assert cluster.api.get("pdb", "web")["status"]["disruptionsAllowed"] == 0
    assert cluster.api.evict("other")["metadata"]["name"] == "other"


def test_two_budgets_on_one_pod_are_refused(cluster):
    cluster.api.apply(deployment("web", 2))
    cluster.step(30)
    cluster.api.apply(pdb("a", maxUnavailable=1))
    cluster.api.apply(pdb("b", maxUnavailable=1))
    cluster.step(1)
    with pytest.raises(Status) as refused:
        cluster.api.evict(pods_of(cluster, "web")[0]["metadata"]["name"])
    assert refused.value.code == 500
    assert "more than one PodDisruptionBudget" in refused.value.message


def test_budgets_cost_nothing_without_one(cluster):
    """The controller hears of pods only while a budget exists (`active_while`)."""
    cluster.api.apply(deployment("web", 3))
    cluster.step(30)
    assert not [item for item in cluster.controller_work if item[0] == "disruption-controller"]
    cluster.api.apply(pdb(minAvailable=1))
    cluster.run_until_idle()
    cluster.api.patch("deployments", "web", {"spec": {"replicas": 4}}, patch_type="merge")
    assert any(owner == "disruption-controller" for owner, _ in cluster.controller_work)


def test_validation_rejects_both_bounds_and_bad_percentages(cluster):
    with pytest.raises(Status) as both:
        cluster.api.apply(pdb(minAvailable=1, maxUnavailable=1))
    assert "minAvailable and maxUnavailable cannot be both set" in both.value.message
    with pytest.raises(Status) as percent:
        cluster.api.apply(pdb(minAvailable="150%"))
    assert "spec.minAvailable: Invalid value: \"150%\": must not be greater than 100%" in percent.value.message
