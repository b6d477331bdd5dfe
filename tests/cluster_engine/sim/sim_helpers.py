"""Helpers of the simulated-cluster tests: small clusters from data, pod manifests, event reasons."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim import scenario
from cluster_engine.sim.cluster import Cluster

SMALL = {
    "seed": 7,
    "nodes": [
        {"name": "control-plane", "role": "control-plane", "cpu": "2", "memory": "4Gi", "zone": "zone-a"},
        {"name": "worker-1", "cpu": "2", "memory": "4Gi", "zone": "zone-a"},
        {"name": "worker-2", "cpu": "4", "memory": "8Gi", "zone": "zone-b", "runtime": "cri-o"},
    ],
}


def small_cluster() -> Cluster:
    """A settled three-node cluster (one control plane, two workers)."""
    return scenario.build(SMALL)


def pod(
    name: str, *, image: str = "nginx:1.27", node: str | None = "worker-1", **spec: Any
) -> dict[str, Any]:
    """A one-container pod manifest, bound to `node` unless None."""
    container: dict[str, Any] = {"name": spec.pop("container_name", "app"), "image": image}
    for key in ("command", "args", "livenessProbe", "readinessProbe", "resources", "ports", "env"):
        if key in spec:
            container[key] = spec.pop(key)
    body: dict[str, Any] = {"containers": [container], **spec}
    if node:
        body["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": body}


def container_state(cluster: Cluster, name: str, namespace: str = "default") -> dict[str, Any]:
    status = cluster.api.get("pods", name, namespace=namespace)["status"]
    return status["containerStatuses"][0]


def reasons(cluster: Cluster, name: str) -> list[str]:
    """Event reasons recorded for a pod, oldest first."""
    events = cluster.api.list("events", field_selector=f"involvedObject.name={name}")["items"]
    events.sort(key=lambda e: (e["firstTimestamp"], e["metadata"]["resourceVersion"].zfill(12)))
    return [e["reason"] for e in events]
