"""What the scheduler knows of storage: claims, persistent volumes and storage classes, kept from the watch
events it observes (kube-scheduler's PVC, PV and StorageClass informers), read by the VolumeBinding plugin.

Empty (and never consulted) until a pod uses a PersistentVolumeClaim."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cluster_engine.sim.kinds.storage import class_of
from cluster_engine.sim.quantity import QuantityError, parse_quantity
from cluster_engine.sim.scheduler.labels import (
    NodeSelectorTerm,
    label_selector,
    node_selector_term,
    node_selector_terms_match,
)

SELECTED_NODE = "volume.kubernetes.io/selected-node"
WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer"
NO_PROVISIONER = "kubernetes.io/no-provisioner"


def _storage(raw: Any) -> int:
    try:
        return int(parse_quantity(raw or "0"))
    except QuantityError:
        return 0


@dataclass(frozen=True)
class ClaimInfo:
    name: str
    volume_name: str
    class_name: str
    phase: str
    selected_node: str
    deleting: bool
    access_modes: frozenset[str]
    storage: int
    volume_mode: str
    selector: Mapping[str, Any] | None


@dataclass(frozen=True)
class VolumeInfo:
    name: str
    class_name: str
    phase: str
    claim: tuple[str, str] | None  # (namespace, name) of its claimRef
    node_terms: tuple[NodeSelectorTerm, ...] | None  # required node affinity, None for any node
    access_modes: frozenset[str]
    storage: int
    volume_mode: str
    labels: Mapping[str, str]

    def fits_node(self, name: str, labels: Mapping[str, str]) -> bool:
        return self.node_terms is None or node_selector_terms_match(self.node_terms, name, labels)


@dataclass(frozen=True)
class ClassInfo:
    binding_mode: str
    provisioner: str


def claim_info(claim: dict[str, Any]) -> ClaimInfo:
    meta, spec, status = claim["metadata"], claim.get("spec") or {}, claim.get("status") or {}
    return ClaimInfo(
        meta["name"],
        spec.get("volumeName") or "",
        class_of(claim),
        status.get("phase") or "Pending",
        (meta.get("annotations") or {}).get(SELECTED_NODE, ""),
        bool(meta.get("deletionTimestamp")),
        frozenset(spec.get("accessModes") or ()),
        _storage(((spec.get("resources") or {}).get("requests") or {}).get("storage")),
        spec.get("volumeMode") or "Filesystem",
        spec.get("selector"),
    )


def volume_info(pv: dict[str, Any]) -> VolumeInfo:
    spec = pv.get("spec") or {}
    ref = spec.get("claimRef")
    terms = ((spec.get("nodeAffinity") or {}).get("required") or {}).get("nodeSelectorTerms")
    return VolumeInfo(
        pv["metadata"]["name"],
        class_of(pv),
        (pv.get("status") or {}).get("phase") or "Pending",
        (ref.get("namespace", ""), ref.get("name", "")) if ref else None,
        tuple(node_selector_term(t) for t in terms) if terms else None,
        frozenset(spec.get("accessModes") or ()),
        _storage((spec.get("capacity") or {}).get("storage")),
        spec.get("volumeMode") or "Filesystem",
        dict(pv["metadata"].get("labels") or {}),
    )


class VolumeCache:
    """Claims by (namespace, name), volumes and classes by name, as last observed."""

    def __init__(self) -> None:
        self.claims: dict[tuple[str, str], ClaimInfo] = {}
        self.volumes: dict[str, VolumeInfo] = {}
        self.classes: dict[str, ClassInfo] = {}

    def observe(self, event_type: str, kind: str, obj: dict[str, Any]) -> bool:
        """Take in a change; True when it could let a pod waiting on volume binding go on."""
        meta = obj.get("metadata") or {}
        if kind == "PersistentVolumeClaim":
            key = (meta.get("namespace", ""), meta.get("name", ""))
            if event_type == "DELETED":
                self.claims.pop(key, None)
                return False
            before, after = self.claims.get(key), claim_info(obj)
            self.claims[key] = after
            return before is None or (before.phase, before.volume_name) != (after.phase, after.volume_name)
        if kind == "PersistentVolume":
            if event_type == "DELETED":
                self.volumes.pop(meta.get("name", ""), None)
                return False
            self.volumes[meta.get("name", "")] = volume_info(obj)
            return True
        if kind == "StorageClass":
            if event_type == "DELETED":
                self.classes.pop(meta.get("name", ""), None)
                return False
            self.classes[meta.get("name", "")] = ClassInfo(obj.get("volumeBindingMode") or "Immediate",
                                                           obj.get("provisioner") or "")
            return True
        return False

    def delays_binding(self, claim: ClaimInfo) -> bool:
        """`IsDelayBindingMode`: the claim's class binds on the first consumer."""
        storage_class = self.classes.get(claim.class_name)
        return storage_class is not None and storage_class.binding_mode == WAIT_FOR_FIRST_CONSUMER

    def static_candidates(self, namespace: str, claim: ClaimInfo) -> list[VolumeInfo]:
        """Available volumes that could satisfy the claim (class, modes, size, mode, selector), smallest first;
        a volume pre-bound to this claim comes first of all."""
        selector = label_selector(claim.selector) if claim.selector else None
        found = []
        for volume in self.volumes.values():
            if volume.claim is not None and volume.claim != (namespace, claim.name):
                continue
            if volume.phase not in ("Available", "Pending") and volume.claim is None:
                continue
            if volume.class_name != claim.class_name or volume.volume_mode != claim.volume_mode:
                continue
            if not claim.access_modes <= volume.access_modes or volume.storage < claim.storage:
                continue
            if selector is not None and not selector.matches(volume.labels):
                continue
            found.append(volume)
        found.sort(key=lambda v: (v.claim is None, v.storage, v.name))
        return found

    def provisionable(self, claim: ClaimInfo) -> bool:
        """Whether a provisioner would make a volume for the claim on any node."""
        storage_class = self.classes.get(claim.class_name)
        return storage_class is not None and storage_class.provisioner not in ("", NO_PROVISIONER)
