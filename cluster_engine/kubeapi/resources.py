"""The resource verbs of the Kubernetes API: each translates one HTTP request into calls on the sandbox's engine.

Reads load the stored state (clock brought to now); every write runs inside `services.sandbox_write`, the one
write path the in-page terminal uses too, so it is validated by `sim`, stored, recorded and shown on the page.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse, QueryDict, StreamingHttpResponse

from cluster_engine import commandlog, engine, services, wallclock
from cluster_engine.engine import (
    MAX_MANIFEST_BYTES,
    Cause,
    Kind,
    Status,
    bad_request,
    fieldvalidation,
    invalid,
    method_not_allowed,
    parse_documents,
    selector_string,
)
from cluster_engine.kubeapi import discovery, protobuf, tables, watch
from cluster_engine.kubeapi.auth import Caller
from cluster_engine.kubeapi.state import load

JSON_TYPES = ("", "application/json", "*/*")
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
APPLY_PATCH = "application/apply-patch+yaml"
PROTOBUF = protobuf.MEDIA_TYPE
ACCEPTED_BODIES = f"application/json, application/yaml, {PROTOBUF}"
PATCH_MEDIA = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
}
WATCH_TIMEOUT_MAX = 1800.0


@dataclass
class ApiRequest:
    """One resource request, already authenticated and routed."""

    caller: Caller
    method: str
    kind: Kind
    namespace: str | None  # None: all namespaces, or a cluster-scoped kind
    name: str
    subresource: str
    query: QueryDict
    content_type: str
    accept: str
    body: bytes
    user_agent: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def sandbox_id(self) -> uuid.UUID:
        return self.caller.sandbox_id

    @property
    def ns(self) -> str:
        return self.namespace or ""

    @property
    def media(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("true", "1")


# ------------------------------------------------------------------ responses

def json_response(body: Any, status: int = 200, *, content_type: str = "application/json",
                  warnings: list[str] | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(body, separators=(",", ":")).encode(), status=status,
                            content_type=content_type)
    if warnings:
        response["Warning"] = ", ".join(f'299 - "{_quote(text)}"' for text in warnings)
    return response


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def status_response(error: Status) -> HttpResponse:
    return json_response(error.to_dict(), error.code)


def success(code: int = 200, details: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": code}
    if details:
        body["details"] = details
    return body


def not_found_resource() -> Status:
    return Status(404, "NotFound", "the server could not find the requested resource", {})


# ------------------------------------------------------------------ request bodies and options

def decode_body(request: ApiRequest, *, allow_empty: bool = False, proto_kind: str = "") -> Any:
    """The JSON, YAML or protobuf body (a body without Content-Type is JSON). Raises 400/413/415 Status.

    A protobuf body (kubectl's typed commands send them) is decoded to the dict its JSON would give; its
    envelope names the kind, else `proto_kind` or the URL's kind picks the message."""
    raw = request.body
    if len(raw) > MAX_MANIFEST_BYTES:
        raise Status(413, "RequestEntityTooLarge",
                     f"the request is {len(raw)} bytes; the limit is {MAX_MANIFEST_BYTES} bytes (256 KiB)")
    if not raw.strip():
        if allow_empty:
            return None
        raise bad_request("the body of the request is empty")
    media = request.media
    if media == PROTOBUF:
        return decode_protobuf(raw, proto_kind or request.kind.kind)
    if media in YAML_TYPES or media == APPLY_PATCH:
        documents = parse_documents(raw)
        if len(documents) != 1:
            raise bad_request(f"the request must contain exactly one object (found {len(documents)})")
        return documents[0].body
    if media in JSON_TYPES or media in PATCH_MEDIA:
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError) as error:
            raise bad_request(f"the body of the request was in an unknown format: {error}") from error
    raise Status(415, "UnsupportedMediaType",
                 f'the body of the request was in an unknown format - accepted media types include: '
                 f'{ACCEPTED_BODIES} (not "{media}")', {})


