"""PodTopologySpread: keeps matching pods spread across topology domains within `maxSkew` (DoNotSchedule
filters, ScheduleAnyway scores), counting only eligible nodes and honouring `minDomains`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from cluster_engine.sim.scheduler.framework import (
    MAX_NODE_SCORE,
    SKIP,
    CycleState,
    FilterResult,
    PreFilterResult,
    Reason,
)
from cluster_engine.sim.scheduler.plugins import node_affinity
from cluster_engine.sim.scheduler.podinfo import AffinityTerm, PodInfo, SpreadConstraint
from cluster_engine.sim.taints import find_untolerated_taint

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.labels import LabelSelector
    from cluster_engine.sim.scheduler.nodetable import NodeTable

NAME = "PodTopologySpread"
REASON = "node(s) didn't match pod topology spread constraints"
REASON_MISSING_LABEL = REASON + " (missing required label)"
HOSTNAME = "kubernetes.io/hostname"


def skew_allows(domain_count: int, self_match: int, min_match: int, max_skew: int) -> bool:
    """The placement keeps the constraint: count + self - global minimum <= maxSkew."""
    return domain_count + self_match - min_match <= max_skew


def _constraints(pod: PodInfo, when: str) -> list[tuple[SpreadConstraint, LabelSelector]]:
    return [
        (c, sel)
        for c, sel in zip(pod.template.spread_constraints, pod.spread_selectors, strict=True)
        if c.when_unsatisfiable == when
    ]


def _eligible(
    pod: PodInfo, table: NodeTable, constraints: list[tuple[SpreadConstraint, LabelSelector]]
) -> np.ndarray:
    """Nodes whose pods count: all topology keys present, and the node-inclusion policies satisfied."""
    mask = table.present[: table.size].copy()
    for constraint, _ in constraints:
        mask &= table.topology(constraint.topology_key)[0] >= 0
    if any(c.node_affinity_policy == "Honor" for c, _ in constraints):
        mask &= node_affinity.required_mask(pod.template, table)
    if any(c.node_taints_policy == "Honor" for c, _ in constraints):
        for slot in table.tainted_slots():
            if find_untolerated_taint(table.taints[slot], pod.template.tolerations) is not None:
                mask[slot] = False
    return mask


def _matching_counts(pod: PodInfo, table: NodeTable, selector: LabelSelector, key: str) -> np.ndarray:
    term = AffinityTerm(selector, frozenset([pod.namespace]), None, key)
    return table.tracker((term,), skip_deleting=True)


class PodTopologySpread:
    name = NAME

    def pre_filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> PreFilterResult | None:
        constraints = _constraints(pod, "DoNotSchedule")
        if not constraints:
            return SKIP
        eligible = _eligible(pod, table, constraints)
        prepared = []
        for constraint, selector in constraints:
            codes, values = table.topology(constraint.topology_key)
            counts = _matching_counts(pod, table, selector, constraint.topology_key)
            totals = np.zeros(len(values) + 1, dtype=np.int64)
            np.add.at(totals, codes[eligible], counts[eligible])
            domains = np.unique(codes[eligible])
            min_match = int(totals[domains].min()) if domains.size else 0
            if domains.size < constraint.min_domains:
                min_match = 0
            self_match = int(selector.matches(pod.labels))
            prepared.append((constraint, codes, totals, min_match, self_match))
        state[NAME] = prepared
        return None

    def filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> FilterResult | None:
        codes_out = np.zeros(table.size, dtype=np.int16)
        for constraint, codes, totals, min_match, self_match in state[NAME]:
            skewed = totals[codes] + self_match - min_match > constraint.max_skew
            codes_out[(codes_out == 0) & skewed] = 2
            codes_out[codes < 0] = 1
        if not codes_out.any():
            return None
        return FilterResult(
            codes_out, (Reason((REASON_MISSING_LABEL,), unresolvable=True), Reason((REASON,)))
        )

    def pre_score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> bool:
        constraints = _constraints(pod, "ScheduleAnyway")
        if not constraints:
            return False
        size = table.size
        in_nodes = np.zeros(size, dtype=bool)
        in_nodes[nodes] = True
        has_all = np.ones(size, dtype=bool)
        for constraint, _ in constraints:
            has_all &= table.topology(constraint.topology_key)[0] >= 0
        eligible = _eligible(pod, table, constraints)
        prepared = []
        for constraint, selector in constraints:
            codes, values = table.topology(constraint.topology_key)
            counts = _matching_counts(pod, table, selector, constraint.topology_key)
            candidates = in_nodes & has_all
            if constraint.topology_key == HOSTNAME:
                domains = int(candidates.sum())
                per_node = counts
            else:
                seen = np.zeros(len(values) + 1, dtype=bool)
                seen[codes[candidates]] = True
                domains = int(seen[:-1].sum())
                totals = np.zeros(len(values) + 1, dtype=np.int64)
                np.add.at(totals, codes[eligible], counts[eligible])
                per_node = np.where(seen[codes], totals[codes], 0)
            weight = math.log(domains + 2)
            prepared.append((constraint, codes, per_node, weight))
        state[NAME + "/score"] = (prepared, has_all)
        return True

    def score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> np.ndarray:
        prepared, has_all = state[NAME + "/score"]
        total = np.zeros(len(nodes), dtype=np.float64)
        for constraint, codes, per_node, weight in prepared:
            has = codes[nodes] >= 0
            total += np.where(has, per_node[nodes] * weight + (constraint.max_skew - 1), 0.0)
        state[NAME + "/ignored"] = ~has_all[nodes]
        return np.floor(total + 0.5).astype(np.int64)  # math.Round: half away from zero; scores are >= 0

    def normalize(self, state: CycleState, pod: PodInfo, scores: np.ndarray) -> np.ndarray:
        ignored = state[NAME + "/ignored"]
        considered = scores[~ignored]
        if considered.size == 0:
            return np.zeros_like(scores)
        low, high = int(considered.min()), int(considered.max())
        out = np.full_like(scores, MAX_NODE_SCORE) if high == 0 else MAX_NODE_SCORE * (high + low - scores) // high
        return np.where(ignored, 0, out)
