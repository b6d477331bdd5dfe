"""DefaultPreemption: when no node fits, find a node where evicting lower-priority pods makes room, evict the
fewest and least important of them, and nominate that node for the pod (`status.nominatedNodeName`)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from cluster_engine.sim.scheduler.framework import (
    CycleState,
    Diagnosis,
    Framework,
    PostFilterOutcome,
    Reason,
)

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.nodetable import NodeTable
    from cluster_engine.sim.scheduler.podinfo import PodInfo

NAME = "DefaultPreemption"
NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"
NOT_ELIGIBLE_NEVER = "not eligible due to preemptionPolicy=Never."
NOT_ELIGIBLE_TERMINATING = "not eligible due to a terminating pod on the nominated node."
MIN_CANDIDATE_NODES_PERCENTAGE = 10
MIN_CANDIDATE_NODES_ABSOLUTE = 100
_INT32_OFFSET = 2**31  # upstream sums priorities shifted to be positive


def num_candidates(potential_nodes: int) -> int:
    """How many candidate nodes the dry run looks for (`calcNumCandidates`)."""
    wanted = max(potential_nodes * MIN_CANDIDATE_NODES_PERCENTAGE // 100, MIN_CANDIDATE_NODES_ABSOLUTE)
    return min(wanted, potential_nodes)


def importance_key(pod: PodInfo) -> tuple[int, str]:
    """Sort key, more important pods first: higher priority, then earlier start (`MoreImportantPod`)."""
    return (-pod.priority, pod.start_time)


@dataclass
class Candidate:
    slot: int
    victims: list[PodInfo]

    def rank(self) -> tuple[Any, ...]:
        """`pickOneNodeForPreemption` order, smaller is better (no PodDisruptionBudgets are simulated)."""
        ordered = sorted(self.victims, key=importance_key)
        highest = ordered[0].priority if ordered else -(2**31)
        earliest_of_highest = min((v.start_time for v in ordered if v.priority == highest), default="")
        latest_first = tuple(-ord(c) for c in earliest_of_highest)  # the latest start time wins
        return (
            highest,
            sum(v.priority + _INT32_OFFSET for v in self.victims),
            len(self.victims),
            latest_first,
        )


def fits_on(framework: Framework, pod: PodInfo, table: NodeTable, slot: int) -> Reason | None:
    """Run PreFilter and Filter for one node as the table stands; None if the pod fits there."""
    state = CycleState()
    rejected, allowed, restricting = framework.run_pre_filter(state, pod, table)
    if rejected is not None:
        return rejected[1]
    if allowed is not None and table.names[slot] not in allowed:
        return Reason((f"node(s) didn't satisfy plugin(s) [{', '.join(restricting)}]",), unresolvable=True)
    codes, reasons = framework.run_filter(state, pod, table)
    code = int(codes[slot])
    return reasons[code - 1][1] if code else None


def select_victims(
    framework: Framework, pod: PodInfo, table: NodeTable, slot: int
) -> tuple[list[PodInfo] | None, Reason | None]:
    """Victims on one node (`SelectVictimsOnNode`): remove every lower-priority pod, check the pod fits, then
    reprieve as many as possible, most important first."""
    lower = sorted((p for p in table.pods_by_node(slot) if p.priority < pod.priority), key=importance_key)
    if not lower:
        return None, Reason((NO_VICTIMS,), unresolvable=True)
    for victim in lower:
        table.remove_pod(victim.key)
    victims: list[PodInfo] = []
    try:
        failure = fits_on(framework, pod, table, slot)
        if failure is not None:
            return None, failure
        for candidate in lower:
            table.add_pod(candidate)
            if fits_on(framework, pod, table, slot) is not None:
                table.remove_pod(candidate.key)
                victims.append(candidate)
        return victims, None
    finally:
        for victim in lower:
            if victim.key not in table.assigned:
                table.add_pod(victim)


def preemption_fit_message(total: int, histogram: dict[str, int]) -> str:
    counts = sorted(f"{count} {text}" for text, count in histogram.items())
    return f"0/{total} nodes are available: {', '.join(counts)}."


class DefaultPreemption:
    name = NAME

    def post_filter(
        self,
        state: CycleState,
        pod: PodInfo,
        table: NodeTable,
        diagnosis: Diagnosis,
        *,
        framework: Framework,
        host: Any,
    ) -> PostFilterOutcome:
        if pod.preemption_policy == "Never":
            return PostFilterOutcome(message="preemption: " + NOT_ELIGIBLE_NEVER)
        if pod.nominated_node and self._nominated_node_busy(pod, table, diagnosis):
            return PostFilterOutcome(message="preemption: " + NOT_ELIGIBLE_TERMINATING)
        rng: random.Random = state["rng"]
        histogram: dict[str, int] = {}
        potential: list[int] = []
        if diagnosis.pre_filter is not None:
            if diagnosis.pre_filter[1].unresolvable:
                histogram[NOT_HELPFUL] = diagnosis.total_nodes
            else:
                potential = table.order().tolist()
        else:
            for slot, code in zip(diagnosis.slots.tolist(), diagnosis.codes.tolist(), strict=True):
                if code and diagnosis.reasons[code - 1][1].unresolvable:
                    histogram[NOT_HELPFUL] = histogram.get(NOT_HELPFUL, 0) + 1
                elif code:
                    potential.append(slot)
            if diagnosis.absent_nodes:
                histogram[NOT_HELPFUL] = histogram.get(NOT_HELPFUL, 0) + diagnosis.absent_nodes
        candidates: list[Candidate] = []
        processed = 0
        if potential:
            wanted = num_candidates(len(potential))
            offset = rng.randrange(len(potential))
            for i in range(len(potential)):
                slot = potential[(offset + i) % len(potential)]
                processed += 1
                victims, failure = select_victims(framework, pod, table, slot)
                if victims is not None:
                    candidates.append(Candidate(slot, victims))
                    if len(candidates) >= wanted:
                        break
                elif failure is not None:
                    for text in failure.texts:
                        histogram[text] = histogram.get(text, 0) + 1
        if not candidates:
            total = sum(histogram.values()) if diagnosis.pre_filter is None else diagnosis.total_nodes
            total = max(total, processed)
            return PostFilterOutcome(message="preemption: " + preemption_fit_message(total, histogram))
        best = min(
            candidates, key=Candidate.rank
        )  # min keeps the first of equals: candidate order breaks ties
        node = table.names[best.slot]
        for victim in sorted(best.victims, key=importance_key):
            table.preempted.add(victim.key)
            host.evict_for_preemption(victim.namespace, victim.name, pod.key)
        for key, (slot, other) in list(table.nominated.items()):
            if slot == best.slot and other.priority < pod.priority and key != pod.key:
                del table.nominated[key]
                host.nominate(other.namespace, other.name, "")
        detail = {"node": node, "victims": [v.key for v in best.victims], "candidates": len(candidates)}
        return PostFilterOutcome(nominated_node=node, detail=detail)

    @staticmethod
    def _nominated_node_busy(pod: PodInfo, table: NodeTable, diagnosis: Diagnosis) -> bool:
        """A lower-priority pod we already preempted is still terminating on the nominated node."""
        slot = table.slot_of.get(pod.nominated_node)
        if slot is None:
            return False
        positions = np.flatnonzero(diagnosis.slots == slot)
        if positions.size:
            code = int(diagnosis.codes[positions[0]])
            if code and diagnosis.reasons[code - 1][1].unresolvable:
                return False
        return any(
            p.priority < pod.priority and p.deleting and p.key in table.preempted
            for p in table.pods_by_node(slot)
        )
