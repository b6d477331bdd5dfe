"""HTTP entry points: `/k8s/<sandbox-id>/...` (the Kubernetes API of one sandbox) and the kubeconfig download.

Views only route and translate: discovery and OpenAPI documents come from `discovery` / `openapi`, resource
verbs from `resources`, and every error leaves as a Kubernetes `Status`.
"""

from __future__ import annotations

import logging
import uuid

from django.http import HttpRequest, HttpResponse
from django.urls import resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.views import APIView

from cluster_engine import selectors, tls, tokens
from cluster_engine.engine import Status, internal_error
from cluster_engine.kubeapi import discovery, openapi, openapi_proto, portforward, resources, tables
from cluster_engine.kubeapi.auth import authenticate, token_sandbox
from cluster_engine.kubeapi.resources import ApiRequest, json_response, not_found_resource, status_response
from cluster_engine.models import Sandbox

logger = logging.getLogger(__name__)


@csrf_exempt
def kube_api(request: HttpRequest, sandbox_id: str, rest: str | None = None) -> HttpResponse:
    """Every request under `/k8s/<sandbox-id>/`; only `/version` is answered without a token."""
    try:
        segments = [segment for segment in (rest or "").split("/") if segment]
        if segments == ["version"]:
            return json_response(discovery.KUBE_VERSION)
        caller = authenticate(request, uuid.UUID(sandbox_id))
        return _route(request, caller, segments)
    except Status as error:
        return status_response(error)
    except Exception:
        logger.exception("Kubernetes API request failed: %s %s", request.method, request.path)
        return status_response(internal_error("an error on the server prevented the request from succeeding"))


@csrf_exempt
def kube_api_by_token(request: HttpRequest, rest: str) -> HttpResponse:
    """`/api/v1/...`, `/apis/...`, `/openapi/...`, `/version` at the site root: answered as under
    `/k8s/<id>/` for the sandbox the bearer token opens (whatever answers there answers here)."""
    try:
        sandbox_id = token_sandbox(request)
    except Status as error:
        return status_response(error)
    match = resolve(f"/k8s/{sandbox_id}/{rest}")
    return match.func(request, *match.args, **match.kwargs)


def _route(request: HttpRequest, caller: resources.Caller, segments: list[str]) -> HttpResponse:
    accept = request.headers.get("Accept", "")
    if segments in (["healthz"], ["livez"], ["readyz"]):
        return HttpResponse(b"ok", content_type="text/plain")
    if segments and segments[0] == "openapi":
        return _openapi(segments[1:], accept)
    if request.method != "GET" and len(segments) < 3:
        raise Status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
    if segments == ["api"]:
        if tables.wants_aggregated(accept):
            return json_response(discovery.aggregated(core=True), content_type=discovery.AGGREGATED_TYPE)
        return json_response(discovery.api_versions())
    if segments == ["apis"]:
        if tables.wants_aggregated(accept):
            return json_response(discovery.aggregated(core=False), content_type=discovery.AGGREGATED_TYPE)
        return json_response(discovery.api_group_list())
    if segments == ["api", "v1"]:
        return json_response(discovery.resource_list("", "v1"))
    if len(segments) == 2 and segments[0] == "apis":
        group = discovery.api_group(segments[1])
        if group is None:
            raise not_found_resource()
        return json_response(group)
    if len(segments) == 3 and segments[0] == "apis":
        listing = discovery.resource_list(segments[1], segments[2])
        if listing is None:
            raise not_found_resource()
        return json_response(listing)
    if len(segments) > 2 and segments[:2] == ["api", "v1"]:
        return _resource(request, caller, "", "v1", segments[2:])
    if len(segments) > 3 and segments[0] == "apis":
        return _resource(request, caller, segments[1], segments[2], segments[3:])
    if not segments:
        return json_response({"paths": ["/api", "/api/v1", "/apis", "/openapi/v2", "/openapi/v3", "/version"]})
    raise not_found_resource()


