"""A small in-test cluster for scheduler tests: plays the SchedulerHost and keeps pod objects."""

from __future__ import annotations

import random
from typing import Any

from cluster_engine.sim.scheduler import Profile, Scheduler
from cluster_engine.sim.scheduler.explain import Record


def node_object(
    name: str,
    *,
    cpu: str = "4",
    memory: str = "8Gi",
    pods: int = 110,
    labels: dict[str, str] | None = None,
    taints: list[dict[str, str]] | None = None,
    unschedulable: bool = False,
    images: list[tuple[str, int]] | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    allocatable = {"cpu": cpu, "memory": memory, "pods": str(pods), **(extra or {})}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
        "spec": {"taints": taints or [], "unschedulable": unschedulable},
        "status": {
            "allocatable": allocatable,
            "capacity": dict(allocatable),
            "images": [{"names": [n], "sizeBytes": s} for n, s in images or []],
        },
    }


def pod_object(
    name: str,
    *,
    cpu: str | None = None,
    memory: str | None = None,
    namespace: str = "default",
    labels: dict[str, str] | None = None,
    image: str = "nginx",
    node_name: str = "",
    priority: int | None = None,
    requests: dict[str, str] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    requests = {**{k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}, **(requests or {})}
    container: dict[str, Any] = {"name": "app", "image": image}
    if requests:
        container["resources"] = {"requests": requests}
    body: dict[str, Any] = {"containers": [container], **spec}
    if node_name:
        body["nodeName"] = node_name
    if priority is not None:
        body["priority"] = priority
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": f"uid-{namespace}-{name}",
            "labels": labels or {},
            "creationTimestamp": "2026-01-01T00:00:00Z",
        },
        "spec": body,
        "status": {"phase": "Running" if node_name else "Pending"},
    }


class Harness:
    """Feeds objects to a Scheduler and records what it asks of the cluster."""

    def __init__(
        self, profile: Profile | None = None, seed: int = 1, *, evict_immediately: bool = True
    ) -> None:
        self.scheduler = Scheduler(profile)
        self.rng = random.Random(seed)
        self.now = 0.0
        self.evict_immediately = evict_immediately
        self.pods: dict[str, dict[str, Any]] = {}
        self.bindings: dict[str, str] = {}
        self.failures: dict[str, str] = {}
        self.explanations: dict[str, list[dict[str, Any]]] = {}
        self.nominations: dict[str, str] = {}
        self.evictions: list[tuple[str, str]] = []

    # objects
    def node(self, name: str, **kwargs: Any) -> dict[str, Any]:
        obj = node_object(name, **kwargs)
        self.scheduler.observe("ADDED", obj)
        return obj

    def pod(self, name: str, **kwargs: Any) -> dict[str, Any]:
        obj = pod_object(name, **kwargs)
        self.pods[f"{obj['metadata']['namespace']}/{name}"] = obj
        self.scheduler.observe("ADDED", obj)
        return obj

    def priority_class(self, name: str, value: int, *, policy: str | None = None) -> None:
        obj: dict[str, Any] = {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": name},
            "value": value,
        }
        if policy:
            obj["preemptionPolicy"] = policy
        self.scheduler.observe("ADDED", obj)

    def delete_pod(self, key: str) -> None:
        obj = self.pods.pop(key)
        self.scheduler.observe("DELETED", obj)

    def run(self, now: float | None = None) -> float | None:
        if now is not None:
            self.now = now
        return self.scheduler.run(self, now=self.now, rng=self.rng)

    def placement(self, name: str, namespace: str = "default") -> str | None:
        return self.bindings.get(f"{namespace}/{name}")

    def last(self, name: str, namespace: str = "default") -> dict[str, Any]:
        return self.explanations[f"{namespace}/{name}"][-1]

    # SchedulerHost
    def bind(self, namespace: str, name: str, node_name: str, explanation: Record) -> None:
        key = f"{namespace}/{name}"
        obj = self.pods[key]
        obj = {**obj, "spec": {**obj["spec"], "nodeName": node_name}, "status": {"phase": "Running"}}
        self.pods[key] = obj
        self.bindings[key] = node_name
        self.failures.pop(key, None)
        self.explanations.setdefault(key, []).append(explanation.to_dict())
        self.scheduler.observe("MODIFIED", obj)

    def mark_unschedulable(
        self, namespace: str, name: str, message: str, explanation: Record
    ) -> None:
        key = f"{namespace}/{name}"
        self.failures[key] = message
        self.explanations.setdefault(key, []).append(explanation.to_dict())

    def nominate(self, namespace: str, name: str, node_name: str) -> None:
        key = f"{namespace}/{name}"
        self.nominations[key] = node_name
        obj = self.pods[key]
        obj = {**obj, "status": {**obj["status"], "nominatedNodeName": node_name}}
        self.pods[key] = obj
        self.scheduler.observe("MODIFIED", obj)

    def evict_for_preemption(self, namespace: str, name: str, preemptor: str) -> None:
        key = f"{namespace}/{name}"
        self.evictions.append((key, preemptor))
        if self.evict_immediately:
            self.delete_pod(key)
