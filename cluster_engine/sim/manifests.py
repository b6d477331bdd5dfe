"""Reading manifests safely: YAML or JSON, one or many documents, with size, alias and depth limits.

A "billion laughs" document is refused while its node graph is still compact (before any alias is
expanded), so it costs milliseconds, not memory.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from cluster_engine.sim.errors import Status, bad_request, request_too_large

MAX_MANIFEST_BYTES = 256 * 1024
MAX_DEPTH = 64
MAX_EXPANDED_NODES = 50_000
MAX_ALIASES = 100


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # libyaml: faster than PyYAML's Python
    """YAML as kubectl reads it. kubectl's go-yaml also takes `1e3` (an exponent without a dot) for a number,
    which YAML 1.1 as PyYAML reads it leaves a string."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+$"),
    list("-+.0123456789"))
_LOADER = _Loader


@dataclass(frozen=True)
class Document:
    """One decoded document, the line (1-based) where it starts in the text, and its YAML node (positions of its
    fields, for errors; None for a document made in code)."""

    body: Any
    line: int
    node: Any = None


def _yaml_error(error: yaml.YAMLError) -> Status:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    line = f"line {mark.line + 1}: " if mark is not None else ""
    status = bad_request(f"error converting YAML to JSON: yaml: {line}{problem}")
    if mark is not None:
        status.details["line"] = mark.line + 1
        status.details["column"] = mark.column + 1
    return status


def _check_graph(root: yaml.Node) -> None:
    """Refuse graphs that would expand too far or nest too deep; aliases share node objects here."""
    expanded_size: dict[int, int] = {}
    alias_count = 0
    seen: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        nonlocal alias_count
        if depth > MAX_DEPTH:
            raise _limit(node, f"the document nests deeper than {MAX_DEPTH} levels")
        key = id(node)
        if key in expanded_size:
            alias_count += 1
            if alias_count > MAX_ALIASES:
                raise _limit(node, f"the document uses more than {MAX_ALIASES} aliases")
            return expanded_size[key]
        if key in seen:  # a node reachable from itself: a recursive alias
            raise _limit(node, "the document contains a recursive alias")
        seen.add(key)
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(item, depth + 1) for item in node.value)
        else:
            total = 1
        if total > MAX_EXPANDED_NODES:
            raise _limit(node, f"the document expands to more than {MAX_EXPANDED_NODES} values")
        expanded_size[key] = total
        return total

    size(root, 0)


def _limit(node: yaml.Node, message: str) -> Status:
    status = request_too_large(f"error converting YAML to JSON: {message} (line {node.start_mark.line + 1})")
    status.details["line"] = node.start_mark.line + 1
    return status


def parse_documents(text: str | bytes) -> list[Document]:
    """Decode every non-empty document of `text` (YAML 1.1 as Kubernetes reads it, or JSON).

    Raises a Status: 413 when the text or its expansion is too large, 400 on malformed YAML.
    """
    raw = text.encode() if isinstance(text, str) else text
    if len(raw) > MAX_MANIFEST_BYTES:
        raise request_too_large(
            f"the manifest is {len(raw)} bytes; the limit is {MAX_MANIFEST_BYTES} bytes (256 KiB)")
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise bad_request("error converting YAML to JSON: yaml: invalid UTF-8 in the manifest") from error
    documents: list[Document] = []
    try:
        for node in yaml.compose_all(source, Loader=_LOADER):
            if node is None:
                continue
            _check_graph(node)
            loader = _LOADER("")
            body = loader.construct_document(node)
            if body is None:
                continue
            documents.append(Document(body=body, line=node.start_mark.line + 1, node=node))
    except yaml.YAMLError as error:
        raise _yaml_error(error) from error
    return documents


