"""`daemonset-controller` (`pkg/controller/daemon`): one pod per eligible node (nodeSelector, required
node affinity, taints against the template's tolerations plus the ones the controller adds), each
pinned to its node by a node affinity on `metadata.name`; nodes that join get a pod, nodes that leave
lose it; RollingUpdate replaces pods within maxUnavailable (or maxSurge); status counts."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.controllers import DONE, Context, Result, controller_ref, key_of, split_key
from cluster_engine.sim.controllers.replicaset import owner_keys
from cluster_engine.sim.controllers.workload import (
    available_in,
    claim,
    compute_hash,
    create_pod,
    delete_pod,
    int_or_percent,
    is_pod_available,
    is_pod_ready,
    pod_from_template,
    selector_of,
)
from cluster_engine.sim.errors import Status
from cluster_engine.sim.kinds_apps import TEMPLATE_GENERATION_ANNOTATION
from cluster_engine.sim.scheduler.labels import node_selector_term, node_selector_terms_match
from cluster_engine.sim.scheduler.plugins.taint_toleration import find_untolerated_taint, taints_of, tolerations_of
from cluster_engine.sim.util import clone, parse_rfc3339

NAME = "daemonset-controller"
REVISION_HASH = "controller-revision-hash"
TEMPLATE_GENERATION = "pod-template-generation"
# AddOrUpdateDaemonPodTolerations: (key, effect); network-unavailable only for hostNetwork pods
DAEMON_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
)
NETWORK_UNAVAILABLE = ("node.kubernetes.io/network-unavailable", "NoSchedule")


def daemon_tolerations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The template's tolerations plus the ones every daemon pod gets."""
    tolerations = [dict(t) for t in spec.get("tolerations") or []]
    wanted = list(DAEMON_TOLERATIONS) + ([NETWORK_UNAVAILABLE] if spec.get("hostNetwork") else [])
    for key, effect in wanted:
        if not any(t.get("key") == key and t.get("effect") == effect for t in tolerations):
            tolerations.append({"key": key, "operator": "Exists", "effect": effect})
    return tolerations


def pin_to_node(affinity: dict[str, Any] | None, node_name: str) -> dict[str, Any]:
    """`ReplaceDaemonSetPodNodeNameNodeAffinity`: required node affinity on metadata.name only."""
    affinity = clone(affinity or {})
    node_affinity = affinity.setdefault("nodeAffinity", {})
    node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}]
    }
    return affinity


class _Eligibility:
    """`NodeShouldRunDaemonPod` for one DaemonSet, compiled once per sync."""

    def __init__(self, ds: dict[str, Any]) -> None:
        spec = (ds["spec"].get("template") or {}).get("spec") or {}
        self.node_name = spec.get("nodeName")
        self.node_selector = spec.get("nodeSelector") or {}
        required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution"
        )
        self.terms = (
            tuple(node_selector_term(t) for t in required.get("nodeSelectorTerms") or [])
            if required is not None
            else None
        )
        self.tolerations = tolerations_of({"tolerations": daemon_tolerations(spec)})

    def check(self, node: dict[str, Any]) -> tuple[bool, bool]:
        """(should run, should continue running)."""
        name = node["metadata"]["name"]
        labels = node["metadata"].get("labels") or {}
        if self.node_name and self.node_name != name:
            return False, False
        if any(labels.get(k) != v for k, v in self.node_selector.items()):
            return False, False
        if self.terms is not None and not node_selector_terms_match(self.terms, name, labels):
            return False, False
        taints = taints_of(node)
        if taints and find_untolerated_taint(taints, self.tolerations) is not None:
            return False, find_untolerated_taint(taints, self.tolerations, ("NoExecute",)) is None
        return True, True


def _created(pod: dict[str, Any]) -> tuple[float, str]:
    return parse_rfc3339(pod["metadata"]["creationTimestamp"]), pod["metadata"]["name"]


