"""kubectl's JSONPath templates (client-go `util/jsonpath`): `{.a.b}`, `{.items[*].metadata.name}`,
`[0]`, `[1:3]`, `['key']`, `..name`, `*`, `{range ...}{end}`, filters `[?(@.x=="y")]`, quoted text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_MISSING = object()


class JSONPathError(Exception):
    """A template that does not parse or cannot be executed; the message is client-go's wording."""


@dataclass
class _Step:
    op: str  # field, recursive, wildcard, index, slice, filter, union, keys
    arg: Any = None


@dataclass
class _Path:
    steps: list[_Step] = field(default_factory=list)
    literal: Any = _MISSING  # a quoted string or number in an action


@dataclass
class _Range:
    path: _Path
    body: list[Any] = field(default_factory=list)


# ---------------------------------------------------------------- parsing


def _split_actions(template: str) -> list[tuple[str, str]]:
    """(`text`, literal) and (`action`, inside braces) pieces, honouring quotes inside actions."""
    pieces: list[tuple[str, str]] = []
    i = 0
    while i < len(template):
        start = template.find("{", i)
        if start < 0:
            pieces.append(("text", template[i:]))
            break
        if start > i:
            pieces.append(("text", template[i:start]))
        j, depth, quote = start + 1, 1, ""
        while j < len(template):
            ch = template[j]
            if quote:
                if ch == "\\":
                    j += 1
                elif ch == quote:
                    quote = ""
            elif ch in "\"'":
                quote = ch
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j >= len(template):
            raise JSONPathError("unclosed action")
        pieces.append(("action", template[start + 1 : j]))
        i = j + 1
    return pieces


