"""The scheduler's side of the cluster (`scheduler.SchedulerHost`): the writes kube-scheduler makes through the
api-server (binding, the `PodScheduled` condition, nominations, preemption, claims for its chosen node), the
Events it records, and the decision records a learner reads back (`explanation`).

The scheduler is handed this object, never the whole cluster: what it may change is listed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .conditions import set_condition
from .errors import Status, conflict, not_found
from .scheduler.volumes import SELECTED_NODE
from .util import clone, rfc3339

if TYPE_CHECKING:
    from .apiserver import ApiServer
    from .clock import Clock
    from .events import Recorder
    from .scheduler.explain import Record
    from .store import Store

SCHEDULER = "kube-scheduler"
EXPLANATIONS_KEPT = 10  # the last records of pods the scheduler bound
# Records of failed attempts are kept beside those, up to this many: a pod that waits is exactly the one a learner
# asks about, and ten later bindings must not drop the explanation of why it still waits.
FAILED_EXPLANATIONS_KEPT = 100


def rendered(explanation: dict[str, Any] | Record) -> dict[str, Any]:
    """A decision record as JSON: the scheduler's records render on demand (`to_dict()`), loaded ones are."""
    return explanation if isinstance(explanation, dict) else explanation.to_dict()


def _record_bound(explanation: dict[str, Any] | Record) -> bool:
    """Whether a decision record ends in a binding (its `result` names a node) rather than a failed attempt."""
    result = explanation.get("result") if isinstance(explanation, dict) else explanation.peek("result")
    return bool(isinstance(result, dict) and result.get("node"))


