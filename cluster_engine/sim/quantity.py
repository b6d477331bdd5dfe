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


_DECIMAL_SUFFIXES = (("E", 18), ("P", 15), ("T", 12), ("G", 9), ("M", 6), ("k", 3), ("", 0), ("m", -3),
                     ("u", -6), ("n", -9))
_BINARY_SUFFIXES = ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki")


def is_binary(text: str | int | float) -> bool:
    """Whether a quantity was written with a binary suffix (`Ki`..`Ei`), apimachinery's BinarySI format."""
    return isinstance(text, str) and text[-2:] in _BINARY


def format_quantity(value: Decimal, *, binary: bool = False) -> str:
    """`Quantity.String()`: the canonical text of `value` in the BinarySI (`binary`) or DecimalSI format.

    BinarySI is kept for whole values of at least 1024 (`1536Mi`, `1Gi`, `2048` as `2Ki`); below that, or for
    fractions, the decimal form: the largest SI exponent (a multiple of 3) that leaves an integer mantissa
    (`100m`, `1500m`, `2`, `1k`, `128M`); amounts below a nano round up to one."""
    if value == 0:
        return "0"
    if binary and abs(value) >= 1024 and value == value.to_integral_value():
        number = int(value)
        for suffix in _BINARY_SUFFIXES:
            unit = _BINARY[suffix]
            if number % unit == 0:
                return f"{number // unit}{suffix}"
        return str(number)
    for suffix, exponent in _DECIMAL_SUFFIXES:
        mantissa = value / (Decimal(10) ** exponent)
        if mantissa == mantissa.to_integral_value():
            return f"{int(mantissa)}{suffix}"
    return f"{math.ceil(value * Decimal(10) ** 9)}n"


def canonical_quantity(text: str | int | float) -> str:
    """A quantity's text as the api-server serialises it (`1.5` -> `1500m`, `1024Mi` -> `1Gi`); QuantityError
    if malformed."""
    return format_quantity(parse_quantity(text), binary=is_binary(text))
