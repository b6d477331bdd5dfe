"""Manifests shared by the Service, Job and StatefulSet controller tests and the kube-proxy tests."""

from __future__ import annotations

from typing import Any


def web_pod(name: str, *, labels: dict[str, str] | None = None, image: str = "nginx:1.27") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels or {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": image, "ports": [{"containerPort": 80, "name": "http"}]}]},
    }


def service(name: str = "web", **spec: Any) -> dict[str, Any]:
    body = {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}], **spec}
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": body}


def job(name: str, script: str = "sleep 5", **spec: Any) -> dict[str, Any]:
    template = {
        "spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "task", "image": "busybox:1.36", "command": ["sh", "-c", script]}],
        }
    }
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": {"template": template, **spec}}


def statefulset(name: str = "web", replicas: int = 3, **spec: Any) -> dict[str, Any]:
    body = {
        "serviceName": name,
        "replicas": replicas,
        "selector": {"matchLabels": {"app": name}},
        "template": {
            "metadata": {"labels": {"app": name}},
            "spec": {
                "containers": [
                    {"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80, "name": "http"}]}
                ]
            },
        },
        "volumeClaimTemplates": [
            {
                "metadata": {"name": "www"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
            }
        ],
        **spec,
    }
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name}, "spec": body}


def job_events(cluster: Any, kind: str, name: str) -> list[str]:
    selector = f"involvedObject.kind={kind},involvedObject.name={name}"
    events = cluster.api.list("events", field_selector=selector)["items"]
    events.sort(key=lambda e: int(e["metadata"]["resourceVersion"]))
    return [f"{e['type']} {e['reason']}: {e['message']}" for e in events]