class SchedulingHost:
    """What kube-scheduler may do to one sandbox, at the clock's simulated time. `explanations` are the last
    decision records by `namespace/name` (JSON dicts once saved, the scheduler's lazily rendered records before)."""

    def __init__(
        self,
        store: Store,
        api: ApiServer,
        recorder: Recorder,
        clock: Clock,
        explanations: dict[str, dict[str, Any] | Record] | None = None,
    ) -> None:
        self.store = store
        self.api = api
        self.recorder = recorder
        self.clock = clock
        self.explanations: dict[str, dict[str, Any] | Record] = explanations if explanations is not None else {}

    def to_json(self) -> dict[str, dict[str, Any]]:
        """The kept decision records, rendered (the state document's `explanations`)."""
        return {key: rendered(record) for key, record in self.explanations.items()}

    def bind(self, namespace: str, name: str, node_name: str, explanation: Record) -> None:
        """`pods/binding` for the scheduler; records the Scheduled event (raises Status if refused)."""
        pod = self._bind(namespace, name, node_name, actor=SCHEDULER)
        self._explain(namespace, name, explanation)
        self.recorder.record(
            pod,
            "Normal",
            "Scheduled",
            f"Successfully assigned {namespace}/{name} to {node_name}",
            component="default-scheduler",
            actor=SCHEDULER,
            now=self.clock.now,
        )

    def create_binding(self, namespace: str, name: str, node_name: str, *, actor: str) -> dict[str, Any]:
        """POST pods/<name>/binding: sets spec.nodeName once (409 if already bound); returns a copy."""
        return clone(self._bind(namespace, name, node_name, actor=actor))

    def _bind(self, namespace: str, name: str, node_name: str, *, actor: str) -> dict[str, Any]:
        now = self.clock.now
        pod = self.store.get("Pod", namespace, name)
        if pod is None:
            raise not_found("pods", name)
        if pod["spec"].get("nodeName"):
            raise conflict(
                "pods/binding",
                name,
                why=f'pod {name} is already assigned to node "{pod["spec"]["nodeName"]}"',
            )
        if pod["metadata"].get("deletionTimestamp"):
            raise conflict(
                "pods/binding", name, why=f"pod {name} is being deleted, cannot be assigned to a host"
            )
        # Stored objects are never changed in place, so only the parts that change are copied: binding
        # thousands of pods must not deep-copy every one of them.
        status = {key: value for key, value in (pod.get("status") or {}).items() if key != "nominatedNodeName"}
        status["conditions"] = list(status.get("conditions") or [])
        new = {**pod, "spec": {**pod["spec"], "nodeName": node_name}, "status": status}
        set_condition(status, {"type": "PodScheduled", "status": "True", "lastTransitionTime": rfc3339(now)})
        return self.store.put("Pod", new, actor=actor, reason="Scheduled", verb="bind", now=now)

    def mark_unschedulable(self, namespace: str, name: str, message: str, explanation: Record) -> None:
        now = self.clock.now
        pod = self.store.get("Pod", namespace, name)
        if pod is None:
            return
        self._explain(namespace, name, explanation)
        new = clone(pod)
        set_condition(
            new.setdefault("status", {}),
            {
                "type": "PodScheduled",
                "status": "False",
                "lastTransitionTime": rfc3339(now),
                "reason": "Unschedulable",
                "message": message,
            },
        )
        if new != pod:
            self.store.put(
                "Pod", new, actor=SCHEDULER, reason="FailedScheduling", verb="update/status", now=now
            )
        self.recorder.record(
            self.store.get("Pod", namespace, name) or pod,
            "Warning",
            "FailedScheduling",
            message,
            component="default-scheduler",
            actor=SCHEDULER,
            now=now,
        )

    def nominate(self, namespace: str, name: str, node_name: str) -> None:
        pod = self.store.get("Pod", namespace, name)
        if pod is None or pod.get("status", {}).get("nominatedNodeName") == node_name:
            return
        new = clone(pod)
        new.setdefault("status", {})["nominatedNodeName"] = node_name
        self.store.put(
            "Pod", new, actor=SCHEDULER, reason="Nominated", verb="update/status", now=self.clock.now
        )

    def evict_for_preemption(self, namespace: str, name: str, preemptor: str) -> None:
        now = self.clock.now
        pod = self.store.get("Pod", namespace, name)
        if pod is None:
            return
        node = pod["spec"].get("nodeName", "")
        self.recorder.record(
            pod,
            "Normal",
            "Preempted",
            f"Preempted by pod {preemptor} on node {node}",
            component="default-scheduler",
            actor=SCHEDULER,
            now=now,
        )
        try:
            self.api.delete("Pod", name, namespace=namespace, actor=SCHEDULER, now=now, reason="Preempted")
        except Status:
            return

    def bind_claim(self, namespace: str, claim: str, node_name: str, volume: str) -> None:
        """VolumeBinding's PreBind for a claim that waits for its first consumer: a static `volume` is
        reserved for the claim (its claimRef, which the binder completes), else the claim is annotated with
        the chosen node for its class's provisioner. A refused write leaves the pod to be retried."""
        now = self.clock.now
        current = self.store.get("PersistentVolumeClaim", namespace, claim)
        if current is None:
            return
        try:
            if volume:
                pv = self.store.get("PersistentVolume", "", volume)
                if pv is None or (pv.get("spec") or {}).get("claimRef"):
                    return
                ref = {"kind": "PersistentVolumeClaim", "namespace": namespace, "name": claim, "apiVersion": "v1",
                       "uid": current["metadata"]["uid"], "resourceVersion": current["metadata"]["resourceVersion"]}
                annotations = {**(pv["metadata"].get("annotations") or {}),
                               "pv.kubernetes.io/bound-by-controller": "yes"}
                body = {**clone(pv), "apiVersion": "v1", "kind": "PersistentVolume",
                        "metadata": {**clone(pv["metadata"]), "annotations": annotations},
                        "spec": {**clone(pv["spec"]), "claimRef": ref}}
                self.api.update(body, actor=SCHEDULER, now=now)
            elif (current["metadata"].get("annotations") or {}).get(SELECTED_NODE) != node_name:
                annotate = {"metadata": {"annotations": {SELECTED_NODE: node_name}}}
                self.api.patch("PersistentVolumeClaim", claim, annotate, namespace=namespace, patch_type="merge",
                               actor=SCHEDULER, now=now)
        except Status:
            return

    def _explain(self, namespace: str, name: str, explanation: Record) -> None:
        """Keep `explanation` as the pod's latest record: the last EXPLANATIONS_KEPT records of bindings and the
        last FAILED_EXPLANATIONS_KEPT of failed attempts (oldest dropped first within each)."""
        key = f"{namespace}/{name}"
        self.explanations.pop(key, None)
        self.explanations[key] = explanation
        if len(self.explanations) <= EXPLANATIONS_KEPT:
            return
        bound = [k for k, record in self.explanations.items() if _record_bound(record)]
        failed = [k for k in self.explanations if k not in set(bound)]
        for keys, limit in ((bound, EXPLANATIONS_KEPT), (failed, FAILED_EXPLANATIONS_KEPT)):
            for stale in keys[: max(0, len(keys) - limit)]:
                del self.explanations[stale]

    def explanation(self, namespace: str, name: str) -> dict[str, Any] | None:
        """The scheduler's last decision record for a pod (per node verdicts and scores), if kept."""
        found = self.explanations.get(f"{namespace}/{name}")
        return clone(rendered(found)) if found is not None else None
