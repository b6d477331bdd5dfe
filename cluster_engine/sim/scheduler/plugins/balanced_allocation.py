"""NodeResourcesBalancedAllocation: favours nodes whose cpu and memory would be used in equal fractions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from cluster_engine.sim.scheduler.framework import MAX_NODE_SCORE, CycleState

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.nodetable import NodeTable
    from cluster_engine.sim.scheduler.podinfo import PodInfo

NAME = "NodeResourcesBalancedAllocation"


def balanced_score(fractions: list[float]) -> int:
    """One node: 100 * (1 - standard deviation of the used fractions), each capped at 1."""
    capped = [min(f, 1.0) for f in fractions]
    if len(capped) == 2:
        std = abs(capped[0] - capped[1]) / 2
    elif len(capped) > 2:
        mean = sum(capped) / len(capped)
        std = (sum((f - mean) ** 2 for f in capped) / len(capped)) ** 0.5
    else:
        std = 0.0
    return int((1 - std) * MAX_NODE_SCORE)


class NodeResourcesBalancedAllocation:
    name = NAME

    def __init__(self, args: Mapping[str, Any] | None = None) -> None:
        self.resources = tuple(
            r["name"] for r in (args or {}).get("resources") or [{"name": "cpu"}, {"name": "memory"}]
        )

    def pre_score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> bool:
        # A best-effort pod would otherwise be scored as if it used nothing: skipped, as upstream does.
        return any(pod.template.requests.get(r, 0) > 0 for r in self.resources)

    def score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> np.ndarray:
        fractions = []
        valid = []
        for resource in self.resources:
            alloc = table.allocatable.get(resource)
            capacity = alloc[nodes] if alloc is not None else np.zeros(len(nodes), dtype=np.int64)
            used = table.requested.get(resource)
            requested = (used[nodes] if used is not None else 0) + pod.template.requests.get(resource, 0)
            fractions.append(np.minimum(requested / np.maximum(capacity, 1), 1.0))
            valid.append(capacity > 0)
        if len(fractions) == 2 and valid[0].all() and valid[1].all():
            std = np.abs(fractions[0] - fractions[1]) / 2
        else:
            fractions = [np.where(v, f, 0.0) for f, v in zip(fractions, valid, strict=True)]
            count = np.sum(valid, axis=0)
            mean = np.sum(fractions, axis=0) / np.maximum(count, 1)
            variance = np.sum(
                [np.where(v, (f - mean) ** 2, 0.0) for f, v in zip(fractions, valid, strict=True)], axis=0
            ) / np.maximum(count, 1)
            # Two resources: |a - b| / 2, which is also the population standard deviation.
            std = np.where(count > 1, np.sqrt(variance), 0.0)
        return ((1 - std) * MAX_NODE_SCORE).astype(np.int64)
