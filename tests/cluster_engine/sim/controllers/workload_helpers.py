"""Helpers of the workload-controller tests: Deployment / ReplicaSet / DaemonSet manifests and reads."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.cluster import Cluster


def template(app: str, image: str = "nginx:1.27", **spec: Any) -> dict[str, Any]:
    return {"metadata": {"labels": {"app": app}}, "spec": {"containers": [{"name": "app", "image": image}], **spec}}


def replicaset(name: str, replicas: int = 3, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "template": template(name), **spec},
    }


def deployment(name: str, replicas: int = 3, image: str = "nginx:1.27", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": template(name, image),
            **spec,
        },
    }


def daemonset(name: str, image: str = "nginx:1.27", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name},
        "spec": {"selector": {"matchLabels": {"app": name}}, "template": template(name, image), **spec},
    }


def pods_of(cluster: Cluster, app: str, *, include_terminating: bool = False) -> list[dict[str, Any]]:
    pods = cluster.api.list("pods", label_selector=f"app={app}")["items"]
    return [p for p in pods if include_terminating or not p["metadata"].get("deletionTimestamp")]


def owned_replicasets(cluster: Cluster, deploy: str) -> list[dict[str, Any]]:
    uid = cluster.api.get("deployments", deploy)["metadata"]["uid"]
    items = cluster.api.list("replicasets")["items"]
    return [rs for rs in items if any(r["uid"] == uid for r in rs["metadata"].get("ownerReferences") or [])]


def events_of(cluster: Cluster, kind: str, name: str) -> list[str]:
    """`reason: message` of the Events on one object, oldest first."""
    items = cluster.api.list("events", field_selector=f"involvedObject.kind={kind},involvedObject.name={name}")["items"]
    items.sort(key=lambda e: int(e["metadata"]["resourceVersion"]))
    return [f"{e['reason']}: {e['message']}" for e in items]
