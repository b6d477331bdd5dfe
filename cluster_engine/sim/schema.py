"""Strict decoding of objects against the Kubernetes OpenAPI schemas shipped by `kubernetes-validate`.

kube-apiserver decodes a request body into Go structs; with `fieldValidation=Strict` (what kubectl
sends) an unknown field fails the request and a JSON type mismatch always does. This module walks the
1.32 schema to reproduce both errors with upstream wording, and exposes the strategic-merge metadata
(`x-kubernetes-patch-merge-key`, `x-kubernetes-patch-strategy`) that `patch.py` needs.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from .quantity import QUANTITY_ERROR, QuantityError, parse_quantity

SCHEMA_VERSION = "v1.32.0-local-strict"


@dataclass(frozen=True)
class Field:
    """What one property accepts: a scalar type, a struct (`ref`), a list or a map of `item`."""

    type: str  # string, integer, number, boolean, struct, array, map, intorstring, quantity, any
    go_type: str
    ref: str = ""
    item: Field | None = None
    merge_key: str = ""
    strategy: str = ""


@dataclass
class Struct:
    name: str  # Go type name, e.g. "PodSpec"
    fields: dict[str, Field] = field(default_factory=dict)
    open: bool = False  # additionalProperties allowed (no strict check)


def _go_name(ref: str) -> str:
    return ref.rsplit(".", 1)[-1]


def _go_qualified(ref: str) -> str:
    parts = ref.split(".")
    return f"{parts[-2]}.{parts[-1]}"


_definitions_lock = threading.Lock()


@cache
def _read_definitions() -> dict[str, Any]:
    path = resources.files("kubernetes_validate") / "kubernetes-json-schema" / SCHEMA_VERSION / "_definitions.json"
    return json.loads(path.read_bytes())["$defs"]


def _definitions() -> dict[str, Any]:
    # Under a lock: a server's threads all asking at start would each parse the 1.3 MB file.
    with _definitions_lock:
        return _read_definitions()


def definitions() -> Mapping[str, Any]:
    """Every definition of the API's schema by name (`io.k8s.api.core.v1.Pod`), as the OpenAPI documents
    serve them: read-only, shared by every caller."""
    return MappingProxyType(_definitions())


def preload() -> None:
    """Read the schemas and decode every definition now, so that the first request after a process starts
    does not pay for it (servers and workers call this at start)."""
    for ref in _definitions():
        struct(ref)


def _field(spec: dict[str, Any]) -> Field:
    if "$ref" in spec:
        ref = spec["$ref"].rsplit("/", 1)[-1]
        if ref.endswith("IntOrString"):
            return Field("intorstring", "intstr.IntOrString")
        if ref.endswith("resource.Quantity"):
            return Field("quantity", "resource.Quantity")
        if ref.endswith(("meta.v1.Time", "meta.v1.MicroTime")):
            return Field("string", "v1.Time")
        target = _definitions().get(ref, {})
        if "properties" not in target:
            scalar = target.get("type", "any")
            scalar = scalar[0] if isinstance(scalar, list) else scalar
            return Field(
                scalar if scalar in ("string", "integer", "number", "boolean") else "any", _go_qualified(ref)
            )
        return Field(
            "struct",
            _go_qualified(ref),
            ref=ref,
            merge_key=spec.get("x-kubernetes-patch-merge-key", ""),
            strategy=spec.get("x-kubernetes-patch-strategy", ""),
        )
    kind = spec.get("type", "any")
    kind = kind[0] if isinstance(kind, list) else kind
    if "oneOf" in spec:
        return Field("any", "interface {}")
    if kind == "array":
        item = _field(spec.get("items", {}))
        return Field(
            "array",
            f"[]{item.go_type}",
            item=item,
            merge_key=spec.get("x-kubernetes-patch-merge-key", ""),
            strategy=spec.get("x-kubernetes-patch-strategy", ""),
        )
    if kind == "object":
        extra = spec.get("additionalProperties")
        if isinstance(extra, dict):
            item = _field(extra)
            return Field(
                "map",
                f"map[string]{item.go_type}",
                item=item,
                strategy=spec.get("x-kubernetes-patch-strategy", ""),
            )
        return Field("any", "map[string]interface {}")
    if kind == "integer":
        return Field("integer", spec.get("format", "int64"))
    if kind == "number":
        return Field("number", "float64")
    if kind == "boolean":
        return Field("boolean", "bool")
    if kind == "string":
        return Field("string", "string")
    return Field("any", "interface {}")


@cache
def struct(ref: str) -> Struct:
    """The decoded view of one schema definition (`io.k8s.api.core.v1.PodSpec`)."""
    spec = _definitions().get(ref, {})
    result = Struct(_go_name(ref), open=spec.get("additionalProperties") not in (None, False))
    for name, prop in spec.get("properties", {}).items():
        result.fields[name] = _field(prop)
    return result


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class DecodeError(Exception):
    """A body that kube-apiserver could not decode; `str()` is the message after `cannot be handled as`.
    `field` is the offending field's path with its list indices (`spec.containers[0].ports[0].containerPort`),
    which upstream's message leaves out: the lesson page points at the line with it."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _mismatch(value: Any, owner: str, path: str, go_type: str, shown: str) -> DecodeError:
    return DecodeError(
        f"json: cannot unmarshal {_json_type(value)} into Go struct field {owner}.{path} of type {go_type}",
        shown,
    )


