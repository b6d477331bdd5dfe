"""The Metrics API of a sandbox, as kube-apiserver's aggregator serves metrics-server's: `metrics.k8s.io` in
discovery while the sandbox has a registered metrics-server, `NodeMetrics` / `PodMetrics` (get, list, and a
Table for `kubectl get nodes.metrics.k8s.io`) from `sim/metrics.py`, and the aggregator's plain-text
`503 service unavailable` while no metrics-server endpoint is ready (`kubectl top` then prints
`Error from server (ServiceUnavailable): the server is currently unable to handle the request (get ...)`).

Routed in `kubeapi/urls.py` ahead of the resource API: `/apis` (the group list, which depends on the sandbox)
and everything under `/apis/metrics.k8s.io`.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from cluster_engine.engine import Status, internal_error, metrics
from cluster_engine.kubeapi import discovery, tables, views
from cluster_engine.kubeapi.auth import authenticate
from cluster_engine.kubeapi.resources import json_response, not_found_resource, status_response
from cluster_engine.kubeapi.state import load

logger = logging.getLogger(__name__)

VERBS = ["get", "list"]
# (resource, kind, namespaced)
RESOURCES = (("nodes", "NodeMetrics", False), ("pods", "PodMetrics", True))


def _aggregated_group() -> dict[str, Any]:
    resources = [
        {"resource": plural, "responseKind": {"group": metrics.GROUP, "version": metrics.VERSION, "kind": kind},
         "scope": "Namespaced" if namespaced else "Cluster", "singularResource": "", "verbs": VERBS}
        for plural, kind, namespaced in RESOURCES
    ]
    return {"metadata": {"name": metrics.GROUP, "creationTimestamp": None},
            "versions": [{"version": metrics.VERSION, "freshness": "Current", "resources": resources}]}


def _legacy_group() -> dict[str, Any]:
    version = {"groupVersion": metrics.API_VERSION, "version": metrics.VERSION}
    return {"name": metrics.GROUP, "versions": [version], "preferredVersion": version}


def _resource_list() -> dict[str, Any]:
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": metrics.API_VERSION,
            "resources": [{"name": plural, "singularName": "", "namespaced": namespaced, "kind": kind,
                           "verbs": VERBS} for plural, kind, namespaced in RESOURCES]}


def _guarded(handler: Any) -> Any:
    """Every failure leaves as a Kubernetes Status, as in `views.kube_api`."""

    @csrf_exempt
    def view(request: HttpRequest, sandbox_id: str, rest: str | None = None) -> HttpResponse:
        try:
            return handler(request, sandbox_id, rest or "")
        except Status as error:
            return status_response(error)
        except Exception:
            logger.exception("Metrics API request failed: %s %s", request.method, request.path)
            return status_response(internal_error("an error on the server prevented the request from succeeding"))

    view.__doc__ = handler.__doc__
    return view


def _apis(request: HttpRequest, sandbox_id: str, _rest: str) -> HttpResponse:
    """`/apis`: the named groups, with metrics.k8s.io while the APIService is registered."""
    if request.method != "GET":
        return views.kube_api(request, sandbox_id, "/apis")
    caller = authenticate(request, uuid.UUID(sandbox_id))
    registered = metrics.api_state(load(caller.sandbox_id).api) != metrics.ABSENT
    if tables.wants_aggregated(request.headers.get("Accept", "")):
        extra = (_aggregated_group(),) if registered else ()
        return json_response(discovery.aggregated(core=False, extra=extra), content_type=discovery.AGGREGATED_TYPE)
    return json_response(discovery.api_group_list((_legacy_group(),) if registered else ()))


def _method_not_supported(verb: str, plural: str) -> Status:
    return Status(405, "MethodNotAllowed",
                  f'{verb} is not supported on resources of kind "{plural}.{metrics.GROUP}"', {})


def _metrics(request: HttpRequest, sandbox_id: str, rest: str) -> HttpResponse:
    """`/apis/metrics.k8s.io[/v1beta1[/...]]`."""
    caller = authenticate(request, uuid.UUID(sandbox_id))
    segments = [segment for segment in rest.split("/") if segment]
    cluster = load(caller.sandbox_id)
    state = metrics.api_state(cluster.api)
    if state == metrics.ABSENT:
        raise not_found_resource()
    if not segments:
        return json_response({"kind": "APIGroup", "apiVersion": "v1", **_legacy_group()})
    if segments[0] != metrics.VERSION:
        raise not_found_resource()
    namespace: str | None = None
    if len(segments) >= 4 and segments[1] == "namespaces":
        namespace, segments = segments[2], segments[:1] + segments[3:]
    if len(segments) > 3 or (len(segments) > 1 and segments[1] not in ("nodes", "pods")) or (
            namespace is not None and segments[1:2] != ["pods"]):
        raise not_found_resource()
    if state == metrics.UNAVAILABLE:
        # the aggregator's proxy: http.Error(w, "service unavailable", 503)
        return HttpResponse(b"service unavailable\n", status=503, content_type="text/plain; charset=utf-8")
    if len(segments) == 1:
        return json_response(_resource_list())
    plural, name = segments[1], (segments[2] if len(segments) == 3 else "")
    if request.method != "GET":
        raise _method_not_supported((request.method or "").lower(), plural)
    if request.GET.get("watch", "").lower() in ("true", "1"):
        raise _method_not_supported("watch", plural)
    now = cluster.now
    if plural == "nodes":
        if name:
            return _render(request, metrics.get_node_metrics(cluster.api, now, name), single=True)
        items = metrics.list_node_metrics(cluster.api, now, label_selector=request.GET.get("labelSelector", ""))
        return _render(request, {"kind": "NodeMetricsList", "apiVersion": metrics.API_VERSION, "metadata": {},
                                 "items": items})
    if name:
        return _render(request, metrics.get_pod_metrics(cluster.api, now, namespace or "", name), single=True)
    items = metrics.list_pod_metrics(cluster.api, now, namespace=namespace,
                                     label_selector=request.GET.get("labelSelector", ""),
                                     field_selector=request.GET.get("fieldSelector", ""))
    return _render(request, {"kind": "PodMetricsList", "apiVersion": metrics.API_VERSION, "metadata": {},
                             "items": items})


def _render(request: HttpRequest, body: dict[str, Any], *, single: bool = False) -> HttpResponse:
    """The object or list, or metrics-server's Table (Name, cpu, memory, Window) when asked for one."""
    if tables.conversion(request.headers.get("Accept", "")) != tables.TABLE:
        return json_response(body)
    items = [body] if single else body["items"]
    return json_response(metrics.table(items, row_object=tables.partial))


apis_root = _guarded(_apis)
metrics_api = _guarded(_metrics)
