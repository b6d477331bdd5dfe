"""Kubernetes resource quantities (`100m`, `128Mi`, `1.5`, `2e3`) parsed exactly, as apimachinery does."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

QUANTITY_PATTERN = r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
QUANTITY_ERROR = f"quantities must match the regular expression '{QUANTITY_PATTERN}'"

_QUANTITY_RE = re.compile(QUANTITY_PATTERN)
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
            "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"),
            "P": Decimal("1e15"), "E": Decimal("1e18")}


class QuantityError(ValueError):
    """The text is not a Kubernetes quantity; the message is apimachinery's."""

    def __init__(self) -> None:
        super().__init__(QUANTITY_ERROR)


def parse_quantity(text: str | int | float) -> Decimal:
    """Return the exact value of a quantity; raise QuantityError if it is malformed."""
    if isinstance(text, bool):
        raise QuantityError
    if isinstance(text, int | float):
        return Decimal(str(text))
    match = _QUANTITY_RE.match(text.strip() if isinstance(text, str) else "")
    if not match or text != text.strip():
        raise QuantityError
    number, suffix = match.groups()
    try:
        value = Decimal(number)
    except InvalidOperation as error:
        raise QuantityError from error
    if suffix in _BINARY:
        return value * _BINARY[suffix]
    if suffix in _DECIMAL:
        return value * _DECIMAL[suffix]
    if suffix[:1] in ("e", "E"):
        try:
            return value * (Decimal(10) ** int(suffix[1:]))
        except ValueError as error:
            raise QuantityError from error
    raise QuantityError


def cpu_millis(text: str | int | float) -> int:
    """CPU in millicores, rounded up as the scheduler rounds (`MilliValue`)."""
    return math.ceil(parse_quantity(text) * 1000)


def memory_bytes(text: str | int | float) -> int:
    """Bytes, rounded up (`Value`)."""
    return math.ceil(parse_quantity(text))


def format_memory(num_bytes: int) -> str:
    """Shortest exact binary form, as `kubectl` shows allocatable memory (`16384Mi`, `2Gi`, `1000`)."""
    for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        unit = _BINARY[suffix]
        if num_bytes and num_bytes % unit == 0:
            return f"{num_bytes // unit}{suffix}"
    return str(num_bytes)


def format_cpu(millis: int) -> str:
    """`2` for whole cores, `250m` otherwise."""
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"