def _unquote(text: str) -> str:
    if text.startswith('"'):
        return json.loads(text)
    return text[1:-1]


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _parse_literal(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return _unquote(text)
    if _NUMBER.match(text):
        return float(text) if "." in text else int(text)
    if text in ("true", "false"):
        return text == "true"
    return _MISSING


def _parse_path(text: str) -> _Path:
    text = text.strip()
    literal = _parse_literal(text)
    if literal is not _MISSING:
        return _Path(literal=literal)
    path = _Path()
    i = 0
    if text[:1] in ("$", "@"):
        i = 1
    while i < len(text):
        ch = text[i]
        if text.startswith("..", i):
            j = i + 2
            name, j = _read_name(text, j)
            path.steps.append(_Step("recursive"))
            if name:
                path.steps.append(_Step("field", name))
            i = j
        elif ch == ".":
            name, j = _read_name(text, i + 1)
            if name == "*":
                path.steps.append(_Step("wildcard"))
            elif name:
                path.steps.append(_Step("field", name))
            i = j
        elif ch == "[":
            j = _matching_bracket(text, i)
            path.steps.append(_parse_bracket(text[i + 1 : j]))
            i = j + 1
        elif ch.isspace():
            i += 1
        else:
            name, j = _read_name(text, i)
            if not name:
                raise JSONPathError(f"unrecognized character in action: U+{ord(ch):04X} {ch!r}")
            path.steps.append(_Step("field", name))
            i = j
    return path


def _read_name(text: str, i: int) -> tuple[str, int]:
    out = []
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch in ".[ ":
            break
        out.append(ch)
        i += 1
    return "".join(out), i


def _matching_bracket(text: str, i: int) -> int:
    depth, quote = 0, ""
    for j in range(i, len(text)):
        ch = text[j]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return j
    raise JSONPathError("unterminated array")


_FILTER = re.compile(r"^\?\((.*)\)$", re.S)
_OPERATORS = ("==", "!=", "<=", ">=", "<", ">")


def _parse_bracket(inner: str) -> _Step:
    inner = inner.strip()
    if inner == "*":
        return _Step("wildcard")
    if match := _FILTER.match(inner):
        expr = match.group(1).strip()
        for op in _OPERATORS:
            left, sep, right = expr.partition(op)
            if sep:
                return _Step("filter", (op, _parse_path(left), _parse_path(right)))
        return _Step("filter", ("exists", _parse_path(expr), None))
    parts = [p.strip() for p in _split_union(inner)]
    if len(parts) > 1:
        return _Step("union", [_parse_bracket(p) for p in parts])
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "\"'":
        return _Step("field", _unquote(inner))
    if re.fullmatch(r"-?\d*(:-?\d*)?(:-?\d*)?", inner):
        if ":" not in inner:
            return _Step("index", int(inner))
        bounds = [int(b) if b else None for b in [*inner.split(":"), "", ""][:3]]
        return _Step("slice", bounds)
    return _Step("field", inner)


def _split_union(text: str) -> list[str]:
    parts, quote, current = [], "", []
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == ",":
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def parse(template: str) -> list[Any]:
    """Parse a template into text, paths and ranges; raises JSONPathError with client-go's wording."""
    root: list[Any] = []
    stack: list[list[Any]] = [root]
    for kind, body in _split_actions(template):
        if kind == "text":
            stack[-1].append(body)
            continue
        action = body.strip()
        if action.startswith("range ") or action == "range":
            node = _Range(_parse_path(action[5:]))
            stack[-1].append(node)
            stack.append(node.body)
        elif action == "end":
            if len(stack) == 1:
                raise JSONPathError("not in range, nothing to end")
            stack.pop()
        else:
            stack[-1].append(_parse_path(action))
    return root


# ---------------------------------------------------------------- evaluation


def _compare(op: str, left: Any, right: Any) -> bool:
    numbers = (int, float)
    if isinstance(left, numbers) and isinstance(right, numbers) and not isinstance(left, bool):
        pass
    elif type(left) is not type(right):
        if op in ("==", "!="):
            return op == "!="
        raise JSONPathError("incompatible types for comparison")
    return {
        "==": left == right,
        "!=": left != right,
        "<": left < right,
        ">": left > right,
        "<=": left <= right,
        ">=": left >= right,
    }[op]


def _step(values: list[Any], step: _Step) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if value is None:
            continue
        if step.op == "field":
            if isinstance(value, dict) and step.arg in value:
                out.append(value[step.arg])
        elif step.op == "wildcard":
            if isinstance(value, dict):
                out.extend(value.values())
            elif isinstance(value, list):
                out.extend(value)
        elif step.op == "recursive":
            out.extend(_descend(value))
        elif step.op == "index":
            if not isinstance(value, list):
                raise JSONPathError(f"{_go_type(value)} is not array or slice")
            index = step.arg + len(value) if step.arg < 0 else step.arg
            if not 0 <= index < len(value):
                raise JSONPathError(f"array index out of bounds: index {step.arg}, length {len(value)}")
            out.append(value[index])
        elif step.op == "slice":
            if not isinstance(value, list):
                raise JSONPathError(f"{_go_type(value)} is not array or slice")
            start, stop, stride = step.arg
            if stride is not None and stride <= 0:
                raise JSONPathError("step must be > 0")
            out.extend(value[slice(start, stop, stride)])
        elif step.op == "union":
            for part in step.arg:
                out.extend(_step([value], part))
        elif step.op == "filter":
            if not isinstance(value, list):
                raise JSONPathError(f"{_go_type(value)} is not array or slice and cannot be filtered")
            op, left, right = step.arg
            for item in value:
                lefts = _evaluate(left, item)
                if op == "exists":
                    if lefts:
                        out.append(item)
                    continue
                rights = _evaluate(right, item)
                if len(lefts) != 1 or len(rights) != 1:
                    if len(lefts) > 1 or len(rights) > 1:
                        raise JSONPathError("can only compare one element at a time")
                    continue
                if _compare(op, lefts[0], rights[0]):
                    out.append(item)
    return out


def _descend(value: Any) -> list[Any]:
    children = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else []
    if not children:
        return []
    out = [value]
    for child in children:
        out.extend(_descend(child))
    return out


def _go_type(value: Any) -> str:
    return {dict: "map[string]interface {}", str: "string", bool: "bool", int: "int64", float: "float64"}.get(
        type(value), "interface {}"
    )


def _evaluate(path: _Path, data: Any) -> list[Any]:
    if path.literal is not _MISSING:
        return [path.literal]
    values = [data]
    for step in path.steps:
        values = _step(values, step)
    return values


def go_json(value: Any, *, indent: int | None = None) -> str:
    """`encoding/json` output: sorted map keys, HTML characters escaped, non-ASCII kept."""
    text = json.dumps(
        value,
        sort_keys=True,
        ensure_ascii=False,
        indent=indent,
        separators=(",", ": ") if indent is not None else (",", ":"),
    )
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def go_print(value: Any) -> str:
    """`fmt.Fprint` of one JSON value as jsonpath prints it."""
    if isinstance(value, dict | list):
        return go_json(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            repr(value)
            if not value.is_integer()
            else (str(int(value)) if abs(value) < 1e21 else f"{value:g}")
        )
    return str(value)


def _run(nodes: list[Any], data: Any, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Range):
            for item in _evaluate(node.path, data):
                _run(node.body, item, out)
        else:
            out.append(" ".join(go_print(v) for v in _evaluate(node, data)))


def execute(template: str, data: Any) -> str:
    """Render `template` against `data` exactly as `kubectl -o jsonpath=...` prints it (no newline added)."""
    out: list[str] = []
    _run(parse(template), data, out)
    return "".join(out)


def find(template: str, data: Any) -> list[list[Any]]:
    """The values each action of `template` selects (custom-columns uses the first action's values)."""
    results: list[list[Any]] = []
    for node in parse(template):
        if isinstance(node, _Path):
            results.append(_evaluate(node, data))
    return results


def relaxed(expression: str) -> str:
    """kubectl's RelaxedJSONPathExpression: `metadata.name`, `.metadata.name` and `{.metadata.name}` alike."""
    text = expression.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    if not text.startswith(".") and not text.startswith("$"):
        text = "." + text
    return "{" + text + "}"
