"""The horizontal pod autoscaler controller (`pkg/controller/podautoscaler/horizontal.go` and
`replica_calculator.go`): every 15 s (`--horizontal-pod-autoscaler-sync-period`) each HorizontalPodAutoscaler
reads its target's scale and the simulated metrics-server's figures for the target's pods (`sim/metrics.py`), and
sets the target's replicas to what upstream's algorithm gives:

- per metric, `desiredReplicas = ceil(currentReplicas * currentMetricValue / desiredMetricValue)` over the ready
  pods with metrics, unchanged within the 10 % tolerance; for CPU, pods not ready (or in their first five minutes
  without a full metrics window since they became ready) count as using nothing on a scale-up and are left out
  otherwise, pods without metrics count as using the target (scale-down) or nothing (scale-up), and a change
  that would turn the scaling direction round is dropped; the largest proposal of all metrics wins;
- then the bounds: `minReplicas`/`maxReplicas`, and without `spec.behavior` the scale-up limit (double, at least
  4) and the five-minute downscale stabilization window (the highest recommendation of the last 300 s); with a
  behavior, its stabilization windows and rate policies (`selectPolicy`, Pods / Percent per period).

It writes the target's `scale` subresource, the `SuccessfulRescale` Event (`New size: 3; reason: cpu resource
utilization (percentage of request) above target`), and the status with upstream's conditions (AbleToScale,
ScalingActive, ScalingLimited) and reasons. Its recent recommendations and scale events live in the controller
manager's memory (`Context.memory`), as upstream's do. Only HorizontalPodAutoscalers wake it: a cluster without
one pays nothing.

Simplified: only Resource and ContainerResource metrics (cpu, memory) have a source; Pods, Object and External
metrics fail as upstream does without a custom or external metrics API.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

from cluster_engine.sim import metrics, objects
from cluster_engine.sim.conditions import condition_of as pod_condition
from cluster_engine.sim.conditions import set_condition as write_condition
from cluster_engine.sim.errors import Status
from cluster_engine.sim.printers import selector_string
from cluster_engine.sim.quantity import QuantityError, cpu_millis, memory_bytes, parse_quantity
from cluster_engine.sim.schema import list_field
from cluster_engine.sim.selectors import Selector, parse_label_selector
from cluster_engine.sim.util import clone, parse_rfc3339, rfc3339

from . import DONE, Context, Result, split_key

NAME = "horizontal-pod-autoscaler"
KIND = "HorizontalPodAutoscaler"
SYNC_PERIOD = 15.0
TOLERANCE = 0.1
CPU_INITIALIZATION_PERIOD = 300.0
INITIAL_READINESS_DELAY = 30.0
DOWNSCALE_STABILIZATION = 300.0
SCALE_UP_LIMIT_FACTOR, SCALE_UP_LIMIT_MINIMUM = 2.0, 4.0
CONDITION_ORDER = ("AbleToScale", "ScalingActive", "ScalingLimited")


class MetricError(Exception):
    """A metric that could not be computed; `reason` and the message go into the ScalingActive condition."""

    def __init__(self, message: str, reason: str = "", statuses: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.statuses = statuses  # every metric's status so far, for the status written after the failure


class _StoreReader:
    """The reads `metrics.py` makes, answered from the store without copies (the controller only reads)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def get(self, kind: str, name: str, *, namespace: str = "default") -> dict[str, Any]:
        obj = self.store.get(kind, namespace if kind not in ("Node",) else "", name)
        if obj is None:
            raise Status(404, "NotFound", f'{kind} "{name}" not found')
        return obj

    def list(self, kind: str, *, namespace: str | None = None, label_selector: str = "",
             field_selector: str = "") -> dict[str, Any]:
        selector = parse_label_selector(label_selector) if label_selector else None
        items = [obj for obj in self.store.items(kind, namespace)
                 if selector is None or selector.matches(obj["metadata"].get("labels") or {})]
        return {"items": items}


