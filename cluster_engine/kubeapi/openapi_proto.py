"""`/openapi/v2` in protobuf (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): the Swagger 2.0
document of `openapi.v2_document` as the `openapi.v2.Document` message of gnostic's `OpenAPIv2.proto`, which is
how kube-apiserver serves it and how kubectl asks for it.

kubectl reads it when a manifest's group-version is missing from `/openapi/v3`, to validate that object on the
client (`validation.NewSchemaValidation`); an object of a kind the document does not describe is not validated
there, and kubectl goes on to the server's discovery, which answers `no matches for kind "X" in version "y/v1"`.
Without this document kubectl stops at `error validating data: the server was unable to respond with a content type
that the client supports`.

A hand-written protobuf writer, driven by the few messages a Kubernetes Swagger document uses (Document, Info,
Paths, PathItem, Operation, query Parameters, Responses, Schema and its parts, NamedAny vendor extensions whose
values are carried as YAML text: JSON is YAML), with gnostic's field numbers.
"""

from __future__ import annotations

import json
import struct
from functools import cache
from typing import Any

# what clients ask for (kubectl still sends the deprecated `@` form, which Go's mime parser cannot read back) and
# the type of the reply (kube-openapi's handler answers both with the `.v1.0` form)
ACCEPTED = ("application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
            "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
MEDIA_TYPE = ACCEPTED[1]
_VARINT, _FIXED64, _BYTES = 0, 1, 2

# Schema's scalar fields: JSON key -> (field number, kind)
_SCHEMA_SCALARS = {
    "$ref": (1, "string"), "format": (2, "string"), "title": (3, "string"), "description": (4, "string"),
    "multipleOf": (6, "double"), "maximum": (7, "double"), "exclusiveMaximum": (8, "bool"), "minimum": (9, "double"),
    "exclusiveMinimum": (10, "bool"), "maxLength": (11, "int"), "minLength": (12, "int"), "pattern": (13, "string"),
    "maxItems": (14, "int"), "minItems": (15, "int"), "uniqueItems": (16, "bool"), "maxProperties": (17, "int"),
    "minProperties": (18, "int"), "discriminator": (26, "string"), "readOnly": (27, "bool"),
}


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64 values are ten bytes, as Go writes them
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _bytes(number: int, data: bytes) -> bytes:
    return _key(number, _BYTES) + _varint(len(data)) + data


def _string(number: int, text: str) -> bytes:
    return _bytes(number, text.encode()) if text else b""


def _bool(number: int, value: bool) -> bytes:
    return _key(number, _VARINT) + b"\x01" if value else b""


def _int(number: int, value: int) -> bytes:
    return _key(number, _VARINT) + _varint(int(value)) if value else b""


def _double(number: int, value: float) -> bytes:
    return _key(number, _FIXED64) + struct.pack("<d", float(value)) if value else b""


def _any(value: Any) -> bytes:
    """gnostic's `Any`: the value as YAML text (field 2)."""
    return _string(2, json.dumps(value, separators=(",", ":")))


def _named_any(number: int, name: str, value: Any) -> bytes:
    return _bytes(number, _string(1, name) + _bytes(2, _any(value)))


def _extensions(number: int, node: dict[str, Any]) -> bytes:
    return b"".join(_named_any(number, key, value) for key, value in node.items() if key.startswith("x-"))


def schema(node: dict[str, Any]) -> bytes:
    """An `openapi.v2.Schema` message of a JSON Schema fragment."""
    out = bytearray()
    for key, (number, kind) in _SCHEMA_SCALARS.items():
        if key not in node:
            continue
        value = node[key]
        if kind == "string":
            out += _string(number, str(value))
        elif kind == "bool":
            out += _bool(number, bool(value))
        elif kind == "int":
            out += _int(number, int(value))
        else:
            out += _double(number, float(value))
    if "default" in node:
        out += _bytes(5, _any(node["default"]))
    for name in node.get("required") or []:
        out += _string(19, name)
    for value in node.get("enum") or []:
        out += _bytes(20, _any(value))
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out += _bytes(21, _bytes(1, schema(extra)))
    elif isinstance(extra, bool):
        out += _bytes(21, _key(2, _VARINT) + (b"\x01" if extra else b"\x00"))
    kind = node.get("type")
    if kind:
        out += _bytes(22, b"".join(_string(1, t) for t in (kind if isinstance(kind, list) else [kind])))
    items = node.get("items")
    if isinstance(items, dict):
        out += _bytes(23, _bytes(1, schema(items)))
    for part in node.get("allOf") or []:
        out += _bytes(24, schema(part))
    properties = node.get("properties")
    if isinstance(properties, dict):
        out += _bytes(25, b"".join(_bytes(1, _string(1, name) + _bytes(2, schema(value)))
                                   for name, value in properties.items()))
    if "example" in node:
        out += _bytes(30, _any(node["example"]))
    out += _extensions(31, node)
    return bytes(out)


def _parameter(param: dict[str, Any]) -> bytes:
    """A ParametersItem holding a query (or path) NonBodyParameter."""
    if param.get("in") == "path":
        sub = (_bool(1, bool(param.get("required"))) + _string(2, "path") + _string(3, param.get("description", ""))
               + _string(4, param.get("name", "")) + _string(5, param.get("type", "")) +
               _bool(19, bool(param.get("uniqueItems"))))
        non_body = _bytes(4, sub)
    else:
        sub = (_bool(1, bool(param.get("required"))) + _string(2, param.get("in", "query"))
               + _string(3, param.get("description", "")) + _string(4, param.get("name", ""))
               + _string(6, param.get("type", "")) + _bool(20, bool(param.get("uniqueItems"))))
        non_body = _bytes(3, sub)
    return _bytes(1, _bytes(2, non_body))


def _operation(operation: dict[str, Any]) -> bytes:
    out = bytearray(_string(5, operation.get("operationId", "")))
    for media in operation.get("consumes") or []:
        out += _string(7, media)
    for param in operation.get("parameters") or []:
        out += _bytes(8, _parameter(param))
    responses = bytearray()
    for code, response in (operation.get("responses") or {}).items():
        body = _string(1, response.get("description", ""))
        if isinstance(response.get("schema"), dict):
            body += _bytes(2, _bytes(1, schema(response["schema"])))
        responses += _bytes(1, _string(1, code) + _bytes(2, _bytes(1, body)))
    if responses:
        out += _bytes(9, bytes(responses))
    out += _extensions(13, operation)
    return bytes(out)


_VERBS = {"get": 2, "put": 3, "post": 4, "delete": 5, "options": 6, "head": 7, "patch": 8}


def document(swagger: dict[str, Any]) -> bytes:
    """The `openapi.v2.Document` of a Swagger 2.0 document (as `openapi.v2_document` builds it)."""
    info = swagger.get("info") or {}
    out = bytearray(_string(1, swagger.get("swagger", "2.0")))
    out += _bytes(2, _string(1, info.get("title", "")) + _string(2, info.get("version", "")))
    paths = bytearray()
    for path, item in (swagger.get("paths") or {}).items():
        body = b"".join(_bytes(number, _operation(item[verb])) for verb, number in _VERBS.items() if verb in item)
        paths += _bytes(2, _string(1, path) + _bytes(2, body))
    out += _bytes(8, bytes(paths))
    out += _bytes(9, b"".join(_bytes(1, _string(1, name) + _bytes(2, schema(value)))
                              for name, value in (swagger.get("definitions") or {}).items()))
    return bytes(out)


@cache
def _encoded(text: bytes) -> bytes:
    return document(json.loads(text))


def v2_protobuf(json_document: bytes) -> bytes:
    """The protobuf form of a served JSON `/openapi/v2` document (encoded once per document)."""
    return _encoded(json_document)
