"""The node lifecycle controller and the taint eviction controller (kube-controller-manager's core loops, registered
in `controllers/registry.py`): a node whose kubelet stops posting status turns Unknown after
`node-monitor-grace-period`, is tainted `node.kubernetes.io/unreachable`, and its pods are evicted once their
tolerationSeconds run out. Also the kubelets' node Leases (`kube-node-lease`), renewed whenever a kubelet's heartbeat
moves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .controllers import DONE, Context, Result
from .errors import Status
from .kinds.coordination import NODE_LEASE_NAMESPACE, micro_time, node_lease
from .kubelet import kubelet_actor
from .store import DELETED
from .taints import Taint, Toleration
from .util import clone, parse_rfc3339, rfc3339

# kube-controller-manager --node-monitor-grace-period: 50 s since Kubernetes 1.32 (kubernetes/kubernetes#126287,
# pkg/controller/nodelifecycle/config/v1alpha1/defaults.go; 40 s before), longer than the kubelet's 40 s Lease
NODE_MONITOR_GRACE_PERIOD = 50.0
CONTROLLER = "node-lifecycle-controller"
EVICTION = "taint-eviction-controller"
UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"

READY_CONDITIONS = (
    ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)


def ready_conditions(now: float) -> list[dict[str, Any]]:
    stamp = rfc3339(now)
    return [
        {
            "type": kind,
            "status": status,
            "lastHeartbeatTime": stamp,
            "lastTransitionTime": stamp,
            "reason": reason,
            "message": message,
        }
        for kind, status, reason, message in READY_CONDITIONS
    ]


def node_ready(node: dict[str, Any]) -> str:
    for condition in node.get("status", {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition.get("status", "Unknown")
    return "Unknown"


def eviction_delay(pod: dict[str, Any], taints: list[dict[str, Any]]) -> float | None:
    """Seconds a pod may stay on a node with these NoExecute taints; 0 = now; None = forever."""
    delay: float | None = None
    forever = True
    tolerations = [(t, Toleration.from_dict(t)) for t in pod["spec"].get("tolerations") or []]
    for taint in taints:
        matching = [t for t, toleration in tolerations if toleration.tolerates(Taint.from_dict(taint))]
        if not matching:
            return 0.0
        seconds = [t["tolerationSeconds"] for t in matching if t.get("tolerationSeconds") is not None]
        if seconds and all(t.get("tolerationSeconds") is not None for t in matching):
            forever = False
            value = max(0.0, float(min(seconds)))
            delay = value if delay is None else min(delay, value)
    return None if forever else delay


def no_execute_taints(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in node.get("spec", {}).get("taints") or () if t.get("effect") == "NoExecute"]


class NodeLifecycle:
    """Watches kubelet heartbeats and node taints; evicts pods from unreachable nodes."""

    def __init__(self, ctx: Context) -> None:
        self.store = ctx.store
        self.api = ctx.api
        self.kubelets = ctx.kubelets
        self.timers = ctx.timers
        self.recorder = ctx.recorder

    def renew_lease(self, node_name: str, now: float) -> None:
        """The kubelet's node lease controller: create the node's Lease in `kube-node-lease` (owned by the
        Node, so the garbage collector deletes it with the node) or move its renewTime to `now`.

        Upstream renews every 10 s; here a running kubelet's heartbeat is implicit (an idle cluster writes
        nothing), so the Lease is renewed when the heartbeat moves: at registration, when the kubelet stops
        (its last renewal, from which the grace period runs) and when it starts again."""
        node = self.store.get("Node", "", node_name)
        if node is None or self.store.get("Namespace", "", NODE_LEASE_NAMESPACE) is None:
            return
        actor = kubelet_actor(node_name)
        lease = self.store.get("Lease", NODE_LEASE_NAMESPACE, node_name)
        if lease is None:
            self.store.put(
                "Lease", node_lease(node, now, created=rfc3339(now)), actor=actor, reason="", verb="create", now=now
            )
            return
        new = clone(lease)
        new.setdefault("spec", {})["renewTime"] = micro_time(now)
        self.store.put("Lease", new, actor=actor, reason="", verb="update", now=now)

    def kubelet_stopped(self, node_name: str, now: float) -> None:
        self.kubelets.node_state(node_name)["heartbeat"] = now
        self.renew_lease(node_name, now)
        self.timers.schedule(now + NODE_MONITOR_GRACE_PERIOD, CONTROLLER, node_name)

    def kubelet_started(self, node_name: str, now: float) -> None:
        """The kubelet posts a Ready status again (written by the kubelet itself) and renews its Lease."""
        node = self.store.get("Node", "", node_name)
        if node is None:
            return
        self.renew_lease(node_name, now)
        new = clone(node)
        new["status"]["conditions"] = ready_conditions(now)
        old = {c["type"]: c for c in node["status"].get("conditions") or []}
        for condition in new["status"]["conditions"]:
            previous = old.get(condition["type"])
            if previous and previous.get("status") == condition["status"]:
                condition["lastTransitionTime"] = previous["lastTransitionTime"]
        self.store.put(
            "Node", new, actor=kubelet_actor(node_name), reason="NodeReady", verb="update/status", now=now
        )
        self.recorder.record(
            dict(new, kind="Node", apiVersion="v1"),
            "Normal",
            "NodeReady",
            f"Node {node_name} status is now: NodeReady",
            component="kubelet",
            host=node_name,
            actor=kubelet_actor(node_name),
            now=now,
        )

    def sync(self, node_name: str, now: float) -> None:
        """Level-based check of one node: grace period, taints, and eviction timers for its pods."""
        node = self.store.get("Node", "", node_name)
        if node is None:
            return
        node = self._sync_unschedulable_taint(node, now)
        if not self.kubelets.running(node_name):
            heartbeat = self.kubelets.node_state(node_name).get("heartbeat", now)
            if now < heartbeat + NODE_MONITOR_GRACE_PERIOD:
                self.timers.schedule(heartbeat + NODE_MONITOR_GRACE_PERIOD, CONTROLLER, node_name)
                return
            if node_ready(node) != "Unknown":
                node = self._mark_unknown(node, now)
            node = self._set_taints(node, unreachable=True, now=now)
        elif node_ready(node) == "True":
            node = self._set_taints(node, unreachable=False, now=now)
        self._schedule_evictions(node, now)

    def _sync_unschedulable_taint(self, node: dict[str, Any], now: float) -> dict[str, Any]:
        """A cordoned node carries `node.kubernetes.io/unschedulable:NoSchedule` and an uncordoned one does not
        (upstream's `doNoScheduleTaintingPass` in pkg/controller/nodelifecycle/node_lifecycle_controller.go;
        `SwapNodeControllerTaint` stamps `timeAdded`)."""
        taints = list(node.get("spec", {}).get("taints") or [])
        present = any(t.get("key") == UNSCHEDULABLE and t.get("effect") == "NoSchedule" for t in taints)
        wanted = bool(node.get("spec", {}).get("unschedulable"))
        if present == wanted:
            return node
        new = clone(node)
        if wanted:
            new["spec"]["taints"] = [*taints, {"key": UNSCHEDULABLE, "effect": "NoSchedule", "timeAdded": rfc3339(now)}]
        else:
            kept = [t for t in taints if not (t.get("key") == UNSCHEDULABLE and t.get("effect") == "NoSchedule")]
            if kept:
                new["spec"]["taints"] = kept
            else:
                new["spec"].pop("taints", None)
        return self.store.put("Node", new, actor=CONTROLLER, reason="TaintNodesByCondition", verb="update", now=now)

    def _mark_unknown(self, node: dict[str, Any], now: float) -> dict[str, Any]:
        new = clone(node)
        stamp = rfc3339(now)
        for condition in new["status"].get("conditions") or []:
            condition.update(
                status="Unknown",
                reason="NodeStatusUnknown",
                message="Kubelet stopped posting node status.",
                lastTransitionTime=stamp,
            )
        name = node["metadata"]["name"]
        stored = self.store.put(
            "Node", new, actor=CONTROLLER, reason="NodeNotReady", verb="update/status", now=now
        )
        self.recorder.record(
            dict(stored, kind="Node", apiVersion="v1"),
            "Normal",
            "NodeNotReady",
            f"Node {name} status is now: NodeNotReady",
            component="node-controller",
            actor=CONTROLLER,
            now=now,
        )
        for pod in self.store.pods_on(name):
            self._mark_pod_not_ready(pod, now)
        return stored

    def _mark_pod_not_ready(self, pod: dict[str, Any], now: float) -> None:
        status = pod.get("status") or {}
        if not any(
            c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
        ):
            return
        new = clone(pod)
        for condition in new["status"]["conditions"]:
            if condition["type"] in ("Ready",):
                condition.update(status="False", lastTransitionTime=rfc3339(now))
                condition.pop("reason", None)
                condition.pop("message", None)
        self.store.put("Pod", new, actor=CONTROLLER, reason="NodeNotReady", verb="update/status", now=now)

    def _set_taints(self, node: dict[str, Any], *, unreachable: bool, now: float) -> dict[str, Any]:
        taints = list(node.get("spec", {}).get("taints") or [])
        present = [t for t in taints if t.get("key") == UNREACHABLE]
        if unreachable and len(present) == 2:
            return node
        if not unreachable and not present:
            return node
        kept = [t for t in taints if t.get("key") != UNREACHABLE]
        if unreachable:
            kept += [
                {"key": UNREACHABLE, "effect": "NoSchedule", "timeAdded": rfc3339(now)},
                {"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": rfc3339(now)},
            ]
        new = clone(node)
        if kept:
            new["spec"]["taints"] = kept
        else:
            new["spec"].pop("taints", None)
        return self.store.put(
            "Node", new, actor=CONTROLLER, reason="TaintNodesByCondition", verb="update", now=now
        )

    def _schedule_evictions(self, node: dict[str, Any], now: float) -> None:
        taints = no_execute_taints(node)
        if not taints:
            return
        for pod in self.store.pods_on(node["metadata"]["name"]):
            self.schedule_eviction(pod, taints, now)

    def schedule_eviction(self, pod: dict[str, Any], taints: list[dict[str, Any]], now: float) -> None:
        """Time the eviction of `pod` from its node's NoExecute `taints`, as its tolerations' seconds allow."""
        if pod["metadata"].get("deletionTimestamp"):
            return
        delay = eviction_delay(pod, taints)
        if delay is None:
            return
        added = min(parse_rfc3339(t["timeAdded"]) if t.get("timeAdded") else now for t in taints)
        key = f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"
        self.timers.schedule(max(now, added + delay), EVICTION, key)

    def evict(self, key: str, now: float) -> None:
        """The taint eviction controller's timer for one pod: delete it if its taints still say so."""
        namespace, name = key.split("/", 1)
        pod = self.store.get("Pod", namespace, name)
        if pod is None or pod["metadata"].get("deletionTimestamp"):
            return
        node = self.store.get("Node", "", pod["spec"].get("nodeName", ""))
        if node is None:
            return
        taints = no_execute_taints(node)
        if not taints:
            return
        delay = eviction_delay(pod, taints)
        if delay is None:
            return
        added = min(parse_rfc3339(t["timeAdded"]) if t.get("timeAdded") else now for t in taints)
        if now < added + delay:
            self.timers.schedule(added + delay, EVICTION, key)
            return
        self.recorder.record(
            dict(pod, kind="Pod", apiVersion="v1"),
            "Normal",
            "TaintManagerEviction",
            f"Marking for deletion Pod {namespace}/{name}",
            component="taint-eviction-controller",
            actor=EVICTION,
            now=now,
        )
        try:
            self.api.delete("Pod", name, namespace=namespace, actor=EVICTION, now=now, reason="TaintManagerEviction")
        except Status:
            return