def decode_protobuf(raw: bytes, kind: str) -> dict[str, Any]:
    """A `k8s\\x00` + `runtime.Unknown` body as a JSON dict; a malformed one is a 400 Status."""
    try:
        return protobuf.decode(raw, default_kind=kind)
    except protobuf.ProtobufError as error:
        raise bad_request(f"the body of the request was in an unknown format - accepted media types include: "
                          f"{ACCEPTED_BODIES}: {error}") from error


def dry_run(request: ApiRequest, extra: list[str] | None = None) -> bool:
    values = request.query.getlist("dryRun") + list(extra or [])
    for value in values:
        if value != "All":
            raise invalid("DryRun", "", [Cause("FieldValueNotSupported",
                                              f'Unsupported value: "{value}": supported values: "All"', "dryRun")])
    return bool(values)


def _options_invalid(options: str, field_name: str, reason: str, message: str) -> Status:
    """422 for a bad query option, as upstream reports one (`PatchOptions.meta.k8s.io "" is invalid: ...`)."""
    return Status(422, "Invalid", f'{options}.meta.k8s.io "" is invalid: {field_name}: {message}',
                  {"group": "meta.k8s.io", "kind": options}, (Cause(reason, message, field_name),))


def field_manager(request: ApiRequest, options: str) -> str:
    """The manager a write records in managedFields: `fieldManager` (at most 128 bytes, printable), else the
    User-Agent's prefix before its first `/`, as kube-apiserver derives it (`kubectl`, `OpenAPI-Generator`)."""
    manager = request.query.get("fieldManager", "")
    if not manager:
        return engine.user_agent_manager(request.user_agent)
    problem = engine.manager_problem(manager)
    if problem:
        reason = "FieldValueTooLong" if problem.startswith("Too long") else "FieldValueInvalid"
        raise _options_invalid(options, "fieldManager", reason, problem)
    return manager


def drop_unknown_fields(request: ApiRequest, body: Any) -> Any:
    """The body as the request's `fieldValidation` mode leaves it (the simulated API server's
    `fieldvalidation`): Ignore and Warn drop unknown fields (Warn adds a `Warning` header each); with Strict
    they stay, and the engine's strict decoding refuses them with the upstream message."""
    body, warnings = fieldvalidation.drop_unknown_fields(
        request.kind, body, fieldvalidation.mode(request.query.get("fieldValidation")))
    request.warnings.extend(warnings)
    return body


def _with_type(request: ApiRequest, body: Any) -> dict[str, Any]:
    """The object of a create/update body; apiVersion and kind default to the URL's, as upstream decodes."""
    if not isinstance(body, dict):
        raise bad_request("the body of the request was in an unknown format - it must be an object")
    kind = request.kind
    body.setdefault("apiVersion", kind.api_version)
    body.setdefault("kind", kind.kind)
    if body["kind"] != kind.kind or body["apiVersion"] != kind.api_version:
        raise bad_request(f"the API version in the data ({body['apiVersion']}) does not match the expected API "
                          f"version ({kind.api_version})" if body["kind"] == kind.kind else
                          f'{body["kind"]} in version "{body["apiVersion"]}" cannot be handled as a {kind.kind}')
    return body


# ------------------------------------------------------------------ engine access

def write(request: ApiRequest, operation: Callable[[engine.Cluster], Any], *, dry: bool) -> Any:
    """Run `operation` through the one write path (`services.sandbox_write`), recorded in the sandbox's command
    history as the request that reached the API (`api_request_text`)."""
    return services.sandbox_write(sandbox_id=request.sandbox_id, operation=operation, dry_run=dry,
                                  log=lambda _value: commandlog.CommandLog("kube-api", api_request_text(request))).value


