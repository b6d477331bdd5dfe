"""NodeResourcesFit: the pod's requests must fit the node's allocatable minus what its pods (and the pods
nominated to it with at least this pod's priority) request; scored LeastAllocated or MostAllocated."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from cluster_engine.sim.scheduler.framework import MAX_NODE_SCORE, CycleState, FilterResult, Reason

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.nodetable import NodeTable
    from cluster_engine.sim.scheduler.podinfo import PodInfo

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


def least_requested(requested: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """(capacity - requested) * 100 / capacity; 0 when over-requested or without capacity."""
    return np.maximum(capacity - requested, 0) * MAX_NODE_SCORE // np.maximum(capacity, 1)


def most_requested(requested: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """requested * 100 / capacity, requested capped at capacity; 0 without capacity."""
    return np.minimum(requested, capacity) * MAX_NODE_SCORE // np.maximum(capacity, 1)


def scoring_requested(table: NodeTable, pod: PodInfo, resource: str, nodes: np.ndarray) -> np.ndarray:
    """What the node would request with the pod, request-less containers counting as 100m cpu / 200Mi."""
    template = pod.template
    if resource == "cpu":
        return table.non_zero_cpu[nodes] + template.non_zero_cpu
    if resource == "memory":
        return table.non_zero_memory[nodes] + template.non_zero_memory
    column = table.requested.get(resource)
    base = column[nodes] if column is not None else np.zeros(len(nodes), dtype=np.int64)
    return base + template.requests.get(resource, 0)


def resource_allocation_score(per_resource: list[tuple[np.ndarray, np.ndarray, int]]) -> np.ndarray:
    """Weighted mean over resources the node has (`resourceAllocationScorer.score`), integer division."""
    if all(capacity.all() for _, capacity, _ in per_resource):
        return sum(score * weight for score, _, weight in per_resource) // sum(w for _, _, w in per_resource)
    total = np.zeros(len(per_resource[0][0]), dtype=np.int64)
    weights = np.zeros_like(total)
    for score, capacity, weight in per_resource:
        has = capacity > 0
        total += np.where(has, score * weight, 0)
        weights += np.where(has, weight, 0)
    return np.where(weights > 0, total // np.maximum(weights, 1), 0)


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
        (`RunFilterPluginsWithNominatedPods`)."""
        extra: dict[str, np.ndarray] = {}
        for key, (slot, other) in table.nominated.items():
            if key == pod.key or other.priority < pod.priority:
                continue
            for resource, amount in (*other.template.requests.items(), ("pods", 1)):
                column = extra.setdefault(resource, np.zeros(table.size, dtype=np.int64))
                column[slot] += amount
        state[NAME] = extra

    def filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> FilterResult | None:
        size = table.size
        extra: dict[str, np.ndarray] = state.get(NAME) or {}
        free_pods = table.free["pods"][:size]
        if "pods" in extra:
            free_pods = free_pods - extra["pods"]
        failures = [(TOO_MANY_PODS, free_pods < 1)]
        requests = pod.template.requests
        for resource in sorted(requests, key=lambda r: (_RESOURCE_ORDER.get(r, 3), r)):
            amount = requests[resource]
            if resource == "pods" or amount <= 0:
                continue
            column = table.free.get(resource)
            free = column[:size] if column is not None else np.zeros(size, dtype=np.int64)
            if resource in extra:
                free = free - extra[resource]
            failures.append((insufficient(resource), amount > free))
        if not any(failed.any() for _, failed in failures):
            return None
        codes = np.zeros(size, dtype=np.int16)
        for bit, (_, failed) in enumerate(failures):
            codes |= failed.astype(np.int16) << bit
        texts = [text for text, _ in failures]
        reasons = tuple(
            Reason(tuple(t for bit, t in enumerate(texts) if combo >> bit & 1))
            for combo in range(1, 1 << len(texts))
        )
        return FilterResult(codes, reasons)

    def pre_score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> bool:
        return True

    def score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> np.ndarray:
        scorer = most_requested if self.strategy == MOST_ALLOCATED else least_requested
        per_resource = []
        for resource, weight in self.resources:
            capacity = (
                table.allocatable[resource][nodes]
                if resource in table.allocatable
                else np.zeros(len(nodes), dtype=np.int64)
            )
            requested = scoring_requested(table, pod, resource, nodes)
            per_resource.append((scorer(requested, capacity), capacity, weight))
        return resource_allocation_score(per_resource)
