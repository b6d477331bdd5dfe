"""The autoscaling kind HorizontalPodAutoscaler, stored as autoscaling/v2 and also served as autoscaling/v1:
registration, defaulting (`pkg/apis/autoscaling/v2/defaults.go`), validation (`pkg/apis/autoscaling/validation`),
the v1 <-> v2 conversion with its round-trip annotations (`pkg/apis/autoscaling/v1/conversion.go`) and the
`kubectl get hpa` columns. The controller is `controllers/hpa.py`."""

from __future__ import annotations

import json
from typing import Any

from cluster_engine.sim import printers
from cluster_engine.sim.errors import Cause
from cluster_engine.sim.objects import Kind, Version, register
from cluster_engine.sim.quantity import QuantityError, parse_quantity
from cluster_engine.sim.schema import definition
from cluster_engine.sim.util import clone
from cluster_engine.sim.validation import (
    dns1123_subdomain,
    forbidden,
    invalid,
    not_supported,
    required,
    validate_metadata,
    validate_metadata_update,
)

DEFAULT_CPU_UTILIZATION = 80
METRIC_SPECS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics"
METRIC_STATUSES_ANNOTATION = "autoscaling.alpha.kubernetes.io/current-metrics"
CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions"
BEHAVIOR_ANNOTATION = "autoscaling.alpha.kubernetes.io/behavior"
ROUND_TRIP_ANNOTATIONS = (METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION, CONDITIONS_ANNOTATION,
                          BEHAVIOR_ANNOTATION)
METRIC_SOURCE_TYPES = ["Object", "Pods", "Resource", "ContainerResource", "External"]
_SOURCE_FIELD = {"Object": "object", "Pods": "pods", "Resource": "resource", "ContainerResource": "containerResource",
                 "External": "external"}
SELECT_POLICIES = ["Disabled", "Max", "Min"]
SCALING_POLICY_TYPES = ["Percent", "Pods"]
MAX_STABILIZATION_WINDOW = 3600
MAX_PERIOD_SECONDS = 1800
# the path-segment names a scaleTargetRef's kind and name may not be (path.IsValidPathSegmentName)
_BAD_SEGMENTS = (".", "..")
_BAD_SEGMENT_PARTS = ("/", "%")


# --- defaulting -------------------------------------------------------------------------------------------------
def scale_up_rules(rules: dict[str, Any] | None) -> dict[str, Any]:
    """GenerateHPAScaleUpRules: no stabilization, the larger of +4 pods or +100% per 15 s."""
    rules = clone(rules) if rules else {}
    rules.setdefault("stabilizationWindowSeconds", 0)
    rules.setdefault("selectPolicy", "Max")
    if not rules.get("policies"):
        rules["policies"] = [{"type": "Pods", "value": 4, "periodSeconds": 15},
                             {"type": "Percent", "value": 100, "periodSeconds": 15}]
    return rules


def scale_down_rules(rules: dict[str, Any] | None) -> dict[str, Any]:
    """GenerateHPAScaleDownRules: a 300 s stabilization window, then down to any size (-100% per 15 s)."""
    rules = clone(rules) if rules else {}
    rules.setdefault("stabilizationWindowSeconds", 300)
    rules.setdefault("selectPolicy", "Max")
    if not rules.get("policies"):
        rules["policies"] = [{"type": "Percent", "value": 100, "periodSeconds": 15}]
    return rules


