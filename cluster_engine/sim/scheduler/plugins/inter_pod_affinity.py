"""InterPodAffinity: required pod (anti-)affinity filters nodes by the pods already in each topology domain,
existing pods' required anti-affinity is honoured symmetrically, and preferred terms (both ways) score."""

from __future__ import annotations

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
from cluster_engine.sim.scheduler.normalize import min_max_normalize

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.nodetable import NodeTable
    from cluster_engine.sim.scheduler.podinfo import AffinityTerm, PodInfo

NAME = "InterPodAffinity"
REASON_AFFINITY = "node(s) didn't match pod affinity rules"
REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
HARD_POD_AFFINITY_WEIGHT = 1


def domain_totals(table: NodeTable, key: str, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(per slot domain code, per domain total of `counts`); totals end with a 0 for code -1 (no label)."""
    codes, values = table.topology(key)
    has = (codes >= 0) & (counts[: table.size] != 0)
    totals = np.zeros(len(values) + 1, dtype=np.float64)
    if has.any():
        np.add.at(totals, codes[has], counts[: table.size][has])
    return codes, totals


def domains_with_pods(table: NodeTable, key: str, counts: np.ndarray) -> np.ndarray:
    """Per slot: the node's `key` domain holds at least one counted pod (False where the node lacks `key`)."""
    codes, totals = domain_totals(table, key, counts)
    return totals[codes] > 0


class InterPodAffinity:
    name = NAME

    def pre_filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> PreFilterResult | None:
        template = pod.template
        existing = [
            g
            for g in table.holders["required_anti_affinity"].values()
            if g.term.matches(pod, table.namespace_labels)
        ]
        if not (template.required_affinity or template.required_anti_affinity or existing):
            return SKIP
        state[NAME] = existing
        return None

    def filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> FilterResult | None:
        size = table.size
        codes = np.zeros(size, dtype=np.int16)
        template = pod.template
        # Existing pods whose required anti-affinity selects this pod keep it out of their domains.
        existing_blocked = np.zeros(size, dtype=bool)
        for group in state.get(NAME) or []:
            existing_blocked |= domains_with_pods(table, group.term.topology_key, group.counts)
        codes[existing_blocked] = 3
        blocked = np.zeros(size, dtype=bool)
        for term in template.required_anti_affinity:
            blocked |= domains_with_pods(table, term.topology_key, table.tracker((term,)))
        codes[blocked] = 2
        if template.required_affinity:
            codes[~self._affinity_satisfied(pod, table)] = 1
        if not codes.any():
            return None
        return FilterResult(
            codes,
            (
                Reason((REASON_AFFINITY,), unresolvable=True),
                Reason((REASON_ANTI_AFFINITY,)),
                Reason((REASON_EXISTING_ANTI_AFFINITY,)),
            ),
        )

    @staticmethod
    def _affinity_satisfied(pod: PodInfo, table: NodeTable) -> np.ndarray:
        terms: tuple[AffinityTerm, ...] = pod.template.required_affinity
        # Existing pods count for a term only if they match *all* the pod's affinity terms.
        counts = table.tracker(terms)
        has_keys = np.ones(table.size, dtype=bool)
        pods_exist = np.ones(table.size, dtype=bool)
        counted_anywhere = False  # a matching pod counts only on a node carrying the term's topology key
        for term in terms:
            codes, totals = domain_totals(table, term.topology_key, counts)
            has_keys &= codes >= 0
            pods_exist &= totals[codes] > 0
            counted_anywhere = counted_anywhere or bool(totals.any())
        if not counted_anywhere and all(t.matches(pod, table.namespace_labels) for t in terms):
            # The first pod of a group with affinity to itself may go anywhere that has the topology keys.
            return has_keys
        return has_keys & pods_exist

    def pre_score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> bool:
        template = pod.template
        weighted: list[tuple[str, int, np.ndarray]] = []  # (topology key, signed weight, per-slot counts)
        for term in template.preferred_affinity:
            weighted.append((term.topology_key, term.weight, table.tracker((term,))))
        for term in template.preferred_anti_affinity:
            weighted.append((term.topology_key, -term.weight, table.tracker((term,))))
        for kind, sign, hard in (
            ("required_affinity", 1, True),
            ("preferred_affinity", 1, False),
            ("preferred_anti_affinity", -1, False),
        ):
            for group in table.holders[kind].values():
                if group.term.matches(pod, table.namespace_labels):
                    weight = HARD_POD_AFFINITY_WEIGHT if hard else group.term.weight
                    weighted.append((group.term.topology_key, sign * weight, group.counts))
        if not weighted:
            return False
        state[NAME + "/score"] = weighted
        return True

    def score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> np.ndarray:
        scores = np.zeros(len(nodes), dtype=np.float64)
        for key, weight, counts in state[NAME + "/score"]:
            codes, totals = domain_totals(table, key, counts)
            scores += weight * totals[codes[nodes]]
        return scores.astype(np.int64)

    def normalize(self, state: CycleState, pod: PodInfo, scores: np.ndarray) -> np.ndarray:
        return min_max_normalize(scores, MAX_NODE_SCORE)