def api_request_text(request: ApiRequest) -> str:
    """How a write that reached the API reads in the command history: method, resource, and what tells the
    client apart (its field manager and User-Agent): `PATCH deployments/api (fieldManager=kubectl-rollout,
    application/json-patch+json) kubectl/v1.32.4 (linux/amd64)`."""
    where = f"namespaces/{request.namespace}/" if request.namespace else ""
    target = f"{request.kind.plural}/{request.name}" if request.name else request.kind.plural
    if request.subresource:
        target += f"/{request.subresource}"
    notes = [f"fieldManager={request.query['fieldManager']}"] if request.query.get("fieldManager") else []
    if request.media:
        notes.append(request.media)
    if dry_run(request):
        notes.append("dryRun=All")
    detail = f" ({', '.join(notes)})" if notes else ""
    return f"{request.method} {where}{target}{detail} {request.user_agent}".rstrip()


def _include_object(request: ApiRequest) -> str:
    value = request.query.get("includeObject") or "Metadata"
    if value not in ("None", "Metadata", "Object"):
        raise bad_request(f'includeObject: Unsupported value: "{value}": supported values: "None", "Metadata", '
                          '"Object"')
    return value


# ------------------------------------------------------------------ reads

def get(request: ApiRequest) -> HttpResponse:
    cluster = load(request.sandbox_id)
    obj = cluster.api.get(request.kind.kind, request.name, namespace=request.ns)
    how = tables.conversion(request.accept)
    return json_response(tables.render_object(request.kind, obj, how, cluster.now,
                                              include_object=_include_object(request)))


def _key(obj: dict[str, Any]) -> str:
    meta = obj["metadata"]
    return f"{meta.get('namespace', '')}/{meta['name']}"