def placed_on(event_type: str, obj: dict[str, Any], old: dict[str, Any] | None) -> str:
    """The node a pod has just arrived on, or whose tolerations changed there ("" for any other change): the
    node-level loops look at such a pod now rather than when its node next changes (PodGC deletes a pod bound to
    a node that does not exist after the quarantine; the taint eviction controller times a pod on a
    NoExecute-tainted node)."""
    node = obj["spec"].get("nodeName") or ""
    if event_type == DELETED or not node:
        return ""
    if old is None or old["spec"].get("nodeName") != node:
        return node
    return node if old["spec"].get("tolerations") != obj["spec"].get("tolerations") else ""


class NodeLifecycleLoop:
    """The node lifecycle controller's queue: every change of a Node (and its grace-period timers)."""

    name = CONTROLLER
    kinds_watched = ("Node",)
    controller_manager = True

    def heard(self, ctx: Context, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None
              ) -> Sequence[str]:
        return [obj["metadata"]["name"]]

    def resync(self, ctx: Context) -> list[str]:
        return [node["metadata"]["name"] for node in ctx.store.items("Node")]

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        NodeLifecycle(ctx).sync(key, now)
        return DONE


class TaintEvictionLoop:
    """The taint eviction controller: a pod placed on a NoExecute-tainted node gets its eviction timer at once
    (while the controller manager runs); a node's taints set them in the node lifecycle controller's sync."""

    name = EVICTION
    kinds_watched = ("Pod",)
    controller_manager = True

    def heard(self, ctx: Context, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None
              ) -> Sequence[str]:
        node_name = placed_on(event_type, obj, old)
        if not node_name or not ctx.controller_manager_running():
            return ()
        node = ctx.store.get("Node", "", node_name)
        taints = no_execute_taints(node) if node is not None else None
        if taints:  # the common case, an untainted node, costs no more than this look (heard on every pod change)
            NodeLifecycle(ctx).schedule_eviction(obj, taints, ctx.now)
        return ()

    def resync(self, ctx: Context) -> list[str]:
        return []

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        NodeLifecycle(ctx).evict(key, now)
        return DONE


NODE_LIFECYCLE = NodeLifecycleLoop()
TAINT_EVICTION = TaintEvictionLoop()
