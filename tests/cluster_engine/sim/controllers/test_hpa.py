"""horizontal-pod-autoscaler: upstream's replica calculation on the simulated metrics, bounds, stabilization,
conditions, events, the autoscaling/v1 view, and the controller manager's memory."""

from __future__ import annotations

import pytest
from workload_helpers import events_of

from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.controllers.hpa import resource_replicas
from cluster_engine.sim.errors import Status
from cluster_engine.sim.kinds.autoscaling import hpa_from_v1, hpa_to_v1


def busy_deployment(name: str = "web", replicas: int = 1, *, cpu: str = "200m", command=None) -> dict:
    container = {"name": "app", "image": "busybox", "command": command or ["stress", "--cpu", "1"],
                 "resources": {"requests": {"cpu": cpu}, "limits": {"cpu": "500m"}}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [container]}}}}


def hpa(name: str = "web", *, version: str = "v2", **spec) -> dict:
    body = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}, "maxReplicas": 5, **spec}
    return {"apiVersion": f"autoscaling/{version}", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
            "spec": body}


def conditions(cluster: Cluster, name: str = "web") -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c["reason"]) for c in cluster.api.get("hpa", name)["status"]["conditions"]}


def replicas(cluster: Cluster, name: str = "web") -> int:
    return cluster.api.get("deployments", name)["spec"]["replicas"]


def test_busy_pods_scale_up_by_the_scale_up_limit_then_to_max(cluster):
    cluster.api.apply(busy_deployment())
    cluster.step(40)
    cluster.api.apply(hpa(version="v1", targetCPUUtilizationPercentage=50))
    cluster.step(1)
    assert replicas(cluster) == 4  # 250 % of the target wants 3... x5: capped at max(2 x 1, 4)
    cluster.step(60)
    assert replicas(cluster) == 5
    status = cluster.api.get("hpa", "web")["status"]
    assert status["currentMetrics"][0]["resource"]["current"]["averageUtilization"] == 250
    assert conditions(cluster)["ScalingLimited"] == ("True", "TooManyReplicas")
    assert events_of(cluster, "HorizontalPodAutoscaler", "web")[0] == (
        "SuccessfulRescale: New size: 4; reason: cpu resource utilization (percentage of request) above target")


def test_idle_pods_scale_down_only_after_the_stabilization_window(cluster):
    cluster.api.apply(busy_deployment(replicas=3, command=["sleep", "3600"]))
    cluster.step(40)
    cluster.api.apply(hpa(minReplicas=1))
    cluster.step(1)
    assert replicas(cluster) == 3
    assert conditions(cluster)["AbleToScale"] == ("True", "ScaleDownStabilized")
    cluster.step(290)
    assert replicas(cluster) == 3
    cluster.step(30)
    assert replicas(cluster) == 1
    assert "SuccessfulRescale: New size: 1; reason: All metrics below target" in events_of(
        cluster, "HorizontalPodAutoscaler", "web")