def _encode_continue(resource_version: str, start: str) -> str:
    data = json.dumps({"v": "meta.k8s.io/v1", "rv": resource_version, "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode()


def _decode_continue(token: str) -> str:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(data["start"])
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise bad_request("continue key is not valid: incorrect encoded start resourceVersion "
                          "(version meta.k8s.io/v1)") from error


def _limit(request: ApiRequest) -> int:
    text = request.query.get("limit") or "0"
    try:
        return max(0, int(text))
    except ValueError as error:
        raise bad_request(f'limit: Invalid value: "{text}": must be an integer') from error


def list_objects(request: ApiRequest) -> HttpResponse:
    """GET on a collection: `labelSelector`, `fieldSelector`, `limit` and `continue` (pages are cut from the
    current state in name order; upstream serves every page from the first page's snapshot)."""
    cluster = load(request.sandbox_id)
    listing = cluster.api.list(request.kind.kind, namespace=request.namespace,
                           label_selector=request.query.get("labelSelector", ""),
                           field_selector=request.query.get("fieldSelector", ""))
    items = listing["items"]
    if request.query.get("continue"):
        start = _decode_continue(request.query["continue"])
        items = [item for item in items if _key(item) > start]
    limit = _limit(request)
    if limit and len(items) > limit:
        listing["metadata"]["continue"] = _encode_continue(listing["metadata"]["resourceVersion"],
                                                           _key(items[limit - 1]))
        listing["metadata"]["remainingItemCount"] = len(items) - limit
        items = items[:limit]
    listing["items"] = items
    how = tables.conversion(request.accept)
    return json_response(tables.render_list(request.kind, listing, how, cluster.now,
                                            include_object=_include_object(request)))


def watch_objects(request: ApiRequest) -> StreamingHttpResponse:
    """GET ?watch=true: newline-delimited watch events, streamed (see `kubeapi.watch`)."""
    timeout = WATCH_TIMEOUT_MAX
    if request.query.get("timeoutSeconds"):
        try:
            timeout = min(WATCH_TIMEOUT_MAX, max(0.0, float(request.query["timeoutSeconds"])))
        except ValueError as error:
            raise bad_request("timeoutSeconds: must be a number") from error
    how = tables.conversion(request.accept)
    spec = watch.WatchSpec(
        sandbox_id=request.sandbox_id, kind=request.kind, namespace=request.namespace,
        label_selector=request.query.get("labelSelector", ""), field_selector=request.query.get("fieldSelector", ""),
        table=how == tables.TABLE, include_object=_include_object(request),
        bookmarks=request.flag("allowWatchBookmarks"), timeout=timeout)
    cluster = load(request.sandbox_id)
    start = watch.start(cluster, spec, request.query.get("resourceVersion", ""))
    response = StreamingHttpResponse(watch.stream(spec, start), content_type="application/json")
    response["Cache-Control"] = "no-cache, private"
    return response


def logs(request: ApiRequest) -> HttpResponse:
    """GET pods/<name>/log (`container`, `previous`, `timestamps`, `tailLines`, `follow`)."""
    tail_text = request.query.get("tailLines")
    try:
        tail = int(tail_text) if tail_text else None
    except ValueError as error:
        raise bad_request("tailLines: must be an integer") from error
    options = {"container": request.query.get("container") or None, "previous": request.flag("previous"),
               "timestamps": request.flag("timestamps")}
    cluster = load(request.sandbox_id)
    text = cluster.logs(request.name, namespace=request.ns, tail=tail, **options)
    if not request.flag("follow") or options["previous"]:
        return HttpResponse(text.encode(), content_type="text/plain")
    full = cluster.logs(request.name, namespace=request.ns, **options) if tail is not None else text
    follow = watch.LogFollow(sandbox_id=request.sandbox_id, namespace=request.ns, name=request.name,
                             container=options["container"], timestamps=options["timestamps"])
    return StreamingHttpResponse(watch.follow_logs(follow, first=text, seen=full), content_type="text/plain")


# ------------------------------------------------------------------ writes

def create(request: ApiRequest) -> HttpResponse:
    body = drop_unknown_fields(request, _with_type(request, decode_body(request)))
    dry = dry_run(request)
    namespace = request.namespace
    manager = field_manager(request, "CreateOptions")

    created = write(request, lambda c: c.api.create(body, namespace=namespace, actor=request.caller.actor,
                                                 dry_run=dry, field_manager=manager), dry=dry)
    return json_response(tables.in_version(request.kind, created), 201, warnings=request.warnings)


def update(request: ApiRequest) -> HttpResponse:
    body = drop_unknown_fields(request, _with_type(request, decode_body(request)))
    fieldvalidation.check_name(body, request.name)
    dry = dry_run(request)
    manager = field_manager(request, "UpdateOptions")
    if request.subresource == "status":
        def operation(c: engine.Cluster) -> dict[str, Any]:
            return c.api.update_status(body, namespace=request.namespace, actor=request.caller.actor, dry_run=dry,
                                   field_manager=manager)
    else:
        def operation(c: engine.Cluster) -> dict[str, Any]:
            return c.api.update(body, namespace=request.namespace, actor=request.caller.actor, dry_run=dry,
                            field_manager=manager)
    return json_response(tables.in_version(request.kind, write(request, operation, dry=dry)),
                         warnings=request.warnings)


def patch(request: ApiRequest) -> HttpResponse:
    if request.media == APPLY_PATCH:
        return server_side_apply(request)
    patch_type = PATCH_MEDIA.get(request.media)
    if patch_type is None:
        raise Status(415, "UnsupportedMediaType",
                     f'the body of the request was in an unknown format - accepted media types include: '
                     f'{", ".join((*PATCH_MEDIA, APPLY_PATCH))}', {})
    if request.query.get("force"):
        raise _options_invalid("PatchOptions", "force", "FieldValueForbidden",
                               "Forbidden: may not be specified for non-apply patch")
    body = decode_body(request)
    dry = dry_run(request)
    manager = field_manager(request, "PatchOptions")

    def operation(c: engine.Cluster) -> dict[str, Any]:
        return c.api.patch(request.kind.kind, request.name, body, namespace=request.ns, patch_type=patch_type,
                       actor=request.caller.actor, dry_run=dry, subresource=request.subresource,
                       field_manager=manager, api_version=request.kind.api_version)

    return json_response(tables.in_version(request.kind, write(request, operation, dry=dry)))


def server_side_apply(request: ApiRequest) -> HttpResponse:
    """`application/apply-patch+yaml` (`sim`'s server-side apply): a missing object is created; the manager
    (`fieldManager`, required) owns exactly the fields it applies, a field it changes that another manager owns
    is a 409 Conflict unless `force=true`, and fields it no longer applies go unless someone else owns them."""
    if not request.query.get("fieldManager"):
        raise _options_invalid("PatchOptions", "fieldManager", "FieldValueRequired",
                               "Required value: is required for apply patch")
    manager = field_manager(request, "PatchOptions")
    force = request.flag("force")
    body = drop_unknown_fields(request, _with_type(request, decode_body(request)))
    fieldvalidation.check_name(body, request.name)
    dry = dry_run(request)
    kind, actor = request.kind, request.caller.actor

    def operation(c: engine.Cluster) -> tuple[dict[str, Any], bool]:
        return c.api.server_side_apply(kind.kind, request.name, body, namespace=request.ns, field_manager=manager,
                                   force=force, actor=actor, dry_run=dry, subresource=request.subresource)

    obj, created = write(request, operation, dry=dry)
    return json_response(tables.in_version(request.kind, obj), 201 if created else 200, warnings=request.warnings)


def _delete_options(request: ApiRequest) -> dict[str, Any]:
    options: dict[str, Any] = {}
    try:
        if request.media == PROTOBUF and request.body.strip():
            body = protobuf.decode(request.body, default_kind="DeleteOptions")
        else:
            body = json.loads(request.body) if request.body.strip() else {}
    except (ValueError, UnicodeDecodeError):
        body = {}  # an unparsable DELETE body is ignored, as clients sometimes send junk
    if isinstance(body, dict):
        options.update(body)
    query = request.query
    if query.get("propagationPolicy"):
        options["propagationPolicy"] = query["propagationPolicy"]
    if query.get("gracePeriodSeconds"):
        try:
            options["gracePeriodSeconds"] = int(query["gracePeriodSeconds"])
        except ValueError as error:
            raise bad_request("gracePeriodSeconds: must be an integer") from error
    if query.get("orphanDependents") or "orphanDependents" in options:
        orphan = str(query.get("orphanDependents", options.get("orphanDependents"))).lower() == "true"
        options.setdefault("propagationPolicy", "Orphan" if orphan else "Background")
    if query.getlist("dryRun"):
        options["dryRun"] = query.getlist("dryRun")
    return options


def _delete_one(c: engine.Cluster, request: ApiRequest, name: str, options: dict[str, Any],
                dry: bool) -> tuple[dict[str, Any], bool]:
    """Delete `name`; returns the object and whether it is still there (graceful deletion, finalizers)."""
    kind = request.kind
    grace = options.get("gracePeriodSeconds")
    obj = c.api.delete(kind.kind, name, namespace=request.ns, actor=request.caller.actor,
                   propagation_policy=options.get("propagationPolicy"),
                   grace_period_seconds=int(grace) if grace is not None else None,
                   preconditions=options.get("preconditions") or None, dry_run=dry)
    if dry:
        return obj, bool(obj["metadata"].get("deletionTimestamp"))
    try:
        return c.api.get(kind.kind, name, namespace=request.ns), True
    except Status:
        return obj, False


# Registries created with `ReturnDeletedObject: true` in kube-apiserver answer an immediate delete with the
# deleted object, not a Status (the `kubernetes` client's delete_namespaced_pod decodes a Pod from it).
RETURNS_DELETED_OBJECT = frozenset({"pods", "services", "serviceaccounts", "persistentvolumes",
                                    "persistentvolumeclaims", "storageclasses"})


def delete(request: ApiRequest) -> HttpResponse:
    """DELETE: the object while it terminates (graceful, finalizers) or where kube-apiserver returns it, else a
    Success Status."""
    options = _delete_options(request)
    dry = dry_run(request, [value for value in options.get("dryRun") or [] if value not in request.query.getlist(
        "dryRun")])
    obj, remains = write(request, lambda c: _delete_one(c, request, request.name, options, dry), dry=dry)
    kind = request.kind
    if remains or kind.plural in RETURNS_DELETED_OBJECT:
        return json_response(tables.in_version(kind, obj))
    details = {"name": request.name, "kind": kind.plural, "uid": obj["metadata"].get("uid", "")}
    if kind.group:
        details["group"] = kind.group
    return json_response(success(200, details))


def delete_collection(request: ApiRequest) -> HttpResponse:
    """DELETE on a collection: every object matching the selectors, in one write; returns them as a list."""
    options = _delete_options(request)
    dry = dry_run(request, [value for value in options.get("dryRun") or [] if value not in request.query.getlist(
        "dryRun")])
    kind = request.kind

    def operation(c: engine.Cluster) -> dict[str, Any]:
        listing = c.api.list(kind.kind, namespace=request.namespace,
                         label_selector=request.query.get("labelSelector", ""),
                         field_selector=request.query.get("fieldSelector", ""))
        items = []
        for item in listing["items"]:
            one = ApiRequest(request.caller, request.method, kind, item["metadata"].get("namespace"),
                             item["metadata"]["name"], "", request.query, "", "", b"")
            items.append(_delete_one(c, one, one.name, options, dry)[0])
        listing["items"] = items
        return listing

    return json_response(write(request, operation, dry=dry))


# ------------------------------------------------------------------ subresources

def _scale(kind: Kind, obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj["metadata"]
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {key: meta[key] for key in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                     if key in meta},
        "spec": {"replicas": int((obj.get("spec") or {}).get("replicas", 0) or 0)},
        "status": {"replicas": int((obj.get("status") or {}).get("replicas", 0) or 0),
                   "selector": selector_string((obj.get("spec") or {}).get("selector"))},
    }


def get_scale(request: ApiRequest) -> HttpResponse:
    cluster = load(request.sandbox_id)
    return json_response(_scale(request.kind, cluster.api.get(request.kind.kind, request.name, namespace=request.ns)))


def change_scale(request: ApiRequest) -> HttpResponse:
    """PUT or PATCH `scale`: the new `spec.replicas` is written to the object (a merge patch)."""
    body = decode_body(request, proto_kind="Scale")
    dry = dry_run(request)
    kind = request.kind
    patch_type = "put" if request.method == "PUT" else PATCH_MEDIA.get(request.media, "merge")
    manager = field_manager(request, "UpdateOptions" if patch_type == "put" else "PatchOptions")

    def operation(c: engine.Cluster) -> dict[str, Any]:
        current = _scale(kind, c.api.get(kind.kind, request.name, namespace=request.ns))
        if patch_type == "put":
            wanted = body
        elif patch_type == "json":
            wanted = engine.json_patch(current, body)
        elif isinstance(body, dict):
            wanted = engine.merge_patch(current, body)
        else:
            raise bad_request("json: cannot unmarshal array into Go value of type map[string]interface {}")
        replicas = ((wanted or {}).get("spec") or {}).get("replicas", 0)
        if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
            raise invalid("Scale", request.name, [Cause("FieldValueInvalid", f"Invalid value: {replicas}: must be "
                                                        "greater than or equal to 0", "spec.replicas")],
                          "autoscaling")
        changes: dict[str, Any] = {"spec": {"replicas": replicas}}
        sent_rv = ((wanted or {}).get("metadata") or {}).get("resourceVersion")
        if sent_rv and patch_type == "put":
            changes["metadata"] = {"resourceVersion": sent_rv}
        result = c.api.patch(kind.kind, request.name, changes, namespace=request.ns, patch_type="merge",
                         actor=request.caller.actor, dry_run=dry, subresource="scale", field_manager=manager)
        return _scale(kind, result)

    return json_response(write(request, operation, dry=dry))


def evict(request: ApiRequest) -> HttpResponse:
    """POST pods/<name>/eviction: a delete with the Eviction's options that the pod's PodDisruptionBudget allows
    (`sim/eviction.py`; 429 TooManyRequests when it does not)."""
    body = decode_body(request, proto_kind="Eviction")
    if not isinstance(body, dict):
        raise bad_request("the body of the request was in an unknown format - it must be an Eviction")
    sent = (body.get("metadata") or {}).get("name")
    if sent and sent != request.name:
        raise bad_request(f"name in URL does not match name in Eviction object: {request.name} != {sent}")
    options = body.get("deleteOptions") or {}
    dry = dry_run(request, options.get("dryRun") or [])
    write(request, lambda c: c.api.evict(request.name, namespace=request.ns, delete_options=options,
                                     actor=request.caller.actor, dry_run=dry), dry=dry)
    return json_response(success(201), 201)


def bind(request: ApiRequest, name: str | None = None) -> HttpResponse:
    """POST pods/<name>/binding (or the `bindings` collection): sets the pod's node once."""
    body = decode_body(request, proto_kind="Binding")
    if not isinstance(body, dict):
        raise bad_request("the body of the request was in an unknown format - it must be a Binding")
    pod = name or (body.get("metadata") or {}).get("name", "")
    node = (body.get("target") or {}).get("name", "")
    if not pod or not node:
        raise invalid("Binding", pod, [Cause("FieldValueRequired", "Required value", "target.name")])
    dry = dry_run(request)
    write(request, lambda c: c.scheduling.create_binding(request.ns, pod, node, actor=request.caller.actor), dry=dry)
    return json_response(success(201), 201)


# ------------------------------------------------------------------ routing within a resource

def create_review(request: ApiRequest) -> HttpResponse:
    """POST of a SelfSubjectAccessReview, SelfSubjectRulesReview or SelfSubjectReview: answered for the caller
    by `sim` (`apiserver.review`), which stores nothing and reads no object, so no sandbox state is loaded."""
    body = drop_unknown_fields(request, _with_type(request, decode_body(request)))
    dry_run(request)  # validated as for any create; a review is the same either way
    answer = engine.review(body, actor=request.caller.actor, now=wallclock.wall_now())
    return json_response(answer, 201, warnings=request.warnings)


def handle(request: ApiRequest) -> HttpResponse:
    """Dispatch a routed resource request to its verb; raises Status."""
    method, sub = request.method, request.subresource
    if engine.review_kind(request.kind.kind) is not None:
        if method == "POST" and not request.name and not sub:
            return create_review(request)
        raise engine.review_not_stored()
    if not request.name:
        if method == "GET":
            return watch_objects(request) if request.flag("watch") else list_objects(request)
        if (method == "POST" and request.namespace is not None) or (method == "POST" and not request.kind.namespaced):
            return create(request)
        if method == "DELETE":
            return delete_collection(request)
        raise method_not_allowed("the server does not allow this method on the requested resource")
    if not sub:
        verbs: dict[str, Callable[[ApiRequest], HttpResponse]] = {
            "GET": get, "PUT": update, "PATCH": patch, "DELETE": delete}
    elif sub == "status":
        verbs = {"GET": get, "PUT": update, "PATCH": patch}
    elif sub == "scale":
        verbs = {"GET": get_scale, "PUT": change_scale, "PATCH": change_scale}
    elif sub == "log":
        verbs = {"GET": logs}
    elif sub == "eviction":
        verbs = {"POST": evict}
    elif sub == "binding":
        verbs = {"POST": lambda r: bind(r, r.name)}
    else:
        raise not_found_resource()
    if sub and sub not in discovery.subresource_names(request.kind):
        raise not_found_resource()
    handler = verbs.get(method)
    if handler is None:
        raise method_not_allowed("the server does not allow this method on the requested resource")
    return handler(request)
