"""The three patch types kube-apiserver accepts (JSON merge patch RFC 7386, JSON Patch RFC 6902,
strategic merge patch with merge keys and `$patch`/`$setElementOrder`/`$retainKeys`/
`$deleteFromPrimitiveList` directives) and kubectl's client-side three-way apply merge.

Strategic merge keys come from the OpenAPI schema (`x-kubernetes-patch-merge-key`), so every kind
registered with a schema gets the real keys: containers/env/volumes by name, ports by containerPort,
volumeMounts by mountPath, ownerReferences by uid, ...
"""

from __future__ import annotations

import json
from typing import Any

from .errors import Cause, Status, bad_request
from .schema import Field, struct
from .util import clone

MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
PATCH_TYPES = {
    "merge": MERGE,
    "json": JSON_PATCH,
    "strategic": STRATEGIC,
    MERGE: MERGE,
    JSON_PATCH: JSON_PATCH,
    STRATEGIC: STRATEGIC,
}


def rejected(detail: str) -> Status:
    """What the api-server answers when a patch cannot be applied to the object."""
    return Status(
        422,
        "Invalid",
        "the server rejected our request due to an error in our request",
        {},
        (Cause("FieldValueInvalid", detail, ""),),
    )


# --- JSON merge patch ------------------------------------------------------------------------------
def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: maps merge recursively, `null` deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return clone(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def merge_diff(source: Any, target: Any) -> Any:
    """A merge patch that turns `source` into `target` (inverse of `merge_patch`, objects without nulls).

    Its keys are sorted: an object rebuilt with `merge_patch` holds its keys in another order than the
    original, and the patch must not depend on that (a reloaded store saves its history exactly as before)."""
    if not isinstance(source, dict) or not isinstance(target, dict):
        return clone(target)
    diff: dict[str, Any] = {}
    for key in sorted(source.keys() | target.keys()):
        if key not in target:
            diff[key] = None
        elif key not in source:
            diff[key] = clone(target[key])
        elif source[key] != (value := target[key]):
            if isinstance(value, dict) and isinstance(source[key], dict):
                diff[key] = merge_diff(source[key], value)
            else:
                diff[key] = clone(value)
    return diff


# --- JSON Patch --------------------------------------------------------------------------------------
def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise rejected(f'JSON pointer must start with "/": {path}')
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _container(doc: Any, parts: list[str], op: str, path: str) -> Any:
    node = doc
    for part in parts[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise rejected(
                f"jsonpatch {op} operation does not apply: doc is missing path: {json.dumps(path)}"
            )
    return node


def _get(doc: Any, path: str, op: str) -> Any:
    parts = _pointer(path)
    if not parts:
        return doc
    parent = _container(doc, parts, op, path)
    last = parts[-1]
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent[int(last)]
    raise rejected(f"jsonpatch {op} operation does not apply: doc is missing key: {path}")


def _remove(doc: Any, path: str, op: str) -> Any:
    parts = _pointer(path)
    parent = _container(doc, parts, op, path)
    last = parts[-1]
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent.pop(int(last))
    raise rejected(f"jsonpatch {op} operation does not apply: doc is missing key: {path}")


def _add(doc: Any, path: str, value: Any, op: str, replace: bool = False) -> Any:
    parts = _pointer(path)
    if not parts:
        return value
    parent = _container(doc, parts, op, path)
    last = parts[-1]
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise rejected(f"jsonpatch {op} operation does not apply: doc is missing key: {path}")
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-" and not replace:
            parent.append(value)
        elif last.isdigit() and int(last) <= len(parent) - (1 if replace else 0):
            if replace:
                parent[int(last)] = value
            else:
                parent.insert(int(last), value)
        else:
            raise rejected(f"jsonpatch {op} operation does not apply: doc is missing key: {path}")
    else:
        raise rejected(f"jsonpatch {op} operation does not apply: doc is missing path: {json.dumps(path)}")
    return doc


def json_patch(target: Any, operations: Any) -> Any:
    """RFC 6902 over a copy of `target`; a failing operation raises and leaves `target` untouched."""
    if not isinstance(operations, list):
        raise bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = clone(target)
    for operation in operations:
        if not isinstance(operation, dict):
            raise bad_request("json: cannot unmarshal into Go value of type jsonpatch.Operation")
        op = operation.get("op", "")
        path = operation.get("path", "")
        if op == "add":
            doc = _add(doc, path, clone(operation.get("value")), op)
        elif op == "remove":
            _remove(doc, path, op)
        elif op == "replace":
            doc = _add(doc, path, clone(operation.get("value")), op, replace=True)
        elif op == "move":
            value = _remove(doc, operation.get("from", ""), op)
            doc = _add(doc, path, value, op)
        elif op == "copy":
            doc = _add(doc, path, clone(_get(doc, operation.get("from", ""), op)), op)
        elif op == "test":
            if _get(doc, path, op) != operation.get("value"):
                raise rejected(f"testing value {path} failed: test failed")
        else:
            raise rejected(f"Unexpected kind: {op}")
    return doc


# --- strategic merge patch ----------------------------------------------------------------------------
def _child(spec: Field | None, key: str) -> Field | None:
    if spec is None:
        return None
    if spec.type == "struct":
        return struct(spec.ref).fields.get(key)
    if spec.type == "map":
        return spec.item
    return None


def _item_struct(spec: Field | None) -> Field | None:
    return spec.item if spec is not None and spec.type == "array" else None


def strategic_merge(target: Any, patch: Any, ref: str) -> Any:
    """Apply a strategic merge patch to `target` for the schema definition `ref`; returns a new tree."""
    return _smp_map(target if isinstance(target, dict) else {}, patch, Field("struct", "", ref=ref))


def _smp_map(target: dict[str, Any], patch: dict[str, Any], spec: Field | None) -> Any:
    if not isinstance(patch, dict):
        return clone(patch)
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: clone(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return None
    if directive is not None:
        raise bad_request(f"Unknown patch type: {directive}")
    result = dict(target)
    retain = patch.get("$retainKeys")
    orders: dict[str, list[Any]] = {}
    for key, value in patch.items():
        if key in ("$patch", "$retainKeys"):
            continue
        if key.startswith("$setElementOrder/"):
            orders[key.split("/", 1)[1]] = value
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            name = key.split("/", 1)[1]
            result[name] = [v for v in result.get(name) or [] if v not in (value or [])]
            continue
        if value is None:
            result.pop(key, None)
            continue
        child = _child(spec, key)
        current = result.get(key)
        if isinstance(value, dict):
            merged = _smp_map(current if isinstance(current, dict) else {}, value, child)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        elif (
            isinstance(value, list)
            and child is not None
            and child.type == "array"
            and "merge" in child.strategy.split(",")
        ):
            result[key] = _smp_list(current if isinstance(current, list) else [], value, child)
        else:
            result[key] = clone(value)
    for name, order in orders.items():
        child = _child(spec, name)
        if isinstance(result.get(name), list) and child is not None:
            result[name] = _reorder(result[name], order, child.merge_key)
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def _smp_list(target: list[Any], patch: list[Any], spec: Field) -> list[Any]:
    key = spec.merge_key
    item_spec = _item_struct(spec)
    if not key or not any(isinstance(p, dict) for p in patch):
        # a merged list of scalars (finalizers): union, keeping order
        result = list(target)
        for value in patch:
            if value not in result:
                result.append(clone(value))
        return result
    if any(isinstance(p, dict) and p.get("$patch") == "replace" for p in patch):
        return [clone(p) for p in patch if not (isinstance(p, dict) and p.get("$patch") == "replace")]
    result = list(target)
    for item in patch:
        if not isinstance(item, dict):
            continue
        index = next(
            (i for i, t in enumerate(result) if isinstance(t, dict) and t.get(key) == item.get(key)), None
        )
        if item.get("$patch") == "delete":
            if index is not None:
                result.pop(index)
            continue
        if index is None:
            result.append(_smp_map({}, item, item_spec))
        else:
            result[index] = _smp_map(result[index], item, item_spec)
    return result


def _reorder(items: list[Any], order: list[Any], key: str) -> list[Any]:
    def ident(item: Any) -> Any:
        return item.get(key) if key and isinstance(item, dict) else item

    wanted = [ident(o) for o in order]
    ranked = {value: index for index, value in enumerate(wanted)}
    listed = sorted((i for i in items if ident(i) in ranked), key=lambda i: ranked[ident(i)])
    return listed + [i for i in items if ident(i) not in ranked]


# --- kubectl client-side apply ---------------------------------------------------------------------
def three_way(live: Any, original: Any, modified: Any, ref: str) -> Any:
    """The object kubectl apply produces: `modified` merged over `live`, removing what `original`
    (the last-applied configuration) had and `modified` no longer has, and what `modified` sets to null (kubectl
    sends the null in its patch, which deletes the field: `strategy: {type: Recreate, rollingUpdate: null}`
    clears a defaulted rolling update, kubernetes/kubernetes#24198); server-set fields stay."""
    return _three_map(
        live if isinstance(live, dict) else {},
        original if isinstance(original, dict) else {},
        modified,
        Field("struct", "", ref=ref),
    )


def _three_map(
    live: dict[str, Any], original: dict[str, Any], modified: dict[str, Any], spec: Field | None
) -> dict[str, Any]:
    result = dict(live)
    for key in original:
        if key not in modified:
            result.pop(key, None)
    for key, value in modified.items():
        child = _child(spec, key)
        current = live.get(key)
        before = original.get(key)
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(current, dict):
            result[key] = _three_map(current, before if isinstance(before, dict) else {}, value, child)
        elif (
            isinstance(value, list)
            and isinstance(current, list)
            and child is not None
            and child.type == "array"
            and "merge" in child.strategy.split(",")
        ):
            result[key] = _three_list(current, before if isinstance(before, list) else [], value, child)
        else:
            result[key] = clone(value)
    return result


def _three_list(live: list[Any], original: list[Any], modified: list[Any], spec: Field) -> list[Any]:
    key = spec.merge_key
    if not key:
        kept = [v for v in live if v not in modified and v not in original]
        return [clone(v) for v in modified] + kept
    item_spec = _item_struct(spec)

    def find(items: list[Any], value: Any) -> Any:
        return next((i for i in items if isinstance(i, dict) and i.get(key) == value), None)

    result = []
    for item in modified:
        if not isinstance(item, dict):
            result.append(clone(item))
            continue
        current = find(live, item.get(key))
        if current is None:
            result.append(clone(item))
        else:
            result.append(_three_map(current, find(original, item.get(key)) or {}, item, item_spec))
    wanted = {i.get(key) for i in modified if isinstance(i, dict)}
    removed = {i.get(key) for i in original if isinstance(i, dict)}
    result += [
        i for i in live if isinstance(i, dict) and i.get(key) not in wanted and i.get(key) not in removed
    ]
    return result
