"""Faults declared as data in a scenario: at once (found from their symptoms) or later (a timer that survives
a save and load), each acting as the scenario's own actor."""

from __future__ import annotations

import json

import pytest
from sim_helpers import SMALL

from cluster_engine.sim import faults, scenario
from cluster_engine.sim.cluster import Cluster

WEB = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
       "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}


def _ready(cluster: Cluster, node: str) -> str:
    node_obj = cluster.api.get("nodes", node, namespace="")
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
    assert cluster.api.get("deployments", "web")["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    cluster = Cluster.loads(cluster.dumps())
    cluster.step(60)
    image = cluster.api.get("deployments", "web")["spec"]["template"]["spec"]["containers"][0]["image"]
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


AGENT = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
         "spec": {"selector": {"matchLabels": {"app": "agent"}},
                  "template": {"metadata": {"labels": {"app": "agent"}},
                               "spec": {"containers": [{"name": "agent", "image": "busybox:1.36",
                                                        "command": ["sh", "-c", "sleep 3600"]}]}}}}


def test_a_node_that_joins_later_registers_runs_pods_and_gets_the_daemon_pods():
    joiner = {"name": "worker-9", "cpu": "4", "memory": "8Gi", "labels": {"disktype": "ssd"},
              "taints": [{"key": "dedicated", "value": "batch", "effect": "NoSchedule"}]}
    cluster = scenario.build({**SMALL, "objects": [AGENT], "faults": [{"at": 60, "join": joiner}]})
    cluster.step(30)
    assert [n["metadata"]["name"] for n in cluster.api.list("nodes", namespace="")["items"]] == [
        "control-plane", "worker-1", "worker-2"]
    cluster = Cluster.loads(cluster.dumps())
    cluster.step(60)
    node = cluster.api.get("nodes", "worker-9", namespace="")
    assert _ready(cluster, "worker-9") == "True"
    assert node["metadata"]["labels"]["disktype"] == "ssd"
    assert node["spec"]["taints"] == joiner["taints"]
    cidrs = [n["spec"]["podCIDR"] for n in cluster.api.list("nodes", namespace="")["items"]]
    assert len(set(cidrs)) == len(cidrs)
    registered = [c for c in cluster.changes() if c["kind"] == "Node" and c["type"] == "ADDED"]
    assert [(c["name"], c["actor"]) for c in registered] == [("worker-9", "kubelet/worker-9")]
    # kube-proxy tolerates every taint; the agent does not tolerate `dedicated`, so it stays off the new node
    on_new = {p["metadata"]["name"].rsplit("-", 1)[0]: p for p in cluster.api.list("pods", namespace=None)["items"]
              if p["spec"].get("nodeName") == "worker-9"}
    assert set(on_new) == {"kube-proxy"}
    assert on_new["kube-proxy"]["status"]["phase"] == "Running"


def test_a_joining_node_runs_tolerating_daemon_pods_and_a_second_join_of_its_name_does_nothing():
    agent = json.loads(json.dumps(AGENT))
    agent["spec"]["template"]["spec"]["tolerations"] = [{"operator": "Exists"}]
    cluster = scenario.build({**SMALL, "objects": [agent], "faults": [
        {"at": 10, "join": {"name": "worker-9"}}, {"at": 20, "join": {"name": "worker-9", "cpu": "8"}}]})
    cluster.step(60)
    assert cluster.api.get("nodes", "worker-9", namespace="")["status"]["capacity"]["cpu"] == "2"
    agents = {p["spec"]["nodeName"]: p["status"]["phase"] for p in cluster.api.list("pods", label_selector="app=agent")
              ["items"]}
    assert agents == dict.fromkeys(["control-plane", "worker-1", "worker-2", "worker-9"], "Running")


@pytest.mark.parametrize("fault", [{"join": "worker-9"}, {"join": {"cpu": "2"}}])
def test_a_join_needs_a_node_with_a_name(fault):
    assert "join" in faults.validate(fault)
