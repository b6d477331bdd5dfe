"""VolumeBinding (`pkg/scheduler/framework/plugins/volumebinding`): a pod's PersistentVolumeClaims decide where it
may run.

PreFilter refuses a pod whose claim is missing, being deleted or lost, and one with an unbound claim of a class
that binds at once (`pod has unbound immediate PersistentVolumeClaims`: the persistent-volume controller has to
bind it first). Filter keeps the nodes a bound claim's volume can be reached from (its node affinity) and, for a
claim whose class waits for the first consumer, the nodes where an available volume fits or the class's
provisioner can make one. PreBind then binds those claims for the chosen node: it names the node on the claim
(`volume.kubernetes.io/selected-node`) for the provisioner, or asks for a static volume; the pod is bound once
every claim is, as upstream's PreBind waits for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cluster_engine.sim.scheduler.framework import SKIP, CycleState, FilterResult, PreFilterResult, Reason

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.nodetable import NodeTable
    from cluster_engine.sim.scheduler.podinfo import PodInfo
    from cluster_engine.sim.scheduler.volumes import ClaimInfo, VolumeCache, VolumeInfo

NAME = "VolumeBinding"
UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims"
BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind"
NODE_CONFLICT = "node(s) had volume node affinity conflict"
PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"


class VolumeBinding:
    name = NAME

    def _claims(self, pod: PodInfo, table: NodeTable) -> tuple[list[tuple[ClaimInfo, VolumeInfo | None]],
                                                                 list[ClaimInfo]]:
        """(bound claims with their volume, unbound claims that wait for the first consumer)."""
        volumes: VolumeCache = table.volumes
        bound, delayed = [], []
        for name in pod.claims:
            claim = volumes.claims[(pod.namespace, name)]
            if claim.volume_name and claim.phase == "Bound":
                bound.append((claim, volumes.volumes.get(claim.volume_name)))
            else:
                delayed.append(claim)
        return bound, delayed

    def pre_filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> PreFilterResult | None:
        if not pod.claims:
            return SKIP
        volumes: VolumeCache = table.volumes
        immediate = False
        for name in pod.claims:
            claim = volumes.claims.get((pod.namespace, name))
            if claim is None:
                return PreFilterResult(reject=Reason((f'persistentvolumeclaim "{name}" not found',), unresolvable=True))
            if claim.phase == "Lost":
                return PreFilterResult(reject=Reason(
                    (f'persistentvolumeclaim "{name}" bound to non-existent persistentvolume "{claim.volume_name}"',),
                    unresolvable=True))
            if claim.deleting:
                return PreFilterResult(reject=Reason((f'persistentvolumeclaim "{name}" is being deleted',),
                                                     unresolvable=True))
            if not (claim.volume_name and claim.phase == "Bound") and not volumes.delays_binding(claim):
                immediate = True
        if immediate:
            return PreFilterResult(reject=Reason((UNBOUND_IMMEDIATE,), unresolvable=True))
        return None

    def filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> FilterResult | None:
        bound, delayed = self._claims(pod, table)
        volumes: VolumeCache = table.volumes
        codes = np.zeros(table.size, dtype=np.int16)
        reasons = (Reason((PV_NOT_EXIST,), unresolvable=True), Reason((NODE_CONFLICT,), unresolvable=True),
                   Reason((BIND_CONFLICT,), unresolvable=True))
        candidates = {claim.name: volumes.static_candidates(pod.namespace, claim) for claim in delayed}
        for slot in range(table.size):
            if not table.present[slot]:
                continue
            name, labels = table.names[slot], table.labels[slot]
            for _claim, volume in bound:
                if volume is None:
                    codes[slot] = 1
                    break
                if not volume.fits_node(name, labels):
                    codes[slot] = 2
                    break
            if codes[slot]:
                continue
            for claim in delayed:
                if claim.selected_node and claim.selected_node != name:
                    codes[slot] = 3
                    break
                fits = any(v.fits_node(name, labels) for v in candidates[claim.name])
                if not fits and not volumes.provisionable(claim):
                    codes[slot] = 3
                    break
        state[NAME] = candidates
        return FilterResult(codes, reasons)

    def pre_bind(self, state: CycleState, pod: PodInfo, table: NodeTable, node: str, host: Any) -> bool:
        """`PreBind`: bind the waiting claims for `node` (a static volume that fits, else the provisioner's, by
        naming the node on the claim); True when every claim is bound and the pod may be bound now."""
        if not pod.claims:
            return True
        _bound, delayed = self._claims(pod, table)
        if not delayed:
            return True
        slot = table.slot_of[node]
        labels = table.labels[slot]
        candidates = state.get(NAME) or {}
        taken: set[str] = set()
        for claim in delayed:
            fitting = [v for v in candidates.get(claim.name, ()) if v.fits_node(node, labels) and v.name not in taken]
            volume = fitting[0].name if fitting else ""
            taken.add(volume)
            host.bind_claim(pod.namespace, claim.name, node, volume)
        return False