class DaemonSetController:
    """One `reconcile` is upstream's `syncDaemonSet` (manage, rolling update, status)."""

    name = NAME
    kinds_watched = ("DaemonSet", "Pod", "Node")

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        if kind == "DaemonSet":
            return [key_of(obj)]
        if kind == "Pod":
            return owner_keys("DaemonSet", event_type, obj, old)
        if event_type == "MODIFIED" and old is not None and _node_view(old) == _node_view(obj):
            return []
        return ["*"]  # a node came, went or changed what eligibility reads: every DaemonSet looks again

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        if key == "*" or key.endswith("/"):
            namespace = None if key == "*" else key[:-1]
            after = [
                r.requeue_after
                for ds in list(ctx.store.items("DaemonSet", namespace))
                if (r := self.reconcile(ctx, key_of(ds), now)).requeue_after is not None
            ]
            return Result(min(after)) if after else DONE
        namespace, name = split_key(key)
        ds = ctx.store.get("DaemonSet", namespace, name)
        if ds is None or ds["metadata"].get("deletionTimestamp"):
            return DONE
        return _Sync(ctx, ds, now).run()


def _node_view(node: dict[str, Any]) -> tuple[Any, ...]:
    return (
        node["metadata"].get("labels"),
        (node.get("spec") or {}).get("taints"),
        (node.get("spec") or {}).get("unschedulable"),
    )


