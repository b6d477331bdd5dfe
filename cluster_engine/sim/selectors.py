"""Label selectors (equality- and set-based, string and `LabelSelector` forms) and field selectors,
parsed and matched as apimachinery does, failing with its error texts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import Status, bad_request
from .validation import label_value, qualified_name

if TYPE_CHECKING:  # only annotations: objects imports the kinds, whose modules import this one
    from .objects import Kind


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # in, notin, exists, !, =, ==, !=, gt, lt
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        op = self.operator
        if op in ("in", "=", "=="):
            return self.key in labels and labels[self.key] in self.values
        if op in ("notin", "!="):
            return self.key not in labels or labels[self.key] not in self.values
        if op == "exists":
            return self.key in labels
        if op == "!":
            return self.key not in labels
        value = labels.get(self.key)
        if value is None:
            return False
        try:
            number = int(value)
        except ValueError:
            return False
        bound = int(self.values[0])
        return number > bound if op == "gt" else number < bound


@dataclass(frozen=True)
class Selector:
    """A conjunction of requirements; the empty selector matches everything."""

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False  # a nil LabelSelector in some APIs selects nothing

    def matches(self, labels: dict[str, str] | None) -> bool:
        if self.nothing:
            return False
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    def empty(self) -> bool:
        return not self.requirements and not self.nothing


EVERYTHING = Selector()
NOTHING = Selector(nothing=True)

_SPECIAL = set(" \t,=!()<>")


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in " \t":
            i += 1
        elif text.startswith(("==", "!="), i):
            tokens.append(text[i : i + 2])
            i += 2
        elif ch in ",=!()":
            tokens.append(ch)
            i += 1
        else:
            j = i
            while j < len(text) and text[j] not in _SPECIAL:
                j += 1
            if j == i:  # '<' or '>'
                tokens.append(ch)
                i += 1
                continue
            tokens.append(text[i:j])
            i = j
    return tokens


_OPS = {"=", "==", "!=", "in", "notin", "gt", "lt"}


def _is_identifier(item: str) -> bool:
    return bool(item) and item not in {",", "=", "==", "!=", "!", "(", ")"}


def _check_key(key: str) -> None:
    for msg in qualified_name(key):
        raise bad_request(f'unable to parse requirement: key: Invalid value: "{key}": {msg}')


def _check_value(value: str, index: int) -> None:
    for msg in label_value(value):
        raise bad_request(f'unable to parse requirement: values[{index}]: Invalid value: "{value}": {msg}')


def parse_label_selector(text: str) -> Selector:
    """Parse `app=web,tier in (a,b),!legacy`; raise a 400 Status with apimachinery's wording."""
    tokens = _tokens(text or "")
    pos = 0
    requirements: list[Requirement] = []

    def peek() -> str:
        return tokens[pos] if pos < len(tokens) else ""

    while pos < len(tokens):
        negate = False
        if peek() == "!":
            negate = True
            pos += 1
        key = peek()
        if not _is_identifier(key):
            raise bad_request(f"found '{key}', expected: !, identifier, or 'end of string'")
        pos += 1
        _check_key(key)
        if negate:
            requirements.append(Requirement(key, "!"))
        elif peek() in ("", ","):
            requirements.append(Requirement(key, "exists"))
        else:
            op = peek()
            if op not in _OPS:
                raise bad_request(f"found '{op}', expected: in, notin, =, ==, !=, gt, lt")
            pos += 1
            if op in ("in", "notin"):
                if peek() != "(":
                    raise bad_request(f"found '{peek()}', expected: '('")
                pos += 1
                values: list[str] = []
                while True:
                    item = peek()
                    if item == ")":
                        pos += 1
                        break
                    if item == ",":
                        pos += 1
                        continue
                    if not _is_identifier(item):
                        raise bad_request(f"found '{item}', expected: ',', ')' or identifier")
                    values.append(item)
                    pos += 1
                if not values and op == "in":
                    raise bad_request(
                        'unable to parse requirement: values: Invalid value: "null": '
                        "for 'in', 'notin' operators, values set can't be empty"
                    )
            else:
                item = peek()
                if item in ("", ","):
                    values = [""]
                elif not _is_identifier(item):
                    raise bad_request(f"found '{item}', expected: identifier")
                else:
                    values = [item]
                    pos += 1
                if op in ("gt", "lt"):
                    try:
                        int(values[0])
                    except ValueError as error:
                        raise bad_request(
                            "unable to parse requirement: values[0]: Invalid value: "
                            f"\"{values[0]}\": for 'Gt', 'Lt' operators, the value must be "
                            "an integer"
                        ) from error
            for index, value in enumerate(values):
                _check_value(value, index)
            requirements.append(Requirement(key, op, tuple(sorted(set(values)))))
        if pos < len(tokens):
            if peek() != ",":
                raise bad_request(f"found '{peek()}', expected: ',' or 'end of string'")
            pos += 1
            if pos == len(tokens):
                raise bad_request("found '', expected: !, identifier, or 'end of string'")
    return Selector(tuple(requirements))


def selector_from_object(spec: dict[str, Any] | None) -> Selector:
    """A `metav1.LabelSelector` (`matchLabels`, `matchExpressions`) as a Selector.

    An empty selector matches everything; `None` matches nothing (LabelSelectorAsSelector).
    """
    if spec is None:
        return NOTHING
    requirements = [
        Requirement(k, "=", (str(v),)) for k, v in sorted((spec.get("matchLabels") or {}).items())
    ]
    operators = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}
    for expression in spec.get("matchExpressions") or []:
        op = operators.get(expression.get("operator", ""))
        if op is None:
            raise bad_request(f'"{expression.get("operator")}" is not a valid label selector operator')
        requirements.append(Requirement(expression.get("key", ""), op, tuple(expression.get("values") or ())))
    return Selector(tuple(requirements))


@dataclass(frozen=True)
class FieldRequirement:
    label: str
    value: str
    negate: bool


@dataclass(frozen=True)
class FieldSelector:
    requirements: tuple[FieldRequirement, ...] = ()

    def matches(self, kind: Kind, obj: dict[str, Any]) -> bool:
        for req in self.requirements:
            getter = kind.selectable(req.label)
            if getter is None:
                return False
            if (getter(obj) == req.value) == req.negate:
                return False
        return True


def parse_field_selector(text: str, kind: Kind) -> FieldSelector:
    """Parse `spec.nodeName=n1,status.phase!=Running` for `kind`; unknown fields are a 400 as upstream."""
    requirements: list[FieldRequirement] = []
    for raw in (text or "").split(","):
        part = raw.strip()
        if not part:
            continue
        for op in ("!=", "==", "="):
            if op in part:
                label, value = part.split(op, 1)
                requirements.append(FieldRequirement(label.strip(), value.strip(), op == "!="))
                break
        else:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
    for req in requirements:
        if kind.selectable(req.label) is None:
            raise _unsupported_field(kind, req.label)
    return FieldSelector(tuple(requirements))


def _unsupported_field(kind: Kind, label: str) -> Status:
    if kind.field_selectors:
        return bad_request(f"field label not supported: {label}")
    return bad_request(f'"{label}" is not a known field selector: only "metadata.name", "metadata.namespace"')
