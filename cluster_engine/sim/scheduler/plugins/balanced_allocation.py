"""NodeResourcesBalancedAllocation: favours nodes whose cpu and memory would be used in equal fractions."""

from __future__ import annotations

import math
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
        std = math.sqrt(sum((f - mean) * (f - mean) for f in capped) / len(capped))
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
        wanted = tuple(pod.template.requests.get(resource, 0) for resource in self.resources)
        column = table.node_column((NAME, self.resources, wanted), lambda slot: self.node_score(table, slot, wanted))
        return column[nodes]

    def node_score(self, table: NodeTable, slot: int, wanted: tuple[int, ...]) -> int:
        """One node: `balanced_score` of the fractions of each resource it has that its pods' requests plus
        the pod's (`wanted`) would use."""
        fractions = []
        for resource, amount in zip(self.resources, wanted, strict=True):
            column = table.allocatable.get(resource)
            capacity = int(column[slot]) if column is not None else 0
            if capacity > 0:
                used = table.requested.get(resource)
                fractions.append(((int(used[slot]) if used is not None else 0) + amount) / capacity)
        return balanced_score(fractions)
