"""kubectl's generic describer (`GenericDescriberFor` in kubectl/pkg/describe/describe.go), used for every kind
without a describer of its own (Lease, ControllerRevision, Event, NodeMetrics, ...): name, namespace, labels
and annotations, then the whole object as `printUnstructuredContent` walks it (fields sorted, nested maps
indented, labels made by `smartLabelFor`), then the events."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from .describe import PrefixWriter, annotations_multiline, describe_events, labels_multiline

# Paths (as `printUnstructuredContent` spells them) the header already shows or that are never printed.
SKIPPED = (".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels",
           ".metadata.annotations")
COMMON_ACRONYMS = ("API", "URL", "UID", "OSB", "GUID")


def _char_class(char: str) -> int:
    """fatih/camelcase's classes: lower, upper, digit, other."""
    if char.islower():
        return 1
    if char.isupper():
        return 2
    if char.isdigit():
        return 3
    return 4


def camelcase_split(text: str) -> list[str]:
    """`camelcase.Split`: runs of one character class, an upper-case letter moved to a lower-case run that
    follows it (`PDFLoader` -> `PDF`, `Loader`)."""
    runs: list[list[str]] = []
    last = 0
    for char in text:
        current = _char_class(char)
        if current == last:
            runs[-1].append(char)
        else:
            runs.append([char])
        last = current
    for i in range(len(runs) - 1):
        if runs[i] and runs[i][0].isupper() and runs[i + 1][0].islower():
            runs[i + 1].insert(0, runs[i].pop())
    return ["".join(run) for run in runs if run]


def smart_label(field: str) -> str:
    """`smartLabelFor`: `apiVersion` -> `API Version`, `holderIdentity` -> `Holder Identity`; a name with
    anything but letters and `-` (`k8s-app`, `kubernetes.io/os`) as it is."""
    if any(not char.isalpha() and char != "-" for char in field):
        return field
    parts = []
    for part in camelcase_split(field):
        if part == "_":
            continue
        parts.append(part.upper() if part.upper() in COMMON_ACRONYMS else part[:1].upper() + part[1:])
    return " ".join(parts)


def _go_float(value: float) -> str:
    """Go's `%v` of a float64 (`strconv.FormatFloat(v, 'g', -1, 64)`): the shortest digits, in exponent form
    when the exponent is below -4 or at least 6 (`1e+06`, `0.5`, `123456`)."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0"
    decimal = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(str(d) for d in decimal.digits)
    point = len(digits) + int(decimal.exponent)  # digits before the decimal point
    exponent = point - 1
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def go_value(value: Any) -> str:
    """Go's `%v` of a JSON-decoded value: `<nil>`, `true`, `[a b]`, `map[k:v]`."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, list):
        return "[" + " ".join(go_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{key}:{go_value(value[key])}" for key in sorted(value)) + "]"
    return str(value)


def print_unstructured(w: PrefixWriter, level: int, content: dict[str, Any], skip_prefix: str = "") -> None:
    """`printUnstructuredContent`: each field (sorted) as `Label:\\tvalue`, a map or a list as `Label:` with
    its content one level deeper (list items unmarked, scalars one per line)."""
    for field in sorted(content):
        value = content[field]
        path = f"{skip_prefix}.{field}"
        if path in SKIPPED:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            print_unstructured(w, level + 1, value, path)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    print_unstructured(w, level + 1, child, path)
                else:
                    w.write(level + 1, f"{go_value(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{go_value(value)}\n")


def describe_generic(obj: dict[str, Any], events: list[dict[str, Any]] | None, now: float) -> str:
    """`kubectl describe` of a kind without its own describer; `events` None when `--show-events=false`."""
    meta = obj.get("metadata") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    print_unstructured(w, 0, obj)
    if events is not None:
        describe_events(w, events, now)
    return w.text()
