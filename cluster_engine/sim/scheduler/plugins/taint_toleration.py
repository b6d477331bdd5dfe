"""TaintToleration: NoSchedule/NoExecute taints must be tolerated; PreferNoSchedule ones lower the score."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from cluster_engine.sim.scheduler.framework import MAX_NODE_SCORE, CycleState, FilterResult, Reason
from cluster_engine.sim.scheduler.normalize import default_normalize
from cluster_engine.sim.taints import Taint, Toleration, find_untolerated_taint

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.nodetable import NodeTable
    from cluster_engine.sim.scheduler.podinfo import PodInfo

NAME = "TaintToleration"


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
