"""NodeUnschedulable: a cordoned node (`spec.unschedulable`) takes only pods tolerating that taint."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cluster_engine.sim.scheduler.framework import CycleState, FilterResult, Reason
from cluster_engine.sim.taints import Taint, Toleration

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.nodetable import NodeTable
    from cluster_engine.sim.scheduler.podinfo import PodInfo

NAME = "NodeUnschedulable"
REASON = "node(s) were unschedulable"
UNSCHEDULABLE_TAINT = Taint("node.kubernetes.io/unschedulable", "", "NoSchedule")


def tolerates_unschedulable(tolerations: tuple[Toleration, ...]) -> bool:
    return any(t.tolerates(UNSCHEDULABLE_TAINT) for t in tolerations)


class NodeUnschedulable:
    name = NAME

    def filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> FilterResult | None:
        cordoned = table.unschedulable[: table.size]
        if not np.count_nonzero(cordoned) or tolerates_unschedulable(pod.template.tolerations):
            return None
        return FilterResult(cordoned.astype(np.int16), (Reason((REASON,), unresolvable=True),))
