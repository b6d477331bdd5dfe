"""Model fields of the sandbox app."""

from __future__ import annotations

import zlib
from typing import Any

import orjson
from django.db import models


class EncodedJSON(bytes):
    """What `CompressedJSONField.encode` returned, stored as it is: a writer can encode before it takes a lock."""


class CompressedJSONField(models.BinaryField):
    """A JSON document stored zlib-compressed.

    The engine's state is read and written whole on every command and every reconcile; as `jsonb`,
    PostgreSQL re-parsed some 150 KB each time and that cost more than the command itself. Here the database
    keeps an opaque blob about a seventh of the size, and orjson encodes and decodes it in a fraction of
    the time. Python code still sees a plain dict.
    """

    description = "A JSON document, compressed"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    @staticmethod
    def decode(raw: bytes | memoryview) -> Any:
        return orjson.loads(zlib.decompress(bytes(raw)))

    @staticmethod
    def encode(value: Any) -> bytes:
        # Level 1: nearly all of the size gain for a tenth of the CPU of the default level.
        return zlib.compress(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS), 1)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else self.decode(value)

    def to_python(self, value: Any) -> Any:
        return self.decode(value) if isinstance(value, bytes | memoryview) else value

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, EncodedJSON):
            return value
        return self.encode(value)

    def value_to_string(self, obj: models.Model) -> str:
        return orjson.dumps(self.value_from_object(obj), option=orjson.OPT_NON_STR_KEYS).decode()
