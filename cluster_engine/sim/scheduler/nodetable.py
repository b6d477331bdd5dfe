"""The scheduler's cache: nodes as numpy columns indexed by slot, kept up to date by `observe()`, with the
assigned pods, per-selector pod counts and topology indexes that the plugins read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import numpy as np

from cluster_engine.sim.quantity import QuantityError, cpu_millis, memory_bytes
from cluster_engine.sim.scheduler.podinfo import AffinityTerm, PodInfo, normalized_image
from cluster_engine.sim.scheduler.volumes import VolumeCache
from cluster_engine.sim.taints import Taint, taints_of

T = TypeVar("T")

ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
REGION_LABELS = ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region")
CORE_RESOURCES = ("cpu", "memory", "ephemeral-storage", "pods")
# Existing pods' terms the incoming pod is checked against (symmetry of inter-pod affinity).
HOLDER_KINDS = (
    "required_affinity",
    "required_anti_affinity",
    "preferred_affinity",
    "preferred_anti_affinity",
)
_MAX_TRACKERS = 512
_MAX_NODE_COLUMNS = 256
_MAX_TOUCHED = 1 << 16  # a longer log is dropped: every node column is then computed afresh


def _quantity(resource: str, text: Any) -> int:
    try:
        return cpu_millis(text) if resource == "cpu" else memory_bytes(text)
    except QuantityError:
        return 0


class Tracker:
    """Per slot, how many assigned pods match every term (namespace and selector) of `terms`."""

    def __init__(self, terms: tuple[AffinityTerm, ...], skip_deleting: bool, capacity: int) -> None:
        self.terms = terms
        self.skip_deleting = skip_deleting
        self.counts = np.zeros(capacity, dtype=np.int64)

    def matches(self, pod: PodInfo, namespace_labels: Mapping[str, Mapping[str, str]]) -> bool:
        if self.skip_deleting and pod.deleting:
            return False
        return all(term.matches(pod, namespace_labels) for term in self.terms)


class HolderGroup:
    """Assigned pods that carry one same affinity term (one template's), counted per slot."""

    def __init__(self, term: AffinityTerm, capacity: int) -> None:
        self.term = term
        self.counts = np.zeros(capacity, dtype=np.int64)


class NodeTable:
    """Nodes by slot. Slots of deleted nodes are reused; `present` says which slots hold a node.

    Columns: allocatable and requested resources, non-zero requests (for scoring), pod count, unschedulable.
    Versions (`labels_version`, `taints_version`, `nodes_version`, `images_version`) let plugins cache
    per-template arrays; `node_column` keeps values that depend on each node's own resources up to date slot
    by slot, from the log of slots whose resources changed.
    """

    def __init__(self) -> None:
        self.capacity = 16
        self.size = 0
        self.present = np.zeros(self.capacity, dtype=bool)
        self.unschedulable = np.zeros(self.capacity, dtype=bool)
        self.allocatable: dict[str, np.ndarray] = {
            r: np.zeros(self.capacity, dtype=np.int64) for r in CORE_RESOURCES
        }
        self.requested: dict[str, np.ndarray] = {
            r: np.zeros(self.capacity, dtype=np.int64) for r in CORE_RESOURCES if r != "pods"
        }
        # allocatable - requested (for pods: allowed minus count): what NodeResourcesFit compares against.
        self.free: dict[str, np.ndarray] = {
            r: np.zeros(self.capacity, dtype=np.int64) for r in CORE_RESOURCES
        }
        self.pod_count = np.zeros(self.capacity, dtype=np.int64)
        self.non_zero_cpu = np.zeros(self.capacity, dtype=np.int64)
        self.non_zero_memory = np.zeros(self.capacity, dtype=np.int64)
        # A slot's name never changes in place once the list may be shared: removing or reusing a slot copies
        # the list first, so a decision record may keep `names` to name its slots when it is read later.
        self.names: list[str] = []
        self.labels: list[Mapping[str, str]] = []
        self.taints: list[tuple[Taint, ...]] = []
        self.images: list[dict[str, int]] = []
        self.ports: list[Counter[tuple[str, str, int]]] = []
        self.pods_on: list[dict[str, PodInfo]] = []
        self.add_seq: list[int] = []
        self.slot_of: dict[str, int] = {}
        self.free_slots: list[int] = []
        self.image_nodes: dict[str, int] = {}  # image -> number of nodes that have it
        self._image_columns: dict[str, np.ndarray] = {}  # image -> size on each slot, rebuilt after changes
        self.assigned: dict[str, PodInfo] = {}
        self.orphans: dict[str, dict[str, PodInfo]] = {}  # pods bound to a node we do not know (yet)
        self.trackers: dict[tuple[Any, ...], Tracker] = {}
        self.holders: dict[str, dict[tuple[str, int], HolderGroup]] = {k: {} for k in HOLDER_KINDS}
        self.namespace_labels: dict[str, Mapping[str, str]] = {}
        self.volumes = VolumeCache()  # claims, persistent volumes and storage classes (VolumeBinding reads them)
        self.nominated: dict[
            str, tuple[int, PodInfo]
        ] = {}  # pod key -> (slot, pod) of status.nominatedNodeName
        self.preempted: set[str] = set()  # victims this scheduler asked to evict, until they are gone
        self.labels_version = 0
        self.taints_version = 0
        self.nodes_version = 0
        self.images_version = 0
        # Slots whose resources (allocatable, requested, pod count) changed, in order; `node_column` entries
        # remember how far they have read it. Dropped when long (a new epoch), so it stays bounded.
        self._touched: list[int] = []
        self._touched_epoch = 0
        self._node_columns: dict[Any, tuple[np.ndarray, int, int]] = {}
        self._tainted: set[int] = set()
        self._seq = 0
        self._cache: dict[Any, tuple[Any, int, Any]] = {}

    # ---- reads ---------------------------------------------------------------------------------------------
    @property
    def node_count(self) -> int:
        return len(self.slot_of)

    def tainted_slots(self) -> list[int]:
        return sorted(self._tainted)

    def cached(self, key: Any, version: Any, compute: Callable[[], T]) -> T:
        """`compute()` once per (key, version, table size); plugins keep per-template arrays here."""
        hit = self._cache.get(key)
        if hit is not None and hit[0] == version and hit[1] == self.size:
            return hit[2]
        value = compute()
        if len(self._cache) > 4096:
            self._cache.clear()
        self._cache[key] = (version, self.size, value)
        return value

    def node_column(self, key: Any, value_of: Callable[[int], int]) -> np.ndarray:
        """Per slot, `value_of(slot)`: an integer that depends only on that node's own resources (allocatable,
        requested, pod count) and on `key` (everything the caller reads besides them, such as the pod's
        requests). Computed for every slot once per key, then only for the slots whose resources changed
        since; so scoring a pod reads a column instead of recomputing every node it considers."""
        entry = self._node_columns.get(key)
        if entry is None or entry[1] != self._touched_epoch:
            if len(self._node_columns) >= _MAX_NODE_COLUMNS:
                self._node_columns.clear()
            column = np.zeros(self.capacity, dtype=np.int64)
            column[: self.size] = [value_of(slot) for slot in range(self.size)]
        else:
            column, _, seen = entry
            if len(column) < self.capacity:
                column = np.concatenate((column, np.zeros(self.capacity - len(column), dtype=np.int64)))
            for slot in dict.fromkeys(self._touched[seen:]):
                column[slot] = value_of(slot)
        self._node_columns[key] = (column, self._touched_epoch, len(self._touched))
        return column[: self.size]

    def _touch(self, slot: int) -> None:
        """The slot's resources changed: `node_column` values for it are stale."""
        if len(self._touched) >= _MAX_TOUCHED:
            self._touched.clear()
            self._touched_epoch += 1
        self._touched.append(slot)

    def topology(self, key: str) -> tuple[np.ndarray, list[str]]:
        """Per slot, the index of the node's value for label `key` in the returned list; -1 if it has none."""

        def compute() -> tuple[np.ndarray, list[str]]:
            codes = np.full(self.size, -1, dtype=np.int64)
            values: dict[str, int] = {}
            for slot in range(self.size):
                if self.present[slot]:
                    value = self.labels[slot].get(key)
                    if value is not None:
                        codes[slot] = values.setdefault(value, len(values))
            return codes, list(values)

        return self.cached(("topology", key), self.labels_version, compute)

    def order(self) -> np.ndarray:
        """Present slots in upstream's node-tree order: zones interleaved, each zone in insertion order."""

        def compute() -> np.ndarray:
            zones: dict[str, list[int]] = {}
            for slot in sorted(self.slot_of.values(), key=lambda s: self.add_seq[s]):
                labels = self.labels[slot]
                region = next((labels[k] for k in REGION_LABELS if k in labels), "")
                zone = next((labels[k] for k in ZONE_LABELS if k in labels), "")
                zones.setdefault(f"{region}:\x00:{zone}" if region or zone else "", []).append(slot)
            out: list[int] = []
            lists = list(zones.values())
            for i in range(max((len(z) for z in lists), default=0)):
                out.extend(z[i] for z in lists if i < len(z))
            return np.array(out, dtype=np.int64)

        return self.cached("order", (self.nodes_version, self.labels_version), compute)

    def tracker(self, terms: tuple[AffinityTerm, ...], *, skip_deleting: bool = False) -> np.ndarray:
        """Per slot, the number of assigned pods matching all `terms`; kept up to date from then on."""
        key = (tuple(t.key for t in terms), skip_deleting)
        found = self.trackers.get(key)
        if found is None:
            if len(self.trackers) >= _MAX_TRACKERS:
                self.trackers.clear()
            found = self.trackers[key] = Tracker(terms, skip_deleting, self.capacity)
            for slot, pods in enumerate(self.pods_on):
                found.counts[slot] = sum(1 for p in pods.values() if found.matches(p, self.namespace_labels))
        return found.counts[: self.size]

    def pods_by_node(self, slot: int) -> Iterable[PodInfo]:
        return self.pods_on[slot].values()

    # ---- node writes ---------------------------------------------------------------------------------------
    def _grow(self) -> None:
        new = self.capacity * 2

        def widen(arr: np.ndarray) -> np.ndarray:
            out = np.zeros(new, dtype=arr.dtype)
            out[: self.capacity] = arr
            return out

        self.present, self.unschedulable = widen(self.present), widen(self.unschedulable)
        self.pod_count, self.non_zero_cpu = widen(self.pod_count), widen(self.non_zero_cpu)
        self.non_zero_memory = widen(self.non_zero_memory)
        self.allocatable = {k: widen(v) for k, v in self.allocatable.items()}
        self.requested = {k: widen(v) for k, v in self.requested.items()}
        self.free = {k: widen(v) for k, v in self.free.items()}
        for tracker in self.trackers.values():
            tracker.counts = widen(tracker.counts)
        for groups in self.holders.values():
            for group in groups.values():
                group.counts = widen(group.counts)
        self.capacity = new

    def _column(self, columns: dict[str, np.ndarray], resource: str) -> np.ndarray:
        if resource not in columns:
            columns[resource] = np.zeros(self.capacity, dtype=np.int64)
        return columns[resource]

    def upsert_node(self, node: Mapping[str, Any]) -> bool:
        """Add or update a node from its object; returns True if anything the scheduler reads changed."""
        meta = node.get("metadata") or {}
        name = meta.get("name", "")
        status = node.get("status") or {}
        spec = node.get("spec") or {}
        slot = self.slot_of.get(name)
        changed = False
        if slot is None:
            slot = self._new_slot(name)
            changed = True
        alloc = dict(status.get("capacity") or {})
        alloc.update(status.get("allocatable") or {})
        if "pods" not in alloc:
            alloc["pods"] = 110
        for resource in set(alloc) | {r for r, col in self.allocatable.items() if col[slot]}:
            value = _quantity(resource, alloc.get(resource, 0))
            column = self._column(self.allocatable, resource)
            if column[slot] != value:
                self._column(self.free, resource)[slot] += value - column[slot]
                column[slot] = value
                self._touch(slot)
                changed = True
        labels = dict(meta.get("labels") or {})
        if labels != self.labels[slot]:
            self.labels[slot] = labels
            self.labels_version += 1
            self.nodes_version += 1  # zones may have changed: the node order with them
            changed = True
        taints = taints_of(node)
        if taints != self.taints[slot]:
            self.taints[slot] = taints
            self.taints_version += 1
            (self._tainted.add if taints else self._tainted.discard)(slot)
            changed = True
        unschedulable = bool(spec.get("unschedulable"))
        if unschedulable != bool(self.unschedulable[slot]):
            self.unschedulable[slot] = unschedulable
            self.taints_version += 1
            changed = True
        images: dict[str, int] = {}
        for image in status.get("images") or []:
            for image_name in image.get("names") or []:
                images[normalized_image(image_name)] = int(image.get("sizeBytes") or 0)
        if images != self.images[slot]:
            self._set_images(slot, images)
            changed = True
        return changed

    def _new_slot(self, name: str) -> int:
        if self.free_slots:
            slot = self.free_slots.pop()
            self.names = list(self.names)  # copy on write: see `names`
        else:
            if self.size == self.capacity:
                self._grow()
            slot = self.size
            self.size += 1
            self.names.append("")
            self.labels.append({})
            self.taints.append(())
            self.images.append({})
            self.ports.append(Counter())
            self.pods_on.append({})
            self.add_seq.append(0)
        self._seq += 1
        self.add_seq[slot] = self._seq
        self.names[slot] = name
        self.slot_of[name] = slot
        self.present[slot] = True
        self._touch(slot)
        self.nodes_version += 1
        self.labels_version += 1
        self.taints_version += 1
        for pod in self.orphans.pop(name, {}).values():
            self._account(pod, slot, 1)
        return slot

    def image_sizes(self, image: str) -> np.ndarray:
        """The size of `image` on every slot (0 where absent), as a column; cached until any node's images
        change, so ImageLocality scores thousands of nodes with one fancy-index instead of a Python loop."""
        column = self._image_columns.get(image)
        if column is None or len(column) != len(self.images):
            column = np.array([held.get(image, 0) for held in self.images], dtype=np.float64)
            self._image_columns[image] = column
        return column

    def _set_images(self, slot: int, images: dict[str, int]) -> None:
        self._image_columns.clear()
        self.images_version += 1
        for image in self.images[slot]:
            self.image_nodes[image] -= 1
            if not self.image_nodes[image]:
                del self.image_nodes[image]
        for image in images:
            self.image_nodes[image] = self.image_nodes.get(image, 0) + 1
        self.images[slot] = images

    def remove_node(self, name: str) -> None:
        slot = self.slot_of.pop(name, None)
        if slot is None:
            return
        for pod in list(self.pods_on[slot].values()):
            self._account(pod, slot, -1)
            self.orphans.setdefault(name, {})[pod.key] = pod
        self._set_images(slot, {})
        self.nominated = {k: v for k, v in self.nominated.items() if v[0] != slot}
        for column in (*self.allocatable.values(), *self.free.values()):
            column[slot] = 0
        self.present[slot] = False
        self.unschedulable[slot] = False
        self._touch(slot)
        self.names = list(self.names)  # copy on write: see `names`
        self.names[slot] = ""
        self.labels[slot] = {}
        self.taints[slot] = ()
        self._tainted.discard(slot)
        self.free_slots.append(slot)
        self.nodes_version += 1
        self.labels_version += 1
        self.taints_version += 1

    # ---- pod writes ----------------------------------------------------------------------------------------
    def add_pod(self, pod: PodInfo) -> None:
        """Count an assigned (or assumed) pod on its node; replaces an earlier version of the same pod."""
        self.remove_pod(pod.key)
        self.assigned[pod.key] = pod
        slot = self.slot_of.get(pod.node_name)
        if slot is None:
            self.orphans.setdefault(pod.node_name, {})[pod.key] = pod
        else:
            self._account(pod, slot, 1)

    def remove_pod(self, key: str) -> PodInfo | None:
        pod = self.assigned.pop(key, None)
        if pod is None:
            return None
        slot = self.slot_of.get(pod.node_name)
        if slot is not None and key in self.pods_on[slot]:
            self._account(pod, slot, -1)
        else:
            self.orphans.get(pod.node_name, {}).pop(key, None)
        return pod

    def _account(self, pod: PodInfo, slot: int, sign: int) -> None:
        template = pod.template
        for resource, amount in template.requests.items():
            if resource != "pods":
                self._column(self.requested, resource)[slot] += sign * amount
                self._column(self.free, resource)[slot] -= sign * amount
        self.pod_count[slot] += sign
        self.free["pods"][slot] -= sign
        self._touch(slot)
        self.non_zero_cpu[slot] += sign * template.non_zero_cpu
        self.non_zero_memory[slot] += sign * template.non_zero_memory
        if template.host_ports:
            ports = self.ports[slot]
            ports.update(dict.fromkeys(template.host_ports, sign))
            self.ports[slot] = +ports
        if sign > 0:
            self.pods_on[slot][pod.key] = pod
        else:
            self.pods_on[slot].pop(pod.key, None)
        for tracker in self.trackers.values():
            if tracker.matches(pod, self.namespace_labels):
                tracker.counts[slot] += sign
        if template.has_pod_affinity:
            for kind in HOLDER_KINDS:
                for term in getattr(template, kind):
                    group_key = (term.key + "|" + term.topology_key, term.weight)
                    group = self.holders[kind].get(group_key)
                    if group is None:
                        group = self.holders[kind][group_key] = HolderGroup(term, self.capacity)
                    group.counts[slot] += sign
                    if sign < 0 and not group.counts.any():
                        del self.holders[kind][group_key]

    def set_namespace(self, name: str, labels: Mapping[str, str] | None) -> None:
        """Namespace labels (for `namespaceSelector`); per-selector counts are rebuilt when they change."""
        if labels is None:
            self.namespace_labels.pop(name, None)
        elif self.namespace_labels.get(name) == labels:
            return
        else:
            self.namespace_labels[name] = dict(labels)
        self.trackers.clear()