def _openapi(segments: list[str], accept: str) -> HttpResponse:
    if segments == ["v2"]:
        # kubectl asks for protobuf (client-side validation of a group-version /openapi/v3 does not list)
        if any(media in accept for media in openapi_proto.ACCEPTED):
            return HttpResponse(openapi_proto.v2_protobuf(openapi.v2_document()), content_type=openapi_proto.MEDIA_TYPE)
        if accept and "json" not in accept and "*/*" not in accept:
            raise Status(406, "NotAcceptable", "only application/json and the protobuf form are served for /openapi/v2",
                         {})
        return HttpResponse(openapi.v2_document(), content_type="application/json")
    if segments == ["v3"]:
        return json_response(openapi.v3_root())
    if len(segments) > 1 and segments[0] == "v3":
        document = openapi.v3_document("/".join(segments[1:]))
        if document is not None:
            response = HttpResponse(document, content_type="application/json")
            response["Cache-Control"] = "public, immutable"
            return response
    raise not_found_resource()


def _resource(request: HttpRequest, caller: resources.Caller, group: str, version: str,
              segments: list[str]) -> HttpResponse:
    namespace: str | None = None
    if segments[0] == "namespaces" and len(segments) >= 3 and not (len(segments) == 3 and segments[2] in
                                                                     ("status", "finalize")):
        namespace, segments = segments[1], segments[2:]
    if len(segments) > 3:
        raise not_found_resource()
    plural, name, sub = [*segments, "", ""][:3]
    body = request.body
    if plural == "bindings" and not group and namespace is not None and not name and request.method == "POST":
        kind = discovery.kind_for("", "v1", "pods")
        if kind is None:
            raise not_found_resource()
        return resources.bind(_api_request(request, caller, kind, namespace, "", "", body))
    if plural == "pods" and not group and name and sub == "portforward" and namespace is not None:
        raise portforward.spdy_fallback_status(caller, namespace, name)  # kubectl's SPDY fallback, as for exec
    if plural == "pods" and not group and name and sub in ("exec", "attach") and namespace is not None:
        # kubectl reaches here only after a refused WebSocket, falling back to SPDY (see `kubeapi/exec.py`)
        raise Status(400, "BadRequest", f"pods/{sub} is served over WebSockets only (subprotocol "
                                        "v5.channel.k8s.io or v4.channel.k8s.io); SPDY is not supported", {})
    kind = discovery.kind_for(group, version, plural)
    if kind is None or (namespace is not None and not kind.namespaced) or (kind.namespaced and name and
                                                                            namespace is None):
        raise not_found_resource()
    return resources.handle(_api_request(request, caller, kind, namespace, name, sub, body))


def _api_request(request: HttpRequest, caller: resources.Caller, kind: resources.Kind, namespace: str | None,  # noqa: PLR0917
                 name: str, sub: str, body: bytes) -> ApiRequest:
    return ApiRequest(caller=caller, method=request.method or "GET", kind=kind, namespace=namespace, name=name,
                      subresource=sub, query=request.GET, content_type=request.headers.get("Content-Type", ""),
                      accept=request.headers.get("Accept", ""), body=body,
                      user_agent=request.headers.get("User-Agent", ""))


class SandboxKubeconfigView(APIView):
    """GET /api/sandboxes/<id>/kubeconfig/: a kubeconfig with a fresh token (older tokens stop working); the
    owner's only (someone who may only read the sandbox gets 404, as for a sandbox they cannot see)."""

    @extend_schema(responses={(200, "application/yaml"): OpenApiTypes.STR})
    def get(self, request: Request, sandbox_id: uuid.UUID) -> HttpResponse:
        try:
            sandbox, read_only = selectors.sandbox_for_viewer(sandbox_id=sandbox_id, user=request.user)
        except Sandbox.DoesNotExist as missing:
            raise NotFound from missing
        if read_only:
            # A kubeconfig carries a token that writes (and making one revokes the owner's): only the owner's.
            raise NotFound
        text = tokens.sandbox_kubeconfig(sandbox=sandbox, ca_pem=kubeconfig_ca())
        response = HttpResponse(text.encode(), content_type="application/yaml")
        response["Content-Disposition"] = f'attachment; filename="podlab-{sandbox.label}.kubeconfig"'
        response["Cache-Control"] = "no-store"
        return response


def kubeconfig_ca() -> bytes | None:
    """The CA for kubeconfigs: the local one (made if missing), or None with the setting `KUBE_API_INCLUDE_CA =
    False` (the API behind an ingress whose certificate a public CA signed)."""
    from django.conf import settings

    if not settings.KUBE_API_INCLUDE_CA:
        return None
    return tls.ensure_certificates().ca_pem()
