"""Small pure helpers of the simulated cluster: fast JSON-tree copies, simulated time stamps, seeded draws."""

from __future__ import annotations

import functools
import hashlib
import random
import uuid
from datetime import UTC, datetime
from typing import Any

# The alphabet apimachinery's util/rand uses for generated names (no vowels, no look-alikes).
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def clone(value: Any) -> Any:
    """Deep copy of a JSON tree (dicts, lists, scalars); several times faster than `copy.deepcopy`."""
    if isinstance(value, dict):
        return {k: clone(v) if isinstance(v, dict | list) else v for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) if isinstance(v, dict | list) else v for v in value]
    return value


def strip_nulls(value: Any) -> Any:
    """Drop `null` map values recursively, as decoding into Go structs with `omitempty` does."""
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value


def rfc3339(seconds: float) -> str:
    """`2026-11-26T15:19:39Z` for simulated seconds since the epoch (whole seconds, as metav1.Time)."""
    return _rfc3339(int(seconds))


@functools.lru_cache(maxsize=4096)
def _rfc3339(whole_seconds: int) -> str:
    # Every write stamps the current second, usually many times in a row: format each second once.
    return datetime.fromtimestamp(whole_seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> float:
    """Seconds since the epoch of an API timestamp: the inverse of `rfc3339`, also reading MicroTime's fractional
    seconds and offsets other than `Z`. The one timestamp parser of `sim` (raises ValueError for text that is not
    ISO 8601); a missing timestamp is the caller's case to handle."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Draws:
    """Deterministic random draws derived from (seed, counter): the state is two integers.

    Every draw hashes the seed with a fresh counter value, so a cluster loaded from JSON draws
    exactly what the saved one would have drawn next, without persisting a Mersenne Twister state.
    """

    __slots__ = ("counter", "seed")

    def __init__(self, seed: int, counter: int = 0) -> None:
        self.seed = seed
        self.counter = counter

    def bits(self, n: int = 64) -> int:
        self.counter += 1
        digest = hashlib.blake2b(f"{self.seed}:{self.counter}".encode(), digest_size=16).digest()
        return int.from_bytes(digest, "big") >> (128 - n)

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * (self.bits(53) / float(1 << 53))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.bits(128), version=4))

    def suffix(self, length: int = 5) -> str:
        """Random characters from apimachinery's name alphabet (`generateName` suffixes)."""
        value = self.bits(64)
        chars = []
        for _ in range(length):
            value, index = divmod(value, len(NAME_ALPHABET))
            chars.append(NAME_ALPHABET[index])
        return "".join(chars)

    def hex(self, length: int) -> str:
        out = ""
        while len(out) < length:
            out += f"{self.bits(64):016x}"
        return out[:length]

    def random(self) -> random.Random:
        """A `random.Random` seeded from the next draw, for APIs that want one (the scheduler)."""
        return random.Random(self.bits(64))  # noqa: S311 - simulation, not cryptography