def default_hpa(obj: dict[str, Any]) -> None:
    """SetDefaults_HorizontalPodAutoscaler: minReplicas 1, 80% CPU when no metric is given, and a given
    `behavior` completed with the default rules."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("minReplicas", 1)
    if not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": DEFAULT_CPU_UTILIZATION}}}]
    behavior = spec.get("behavior")
    if behavior is not None:
        behavior["scaleUp"] = scale_up_rules(behavior.get("scaleUp"))
        behavior["scaleDown"] = scale_down_rules(behavior.get("scaleDown"))


# --- validation -------------------------------------------------------------------------------------------------
def _segment_messages(value: str) -> list[str]:
    """path.IsValidPathSegmentName."""
    if value in _BAD_SEGMENTS:
        return [f"may not be '{value}'"]
    return [f"may not contain '{part}'" for part in _BAD_SEGMENT_PARTS if part in value]


def _positive_quantity(value: Any) -> bool:
    try:
        return parse_quantity(value) > 0
    except (QuantityError, TypeError, ValueError):
        return False


def _validate_target(target: dict[str, Any], path: str) -> list[Cause]:
    """validateMetricTarget."""
    causes: list[Cause] = []
    kind = target.get("type", "")
    if not kind:
        causes.append(required(f"{path}.type", "must specify a metric target type"))
    if kind not in ("Utilization", "Value", "AverageValue"):
        causes.append(invalid(f"{path}.type", kind, "must be either Utilization, Value, or AverageValue"))
    for key in ("value", "averageValue"):
        if target.get(key) is not None and not _positive_quantity(target[key]):
            causes.append(invalid(f"{path}.{key}", target[key], "must be positive"))
    utilization = target.get("averageUtilization")
    if utilization is not None and utilization < 1:
        causes.append(invalid(f"{path}.averageUtilization", utilization, "must be greater than 0"))
    return causes


def _validate_resource_source(source: dict[str, Any], path: str, *, container: bool) -> list[Cause]:
    """validateResourceSource / validateContainerResourceSource."""
    causes: list[Cause] = []
    if not source.get("name"):
        causes.append(required(f"{path}.name", "must specify a resource name"))
    if container and not source.get("container"):
        causes.append(required(f"{path}.container", "must specify a container"))
    target = source.get("target") or {}
    causes += _validate_target(target, f"{path}.target")
    if target.get("averageUtilization") is None and target.get("averageValue") is None:
        causes.append(required(f"{path}.target.averageUtilization",
                               "must set either a target raw value or a target utilization"))
    if target.get("averageUtilization") is not None and target.get("averageValue") is not None:
        causes.append(forbidden(f"{path}.target.averageValue",
                                "may not set both a target raw value and a target utilization"))
    return causes


def _validate_metric(metric: dict[str, Any], path: str) -> list[Cause]:
    """validateMetricSpec: a known type, its source (and only it), then the source's own fields."""
    causes: list[Cause] = []
    kind = metric.get("type", "")
    if not kind:
        causes.append(required(f"{path}.type", "must specify a metric source type"))
    if kind not in METRIC_SOURCE_TYPES:
        causes.append(not_supported(f"{path}.type", kind, METRIC_SOURCE_TYPES))
    present = [name for name in _SOURCE_FIELD.values() if metric.get(name) is not None]
    expected = _SOURCE_FIELD.get(kind, "")
    if expected and metric.get(expected) is None:
        causes.append(required(f"{path}.{expected}", "must populate information for the given metric source"))
    if len(present) != 1:
        causes += [forbidden(f"{path}.{name}", "must populate the given metric source only")
                   for name in sorted(present) if name != expected]
    if metric.get("resource") is not None:
        causes += _validate_resource_source(metric["resource"], f"{path}.resource", container=False)
    if metric.get("containerResource") is not None:
        causes += _validate_resource_source(metric["containerResource"], f"{path}.containerResource", container=True)
    for name in ("pods", "object", "external"):
        source = metric.get(name)
        if source is not None:
            if not (source.get("metric") or {}).get("name"):
                causes.append(required(f"{path}.{name}.metric.name", "must specify a metric name"))
            causes += _validate_target(source.get("target") or {}, f"{path}.{name}.target")
    return causes


def _validate_rules(rules: dict[str, Any] | None, path: str) -> list[Cause]:
    """validateScalingRules."""
    if rules is None:
        return []
    causes: list[Cause] = []
    window = rules.get("stabilizationWindowSeconds")
    if window is not None and window < 0:
        causes.append(invalid(f"{path}.stabilizationWindowSeconds", window, "must be greater than or equal to zero"))
    if window is not None and window > MAX_STABILIZATION_WINDOW:
        causes.append(invalid(f"{path}.stabilizationWindowSeconds", window,
                              f"must be less than or equal to {MAX_STABILIZATION_WINDOW}"))
    select = rules.get("selectPolicy")
    if select is not None and select not in SELECT_POLICIES:
        causes.append(not_supported(f"{path}.selectPolicy", select, SELECT_POLICIES))
    policies = rules.get("policies") or []
    if not policies:
        causes.append(required(f"{path}.policies", "must specify at least one Policy"))
    for index, policy in enumerate(policies):
        where = f"{path}.policies[{index}]"
        if policy.get("type") not in SCALING_POLICY_TYPES:
            causes.append(not_supported(f"{where}.type", policy.get("type", ""), SCALING_POLICY_TYPES))
        if (policy.get("value") or 0) <= 0:
            causes.append(invalid(f"{where}.value", policy.get("value", 0), "must be greater than zero"))
        period = policy.get("periodSeconds") or 0
        if period <= 0:
            causes.append(invalid(f"{where}.periodSeconds", period, "must be greater than zero"))
        if period > MAX_PERIOD_SECONDS:
            causes.append(invalid(f"{where}.periodSeconds", period,
                                  f"must be less than or equal to {MAX_PERIOD_SECONDS}"))
    return causes


