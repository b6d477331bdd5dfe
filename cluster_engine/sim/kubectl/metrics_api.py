"""The Metrics API as kubectl reaches it through the aggregator: `nodes.metrics.k8s.io` and `pods.metrics.k8s.io`
(NodeMetrics, PodMetrics from the simulated metrics-server, `sim/metrics.py`) for get, list and describe, printed
from the Table metrics-server serves, and the answers the real API gives (`kubeapi/metrics.py`): the aggregator's
503 while no metrics-server endpoint is ready, 405 for any verb but get and list."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim import metrics
from cluster_engine.sim.errors import Status

from .context import Client
from .resources import METRICS_RESOURCES, NODE_METRICS, Resource

KINDS = {resource.kind: resource for resource in METRICS_RESOURCES}


def served(client: Client) -> tuple[Resource, ...]:
    """The metrics resources discovery lists: both while the APIService is registered (even unavailable)."""
    return () if metrics.api_state(client) == metrics.ABSENT else METRICS_RESOURCES


def not_allowed(verb: str, resource: Resource) -> Status:
    """The 405 the aggregated API answers for a verb it does not serve."""
    message = f'{verb} is not supported on resources of kind "{resource.qualified_plural}"'
    return Status(405, "MethodNotAllowed", message, {})


class MetricsClient:
    """A kubectl `Client` that also serves the Metrics API's kinds; every other call goes to `inner`."""

    def __init__(self, inner: Client) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _available(self, resource: Resource, name: str = "") -> None:
        if metrics.api_state(self.inner) != metrics.AVAILABLE:
            raise metrics.unavailable(resource.plural, name)

    def get(self, kind: str, name: str, namespace: str = "default") -> dict[str, Any]:
        resource = KINDS.get(kind)
        if resource is None:
            return self.inner.get(kind, name, namespace)
        self._available(resource, name)
        if resource is NODE_METRICS:
            return metrics.get_node_metrics(self.inner, self.inner.now, name)
        return metrics.get_pod_metrics(self.inner, self.inner.now, namespace, name)

    def list(
        self, kind: str, namespace: str | None = None, *, label_selector: str = "", field_selector: str = ""
    ) -> dict[str, Any]:
        resource = KINDS.get(kind)
        if resource is None:
            return self.inner.list(kind, namespace, label_selector=label_selector, field_selector=field_selector)
        self._available(resource)
        if resource is NODE_METRICS:
            items = metrics.list_node_metrics(self.inner, self.inner.now, label_selector=label_selector)
        else:
            items = metrics.list_pod_metrics(self.inner, self.inner.now, namespace=namespace,
                                             label_selector=label_selector, field_selector=field_selector)
        return {"kind": f"{kind}List", "apiVersion": metrics.API_VERSION, "metadata": {}, "items": items}

    def create(self, body: dict[str, Any], **options: Any) -> dict[str, Any]:
        if body.get("kind") in KINDS:
            raise not_allowed("create", KINDS[body["kind"]])
        return self.inner.create(body, **options)

    def patch(self, kind: str, name: str, body: Any, **options: Any) -> dict[str, Any]:
        if kind in KINDS:
            raise not_allowed("patch", KINDS[kind])
        return self.inner.patch(kind, name, body, **options)

    def delete(self, kind: str, name: str, **options: Any) -> dict[str, Any]:
        if kind in KINDS:
            raise not_allowed("delete", KINDS[kind])
        return self.inner.delete(kind, name, **options)


def to_table(items: list[dict[str, Any]]) -> dict[str, Any]:
    """metrics-server's Table (Name, cpu, memory, Window), as the API serves it for `kubectl get`."""
    return metrics.table(items, row_object=lambda item: {"metadata": item["metadata"]})
