"""Label selectors and node selector terms as the scheduler evaluates them (`labels`, `nodeaffinity`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Requirement:
    """One `key <operator> values` requirement of a label or node selector."""

    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist, Gt, Lt
    values: frozenset[str]

    def matches(self, labels: Mapping[str, str]) -> bool:
        op = self.operator
        if op == "In":
            return self.key in labels and labels[self.key] in self.values
        if op == "NotIn":
            return self.key not in labels or labels[self.key] not in self.values
        if op == "Exists":
            return self.key in labels
        if op == "DoesNotExist":
            return self.key not in labels
        if op in ("Gt", "Lt"):
            if self.key not in labels or len(self.values) != 1:
                return False
            try:
                have, want = int(labels[self.key]), int(next(iter(self.values)))
            except ValueError:
                return False
            return have > want if op == "Gt" else have < want
        return False


@dataclass(frozen=True)
class LabelSelector:
    """A compiled `metav1.LabelSelector`; the empty selector matches everything, `None` (absent) nothing."""

    requirements: tuple[Requirement, ...]
    key: str  # canonical text, used to share caches between pods of one template

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(r.matches(labels) for r in self.requirements)


NOTHING = LabelSelector((Requirement("", "In", frozenset()),), "<nothing>")


def label_selector(raw: Mapping[str, Any] | None) -> LabelSelector:
    """Compile a `LabelSelector` dict; a missing selector selects nothing (`LabelSelectorAsSelector(nil)`)."""
    if raw is None:
        return NOTHING
    reqs = [
        Requirement(k, "In", frozenset([str(v)])) for k, v in sorted((raw.get("matchLabels") or {}).items())
    ]
    for expr in raw.get("matchExpressions") or []:
        reqs.append(
            Requirement(
                expr.get("key", ""),
                expr.get("operator", "In"),
                frozenset(str(v) for v in expr.get("values") or []),
            )
        )
    return LabelSelector(tuple(reqs), _canonical(raw))


@dataclass(frozen=True)
class NodeSelectorTerm:
    """One `nodeSelectorTerms[]` entry: its expressions (labels) and fields (metadata.name) must all hold."""

    expressions: tuple[Requirement, ...]
    fields: tuple[Requirement, ...]

    def matches(self, name: str, labels: Mapping[str, str]) -> bool:
        # An empty term selects no node (nodeaffinity.nodeSelectorTerm with no requirements).
        if not self.expressions and not self.fields:
            return False
        if not all(r.matches(labels) for r in self.expressions):
            return False
        return all(r.matches({"metadata.name": name}) for r in self.fields)


def node_selector_term(raw: Mapping[str, Any]) -> NodeSelectorTerm:
    def compile_list(items: list[dict[str, Any]] | None) -> tuple[Requirement, ...]:
        return tuple(
            Requirement(
                i.get("key", ""), i.get("operator", "In"), frozenset(str(v) for v in i.get("values") or [])
            )
            for i in items or []
        )

    return NodeSelectorTerm(compile_list(raw.get("matchExpressions")), compile_list(raw.get("matchFields")))


def node_selector_terms_match(
    terms: tuple[NodeSelectorTerm, ...], name: str, labels: Mapping[str, str]
) -> bool:
    """Terms are ORed; an empty list matches nothing (a required nodeAffinity with no terms)."""
    return any(t.matches(name, labels) for t in terms)