def parse_objects(text: str | bytes) -> list[Document]:
    """Like `parse_documents`, but every document must be an object with `apiVersion` and `kind`;
    a `List` (`kind: List` or `*List` with `items`) is flattened into its items."""
    objects: list[Document] = []
    for document in parse_documents(text):
        body = document.body
        if not isinstance(body, dict):
            raise _at(bad_request("Object 'Kind' is missing in the manifest: it must be a mapping with "
                                  "'apiVersion' and 'kind'"), document.line)
        kind = body.get("kind")
        if isinstance(kind, str) and kind.endswith("List") and isinstance(body.get("items"), list):
            items = _child(document.node, "items") if document.node is not None else None
            nodes = items.value if isinstance(items, yaml.SequenceNode) else []
            objects.extend(
                Document(body=item, line=nodes[i].start_mark.line + 1 if i < len(nodes) else document.line,
                         node=nodes[i] if i < len(nodes) else None)
                for i, item in enumerate(body["items"]))
            continue
        if not kind:
            raise _at(bad_request(f"Object 'Kind' is missing in '{_short(body)}'"), document.line)
        if not body.get("apiVersion"):
            raise _at(bad_request(f"Object 'apiVersion' is missing in '{_short(body)}'"), document.line)
        objects.append(document)
    return objects


def _at(status: Status, line: int) -> Status:
    status.details["line"] = line
    return status


def _short(body: dict[str, Any]) -> str:
    text = json.dumps(body, separators=(",", ":"), sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


# ------------------------------------------------------------------ where an error is, in the learner's text

_PATH_PART = re.compile(r"([^.\[\]]+)|\[([^\]]*)\]")
_TYPE_ERROR = re.compile(r"cannot unmarshal (\w+) into Go (?:struct field \S+|value) of type (\S+)")
_UNKNOWN_FIELD = re.compile(r'unknown field "([^"]+)"')
CAUSE_PROBLEMS = {
    "FieldValueRequired": "required",
    "FieldValueInvalid": "invalid",
    "FieldValueNotSupported": "not-supported",
    "FieldValueDuplicate": "duplicate",
    "FieldValueForbidden": "forbidden",
    "FieldValueTooLong": "too-long",
    "FieldValueTooMany": "too-many",
    "FieldValueNotFound": "not-found",
}


def _child(node: Any, key: str) -> Any:
    """The value node of `key` in a mapping node (None when absent)."""
    for key_node, value_node in getattr(node, "value", ()) if isinstance(node, yaml.MappingNode) else ():
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def locate(node: Any, field: str) -> tuple[int, int, bool] | None:
    """Where `field` (`spec.containers[0].ports[1].containerPort`, `metadata.labels[app]`) is written under a
    document's YAML `node`: (line, column, exact), 1-based. A field that is absent (a required one) gives its
    nearest written ancestor, with exact False; None without a node."""
    if node is None:
        return None
    parts = [name or index for name, index in _PATH_PART.findall(field)]
    mark = node.start_mark
    current = node
    for part in parts:
        found = None
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == part:
                    found, mark = value_node, key_node.start_mark
                    break
        elif isinstance(current, yaml.SequenceNode) and part.isdigit() and int(part) < len(current.value):
            found = current.value[int(part)]
            mark = found.start_mark
        if found is None:
            return mark.line + 1, mark.column + 1, False
        current = found
    return mark.line + 1, mark.column + 1, True


def field_problems(status: Status, node: Any) -> list[dict[str, Any]]:
    """The fields a refused manifest's Status names, each with what is wrong and where it is written:
    [{field, problem, line, column, exact, expected?, actual?, message?}] in the order the Status names them.
    `problem` is `type` (a value of the wrong JSON type: `expected` is the Go type, `actual` the JSON one),
    `unknown` (no such field), or one per cause reason (`required`, `invalid`, `not-supported`, ...)."""
    found: list[dict[str, Any]] = []
    type_error = _TYPE_ERROR.search(status.message)
    if status.fields and type_error:
        found.append({"field": status.fields[0], "problem": "type", "expected": type_error.group(2),
                      "actual": type_error.group(1)})
    elif status.fields and _UNKNOWN_FIELD.search(status.message):
        found.extend({"field": field, "problem": "unknown"} for field in status.fields)
    elif status.fields:
        found.append({"field": status.fields[0], "problem": "invalid", "message": status.message})
    for cause in status.causes:
        if cause.field:
            found.append({"field": cause.field, "problem": CAUSE_PROBLEMS.get(cause.reason, "invalid"),
                          "message": cause.message})
    for problem in found:
        where = locate(node, problem["field"])
        if where is not None:
            problem["line"], problem["column"], problem["exact"] = where
    return found
