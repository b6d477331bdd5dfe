"""NodePorts: a pod's hostPorts must be free on the node (same protocol and port, overlapping host IP)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from cluster_engine.sim.scheduler.framework import SKIP, CycleState, FilterResult, PreFilterResult, Reason

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.nodetable import NodeTable
    from cluster_engine.sim.scheduler.podinfo import PodInfo

NAME = "NodePorts"
REASON = "node(s) didn't have free ports for the requested pod ports"
ANY_IP = "0.0.0.0"  # noqa: S104 - the wildcard host IP, not a bind address


def ports_conflict(wanted: Iterable[tuple[str, str, int]], used: Iterable[tuple[str, str, int]]) -> bool:
    """True if a wanted (ip, protocol, port) collides with a used one; 0.0.0.0 overlaps every IP."""
    used = list(used)
    for ip, protocol, port in wanted:
        for uip, uprotocol, uport in used:
            if protocol == uprotocol and port == uport and (ip == uip or ANY_IP in (ip, uip)):
                return True
    return False


class NodePorts:
    name = NAME

    def pre_filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> PreFilterResult | None:
        return None if pod.template.host_ports else SKIP

    def filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> FilterResult | None:
        wanted = pod.template.host_ports
        codes = np.zeros(table.size, dtype=np.int16)
        for slot in range(table.size):
            if table.ports[slot] and ports_conflict(wanted, table.ports[slot]):
                codes[slot] = 1
        return FilterResult(codes, (Reason((REASON,)),)) if codes.any() else None