def _check(value: Any, spec: Field, owner: str, path: str, shown: str, unknown: list[str]) -> None:  # noqa: PLR0917
    kind = spec.type
    if value is None or kind == "any":
        return
    if kind == "struct":
        if not isinstance(value, dict):
            raise _mismatch(value, owner, path, spec.go_type, shown)
        _walk(value, struct(spec.ref), path, shown, unknown)
    elif kind == "array":
        if not isinstance(value, list):
            raise _mismatch(value, owner, path, spec.go_type, shown)
        assert spec.item is not None
        for index, item in enumerate(value):
            _check(item, spec.item, owner, path, f"{shown}[{index}]", unknown)
    elif kind == "map":
        if not isinstance(value, dict):
            raise _mismatch(value, owner, path, spec.go_type, shown)
        assert spec.item is not None
        for key, item in value.items():
            _check(item, spec.item, owner, path, f"{shown}.{key}", unknown)
    elif kind == "string":
        if not isinstance(value, str):
            raise _mismatch(value, owner, path, spec.go_type, shown)
    elif kind == "integer":
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (isinstance(value, float) and not value.is_integer())
        ):
            raise _mismatch(value, owner, path, spec.go_type, shown)
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _mismatch(value, owner, path, spec.go_type, shown)
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise _mismatch(value, owner, path, spec.go_type, shown)
    elif kind == "intorstring":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _mismatch(value, owner, path, spec.go_type, shown)
    elif kind == "quantity":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise DecodeError(QUANTITY_ERROR, shown)
        try:
            parse_quantity(value)
        except QuantityError as error:
            raise DecodeError(QUANTITY_ERROR, shown) from error


def _walk(obj: dict[str, Any], spec: Struct, path: str, shown: str, unknown: list[str]) -> None:
    for key, value in obj.items():
        child = spec.fields.get(key)
        child_path = f"{path}.{key}" if path else key
        child_shown = f"{shown}.{key}" if shown else key
        if child is None:
            if not spec.open:
                unknown.append(child_shown)
            continue
        _check(value, child, spec.name, child_path, child_shown, unknown)


def definition(ref: str) -> dict[str, Any]:
    """The raw definition named `ref` (`{}` when unknown; never mutate it), for readers of the extensions
    `Field` does not carry (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`)."""
    return _definitions().get(ref, {})


def root_ref(group: str, version: str, kind: str) -> str:
    """The definition name of a top-level kind (`io.k8s.api.core.v1.Pod`, `io.k8s.api.apps.v1.Deployment`)."""
    if group == "apiextensions.k8s.io":  # defined by apiextensions-apiserver, not k8s.io/api
        return f"io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.{version}.{kind}"
    group_part = "core" if not group else group.split(".", maxsplit=1)[0] if group.endswith(".k8s.io") else group
    return f"io.k8s.api.{group_part}.{version}.{kind}"


def strict_decode(obj: dict[str, Any], ref: str) -> list[str]:
    """Check `obj` against definition `ref`; return the unknown field paths (raises DecodeError on types)."""
    unknown: list[str] = []
    if ref in _definitions():
        _walk(obj, struct(ref), "", "", unknown)
    return unknown


def list_field(ref: str, path: tuple[str, ...]) -> Field | None:
    """The schema field at a key path under definition `ref` (list indices skipped), or None if unknown."""
    spec: Field | None = Field("struct", "", ref=ref)
    for key in path:
        if spec is None:
            return None
        while spec.type in ("array", "map") and spec.item is not None:
            spec = spec.item
        if spec.type != "struct":
            return None
        spec = struct(spec.ref).fields.get(key)
    return spec
