"""OpenAPI documents for kubectl: `/openapi/v3` (root and one document per group-version) and `/openapi/v2`.

kubectl reads v3 before `apply` and `create`: a PATCH operation per kind with `x-kubernetes-group-version-kind`
and a `fieldValidation` parameter makes it send `fieldValidation=Strict` and leave validation to the server,
and the component schemas (with their strategic-merge extensions) let client-side apply compute its patch.
The schemas are the Kubernetes 1.32 definitions the simulation decodes against (`sim.schema`).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from cluster_engine import engine
from cluster_engine.engine import Kind
from cluster_engine.kubeapi import discovery

INFO = {"title": "Kubernetes", "version": discovery.KUBE_VERSION["gitVersion"]}
QUERY_PARAMETERS = {
    "dryRun": "When present, indicates that modifications should not be persisted.",
    "fieldManager": "fieldManager is a name associated with the actor or entity that is making these changes.",
    "fieldValidation": "fieldValidation instructs the server on how to handle objects in the request containing "
                       "unknown or duplicate fields. Valid values are: Ignore, Warn (default), Strict.",
    "force": "Force is going to \"force\" Apply requests.",
}
PATCH_TYPES = ("application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json")
SPECIAL = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string",
                                                        "x-kubernetes-int-or-string": True},
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string", "format": "quantity",
                                                      "x-kubernetes-int-or-string": True},
}


def _convert(node: Any, prefix: str) -> Any:
    """A JSON Schema fragment as OpenAPI: refs under `prefix`, nullable type lists reduced to the type."""
    if isinstance(node, list):
        return [_convert(item, prefix) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            out[key] = prefix + value.rsplit("/", 1)[-1]
        elif key == "type" and isinstance(value, list):
            types = [t for t in value if t != "null"]
            out[key] = types[0] if len(types) == 1 else types
        elif key == "enum" and isinstance(value, list):
            out[key] = [item for item in value if item is not None]
        else:
            out[key] = _convert(value, prefix)
    return out


def _reachable(roots: list[str]) -> list[str]:
    definitions = engine.schema_definitions()
    seen: list[str] = []
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in seen or name not in definitions:
            continue
        seen.append(name)
        text = json.dumps(definitions[name])
        for part in text.split('"$ref": "')[1:]:
            pending.append(part.split('"', 1)[0].rsplit("/", 1)[-1])
    return sorted(seen)


def _schemas(roots: list[str], prefix: str) -> dict[str, Any]:
    definitions = engine.schema_definitions()
    return {name: SPECIAL.get(name) or _convert(definitions[name], prefix) for name in _reachable(roots)}


def _paths(kind: Kind) -> tuple[str, str]:
    root = f"/apis/{kind.group}/{kind.version}" if kind.group else f"/api/{kind.version}"
    collection = f"{root}/namespaces/{{namespace}}/{kind.plural}" if kind.namespaced else f"{root}/{kind.plural}"
    return collection, f"{collection}/{{name}}"


def _operation_id(verb: str, kind: Kind) -> str:
    group = "".join(part.capitalize() for part in (kind.group.split(".")[0] or "core").split("-"))
    scope = "Namespaced" if kind.namespaced else ""
    return f"{verb}{group}{kind.version.capitalize()}{scope}{kind.kind}"


def _gvk(kind: Kind) -> dict[str, str]:
    return {"group": kind.group, "version": kind.version, "kind": kind.kind}


def _v3_parameters(names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"name": name, "in": "query", "description": QUERY_PARAMETERS[name],
             "schema": {"type": "boolean" if name == "force" else "string", "uniqueItems": True}} for name in names]


def _v3_operations(kind: Kind) -> dict[str, Any]:
    collection, item = _paths(kind)
    ref = {"$ref": f"#/components/schemas/{kind.schema_ref}"}
    reply = {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}}}
    path_parameters = [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}]
    if kind.namespaced:
        path_parameters.append({"name": "namespace", "in": "path", "required": True, "schema": {"type": "string"}})
    common = {"x-kubernetes-group-version-kind": _gvk(kind), "responses": reply}
    operations = {
        collection: {
            "get": {"operationId": _operation_id("list", kind), "x-kubernetes-action": "list", **common},
            "post": {"operationId": _operation_id("create", kind), "x-kubernetes-action": "post",
                     "parameters": _v3_parameters(("dryRun", "fieldManager", "fieldValidation")),
                     "requestBody": {"content": {"application/json": {"schema": ref}}, "required": True}, **common},
        },
        item: {
            "parameters": path_parameters,
            "get": {"operationId": _operation_id("read", kind), "x-kubernetes-action": "get", **common},
            "put": {"operationId": _operation_id("replace", kind), "x-kubernetes-action": "put",
                    "parameters": _v3_parameters(("dryRun", "fieldManager", "fieldValidation")),
                    "requestBody": {"content": {"application/json": {"schema": ref}}, "required": True}, **common},
            "patch": {"operationId": _operation_id("patch", kind), "x-kubernetes-action": "patch",
                      "parameters": _v3_parameters(("dryRun", "fieldManager", "fieldValidation", "force")),
                      "requestBody": {"content": {media: {"schema": {
                          "$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch"}}
                          for media in PATCH_TYPES}, "required": True}, **common},
            "delete": {"operationId": _operation_id("delete", kind), "x-kubernetes-action": "delete", **common},
        },
    }
    return _served(operations, kind)


# The verb of discovery each operation needs; a kind without it (a review: create only) has no such operation.
_OPERATION_VERBS = {("collection", "get"): "list", ("collection", "post"): "create", ("item", "get"): "get",
                    ("item", "put"): "update", ("item", "patch"): "patch", ("item", "delete"): "delete"}


def _served(operations: dict[str, Any], kind: Kind) -> dict[str, Any]:
    collection = _paths(kind)[0]
    served: dict[str, Any] = {}
    for path, methods in operations.items():
        scope = "collection" if path == collection else "item"
        kept = {method: body for method, body in methods.items()
                if method == "parameters" or _OPERATION_VERBS[(scope, method)] in kind.verbs}
        if set(kept) - {"parameters"}:
            served[path] = kept
    return served


def v3_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


@cache
def _v3_documents(fingerprint: tuple[str, ...]) -> dict[str, bytes]:
    del fingerprint  # the cache key: documents are rebuilt when kinds are registered
    documents: dict[str, bytes] = {}
    for (group, version), kinds in discovery.group_versions().items():
        paths: dict[str, Any] = {}
        for kind in kinds:
            paths.update(_v3_operations(kind))
        roots = [kind.schema_ref for kind in kinds] + ["io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
                                                       "io.k8s.apimachinery.pkg.apis.meta.v1.Status"]
        document = {"openapi": "3.0.0", "info": INFO, "paths": paths,
                    "components": {"schemas": _schemas(roots, "#/components/schemas/")}}
        documents[v3_path(group, version)] = json.dumps(document, separators=(",", ":")).encode()
    return documents


def v3_document(path: str) -> bytes | None:
    """The OpenAPI v3 document of one group-version (`api/v1`, `apis/apps/v1`), or None."""
    return _v3_documents(discovery.registry_fingerprint()).get(path)


def v3_root() -> dict[str, Any]:
    """`/openapi/v3`: each group-version's document, addressed with a content hash (kubectl caches by it)."""
    documents = _v3_documents(discovery.registry_fingerprint())
    return {"paths": {path: {"serverRelativeURL": f"/openapi/v3/{path}?hash={_hash(body)}"}
                      for path, body in documents.items()}}


