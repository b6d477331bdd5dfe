"""Faults declared as data in a scenario: at once (found from their symptoms) or later (a timer that survives
a save and load), each acting as the scenario's own actor."""

from __future__ import annotations

import pytest
from sim_helpers import SMALL

from cluster_engine.sim import faults, scenario
from cluster_engine.sim.cluster import Cluster

WEB = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
       "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}


def _ready(cluster: Cluster, node: str) -> str:
    node_obj = cluster.get("nodes", node, namespace="")
    return next(c["status"] for c in node_obj["status"]["conditions"] if c["type"] == "Ready")


def test_an_immediate_fault_is_in_place_and_out_of_the_change_feed():
    cluster = scenario.build({**SMALL, "faults": [{"stop": "kubelet/worker-1"}]})
    assert _ready(cluster, "worker-1") == "Unknown"
    assert cluster.changes() == []


def test_a_timed_fault_fires_later_even_across_a_reload():
    cluster = scenario.build({**SMALL, "objects": [WEB],
                              "faults": [{"at": 90, "patch": {"kind": "Deployment", "name": "web", "patch": {
                                  "spec": {"template": {"spec": {"containers": [
                                      {"name": "web", "image": "nginx:0.0.0-missing"}]}}}}}}]})
    cluster.step(60)
    assert cluster.get("deployments", "web")["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    cluster = Cluster.loads(cluster.dumps())
    cluster.step(60)
    image = cluster.get("deployments", "web")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "nginx:0.0.0-missing"
    assert any(c["actor"] == faults.ACTOR and c["kind"] == "Deployment" for c in cluster.changes())


def test_a_fault_whose_target_is_gone_does_nothing():
    cluster = scenario.build({**SMALL, "faults": [{"at": 10, "delete": {"kind": "Deployment", "name": "gone"}}]})
    cluster.step(20)
    assert not cluster.timers.pending(faults.OWNER, "")


@pytest.mark.parametrize("fault", [{"stop": 3}, {"explode": "x"}, {"stop": "kube-scheduler", "at": -1},
                                   {"patch": {"kind": "Pod"}}, "stop"])
def test_malformed_faults_are_refused(fault):
    assert faults.validate(fault)
    with pytest.raises(ValueError, match="fault"):
        scenario.build({**SMALL, "faults": [fault]})
