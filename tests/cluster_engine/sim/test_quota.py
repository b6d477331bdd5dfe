"""Sandbox limits: refused with kube-apiserver's quota wording, and a refusal changes nothing."""

import json
from pathlib import Path

import pytest
import yaml
from sim_helpers import small_cluster

from cluster_engine.sim import objects, quota, scenario
from cluster_engine.sim.errors import Status

ROOT = Path(__file__).resolve().parents[3]


def pod(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


def limited(**overrides: int):
    cluster = small_cluster()
    counts = {"pods": cluster.store.count("Pod"), "nodes": cluster.store.count("Node"),
              "objects": sum(len(v) for k, v in cluster.store.objects.items() if k != "Event")}
    cluster.api.limits = quota.Limits(**{name: counts[name] + extra for name, extra in overrides.items()})
    return cluster


def test_pods_beyond_the_limit_are_forbidden():
    cluster = limited(pods=1)
    cluster.api.create(pod("fits"), actor="user:ada")
    before = cluster.dumps()
    with pytest.raises(Status) as refused:
        cluster.api.create(pod("one-too-many"), actor="user:ada")
    used = cluster.store.count("Pod")
    assert refused.value.code == 403
    assert refused.value.message == (
        f'pods "one-too-many" is forbidden: exceeded quota: sandbox-limits, requested: pods=1, '
        f"used: pods={used}, limited: pods={used}")
    assert cluster.dumps() == before


def test_objects_beyond_the_limit_are_forbidden_but_events_do_not_count():
    cluster = limited(objects=0)
    with pytest.raises(Status) as refused:
        cluster.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}, actor="user:ada")
    assert "exceeded quota: sandbox-limits, requested: count/objects=1" in refused.value.message


def test_nodes_beyond_the_limit_are_forbidden():
    cluster = limited(nodes=0)
    with pytest.raises(Status) as refused:
        cluster.api.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "extra"}}, actor="user:ada")
    assert refused.value.reason == "Forbidden"
    assert "requested: nodes=1" in refused.value.message


def test_replicas_above_the_limit_are_forbidden_on_create_and_update():
    cluster = small_cluster()
    registered = [k for k in ("Deployment", "ReplicaSet", "StatefulSet") if objects.lookup(k) is not None]
    if not registered:
        pytest.skip("no workload kind with spec.replicas is registered yet")
    kind = objects.lookup(registered[0])
    manifest = {"apiVersion": f"{kind.group}/{kind.version}" if kind.group else "v1", "kind": kind.kind,
                "metadata": {"name": "big"},
                "spec": {"replicas": 101, "selector": {"matchLabels": {"app": "big"}},
                         "template": {"metadata": {"labels": {"app": "big"}},
                                      "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    if kind.kind == "StatefulSet":
        manifest["spec"]["serviceName"] = "big"
    before = json.dumps(cluster.to_json(), sort_keys=True)
    with pytest.raises(Status) as refused:
        cluster.api.create(manifest, actor="user:ada")
    assert refused.value.message.endswith("requested: replicas=101, limited: replicas=100")
    assert json.dumps(cluster.to_json(), sort_keys=True) == before
    manifest["spec"]["replicas"] = 2
    cluster.api.create(manifest, actor="user:ada")
    with pytest.raises(Status):
        cluster.api.patch(kind.kind, "big", {"spec": {"replicas": 500}}, patch_type="merge", actor="user:ada")


def test_limits_travel_with_the_state_and_a_scenario_can_lift_them():
    cluster = limited(pods=0)
    reloaded = type(cluster).loads(cluster.dumps())
    assert reloaded.api.limits == cluster.api.limits
    assert quota.limits_from_json("unlimited") is None
    assert quota.limits_from_json(None) == quota.SANDBOX_LIMITS == quota.Limits(500, 200, 20, 100)


def test_what_a_new_cluster_starts_with_leaves_learners_most_of_the_object_limit():
    """The system objects of a new cluster (kube-system's workloads, accounts, the default StorageClass,
    kube-apiserver's bootstrap RBAC policy, ...) count against the limit like any other: they must leave a learner
    at least 400 of its 500 objects, in the lesson scenarios' cluster as in the playground's."""
    playground = yaml.safe_load((ROOT / "cluster_engine" / "scenarios" / "playground.yaml").read_text())
    for spec in (None, playground):
        cluster = scenario.build(spec)
        used = cluster.store.count_all(excluding=quota.UNCOUNTED_KINDS)
        assert quota.SANDBOX_LIMITS.objects - used >= 400, used