class _Sync:
    def __init__(self, ctx: Context, ds: dict[str, Any], now: float) -> None:
        self.ctx = ctx
        self.ds = ds
        self.now = now
        self.namespace = ds["metadata"]["namespace"]
        template = ds["spec"].get("template") or {}
        self.hash = compute_hash(template, (ds.get("status") or {}).get("collisionCount"))
        self.generation = (ds["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)
        self._eligibility = _Eligibility(ds)
        self._checked: dict[str, tuple[bool, bool]] = {}
        self.min_ready = ds["spec"].get("minReadySeconds", 0)
        rolling = (ds["spec"].get("updateStrategy") or {}).get("rollingUpdate") or {}
        self.rolling = (ds["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"
        self.raw_surge = rolling.get("maxSurge", 0)
        self.raw_unavailable = rolling.get("maxUnavailable", 1)

    def check(self, node: dict[str, Any]) -> tuple[bool, bool]:
        """`NodeShouldRunDaemonPod`, remembered for the rest of this sync."""
        name = node["metadata"]["name"]
        found = self._checked.get(name)
        if found is None:
            found = self._checked[name] = self._eligibility.check(node)
        return found

    def updated(self, pod: dict[str, Any]) -> bool:
        """`IsPodUpdated`: the revision hash or the template generation label matches."""
        labels = pod["metadata"].get("labels") or {}
        return labels.get(REVISION_HASH) == self.hash or (
            self.generation is not None and labels.get(TEMPLATE_GENERATION) == self.generation
        )

    def _pods_by_node(self) -> dict[str, list[dict[str, Any]]]:
        """The DaemonSet's pods (after adopting matching orphans and releasing mismatches) by node,
        oldest first."""
        uid = self.ds["metadata"]["uid"]
        pool = [p for p in self.ctx.store.items("Pod", self.namespace) if controller_ref(p) is None]
        pool += [
            p
            for w in sorted(self.ctx.store.dependents.get(uid, ()))
            if w[0] == "Pod" and (p := self.ctx.store.get(*w)) is not None
        ]
        pods = claim(self.ctx, self.ds, "Pod", selector_of(self.ds), component=NAME, now=self.now, candidates=pool)
        by_node: dict[str, list[dict[str, Any]]] = {}
        for pod in pods:
            by_node.setdefault(_pod_node(pod), []).append(pod)
        for pods_on_node in by_node.values():
            pods_on_node.sort(key=_created)
        return by_node

    def run(self) -> Result:
        nodes = list(self.ctx.store.items("Node"))
        by_node = self._pods_by_node()
        rv = self.ctx.store.rv
        self._manage(nodes, by_node)
        if self.rolling:
            if self.ctx.store.rv != rv:
                by_node, rv = self._pods_by_node(), self.ctx.store.rv
            self._rolling_update(nodes, by_node)
        if self.ctx.store.rv != rv:
            by_node = self._pods_by_node()
        return self._update_status(nodes, by_node)

    # --- manage --------------------------------------------------------------------------------------
    def _manage(self, nodes: list[dict[str, Any]], by_node: dict[str, list[dict[str, Any]]]) -> None:
        to_create: list[str] = []
        to_delete: list[dict[str, Any]] = []
        names = set()
        surge = self._surge(nodes) if self.rolling else 0
        for node in nodes:
            node_name = node["metadata"]["name"]
            names.add(node_name)
            run, keep = self.check(node)
            pods = by_node.get(node_name, [])
            if run and not pods:
                to_create.append(node_name)
            elif keep:
                running = []
                for pod in pods:
                    if pod["metadata"].get("deletionTimestamp"):
                        continue
                    if (pod.get("status") or {}).get("phase") == "Failed":
                        self.ctx.event(
                            self.ds,
                            "Warning",
                            "FailedDaemonPod",
                            f"Found failed daemon pod {self.namespace}/{pod['metadata']['name']} on node "
                            f"{node_name}, will try to kill it",
                            component=NAME,
                            now=self.now,
                        )
                        to_delete.append(pod)
                        continue
                    running.append(pod)
                if not running and run and not any(p["metadata"].get("deletionTimestamp") for p in pods):
                    to_create.append(node_name)
                if surge == 0:
                    to_delete += running[1:]
                else:
                    to_delete += self._surge_extras(running)
            else:
                to_delete += [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        for node_name, pods in by_node.items():
            if node_name not in names:  # getUnscheduledPodsWithoutNode: the node is gone
                to_delete += [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        self._sync_nodes(to_delete, to_create)

    def _surge_extras(self, running: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """With surge: keep the oldest updated pod and, until it is available, the oldest old pod."""
        new = [p for p in running if self.updated(p)]
        old = [p for p in running if not self.updated(p)]
        extras = new[1:] + old[1:]
        if new and old and is_pod_available(new[0], self.min_ready, self.now):
            extras.append(old[0])
        return extras

    def _sync_nodes(self, to_delete: list[dict[str, Any]], to_create: list[str]) -> None:
        for pod in to_delete:
            delete_pod(self.ctx, self.ds, pod, component=NAME, now=self.now)
        template = self.ds["spec"].get("template") or {}
        labels = {REVISION_HASH: self.hash}
        if self.generation is not None:
            labels[TEMPLATE_GENERATION] = self.generation
        for node_name in to_create:
            pod = pod_from_template(self.ds, template, extra_labels=labels)
            spec = pod["spec"]
            spec["affinity"] = pin_to_node(spec.get("affinity"), node_name)
            spec["tolerations"] = daemon_tolerations(spec)
            _pod, error = create_pod(self.ctx, self.ds, pod, component=NAME, now=self.now)
            if error is not None:
                break

    # --- rolling update -------------------------------------------------------------------------------
    def _desired(self, nodes: list[dict[str, Any]]) -> int:
        return sum(1 for node in nodes if self.check(node)[0])

    def _surge(self, nodes: list[dict[str, Any]]) -> int:
        return int_or_percent(self.raw_surge, self._desired(nodes), round_up=True)

    def _rolling_update(self, nodes: list[dict[str, Any]], by_node: dict[str, list[dict[str, Any]]]) -> None:
        desired = self._desired(nodes)
        surge = int_or_percent(self.raw_surge, desired, round_up=True)
        unavailable_max = int_or_percent(self.raw_unavailable, desired, round_up=True)
        if surge == 0 and unavailable_max == 0:
            unavailable_max = 1
        node_names = {n["metadata"]["name"] for n in nodes}
        if surge == 0:
            unavailable = 0
            replace: list[dict[str, Any]] = []
            candidates: list[dict[str, Any]] = []
            for node_name in sorted(by_node):
                if node_name not in node_names:
                    continue
                new, old, ok = self._split(by_node[node_name])
                if not ok:
                    unavailable += 1
                    continue
                if (old is None) == (new is None):
                    unavailable += 1
                elif new is not None:
                    if not is_pod_available(new, self.min_ready, self.now):
                        unavailable += 1
                elif old is not None and not is_pod_available(old, self.min_ready, self.now):
                    replace.append(old)
                    unavailable += 1
                elif old is not None and unavailable < unavailable_max:
                    candidates.append(old)
            room = min(max(0, unavailable_max - unavailable), len(candidates))
            self._sync_nodes(replace + candidates[:room], [])
            return
        surged = 0
        to_delete: list[dict[str, Any]] = []
        to_create: list[str] = []
        for node_name in sorted(by_node):
            if node_name not in node_names:
                continue
            new, old, ok = self._split(by_node[node_name])
            if not ok or old is None:
                continue
            if new is None:
                if not is_pod_available(old, self.min_ready, self.now):
                    to_create.append(node_name)
                elif surged < surge:
                    surged += 1
                    to_create.append(node_name)
            elif is_pod_available(new, self.min_ready, self.now):
                to_delete.append(old)
            else:
                surged += 1
        self._sync_nodes(to_delete, to_create)

    def _split(self, pods: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, dict[str, Any] | None, bool]:
        """`findUpdatedPodsOnNode`: (the new pod, the old pod, at most one of each)."""
        new = old = None
        for pod in pods:
            if pod["metadata"].get("deletionTimestamp"):
                continue
            if self.updated(pod):
                if new is not None:
                    return None, None, False
                new = pod
            else:
                if old is not None:
                    return None, None, False
                old = pod
        return new, old, True

    # --- status -----------------------------------------------------------------------------------------
    def _update_status(self, nodes: list[dict[str, Any]], by_node: dict[str, list[dict[str, Any]]]) -> Result:
        desired = current = misscheduled = ready = available = updated = 0
        counted: list[dict[str, Any]] = []
        for node in nodes:
            node_name = node["metadata"]["name"]
            run, _keep = self.check(node)
            pods = by_node.get(node_name, [])
            if run:
                desired += 1
                if not pods:
                    continue
                current += 1
                pod = pods[0]
                counted.append(pod)
                if is_pod_ready(pod):
                    ready += 1
                    if is_pod_available(pod, self.min_ready, self.now):
                        available += 1
                if self.updated(pod):
                    updated += 1
            elif pods:
                misscheduled += 1
        status: dict[str, Any] = {
            "currentNumberScheduled": current,
            "numberMisscheduled": misscheduled,
            "desiredNumberScheduled": desired,
            "numberReady": ready,
            "observedGeneration": self.ds["metadata"].get("generation", 1),
            "updatedNumberScheduled": updated,
            "numberAvailable": available,
            "numberUnavailable": desired - available,
        }
        optional = ("observedGeneration", "updatedNumberScheduled", "numberAvailable", "numberUnavailable")
        status = {k: v for k, v in status.items() if v or k not in optional}
        previous = self.ds.get("status") or {}
        for key in ("collisionCount", "conditions"):
            if key in previous:
                status[key] = previous[key]
        ds = self.ctx.store.get("DaemonSet", self.namespace, self.ds["metadata"]["name"])
        if ds is not None and ds.get("status") != status:
            new = clone(ds)
            new["status"] = status
            try:
                self.ctx.api.update_status(new, actor=NAME, now=self.now)
            except Status:
                return DONE
        wait = available_in(counted, self.min_ready, self.now)
        return Result(wait) if wait is not None else DONE


def _pod_node(pod: dict[str, Any]) -> str:
    """The node a daemon pod is for: its nodeName, else the metadata.name it is pinned to."""
    if pod["spec"].get("nodeName"):
        return pod["spec"]["nodeName"]
    required = (
        ((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution"
        )
    ) or {}
    for term in required.get("nodeSelectorTerms") or []:
        for field in term.get("matchFields") or []:
            if field.get("key") == "metadata.name" and field.get("values"):
                return field["values"][0]
    return ""


CONTROLLER = DaemonSetController()
