"""NodeName: a pod that names its node (`spec.nodeName`) fits only that node."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cluster_engine.sim.scheduler.framework import CycleState, FilterResult, Reason

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.nodetable import NodeTable
    from cluster_engine.sim.scheduler.podinfo import PodInfo

NAME = "NodeName"
REASON = "node(s) didn't match the requested node name"


def fits(pod_node_name: str, node_name: str) -> bool:
    return not pod_node_name or pod_node_name == node_name


class NodeName:
    name = NAME

    def filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> FilterResult | None:
        if not pod.node_name:
            return None
        codes = np.ones(table.size, dtype=np.int16)
        slot = table.slot_of.get(pod.node_name)
        if slot is not None:
            codes[slot] = 0
        return FilterResult(codes, (Reason((REASON,), unresolvable=True),))
