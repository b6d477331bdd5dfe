"""NodeResourcesFit: the pod's requests must fit the node's allocatable minus what its pods (and the pods
nominated to it with at least this pod's priority) request; scored LeastAllocated or MostAllocated."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from cluster_engine.sim.scheduler.framework import MAX_NODE_SCORE, CycleState, FilterResult, Reason

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.nodetable import NodeTable
    from cluster_engine.sim.scheduler.podinfo import PodInfo, PodTemplate

NAME = "NodeResourcesFit"
TOO_MANY_PODS = "Too many pods"
LEAST_ALLOCATED = "LeastAllocated"
MOST_ALLOCATED = "MostAllocated"
_RESOURCE_ORDER = {"cpu": 0, "memory": 1, "ephemeral-storage": 2}


def insufficient(resource: str) -> str:
    return f"Insufficient {resource}"


def insufficient_resources(
    requests: Mapping[str, int], allocatable: Mapping[str, int], requested: Mapping[str, int], pod_count: int
) -> list[str]:
    """Reasons one node cannot hold the pod (`fitsRequest`), for a node given as plain numbers."""
    reasons = []
    if pod_count + 1 > allocatable.get("pods", 0):
        reasons.append(TOO_MANY_PODS)
    for resource in sorted(requests, key=lambda r: (_RESOURCE_ORDER.get(r, 3), r)):
        amount = requests[resource]
        if (
            resource != "pods"
            and amount > 0
            and amount > allocatable.get(resource, 0) - requested.get(resource, 0)
        ):
            reasons.append(insufficient(resource))
    return reasons


def fit_failures(
    table: NodeTable, slot: int, wanted: tuple[tuple[str, int], ...], reserved: Mapping[str, int] | None = None
) -> int:
    """What the node in `slot` cannot hold (`fitsRequest`) as bits: bit 0 one more pod, bit k the k-th of the
    pod's positive requests `wanted`; `reserved` is held there for nominated pods. 0 when the pod fits."""
    reserved = reserved or {}
    free_pods = int(table.free["pods"][slot]) - reserved.get("pods", 0)
    failures = 1 if free_pods < 1 else 0
    for bit, (resource, amount) in enumerate(wanted, 1):
        column = table.free.get(resource)
        free = (int(column[slot]) if column is not None else 0) - reserved.get(resource, 0)
        if amount > free:
            failures |= 1 << bit
    return failures


def least_requested(requested: int, capacity: int) -> int:
    """One resource of one node: (capacity - requested) * 100 / capacity; 0 when over-requested."""
    return max(capacity - requested, 0) * MAX_NODE_SCORE // max(capacity, 1)


def most_requested(requested: int, capacity: int) -> int:
    """One resource of one node: requested * 100 / capacity, requested capped at capacity."""
    return min(requested, capacity) * MAX_NODE_SCORE // max(capacity, 1)


def scoring_request(template: PodTemplate, resource: str) -> int:
    """What the pod asks of `resource` when scoring: request-less containers count as 100m cpu / 200Mi."""
    if resource == "cpu":
        return template.non_zero_cpu
    if resource == "memory":
        return template.non_zero_memory
    return template.requests.get(resource, 0)


def scoring_requested(table: NodeTable, slot: int, resource: str) -> int:
    """What the pods on the node in `slot` ask of `resource`, in the same terms."""
    if resource == "cpu":
        return int(table.non_zero_cpu[slot])
    if resource == "memory":
        return int(table.non_zero_memory[slot])
    column = table.requested.get(resource)
    return int(column[slot]) if column is not None else 0


class NodeResourcesFit:
    name = NAME

    def __init__(self, args: Mapping[str, Any] | None = None) -> None:
        strategy = (args or {}).get("scoringStrategy") or {}
        self.strategy = strategy.get("type", LEAST_ALLOCATED)
        self.resources = tuple(
            (r["name"], int(r.get("weight", 1)))
            for r in strategy.get("resources") or [{"name": "cpu"}, {"name": "memory"}]
        )

    def pre_filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> None:
        """Reserve room for nominated pods at least as important as this one
        (`RunFilterPluginsWithNominatedPods`): per slot, what they request."""
        reserved: dict[int, dict[str, int]] = {}
        for key, (slot, other) in table.nominated.items():
            if key == pod.key or other.priority < pod.priority:
                continue
            held = reserved.setdefault(slot, {})
            for resource, amount in (*other.template.requests.items(), ("pods", 1)):
                held[resource] = held.get(resource, 0) + amount
        state[NAME] = reserved

    def filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> FilterResult | None:
        requests = pod.template.requests
        wanted = tuple(
            (resource, requests[resource])
            for resource in sorted(requests, key=lambda r: (_RESOURCE_ORDER.get(r, 3), r))
            if resource != "pods" and requests[resource] > 0
        )
        codes = table.node_column((NAME, wanted), lambda slot: fit_failures(table, slot, wanted))
        reserved: dict[int, dict[str, int]] = state.get(NAME) or {}
        if reserved:
            codes = codes.copy()
            for slot, held in reserved.items():
                codes[slot] = fit_failures(table, slot, wanted, held)
        if not np.count_nonzero(codes):
            return None
        texts = [TOO_MANY_PODS, *(insufficient(resource) for resource, _ in wanted)]
        reasons = tuple(
            Reason(tuple(t for bit, t in enumerate(texts) if combo >> bit & 1))
            for combo in range(1, 1 << len(texts))
        )
        return FilterResult(codes, reasons)

    def pre_score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> bool:
        return True

    def score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> np.ndarray:
        wanted = tuple(scoring_request(pod.template, resource) for resource, _ in self.resources)
        column = table.node_column(
            (NAME, self.strategy, self.resources, wanted), lambda slot: self.node_score(table, slot, wanted)
        )
        return column[nodes]

    def node_score(self, table: NodeTable, slot: int, wanted: tuple[int, ...]) -> int:
        """`resourceAllocationScorer.score` on one node: the weighted mean, over the resources the node has,
        of LeastAllocated (or MostAllocated) for its pods' requests plus the pod's (`wanted`), rounded down."""
        scorer = most_requested if self.strategy == MOST_ALLOCATED else least_requested
        total = weights = 0
        for (resource, weight), amount in zip(self.resources, wanted, strict=True):
            column = table.allocatable.get(resource)
            capacity = int(column[slot]) if column is not None else 0
            if capacity == 0:
                continue
            total += scorer(scoring_requested(table, slot, resource) + amount, capacity) * weight
            weights += weight
        return total // weights if weights else 0
