"""NodeAffinity: `nodeSelector` and required node affinity filter nodes; preferred terms add their weights."""

from __future__ import annotations

from collections.abc import Mapping
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
from cluster_engine.sim.scheduler.labels import node_selector_terms_match
from cluster_engine.sim.scheduler.normalize import default_normalize

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.nodetable import NodeTable
    from cluster_engine.sim.scheduler.podinfo import PodInfo, PodTemplate

NAME = "NodeAffinity"
REASON = "node(s) didn't match Pod's node affinity/selector"
REASON_CONFLICT = "pod affinity terms conflict"


def required_match(template: PodTemplate, name: str, labels: Mapping[str, str]) -> bool:
    """`nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)`: nodeSelector AND required terms."""
    if any(labels.get(k) != v for k, v in template.node_selector.items()):
        return False
    terms = template.required_node_terms
    return terms is None or node_selector_terms_match(terms, name, labels)


def preferred_weight(template: PodTemplate, name: str, labels: Mapping[str, str]) -> int:
    return sum(w for w, term in template.preferred_node_terms if term.matches(name, labels))


def named_nodes(template: PodTemplate) -> frozenset[str] | None:
    """The only nodes the required terms can match when every term has a `metadata.name In` field (a
    DaemonSet pod's pin); None when some term is not about node names."""
    names: frozenset[str] | None = None
    for term in template.required_node_terms or ():
        term_names: frozenset[str] | None = None
        for field in term.fields:
            if field.key == "metadata.name" and field.operator == "In":
                term_names = field.values if term_names is None else term_names & field.values
        if term_names is None:
            return None
        names = term_names if names is None else names | term_names
    return names


def required_mask(template: PodTemplate, table: NodeTable) -> np.ndarray:
    """Per slot, whether the node satisfies the pod's required node affinity (cached per template; a pod
    pinned to named nodes only has those evaluated)."""

    def compute() -> np.ndarray:
        mask = np.zeros(table.size, dtype=bool)
        named = named_nodes(template)
        slots = (
            range(table.size)
            if named is None
            else sorted(s for n in named if (s := table.slot_of.get(n)) is not None and s < table.size)
        )
        for slot in slots:
            if table.present[slot]:
                mask[slot] = required_match(template, table.names[slot], table.labels[slot])
        return mask

    if not template.node_selector and template.required_node_terms is None:
        return table.present[: table.size]
    return table.cached(("node-affinity", template.affinity_key), table.labels_version, compute)


class NodeAffinity:
    name = NAME

    def pre_filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> PreFilterResult | None:
        template = pod.template
        terms = template.required_node_terms
        if not template.node_selector and terms is None:
            return SKIP
        names = named_nodes(template)
        if names is None:
            return None  # some term is not about node names: every node may match
        if not names:
            return PreFilterResult(reject=Reason((REASON_CONFLICT,), unresolvable=True))
        return PreFilterResult(node_names=frozenset(names))

    def filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> FilterResult | None:
        mask = required_mask(pod.template, table)
        return FilterResult((~mask).astype(np.int16), (Reason((REASON,), unresolvable=True),))

    def pre_score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> bool:
        return bool(pod.template.preferred_node_terms)

    def score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> np.ndarray:
        template = pod.template

        def compute() -> np.ndarray:
            weights = np.zeros(table.size, dtype=np.int64)
            for slot in range(table.size):
                if table.present[slot]:
                    weights[slot] = preferred_weight(template, table.names[slot], table.labels[slot])
            return weights

        return table.cached(("node-affinity-score", template.affinity_key), table.labels_version, compute)[
            nodes
        ]

    def normalize(self, state: CycleState, pod: PodInfo, scores: np.ndarray) -> np.ndarray:
        return default_normalize(scores, MAX_NODE_SCORE, reverse=False)