def validate_hpa(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateHorizontalPodAutoscaler (and its update): replica bounds, then the target reference, then the
    metrics, then the behavior (each only once the one before is valid, as upstream)."""
    causes = validate_metadata(obj, dns1123_subdomain, True)
    spec = obj.get("spec") or {}
    minimum, maximum = spec.get("minReplicas"), spec.get("maxReplicas", 0)
    if minimum is not None and minimum < 1:
        causes.append(invalid("spec.minReplicas", minimum, "must be greater than or equal to 1"))
    if maximum < 1:
        causes.append(invalid("spec.maxReplicas", maximum, "must be greater than 0"))
    if minimum is not None and maximum < minimum:
        causes.append(invalid("spec.maxReplicas", maximum, "must be greater than or equal to `minReplicas`"))
    ref = spec.get("scaleTargetRef") or {}
    ref_causes: list[Cause] = []
    for key in ("kind", "name"):
        if not ref.get(key):
            ref_causes.append(required(f"spec.scaleTargetRef.{key}"))
        else:
            ref_causes += [invalid(f"spec.scaleTargetRef.{key}", ref[key], msg) for msg in _segment_messages(ref[key])]
    if ref_causes:
        causes += ref_causes
    else:
        metric_causes = [cause for index, metric in enumerate(spec.get("metrics") or [])
                         for cause in _validate_metric(metric, f"spec.metrics[{index}]")]
        behavior = spec.get("behavior") or {}
        causes += metric_causes or (_validate_rules(behavior.get("scaleUp"), "spec.behavior.scaleUp") +
                                    _validate_rules(behavior.get("scaleDown"), "spec.behavior.scaleDown"))
    if old is not None:
        causes += validate_metadata_update(obj, old)
    return causes


# --- autoscaling/v1 <-> v2 ------------------------------------------------------------------------------------------
def _is_cpu_utilization(metric: dict[str, Any]) -> bool:
    resource = metric.get("resource") or {}
    return (metric.get("type") == "Resource" and resource.get("name") == "cpu"
            and (resource.get("target") or {}).get("averageUtilization") is not None)


def _metric_spec_to_v1(metric: dict[str, Any]) -> dict[str, Any]:
    """A v2 MetricSpec in the alpha form the v1 annotation keeps (`targetAverageUtilization`, `targetValue`)."""
    kind = metric.get("type", "")
    out: dict[str, Any] = {"type": kind}
    source_field = _SOURCE_FIELD.get(kind, "")
    source = metric.get(source_field) or {}
    target = source.get("target") or {}
    if kind in ("Resource", "ContainerResource"):
        converted: dict[str, Any] = {"name": source.get("name", "")}
        if kind == "ContainerResource":
            converted["container"] = source.get("container", "")
        if target.get("averageUtilization") is not None:
            converted["targetAverageUtilization"] = target["averageUtilization"]
        if target.get("averageValue") is not None:
            converted["targetAverageValue"] = target["averageValue"]
    else:
        identifier = source.get("metric") or {}
        converted = {"metricName": identifier.get("name", "")}
        if identifier.get("selector") is not None:
            converted["selector" if kind != "External" else "metricSelector"] = identifier["selector"]
        if kind == "Object":
            converted["target"] = source.get("describedObject") or {}
            converted["targetValue"] = target.get("value")
            if target.get("averageValue") is not None:
                converted["averageValue"] = target["averageValue"]
        elif kind == "Pods":
            converted["targetAverageValue"] = target.get("averageValue")
        else:
            if target.get("value") is not None:
                converted["targetValue"] = target["value"]
            if target.get("averageValue") is not None:
                converted["targetAverageValue"] = target["averageValue"]
    out[source_field] = {key: value for key, value in converted.items() if value is not None}
    return out


def _metric_spec_from_v1(metric: dict[str, Any]) -> dict[str, Any]:
    kind = metric.get("type", "")
    source_field = _SOURCE_FIELD.get(kind, "")
    source = metric.get(source_field) or {}
    if kind in ("Resource", "ContainerResource"):
        converted: dict[str, Any] = {"name": source.get("name", "")}
        if kind == "ContainerResource":
            converted["container"] = source.get("container", "")
        if source.get("targetAverageUtilization") is not None:
            converted["target"] = {"type": "Utilization", "averageUtilization": source["targetAverageUtilization"]}
        else:
            converted["target"] = {"type": "AverageValue", "averageValue": source.get("targetAverageValue")}
    else:
        identifier = {"name": source.get("metricName", "")}
        selector = source.get("selector") or source.get("metricSelector")
        if selector is not None:
            identifier["selector"] = selector
        converted = {"metric": identifier}
        if kind == "Object":
            converted["describedObject"] = source.get("target") or {}
            converted["target"] = ({"type": "AverageValue", "averageValue": source["averageValue"]}
                                   if source.get("averageValue") is not None
                                   else {"type": "Value", "value": source.get("targetValue")})
        elif kind == "Pods":
            converted["target"] = {"type": "AverageValue", "averageValue": source.get("targetAverageValue")}
        else:
            converted["target"] = ({"type": "Value", "value": source["targetValue"]}
                                   if source.get("targetValue") is not None
                                   else {"type": "AverageValue", "averageValue": source.get("targetAverageValue")})
    return {"type": kind, source_field: converted}


def _metric_status_to_v1(status: dict[str, Any]) -> dict[str, Any]:
    kind = status.get("type", "")
    source_field = _SOURCE_FIELD.get(kind, "")
    source = status.get(source_field) or {}
    current = source.get("current") or {}
    if kind in ("Resource", "ContainerResource"):
        converted: dict[str, Any] = {"name": source.get("name", "")}
        if kind == "ContainerResource":
            converted["container"] = source.get("container", "")
        if current.get("averageUtilization") is not None:
            converted["currentAverageUtilization"] = current["averageUtilization"]
        converted["currentAverageValue"] = current.get("averageValue", "0")
    else:
        converted = {"metricName": (source.get("metric") or {}).get("name", "")}
        if kind == "Pods":
            converted["currentAverageValue"] = current.get("averageValue", "0")
        else:
            converted["currentValue"] = current.get("value", "0")
            if current.get("averageValue") is not None:
                converted["averageValue" if kind == "Object" else "currentAverageValue"] = current["averageValue"]
    return {"type": kind, source_field: converted}


def _metric_status_from_v1(status: dict[str, Any]) -> dict[str, Any]:
    kind = status.get("type", "")
    source_field = _SOURCE_FIELD.get(kind, "")
    source = status.get(source_field) or {}
    if kind in ("Resource", "ContainerResource"):
        converted: dict[str, Any] = {"name": source.get("name", "")}
        if kind == "ContainerResource":
            converted["container"] = source.get("container", "")
        current: dict[str, Any] = {"averageValue": source.get("currentAverageValue", "0")}
        if source.get("currentAverageUtilization") is not None:
            current["averageUtilization"] = source["currentAverageUtilization"]
        converted["current"] = current
    else:
        converted = {"metric": {"name": source.get("metricName", "")}}
        if kind == "Pods":
            converted["current"] = {"averageValue": source.get("currentAverageValue", "0")}
        else:
            converted["current"] = {"value": source.get("currentValue", "0")}
    return {"type": kind, source_field: converted}


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _annotation(meta: dict[str, Any], key: str) -> Any:
    text = (meta.get("annotations") or {}).get(key)
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def hpa_to_v1(obj: dict[str, Any]) -> dict[str, Any]:
    """Convert_autoscaling_HorizontalPodAutoscaler_To_v1: the CPU utilization target and current value become
    `targetCPUUtilizationPercentage` / `currentCPUUtilizationPercentage`; other metrics, the current metrics,
    the behavior and the conditions travel in the round-trip annotations."""
    out = clone(obj)
    out["apiVersion"] = "autoscaling/v1"
    meta = out.setdefault("metadata", {})
    annotations = {key: value for key, value in (meta.get("annotations") or {}).items()
                   if key not in ROUND_TRIP_ANNOTATIONS}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    v1_spec: dict[str, Any] = {key: spec[key] for key in ("scaleTargetRef", "minReplicas", "maxReplicas") if
                               key in spec}
    others = []
    for metric in spec.get("metrics") or []:
        if _is_cpu_utilization(metric):
            v1_spec.setdefault("targetCPUUtilizationPercentage", metric["resource"]["target"]["averageUtilization"])
        else:
            others.append(_metric_spec_to_v1(metric))
    out["spec"] = v1_spec
    v1_status: dict[str, Any] = {key: status[key] for key in ("observedGeneration", "lastScaleTime", "currentReplicas",
                                                              "desiredReplicas") if key in status}
    v1_status.setdefault("currentReplicas", 0)
    v1_status.setdefault("desiredReplicas", 0)
    for current in status.get("currentMetrics") or []:
        resource = current.get("resource") or {}
        utilization = (resource.get("current") or {}).get("averageUtilization")
        if current.get("type") == "Resource" and resource.get("name") == "cpu" and utilization is not None:
            v1_status["currentCPUUtilizationPercentage"] = utilization
            break
    if obj.get("status") is not None:
        out["status"] = v1_status
    if others:
        annotations[METRIC_SPECS_ANNOTATION] = _compact_json(others)
    if status.get("currentMetrics"):
        annotations[METRIC_STATUSES_ANNOTATION] = _compact_json(
            [_metric_status_to_v1(item) for item in status["currentMetrics"]])
    if spec.get("behavior") is not None:
        annotations[BEHAVIOR_ANNOTATION] = _compact_json(spec["behavior"])
    if status.get("conditions"):
        annotations[CONDITIONS_ANNOTATION] = _compact_json(status["conditions"])
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    return out


def hpa_from_v1(obj: dict[str, Any]) -> dict[str, Any]:
    """Convert_v1_HorizontalPodAutoscaler_To_autoscaling: the inverse of `hpa_to_v1`; the round-trip
    annotations are read and dropped."""
    out = clone(obj)
    out["apiVersion"] = "autoscaling/v2"
    meta = out.setdefault("metadata", {})
    spec = obj.get("spec") or {}
    status = obj.get("status")
    v2_spec: dict[str, Any] = {key: spec[key] for key in ("scaleTargetRef", "minReplicas", "maxReplicas") if
                               key in spec}
    metrics = []
    if spec.get("targetCPUUtilizationPercentage") is not None:
        metrics.append({"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": spec["targetCPUUtilizationPercentage"]}}})
    metrics += [_metric_spec_from_v1(item) for item in _annotation(meta, METRIC_SPECS_ANNOTATION) or []
                if isinstance(item, dict)]
    if metrics:
        v2_spec["metrics"] = metrics
    behavior = _annotation(meta, BEHAVIOR_ANNOTATION)
    if isinstance(behavior, dict):
        v2_spec["behavior"] = behavior
    out["spec"] = v2_spec
    if status is not None:
        v2_status = {key: status[key] for key in ("observedGeneration", "lastScaleTime", "currentReplicas",
                                                  "desiredReplicas") if key in status}
        current = [_metric_status_from_v1(item) for item in _annotation(meta, METRIC_STATUSES_ANNOTATION) or []
                   if isinstance(item, dict)]
        if current:
            v2_status["currentMetrics"] = current
        conditions = _annotation(meta, CONDITIONS_ANNOTATION)
        if isinstance(conditions, list):
            v2_status["conditions"] = conditions
        out["status"] = v2_status
    annotations = {key: value for key, value in (meta.get("annotations") or {}).items()
                   if key not in ROUND_TRIP_ANNOTATIONS}
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    return out


HPA = register(Kind("HorizontalPodAutoscaler", "horizontalpodautoscalers", "horizontalpodautoscaler",
                    group="autoscaling", version="v2", short_names=("hpa",), categories=("all",),
                    validate=validate_hpa, default=default_hpa, tracks_generation=True,
                    other_versions=(Version("v1", hpa_from_v1, hpa_to_v1),)))


# --- kubectl get hpa (printers.go: printHorizontalPodAutoscaler, formatHPAMetrics) ------------------------------------
def _quantity_text(value: Any) -> str:
    return str(value) if value is not None else "<unknown>"


def format_hpa_metrics(specs: list[dict[str, Any]] | None, statuses: list[dict[str, Any]] | None) -> str:
    """formatHPAMetrics: `cpu: 12%/50%` per metric (two at most, then `+ N more...`); `<unknown>` until the
    controller has read a current value; `<none>` without metrics."""
    specs, statuses = specs or [], statuses or []
    if not specs:
        return "<none>"
    parts: list[str] = []
    for index, spec in enumerate(specs):
        status = statuses[index] if index < len(statuses) else {}
        kind = spec.get("type")
        if kind in ("Resource", "ContainerResource"):
            field = _SOURCE_FIELD[kind]
            source = spec.get(field) or {}
            target = source.get("target") or {}
            current_source = status.get(field)
            current = (current_source or {}).get("current") or {}
            if target.get("averageValue") is not None:
                now = _quantity_text(current.get("averageValue")) if current_source else "<unknown>"
                parts.append(f"{source.get('name', '')}: {now}/{target['averageValue']}")
            else:
                now = (f"{current['averageUtilization']}%" if current_source and
                       current.get("averageUtilization") is not None else "<unknown>")
                goal = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
                parts.append(f"{source.get('name', '')}: {now}/{goal}")
        elif kind == "Pods":
            current = ((status.get("pods") or {}).get("current") or {}).get("averageValue")
            target = ((spec.get("pods") or {}).get("target") or {}).get("averageValue")
            parts.append(f"{_quantity_text(current) if status.get('pods') else '<unknown>'}/{target}")
        elif kind in ("Object", "External"):
            field = _SOURCE_FIELD[kind]
            target = (spec.get(field) or {}).get("target") or {}
            current = ((status.get(field) or {}).get("current") or {})
            if target.get("averageValue") is not None:
                now = _quantity_text(current.get("averageValue")) if status.get(field) else "<unknown>"
                parts.append(f"{now}/{target['averageValue']} (avg)")
            else:
                now = _quantity_text(current.get("value")) if status.get(field) else "<unknown>"
                parts.append(f"{now}/{target.get('value')}")
        else:
            parts.append("<unknown type>")
    if len(parts) > 2:
        return f"{', '.join(parts[:2])} + {len(parts) - 2} more..."
    return ", ".join(parts)


def _hpa_row(hpa: dict[str, Any], now: float) -> list[printers.Cell]:
    spec, status = hpa.get("spec") or {}, hpa.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    minimum = spec.get("minReplicas")
    return [hpa["metadata"]["name"], f"{ref.get('kind', '')}/{ref.get('name', '')}",
            format_hpa_metrics(spec.get("metrics"), status.get("currentMetrics")),
            "<unset>" if minimum is None else str(minimum), int(spec.get("maxReplicas", 0)),
            int(status.get("currentReplicas", 0) or 0), printers.since(hpa["metadata"].get("creationTimestamp"), now)]


def _doc(ref: str, field_name: str) -> str:
    return (definition(f"io.k8s.api.autoscaling.v2.{ref}").get("properties") or {}).get(field_name, {}).get(
        "description", "")


printers.PRINTERS["HorizontalPodAutoscaler"] = printers.Printer((
    printers.NAME,
    printers.Column("Reference", description=_doc("HorizontalPodAutoscalerSpec", "scaleTargetRef")),
    printers.Column("Targets", description=_doc("HorizontalPodAutoscalerSpec", "metrics")),
    printers.Column("MinPods", description=_doc("HorizontalPodAutoscalerSpec", "minReplicas")),
    printers.Column("MaxPods", description=_doc("HorizontalPodAutoscalerSpec", "maxReplicas")),
    printers.Column("Replicas", description=_doc("HorizontalPodAutoscalerStatus", "currentReplicas")),
    printers.AGE,
), _hpa_row)

