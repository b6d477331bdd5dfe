"""Kubernetes resource quantities (`100m`, `128Mi`, `1.5`, `2e3`) parsed exactly, as apimachinery does."""

from __future__ import annotations

import math
import re
from decimal import ROUND_UP, Decimal, InvalidOperation
from typing import Any

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



_DECIMAL_SUFFIX = {-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"}
_BINARY_SUFFIX = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")


def is_binary(text: str | int | float) -> bool:
    """Whether a quantity was written with a binary suffix (`Ki`..`Ei`): apimachinery's BinarySI format."""
    return isinstance(text, str) and text.strip().endswith("i")


def format_quantity(value: Decimal, *, binary: bool = False, exponential: bool = False) -> str:
    """`Quantity.String()` of `value` in the BinarySI (`binary`), DecimalExponent or DecimalSI format.

    BinarySI is kept for whole values of at least 1024 (`1536Mi`, `4Gi`); otherwise the decimal form with the
    largest exponent (a multiple of 3) that leaves an integer mantissa (`100m`, `1500m`, `2`, `1k`, `128M`).
    Values are first rounded up (away from zero) to a nanounit, as ParseQuantity does."""
    if not value:
        return "0"
    nanos = int((value * 10**9).to_integral_value(rounding=ROUND_UP))
    if binary and abs(nanos) >= 1024 * 10**9 and nanos % 10**9 == 0:
        amount, exponent = nanos // 10**9, 0
        while amount % 1024 == 0 and exponent < len(_BINARY_SUFFIX) - 1:
            amount //= 1024
            exponent += 1
        return f"{amount}{_BINARY_SUFFIX[exponent]}"
    amount, exponent = nanos, -9
    while amount % 10 == 0:
        amount //= 10
        exponent += 1
    shift = exponent % 3
    amount, exponent = amount * 10**shift, exponent - shift
    if exponential:
        return f"{amount}e{exponent}" if exponent else str(amount)
    suffix = _DECIMAL_SUFFIX.get(exponent)
    return f"{amount}{suffix}" if suffix is not None else f"{amount}e{exponent}"


def quantity_string(text: Any) -> str:
    """apimachinery's `Quantity.String()` of a stored quantity: its canonical form, which is what kubectl
    prints after decoding and the api-server serialises (`4194304Ki` -> `4Gi`, `0.5` -> `500m`, `1000m` -> `1`,
    `1.5Gi` -> `1536Mi`). Text that is not a quantity is shown as it is."""
    raw = str(text).strip()
    match = _QUANTITY_RE.match(raw)
    try:
        value = parse_quantity(text)
    except QuantityError:
        return str(text)
    if match is None:
        return "0" if not value else str(text)
    suffix = match.group(2)
    return format_quantity(value, binary=suffix.endswith("i"), exponential=suffix[:1] in ("e", "E"))
