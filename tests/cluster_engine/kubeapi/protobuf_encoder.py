"""A tiny protobuf encoder for tests: JSON dicts -> Kubernetes protobuf bodies, driven by the decoder's own tables
(`cluster_engine.kubeapi.protobuf.MESSAGES`), so decode(encode(x)) == x checks the decoder field by field.

Unlike Go's generated marshallers it writes only the fields the dict has (Go writes every non-pointer field);
`field()` builds raw fields by hand for the cases that matter (zero values, unknown fields, wire types)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from cluster_engine.kubeapi.protobuf import MAGIC, MESSAGES, parse_type


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative numbers are 10-byte two's complement, as Go writes them
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number: int, value: int | bytes | str, wire: int | None = None) -> bytes:
    """One field: an int is a varint (wire 0), bytes/str length-delimited (wire 2); `wire` forces the key."""
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, int):
        return varint(number << 3 | (0 if wire is None else wire)) + varint(value)
    return varint(number << 3 | (2 if wire is None else wire)) + varint(len(value)) + value


def _single(base: str, value: Any) -> int | bytes:
    if base == "string":
        return value.encode()
    if base == "bytes":
        return base64.b64decode(value)
    if base == "bool":
        return int(bool(value))
    if base in ("int32", "int64"):
        return int(value)
    if base == "Quantity":
        return field(1, str(value))
    if base == "IntOrString":
        return field(1, 1) + field(3, value) if isinstance(value, str) else field(1, 0) + field(2, value)
    if base == "FieldsV1":
        return field(1, json.dumps(value, separators=(",", ":")))
    if base == "Time":
        moment = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        return field(1, int(moment.timestamp()))
    return encode_message(value, base)


def encode_message(obj: dict[str, Any], name: str) -> bytes:
    out = bytearray()
    for number, (json_name, spec) in MESSAGES[name].items():
        ftype = parse_type(spec)
        if not json_name:  # inline: the inner message's fields sit in this dict
            inner = {key for key, _ in MESSAGES[ftype.base].values()}
            part = {key: value for key, value in obj.items() if key in inner}
            if part:
                out += field(number, encode_message(part, ftype.base))
            continue
        if json_name not in obj:
            continue
        value = obj[json_name]
        if ftype.is_map:
            for key, item in value.items():
                out += field(number, field(1, key) + field(2, _single(ftype.base, item)))
        elif ftype.repeated:
            for item in value:
                out += field(number, _single(ftype.base, item))
        else:
            out += field(number, _single(ftype.base, value))
    return bytes(out)


def envelope(raw: bytes, api_version: str = "", kind: str = "", **extra: int | bytes | str) -> bytes:
    """`k8s\\x00` + runtime.Unknown {typeMeta, raw, ...}; `extra` adds contentEncoding=3 / contentType=4."""
    type_meta = (field(1, api_version) if api_version else b"") + (field(2, kind) if kind else b"")
    body = field(1, type_meta) + field(2, raw)
    numbers = {"contentEncoding": 3, "contentType": 4}
    for key, value in extra.items():
        body += field(numbers[key], value)
    return MAGIC + body


def encode(obj: dict[str, Any]) -> bytes:
    """A whole body for `obj` (its `apiVersion` and `kind` go to the envelope)."""
    rest = {key: value for key, value in obj.items() if key not in ("apiVersion", "kind")}
    return envelope(encode_message(rest, obj["kind"]), obj.get("apiVersion", ""), obj["kind"])