# --- the target's scale -------------------------------------------------------------------------------------------
def _target(store: Any, namespace: str, ref: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The scale target's kind and object; raises a Status worded as upstream's scale client words it."""
    api_version = ref.get("apiVersion", "")
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    kind = objects.lookup(ref.get("kind", ""))
    if kind is None or kind.kind != ref.get("kind") or kind.group != group or list_field(
            kind.schema_ref, ("spec", "replicas")) is None:
        raise Status(404, "NotFound", f'unable to determine resource for scale target reference: no matches for kind '
                     f'"{ref.get("kind", "")}" in group "{group}"')
    obj = store.get(kind.kind, namespace, ref.get("name", ""))
    if obj is None:
        qualified = f"{kind.plural}.{kind.group}" if kind.group else kind.plural
        raise Status(404, "NotFound", f'{qualified} "{ref.get("name", "")}" not found')
    return kind, obj


# --- metrics and the replica calculator -----------------------------------------------------------------------------
def _pod_usage(item: dict[str, Any], resource: str, container: str) -> int:
    """A PodMetrics' usage of `resource` in millicores or milli-bytes (MilliValue), summed over its containers."""
    total = 0
    for entry in item.get("containers") or []:
        if container and entry.get("name") != container:
            continue
        raw = (entry.get("usage") or {}).get(resource)
        if raw is not None:
            total += int(parse_quantity(raw) * 1000)
    return total


def _requests(pods: list[dict[str, Any]], resource: str, container: str) -> dict[str, int]:
    """calculateRequests: each pod's requests of `resource` (milli), or MetricError for a container without one."""
    requests: dict[str, int] = {}
    for pod in pods:
        total = 0
        containers = list(pod["spec"].get("containers") or [])
        containers += [c for c in pod["spec"].get("initContainers") or [] if c.get("restartPolicy") == "Always"]
        for entry in containers:
            if container and entry.get("name") != container:
                continue
            raw = ((entry.get("resources") or {}).get("requests") or {}).get(resource)
            if raw is None:
                raise MetricError(f"missing request for {resource} in container {entry['name']} of Pod "
                                  f"{pod['metadata']['name']}")
            total += cpu_millis(raw) if resource == "cpu" else memory_bytes(raw) * 1000
        requests[pod["metadata"]["name"]] = total
    return requests


def _resource_metrics(store: Any, now: float, *, namespace: str, selector: str, resource: str,
                      container: str) -> tuple[dict[str, int], float]:
    """GetResourceMetric: usage per pod from the Metrics API, and the scrape time."""
    reader = _StoreReader(store)
    state = metrics.api_state(reader)
    if state != metrics.AVAILABLE:
        why = ("the server could not find the requested resource" if state == metrics.ABSENT
               else "the server is currently unable to handle the request")
        raise MetricError(f"unable to get metrics for resource {resource}: unable to fetch metrics from resource "
                          f"metrics API: {why} (get pods.metrics.k8s.io)")
    items = metrics.list_pod_metrics(reader, now, namespace=namespace, label_selector=selector)
    if not items:
        raise MetricError(f"unable to get metrics for resource {resource}: no metrics returned from resource metrics "
                          "API")
    return ({item["metadata"]["name"]: _pod_usage(item, resource, container) for item in items},
            metrics.scrape_time(now))


def _group_pods(pods: list[dict[str, Any]], usage: dict[str, int], resource: str, now: float,
                scrape: float) -> tuple[int, set[str], set[str], set[str]]:
    """groupPods: (ready pods with metrics, unready, missing metrics, ignored)."""
    ready, unready, missing, ignored = 0, set(), set(), set()
    window = float(metrics.WINDOW.rstrip("s"))
    for pod in pods:
        name = pod["metadata"]["name"]
        status = pod.get("status") or {}
        if pod["metadata"].get("deletionTimestamp") or status.get("phase") == "Failed":
            ignored.add(name)
            continue
        if status.get("phase") == "Pending":
            unready.add(name)
            continue
        if name not in usage:
            missing.add(name)
            continue
        if resource == "cpu":
            ready_condition = pod_condition(pod, "Ready")
            started = status.get("startTime")
            if ready_condition is None or not started:
                unready.add(name)
                continue
            start = parse_rfc3339(started)
            transition = parse_rfc3339(ready_condition.get("lastTransitionTime") or started)
            if start + CPU_INITIALIZATION_PERIOD > now:
                not_ready = ready_condition.get("status") == "False" or scrape < transition + window
            else:
                not_ready = ready_condition.get("status") == "False" and start + INITIAL_READINESS_DELAY > transition
            if not_ready:
                unready.add(name)
                continue
        ready += 1
    return ready, unready, missing, ignored


def _utilization(usage: dict[str, int], requests: dict[str, int], target: int) -> tuple[float, int, int]:
    """GetResourceUtilizationRatio: (ratio to the target, utilization %, average raw value)."""
    used = total = entries = 0
    for name, value in usage.items():
        if name in requests:
            used += value
            total += requests[name]
            entries += 1
    if total == 0:
        raise MetricError("no metrics returned matched known pods")
    utilization = used * 100 // total
    return utilization / target, utilization, used // entries


def resource_replicas(current: int, target: int, usage: dict[str, int], *, pods: list[dict[str, Any]],
                      requests: dict[str, int], resource: str, now: float, scrape: float) -> tuple[int, int, int]:
    """GetResourceReplicas for a utilization target: (replicas, utilization %, average raw usage)."""
    ready, unready, missing, ignored = _group_pods(pods, usage, resource, now, scrape)
    usage = {name: value for name, value in usage.items() if name not in ignored and name not in unready}
    if not usage:
        raise MetricError("did not receive metrics for targeted pods (pods might be unready)")
    ratio, utilization, raw = _utilization(usage, requests, target)
    scale_up_with_unready = bool(unready) and ratio > 1.0
    if not scale_up_with_unready and not missing:
        if abs(1.0 - ratio) <= TOLERANCE:
            return current, utilization, raw
        return math.ceil(ratio * ready), utilization, raw
    if missing:
        for name in missing:
            usage[name] = requests.get(name, 0) * max(100, target) // 100 if ratio < 1.0 else 0
    if scale_up_with_unready:
        for name in unready:
            usage[name] = 0
    new_ratio = _utilization(usage, requests, target)[0]
    if abs(1.0 - new_ratio) <= TOLERANCE or (ratio < 1.0 < new_ratio) or (new_ratio < 1.0 < ratio):
        return current, utilization, raw
    proposed = math.ceil(new_ratio * len(usage))
    if (new_ratio < 1.0 and proposed > current) or (new_ratio > 1.0 and proposed < current):
        return current, utilization, raw
    return proposed, utilization, raw


def raw_replicas(current: int, target_milli: int, usage: dict[str, int], *, pods: list[dict[str, Any]],
                 resource: str, now: float, scrape: float) -> tuple[int, int]:
    """GetRawResourceReplicas / calcPlainMetricReplicas for an AverageValue target: (replicas, average usage)."""
    ready, unready, missing, ignored = _group_pods(pods, usage, resource, now, scrape)
    usage = {name: value for name, value in usage.items() if name not in ignored and name not in unready}
    if not usage:
        raise MetricError("did not receive metrics for targeted pods (pods might be unready)")
    average = sum(usage.values()) // len(usage)
    ratio = average / target_milli
    scale_up_with_unready = bool(unready) and ratio > 1.0
    if not scale_up_with_unready and not missing:
        if abs(1.0 - ratio) <= TOLERANCE:
            return current, average
        return math.ceil(ratio * ready), average
    for name in missing:
        usage[name] = target_milli if ratio < 1.0 else 0
    if scale_up_with_unready:
        for name in unready:
            usage[name] = 0
    new_ratio = (sum(usage.values()) / len(usage)) / target_milli
    if abs(1.0 - new_ratio) <= TOLERANCE or (ratio < 1.0 < new_ratio) or (new_ratio < 1.0 < ratio):
        return current, average
    proposed = math.ceil(new_ratio * len(usage))
    if (new_ratio < 1.0 and proposed > current) or (new_ratio > 1.0 and proposed < current):
        return current, average
    return proposed, average


def _milli_text(milli: int) -> str:
    """resource.NewMilliQuantity(v, DecimalSI).String(): `250m`, `2`, `104857600`."""
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


# --- one HPA -----------------------------------------------------------------------------------------------------
def set_condition(status: dict[str, Any], kind: str, value: str, *, reason: str, message: str, now: float) -> None:
    """setCondition: replace the condition of that type in place (its transition time kept while its status is
    the same) or add it."""
    write_condition(status, {"type": kind, "status": value, "lastTransitionTime": rfc3339(now), "reason": reason,
                             "message": message})


class HorizontalController:
    name = NAME
    kinds_watched = (KIND,)

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        if old is not None and obj.get("spec") == old.get("spec"):
            return []  # its own status writes: the next periodic sync comes from the requeue
        meta = obj["metadata"]
        return [f"{meta['namespace']}/{meta['name']}"]

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        namespace, name = split_key(key)
        hpa = ctx.store.get(KIND, namespace, name)
        memory = ctx.memory_of(NAME)
        if hpa is None:
            memory.pop(key, None)
            return DONE
        with contextlib.suppress(Status):  # a refused write: the next sync tries again
            _Sync(ctx, hpa, key, now).run()
        return Result(requeue_after=SYNC_PERIOD)


class _Sync:
    """One reconcileAutoscaler pass."""

    def __init__(self, ctx: Context, hpa: dict[str, Any], key: str, now: float) -> None:
        self.ctx, self.hpa, self.key, self.now = ctx, hpa, key, now
        self.memory: dict[str, Any] = ctx.memory_of(NAME).setdefault(key, {"recommendations": [], "scaleUp": [],
                                                                           "scaleDown": []})
        self.status = clone(hpa.get("status") or {})
        self.spec = hpa.get("spec") or {}
        self.namespace = hpa["metadata"]["namespace"]

    def event(self, event_type: str, reason: str, message: str) -> None:
        self.ctx.event(self.hpa, event_type, reason, message, component=NAME, now=self.now)

    def condition(self, kind: str, value: str, reason: str, message: str) -> None:
        set_condition(self.status, kind, value, reason=reason, message=message, now=self.now)

    def run(self) -> None:
        ref = self.spec.get("scaleTargetRef") or {}
        try:
            target_kind, target = _target(self.ctx.store, self.namespace, ref)
        except Status as error:
            self.event("Warning", "FailedGetScale", error.message)
            self.condition("AbleToScale", "False", "FailedGetScale",
                           f"the HPA controller was unable to get the target's current scale: {error.message}")
            self._write(self.status.get("currentReplicas", 0), self.status.get("desiredReplicas", 0), None)
            return
        self.condition("AbleToScale", "True", "SucceededGetScale",
                       "the HPA controller was able to get the target's current scale")
        current = int((target.get("spec") or {}).get("replicas", 1))
        if not self.memory["recommendations"]:
            self.memory["recommendations"] = [[self.now, current]]  # recordInitialRecommendation
        minimum = int(self.spec.get("minReplicas", 1))
        maximum = int(self.spec.get("maxReplicas", 1))
        statuses: list[dict[str, Any]] | None = None
        reason = ""
        desired = 0
        if current == 0 and minimum != 0:
            self.condition("ScalingActive", "False", "ScalingDisabled",
                           "scaling is disabled since the replica count of the target is zero")
        elif current > maximum:
            reason, desired = "Current number of replicas above Spec.MaxReplicas", maximum
        elif current < minimum:
            reason, desired = "Current number of replicas below Spec.MinReplicas", minimum
        else:
            try:
                proposed, metric, statuses = self._compute(target, current)
            except MetricError as error:
                self.event("Warning", "FailedComputeMetricsReplicas", str(error))
                self._write(current, self.status.get("desiredReplicas", 0), error.statuses)
                return
            desired = proposed
            if desired > current:
                reason = f"{metric} above target"
            elif desired < current:
                reason = "All metrics below target"
            desired = (self._normalize(current, desired, minimum, maximum) if self.spec.get("behavior") is None else
                       self._normalize_with_behavior(current, desired, minimum, maximum))
        rescale = desired != current and not (current == 0 and minimum != 0)
        if rescale:
            try:
                self.ctx.api.patch(target_kind.kind, target["metadata"]["name"], {"spec": {"replicas": desired}},
                                   namespace=self.namespace, patch_type="merge", actor=NAME, now=self.now,
                                   subresource="scale", reason="SuccessfulRescale")
            except Status as error:
                self.event("Warning", "FailedRescale", f"New size: {desired}; reason: {reason}; error: {error.message}")
                self.condition("AbleToScale", "False", "FailedUpdateScale",
                               f"the HPA controller was unable to update the target scale: {error.message}")
                self._write(current, self.status.get("desiredReplicas", 0), statuses)
                return
            self.condition("AbleToScale", "True", "SucceededRescale",
                           f"the HPA controller was able to update the target scale to {desired}")
            self.event("Normal", "SuccessfulRescale", f"New size: {desired}; reason: {reason}")
            self._record_scale_event(current, desired)
            self.status["lastScaleTime"] = rfc3339(self.now)
        else:
            desired = current if not (current == 0 and minimum != 0) else 0
        self._write(current, desired, statuses)

    # --- metrics ---------------------------------------------------------------------------------------------
    def _compute(self, target: dict[str, Any], current: int) -> tuple[int, str, list[dict[str, Any]]]:
        """computeReplicasForMetrics: the largest proposal of the valid metrics, and every metric's status."""
        selector_text = _selector_text((target.get("spec") or {}).get("selector"))
        specs = self.spec.get("metrics") or []
        statuses: list[dict[str, Any]] = [{"type": ""} for _ in specs]
        if not selector_text:
            self.event("Warning", "SelectorRequired", "selector is required")
            self.condition("ScalingActive", "False", "InvalidSelector",
                           "the HPA target's scale is missing a selector")
            raise MetricError("selector is required", statuses=statuses)
        pods = [pod for pod in self.ctx.store.items("Pod", self.namespace)
                if _selector(selector_text).matches(pod["metadata"].get("labels") or {})]
        replicas, metric, invalid, first = 0, "", 0, None
        for index, spec in enumerate(specs):
            try:
                proposal, name, statuses[index] = self._metric(spec, current, pods, selector_text)
            except MetricError as error:
                invalid += 1
                if first is None:
                    first = error
                continue
            if replicas == 0 or proposal > replicas:
                replicas, metric = proposal, name
        if first is not None and (invalid >= len(specs) or replicas < current):
            self.condition("ScalingActive", "False", first.reason,
                           f"the HPA was unable to compute the replica count: {first}")
            raise MetricError(f"invalid metrics ({invalid} invalid out of {len(specs)}), first error is: "
                              f"{_wrapped(specs, first)}", statuses=statuses)
        self.condition("ScalingActive", "True", "ValidMetricFound",
                       f"the HPA was able to successfully calculate a replica count from {metric}")
        return replicas, metric, statuses

    def _metric(self, spec: dict[str, Any], current: int, pods: list[dict[str, Any]],
                selector: str) -> tuple[int, str, dict[str, Any]]:
        kind = spec.get("type")
        if kind not in ("Resource", "ContainerResource"):
            reason = {"Pods": "FailedGetPodsMetric", "Object": "FailedGetObjectMetric",
                      "External": "FailedGetExternalMetric"}.get(kind or "", "InvalidMetricSourceType")
            family = "external" if kind == "External" else "custom"
            source = spec.get({"Pods": "pods", "Object": "object", "External": "external"}.get(kind or "", "")) or {}
            metric_name = (source.get("metric") or {}).get("name", "")
            message = (f"unable to get metric {metric_name}: unable to fetch metrics from {family} metrics API: no "
                       f"{family} metrics API ({family}.metrics.k8s.io) registered" if kind in
                       ("Pods", "Object", "External") else f'unknown metric source type "{kind}"')
            self.event("Warning", reason, message)
            raise MetricError(message, reason)
        container = ""
        source = spec.get("resource") or {}
        if kind == "ContainerResource":
            source = spec.get("containerResource") or {}
            container = source.get("container", "")
        resource = source.get("name", "")
        target = source.get("target") or {}
        reason = "FailedGetResourceMetric" if kind == "Resource" else "FailedGetContainerResourceMetric"
        try:
            usage, scrape = _resource_metrics(self.ctx.store, self.now, namespace=self.namespace, selector=selector,
                                              resource=resource, container=container)
            if not pods:
                raise MetricError("no pods returned by selector while calculating replica count")
            if target.get("averageValue") is not None:
                target_milli = int(parse_quantity(target["averageValue"]) * 1000)
                replicas, average = raw_replicas(current, target_milli, usage, pods=pods, resource=resource,
                                                 now=self.now, scrape=scrape)
                current_value: dict[str, Any] = {"averageValue": _milli_text(average)}
                name = f"{resource} resource" if kind == "Resource" else f"{resource} container resource"
            else:
                utilization_target = target.get("averageUtilization")
                if utilization_target is None:
                    raise MetricError("invalid resource metric source: neither an average utilization target nor an "
                                      "average value (usage) target was set")
                requests = _requests(pods, resource, container)
                replicas, utilization, raw = resource_replicas(current, int(utilization_target), usage, pods=pods,
                                                               requests=requests, resource=resource, now=self.now,
                                                               scrape=scrape)
                current_value = {"averageValue": _milli_text(raw), "averageUtilization": utilization}
                name = (f"{resource} resource utilization (percentage of request)" if kind == "Resource" else
                        f"{resource} container resource utilization (percentage of request)")
        except (MetricError, QuantityError) as error:
            what = "usage" if target.get("averageValue") is not None else "utilization"
            message = f"failed to get {resource} {what}: {error}"
            self.event("Warning", reason, message)
            raise MetricError(message, reason) from error
        field = "resource" if kind == "Resource" else "containerResource"
        status_source: dict[str, Any] = {"name": resource}
        if container:
            status_source["container"] = container
        status_source["current"] = {key: current_value[key] for key in ("averageValue", "averageUtilization")
                                    if key in current_value}
        return replicas, name, {"type": kind, field: status_source}

    # --- normalization ---------------------------------------------------------------------------------------
    def _normalize(self, current: int, desired: int, minimum: int, maximum: int) -> int:
        """normalizeDesiredReplicas: the five-minute downscale stabilization, then the bounds and the scale-up
        limit."""
        cutoff = self.now - DOWNSCALE_STABILIZATION
        stabilized = desired
        records = self.memory["recommendations"]
        old_index = None
        for index, (stamp, value) in enumerate(records):
            if stamp < cutoff:
                old_index = index
            elif value > stabilized:
                stabilized = value
        if old_index is not None:
            records[old_index] = [self.now, desired]
        else:
            records.append([self.now, desired])
        if stabilized != desired:
            self.condition("AbleToScale", "True", "ScaleDownStabilized", "recent recommendations were higher than "
                           "current one, applying the highest recent recommendation")
        else:
            self.condition("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size")
        limit = int(max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM))
        if maximum > limit:
            allowed_max, why, message = limit, "ScaleUpLimit", ("the desired replica count is increasing faster than "
                                                                "the maximum scale rate")
        else:
            allowed_max, why, message = maximum, "TooManyReplicas", ("the desired replica count is more than the "
                                                                     "maximum replica count")
        result, why, message = ((minimum, "TooFewReplicas", "the desired replica count is less than the minimum "
                                 "replica count") if stabilized < minimum else (allowed_max, why, message)
                                if stabilized > allowed_max else (stabilized, "DesiredWithinRange",
                                                                   "the desired count is within the acceptable range"))
        self.condition("ScalingLimited", "False" if result == stabilized else "True", why, message)
        return result

    def _normalize_with_behavior(self, current: int, desired: int, minimum: int, maximum: int) -> int:
        """normalizeDesiredReplicasWithBehaviors: the rules' stabilization windows, then their rate limits."""
        behavior = self.spec.get("behavior") or {}
        up, down = behavior.get("scaleUp") or {}, behavior.get("scaleDown") or {}
        up_cutoff = self.now - float(up.get("stabilizationWindowSeconds", 0))
        down_cutoff = self.now - float(down.get("stabilizationWindowSeconds", DOWNSCALE_STABILIZATION))
        up_value = down_value = desired
        records = self.memory["recommendations"]
        old_index = None
        for index, (stamp, value) in enumerate(records):
            if stamp > up_cutoff:
                up_value = min(value, up_value)
            if stamp > down_cutoff:
                down_value = max(value, down_value)
            if stamp < up_cutoff and stamp < down_cutoff:
                old_index = index
        stabilized = min(max(current, up_value), down_value)
        if old_index is not None:
            records[old_index] = [self.now, desired]
        else:
            records.append([self.now, desired])
        if stabilized != desired:
            if desired >= current:
                self.condition("AbleToScale", "True", "ScaleUpStabilized", "recent recommendations were lower than "
                               "current one, applying the lowest recent recommendation")
            else:
                self.condition("AbleToScale", "True", "ScaleDownStabilized", "recent recommendations were higher "
                               "than current one, applying the highest recent recommendation")
        else:
            self.condition("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size")
        result, why, message = stabilized, "DesiredWithinRange", "the desired count is within the acceptable range"
        if stabilized > current:
            limit = max(self._rate_limit(current, up, scale_up=True), current)
            if maximum > limit:
                allowed, why, message = limit, "ScaleUpLimit", ("the desired replica count is increasing faster than "
                                                                "the maximum scale rate")
            else:
                allowed, why, message = maximum, "TooManyReplicas", ("the desired replica count is more than the "
                                                                     "maximum replica count")
            if stabilized > allowed:
                result = allowed
            else:
                why, message = "DesiredWithinRange", "the desired count is within the acceptable range"
        elif stabilized < current:
            limit = min(self._rate_limit(current, down, scale_up=False), current)
            if minimum < limit:
                allowed, why, message = limit, "ScaleDownLimit", ("the desired replica count is decreasing faster "
                                                                  "than the maximum scale rate")
            else:
                allowed, why, message = minimum, "TooFewReplicas", ("the desired replica count is less than the "
                                                                    "minimum replica count")
            if stabilized < allowed:
                result = allowed
            else:
                why, message = "DesiredWithinRange", "the desired count is within the acceptable range"
        self.condition("ScalingLimited", "False" if result == stabilized else "True", why, message)
        return result

    def _changes_within(self, events: list[list[float]], period: float) -> int:
        return int(sum(change for stamp, change in events if stamp > self.now - period))

    def _rate_limit(self, current: int, rules: dict[str, Any], *, scale_up: bool) -> int:
        """calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors."""
        select = rules.get("selectPolicy", "Max")
        if select == "Disabled":
            return current
        pick = (min if select == "Min" else max) if scale_up else (max if select == "Min" else min)
        result: int | None = None
        for policy in rules.get("policies") or []:
            period = float(policy.get("periodSeconds", 15))
            start = (current - self._changes_within(self.memory["scaleUp"], period)
                     + self._changes_within(self.memory["scaleDown"], period))
            value = int(policy.get("value", 0))
            if policy.get("type") == "Pods":
                proposed = start + value if scale_up else start - value
            elif scale_up:
                proposed = math.ceil(start * (1 + value / 100))
            else:
                proposed = int(start * (1 - value / 100))
            result = proposed if result is None else pick(result, proposed)
        return current if result is None else result

    def _record_scale_event(self, current: int, desired: int) -> None:
        """storeScaleEvent (only with a behavior): the change, kept as long as the longest policy period."""
        behavior = self.spec.get("behavior")
        if behavior is None:
            return
        up = desired > current
        rules = behavior.get("scaleUp" if up else "scaleDown") or {}
        longest = max((float(p.get("periodSeconds", 15)) for p in rules.get("policies") or []), default=0.0)
        events = self.memory["scaleUp" if up else "scaleDown"]
        events[:] = [event for event in events if event[0] > self.now - longest]
        events.append([self.now, abs(desired - current)])

    # --- status ------------------------------------------------------------------------------------------------
    def _write(self, current: int, desired: int, statuses: list[dict[str, Any]] | None) -> None:
        """setStatus and updateStatusIfNeeded."""
        status: dict[str, Any] = {}
        if self.hpa["metadata"].get("generation"):
            status["observedGeneration"] = self.hpa["metadata"]["generation"]
        if self.status.get("lastScaleTime"):
            status["lastScaleTime"] = self.status["lastScaleTime"]
        status["currentReplicas"] = int(current)
        status["desiredReplicas"] = int(desired)
        if statuses:
            status["currentMetrics"] = statuses
        order = {kind: index for index, kind in enumerate(CONDITION_ORDER)}
        conditions = self.status.get("conditions") or []
        status["conditions"] = sorted(conditions, key=lambda c: order.get(c.get("type", ""), len(order)))
        if status == (self.hpa.get("status") or {}):
            return
        body = clone(self.hpa)
        body["status"] = status
        self.ctx.api.update_status(body, actor=NAME, now=self.now)


def _selector_text(selector: dict[str, Any] | None) -> str:
    return selector_string(selector)


def _selector(text: str) -> Selector:
    return parse_label_selector(text)


def _wrapped(specs: list[dict[str, Any]], error: MetricError) -> str:
    """computeReplicasForMetric's wrapping of a Resource metric's error (`failed to get cpu resource metric value:
    ...`); other sources' errors pass as they are."""
    text = str(error)
    for spec in specs:
        if spec.get("type") in ("Resource", "ContainerResource"):
            source = spec.get("resource") or spec.get("containerResource") or {}
            if text.startswith(f"failed to get {source.get('name', '')} "):
                label = "resource" if spec.get("type") == "Resource" else "container resource"
                return f"failed to get {source.get('name', '')} {label} metric value: {text}"
    return text


CONTROLLER = HorizontalController()