def test_missing_cpu_request_is_reported_as_upstream(cluster):
    deployment = busy_deployment()
    del deployment["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]
    deployment["spec"]["template"]["spec"]["containers"][0]["resources"] = {}
    cluster.api.apply(deployment)
    cluster.step(40)
    cluster.api.apply(hpa())
    cluster.step(1)
    status = cluster.api.get("hpa", "web")["status"]
    assert status["currentMetrics"] == [{"type": ""}]
    active = next(c for c in status["conditions"] if c["type"] == "ScalingActive")
    assert active["reason"] == "FailedGetResourceMetric"
    assert active["message"].startswith("the HPA was unable to compute the replica count: failed to get cpu "
                                        "utilization: missing request for cpu in container app of Pod web-")
    assert any(e.startswith("FailedComputeMetricsReplicas: invalid metrics (1 invalid out of 1), first error is: "
                            "failed to get cpu resource metric value: failed to get cpu utilization: missing request")
               for e in events_of(cluster, "HorizontalPodAutoscaler", "web"))


def test_without_metrics_server_the_metrics_api_is_missing(cluster):
    cluster.api.delete("services", "metrics-server", namespace="kube-system")
    cluster.api.apply(busy_deployment())
    cluster.step(40)
    cluster.api.apply(hpa())
    cluster.step(1)
    active = next(c for c in cluster.api.get("hpa", "web")["status"]["conditions"] if c["type"] == "ScalingActive")
    assert active["message"].endswith("unable to fetch metrics from resource metrics API: the server could not find "
                                      "the requested resource (get pods.metrics.k8s.io)")


def test_missing_target_fails_to_get_scale(cluster):
    cluster.api.apply(hpa("nope"))
    cluster.step(1)
    assert conditions(cluster, "nope")["AbleToScale"] == ("False", "FailedGetScale")
    assert 'FailedGetScale: deployments.apps "nope" not found' in events_of(cluster, "HorizontalPodAutoscaler", "nope")


def test_behavior_policies_limit_the_rate(cluster):
    cluster.api.apply(busy_deployment())
    cluster.step(40)
    behavior = {"scaleUp": {"policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}}
    cluster.api.apply(hpa(behavior=behavior, maxReplicas=10))
    stored = cluster.api.get("hpa", "web")["spec"]["behavior"]
    assert stored["scaleDown"] == {"stabilizationWindowSeconds": 300, "selectPolicy": "Max",
                                   "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}
    cluster.step(1)
    assert replicas(cluster) == 2
    assert conditions(cluster)["ScalingLimited"] == ("True", "ScaleUpLimit")
    cluster.step(30)
    assert replicas(cluster) == 2  # one pod per 60 s
    cluster.step(40)
    assert replicas(cluster) == 3


def test_recommendations_survive_a_reload_and_die_with_the_controller_manager(cluster):
    cluster.api.apply(busy_deployment(replicas=3, command=["sleep", "3600"]))
    cluster.step(40)
    cluster.api.apply(hpa())
    cluster.step(100)
    reloaded = Cluster.loads(cluster.dumps())
    assert reloaded.controller_memory == cluster.controller_memory
    reloaded.step(230)
    cluster.step(230)
    assert replicas(reloaded) == replicas(cluster) == 1
    cluster.set_component("kube-controller-manager", running=False)
    assert cluster.controller_memory == {}


def test_replica_calculator_keeps_the_direction_with_unready_pods():
    pods = [
        {"metadata": {"name": name}, "spec": {}, "status": {"phase": "Running", "startTime": "2026-01-01T00:00:00Z",
                                                           "conditions": [{"type": "Ready", "status": ready,
                                                                           "lastTransitionTime":
                                                                               "2026-01-01T00:00:10Z"}]}}
        for name, ready in (("a", "True"), ("b", "False"))]
    usage = {"a": 900, "b": 100}
    requests = {"a": 1000, "b": 1000}
    now = 1767225600.0 + 3600
    # a is at 90 % of 50 %: scale-up with b unready counts b as 0 %: 45 % -> within tolerance: keep 2
    assert resource_replicas(2, 50, usage, pods=pods, requests=requests, resource="cpu", now=now,
                             scrape=now)[0] == 2


def test_v1_round_trip_keeps_other_metrics_behavior_and_conditions():
    v2 = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "w"},
          "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "w", "apiVersion": "apps/v1"}, "minReplicas": 1,
                   "maxReplicas": 3, "metrics": [
                       {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                                  "averageUtilization": 60}}},
                       {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue",
                                                                                     "averageValue": "100Mi"}}}],
                   "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}},
          "status": {"currentReplicas": 1, "desiredReplicas": 1, "conditions": [
              {"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale", "message": "m",
               "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}
    v1 = hpa_to_v1(v2)
    assert v1["spec"]["targetCPUUtilizationPercentage"] == 60
    assert "autoscaling.alpha.kubernetes.io/metrics" in v1["metadata"]["annotations"]
    back = hpa_from_v1(v1)
    assert back["spec"] == v2["spec"]
    assert back["status"]["conditions"] == v2["status"]["conditions"]
    assert "annotations" not in back["metadata"]


def test_validation_words_as_upstream(cluster):
    with pytest.raises(Status) as bounds:
        cluster.api.apply(hpa(minReplicas=3, maxReplicas=2))
    assert "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`" in bounds.value.message
    with pytest.raises(Status) as target:
        cluster.api.apply(hpa(metrics=[{"type": "Resource",
                                    "resource": {"name": "cpu", "target": {"type": "Utilization"}}}]))
    assert "must set either a target raw value or a target utilization" in target.value.message