def _hash(body: bytes) -> str:
    return hashlib.sha512(body).hexdigest()[:128].upper()


@cache
def _v2_document(fingerprint: tuple[str, ...]) -> bytes:
    del fingerprint
    kinds = [kind for kinds in discovery.group_versions().values() for kind in kinds]
    paths: dict[str, Any] = {}
    for kind in kinds:
        collection, item = _paths(kind)
        ref = {"$ref": f"#/definitions/{kind.schema_ref}"}
        common = {"x-kubernetes-group-version-kind": _gvk(kind), "responses": {"200": {"description": "OK",
                                                                                        "schema": ref}}}
        params = [{"name": name, "in": "query", "type": "string", "uniqueItems": True,
                   "description": QUERY_PARAMETERS[name]} for name in ("dryRun", "fieldManager", "fieldValidation")]
        paths.update(_served({
            collection: {"get": {"operationId": _operation_id("list", kind), **common},
                         "post": {"operationId": _operation_id("create", kind), "parameters": params, **common}},
            item: {"get": {"operationId": _operation_id("read", kind), **common},
                   "patch": {"operationId": _operation_id("patch", kind), "parameters": params,
                             "consumes": list(PATCH_TYPES), **common}},
        }, kind))
    roots = [kind.schema_ref for kind in kinds] + ["io.k8s.apimachinery.pkg.apis.meta.v1.Status"]
    document = {"swagger": "2.0", "info": INFO, "paths": paths, "definitions": _schemas(roots, "#/definitions/")}
    return json.dumps(document, separators=(",", ":")).encode()


def v2_document() -> bytes:
    """`/openapi/v2` (JSON only; kubectl 1.32 prefers v3 and falls back to v2 only when v3 fails)."""
    return _v2_document(discovery.registry_fingerprint())
