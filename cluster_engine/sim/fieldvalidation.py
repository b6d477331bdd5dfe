"""Field validation, the decoding step of kube-apiserver's create, update and apply handlers: what becomes of
fields a kind's schema does not know (the request's `fieldValidation`), and the name a body must carry.

`Strict` keeps unknown fields, and the API server's strict decoding (`ApiServer.decode`) refuses them with the
upstream message; `Warn` (the default) drops each with a warning, `Ignore` drops them silently. A type error is
left for the decoding to report, whatever the mode.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import bad_request
from .objects import Kind
from .schema import DecodeError, strict_decode
from .util import clone, strip_nulls

MODES = ("Ignore", "Warn", "Strict")
DEFAULT_MODE = "Warn"
_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def mode(value: str | None) -> str:
    """The request's `fieldValidation` (DEFAULT_MODE when absent); raises a 400 Status for another value."""
    value = value or DEFAULT_MODE
    if value not in MODES:
        raise bad_request(f'fieldValidation: Unsupported value: "{value}": supported values: "Ignore", "Warn", '
                          '"Strict"')
    return value


def drop_unknown_fields(kind: Kind, body: Any, validation: str) -> tuple[Any, list[str]]:
    """`body` without the fields `kind`'s schema does not know (a copy when any went; `body` itself otherwise),
    and the warnings to send (`unknown field "spec.foo"`, only with Warn). With Strict, `body` as sent."""
    if validation == "Strict" or not isinstance(body, dict):
        return body, []
    try:
        unknown = strict_decode(strip_nulls(clone(body)), kind.schema_ref)
    except DecodeError:
        return body, []  # a type error: the decoding reports it whatever the mode
    if not unknown:
        return body, []
    body = clone(body)
    for path in unknown:
        _remove_path(body, path)
    return body, [f'unknown field "{path}"' for path in unknown] if validation == "Warn" else []


def _remove_path(body: Any, path: str) -> None:
    tokens = [int(index) if index else key for key, index in _PATH_TOKEN.findall(path)]
    node = body
    for token in tokens[:-1]:
        try:
            node = node[token]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(node, dict) and tokens:
        node.pop(tokens[-1], None)


def check_name(body: dict[str, Any], name: str) -> None:
    """Give an update's or apply's `body` the name on the URL; raises a 400 Status when it names another."""
    meta = body.setdefault("metadata", {}) if isinstance(body.get("metadata", {}), dict) else {}
    sent = meta.get("name")
    if sent and sent != name:
        raise bad_request(f"the name of the object ({sent}) does not match the name on the URL ({name})")
    meta["name"] = name
