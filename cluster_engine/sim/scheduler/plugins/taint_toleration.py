"""TaintToleration: NoSchedule/NoExecute taints must be tolerated; PreferNoSchedule ones lower the score."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from cluster_engine.sim.scheduler.framework import MAX_NODE_SCORE, CycleState, FilterResult, Reason
from cluster_engine.sim.scheduler.normalize import default_normalize

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.nodetable import NodeTable
    from cluster_engine.sim.scheduler.podinfo import PodInfo

NAME = "TaintToleration"


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: str  # NoSchedule, PreferNoSchedule, NoExecute


@dataclass(frozen=True)
class Toleration:
    key: str
    operator: str  # Equal (default) or Exists
    value: str
    effect: str  # empty matches every effect

    def tolerates(self, taint: Taint) -> bool:
        """`v1.Toleration.ToleratesTaint`: an empty key with Exists tolerates every taint (of that effect)."""
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        if self.operator == "Exists":
            return True
        return self.operator in ("", "Equal") and self.value == taint.value


def taints_of(node: Mapping[str, Any]) -> tuple[Taint, ...]:
    return tuple(
        Taint(t.get("key", ""), str(t.get("value", "") or ""), t.get("effect", ""))
        for t in (node.get("spec") or {}).get("taints") or []
    )


def tolerations_of(spec: Mapping[str, Any]) -> tuple[Toleration, ...]:
    return tuple(
        Toleration(
            t.get("key", "") or "",
            t.get("operator", "") or "Equal",
            str(t.get("value", "") or ""),
            t.get("effect", "") or "",
        )
        for t in spec.get("tolerations") or []
    )


def find_untolerated_taint(
    taints: Iterable[Taint],
    tolerations: Iterable[Toleration],
    effects: tuple[str, ...] = ("NoSchedule", "NoExecute"),
) -> Taint | None:
    """The first taint with one of `effects` that no toleration tolerates, or None."""
    tols = tuple(tolerations)
    for taint in taints:
        if taint.effect in effects and not any(t.tolerates(taint) for t in tols):
            return taint
    return None


def untolerated_reason(taint: Taint) -> str:
    return f"node(s) had untolerated taint {{{taint.key}: {taint.value}}}"


def count_intolerable_prefer_no_schedule(taints: Iterable[Taint], tolerations: Iterable[Toleration]) -> int:
    """Score input: PreferNoSchedule taints not tolerated by the pod's PreferNoSchedule (or any-effect)
    tolerations."""
    tols = tuple(t for t in tolerations if t.effect in ("", "PreferNoSchedule"))
    return sum(
        1
        for taint in taints
        if taint.effect == "PreferNoSchedule" and not any(t.tolerates(taint) for t in tols)
    )


class TaintToleration:
    """Filter, PreScore, Score and NormalizeScore (reversed: fewer intolerable taints is better)."""

    name = NAME

    def filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> FilterResult | None:
        tolerations = pod.template.tolerations

        def compute() -> tuple[np.ndarray, tuple[Reason, ...]]:
            codes = np.zeros(table.size, dtype=np.int16)
            reasons: dict[Taint, int] = {}
            for slot in table.tainted_slots():
                taint = find_untolerated_taint(table.taints[slot], tolerations)
                if taint is not None:
                    codes[slot] = reasons.setdefault(taint, len(reasons) + 1)
            return codes, tuple(Reason((untolerated_reason(t),), unresolvable=True) for t in reasons)

        codes, reasons = table.cached(("taints", pod.template.tolerations_key), table.taints_version, compute)
        return FilterResult(codes, reasons) if reasons else None

    def pre_score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> bool:
        return True

    def score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> np.ndarray:
        tolerations = pod.template.tolerations

        def compute() -> np.ndarray:
            counts = np.zeros(table.size, dtype=np.int64)
            for slot in table.tainted_slots():
                counts[slot] = count_intolerable_prefer_no_schedule(table.taints[slot], tolerations)
            return counts

        counts = table.cached(("prefer-taints", pod.template.tolerations_key), table.taints_version, compute)
        return counts[nodes]

    def normalize(self, state: CycleState, pod: PodInfo, scores: np.ndarray) -> np.ndarray:
        return default_normalize(scores, MAX_NODE_SCORE, reverse=True)
