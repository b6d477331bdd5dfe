"""The core/v1 policy kinds of a namespace: ServiceAccount, ResourceQuota and LimitRange: registration,
defaulting (`pkg/apis/core/v1/defaults.go`) and validation (`pkg/apis/core/validation`) with upstream wording.
Their admission (the ServiceAccount, LimitRanger and ResourceQuota plugins) lives in `admission.py`, their
controllers in `controllers/serviceaccount.py` and `controllers/resourcequota.py`."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.errors import Cause
from cluster_engine.sim.objects import Kind, register
from cluster_engine.sim.quantity import QuantityError, parse_quantity, quantity_string
from cluster_engine.sim.validation import (
    dns1123_subdomain,
    forbidden,
    invalid,
    not_supported,
    qualified_name,
    required,
    validate_metadata,
    validate_metadata_update,
)

# pkg/apis/core/helper: the resources a quota may name without a "/" (standardQuotaResources)
STANDARD_QUOTA_RESOURCES = frozenset({
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage",
    "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "services",
    "replicationcontrollers", "resourcequotas", "secrets", "persistentvolumeclaims", "configmaps",
    "services.nodeports", "services.loadbalancers",
})
INTEGER_RESOURCES = frozenset({
    "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
    "persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
})
QUOTA_SCOPES = ["BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating", "PriorityClass",
                "Terminating"]
SCOPE_OPERATORS = ["DoesNotExist", "Exists", "In", "NotIn"]
LIMIT_TYPES = ["Container", "PersistentVolumeClaim", "Pod"]
INVALID_QUOTA_RESOURCE = "must be a standard resource for quota"


# --- ServiceAccount ------------------------------------------------------------------------------------
def validate_service_account(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateServiceAccount: a DNS subdomain name; referenced secrets need names."""
    causes = validate_metadata(obj, dns1123_subdomain, True)
    for key in ("secrets", "imagePullSecrets"):
        for index, ref in enumerate(obj.get(key) or []):
            if not ref.get("name"):
                causes.append(required(f"{key}[{index}].name"))
    if old is not None:
        causes += validate_metadata_update(obj, old)
    return causes


# --- ResourceQuota ----------------------------------------------------------------------------------------
def _quantity_causes(name: str, raw: Any, path: str, *, integer: bool) -> list[Cause]:
    try:
        value = parse_quantity(raw)
    except QuantityError:
        return []  # the decoder has refused it already
    causes = []
    if value < 0:
        causes.append(invalid(path, quantity_string(raw), "must be greater than or equal to 0"))
    if integer and value != value.to_integral_value():
        causes.append(invalid(path, quantity_string(raw), "must be an integer"))
    return causes


def _resource_name_causes(name: str, path: str) -> list[Cause]:
    """validateResourceName: a qualified name; a name without a prefix must be a standard one for quota."""
    causes = [invalid(path, name, msg) for msg in qualified_name(name)]
    if not causes and "/" not in name and name not in STANDARD_QUOTA_RESOURCES and not name.startswith(
        ("requests.hugepages-", "hugepages-")
    ):
        causes.append(invalid(path, name, INVALID_QUOTA_RESOURCE))
    return causes


def validate_resource_quota(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateResourceQuota / ...Update: standard resource names, non-negative (integer) amounts, known scopes."""
    causes = validate_metadata(obj, dns1123_subdomain, True)
    spec = obj.get("spec") or {}
    for name, raw in (spec.get("hard") or {}).items():
        path = f"spec.hard[{name}]"
        causes += _resource_name_causes(name, path)
        causes += _quantity_causes(name, raw, path, integer=name in INTEGER_RESOURCES)
    for index, scope in enumerate(spec.get("scopes") or []):
        if scope not in QUOTA_SCOPES:
            causes.append(not_supported(f"spec.scopes[{index}]", scope, QUOTA_SCOPES))
    for index, expression in enumerate((spec.get("scopeSelector") or {}).get("matchExpressions") or []):
        path = f"spec.scopeSelector.matchExpressions[{index}]"
        if expression.get("scopeName") not in QUOTA_SCOPES:
            causes.append(not_supported(f"{path}.scopeName", expression.get("scopeName", ""), QUOTA_SCOPES))
        operator = expression.get("operator", "")
        if operator not in SCOPE_OPERATORS:
            causes.append(not_supported(f"{path}.operator", operator, SCOPE_OPERATORS))
        elif operator in ("In", "NotIn") and not expression.get("values"):
            causes.append(required(f"{path}.values", "must be at least one value when `operator` is 'In' or 'NotIn' "
                                   "for scope selector"))
        elif operator in ("Exists", "DoesNotExist") and expression.get("values"):
            causes.append(invalid(f"{path}.values", expression.get("values"),
                                  "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"))
    if old is not None:
        causes += validate_metadata_update(obj, old)
    return causes


def quota_strategy(obj: dict[str, Any], old: dict[str, Any] | None) -> None:
    """PrepareForCreate: the status belongs to the quota controller and admission (an empty one until the
    controller fills it in, which Go serialises as `status: {}`)."""
    if old is None:
        obj["status"] = {}


# --- LimitRange ----------------------------------------------------------------------------------------
def default_limit_range(obj: dict[str, Any]) -> None:
    """SetDefaults_LimitRangeItem: a Container item's default limit falls back to its max, its default request
    to the default limit, then to its min."""
    for item in (obj.get("spec") or {}).get("limits") or []:
        if item.get("type") != "Container":
            continue
        default = dict(item.get("default") or {})
        for key, value in (item.get("max") or {}).items():
            default.setdefault(key, value)
        request = dict(item.get("defaultRequest") or {})
        for key, value in default.items():
            request.setdefault(key, value)
        for key, value in (item.get("min") or {}).items():
            request.setdefault(key, value)
        if default:
            item["default"] = default
        if request:
            item["defaultRequest"] = request


def _parsed(section: dict[str, Any] | None) -> dict[str, Any]:
    values = {}
    for key, raw in (section or {}).items():
        try:
            values[key] = parse_quantity(raw)
        except QuantityError:
            continue
    return values


def validate_limit_range(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateLimitRange: known types, no defaults on a Pod item, storage bounds on a claim item, and the
    ordering min <= defaultRequest <= default <= max with upstream's messages."""
    causes = validate_metadata(obj, dns1123_subdomain, True)
    for index, item in enumerate((obj.get("spec") or {}).get("limits") or []):
        path = f"spec.limits[{index}]"
        kind = item.get("type", "")
        if kind not in LIMIT_TYPES:
            causes.append(not_supported(f"{path}.type", kind, LIMIT_TYPES))
        sections = {key: item.get(key) or {} for key in ("max", "min", "default", "defaultRequest",
                                                          "maxLimitRequestRatio")}
        for key, section in sections.items():
            for name, raw in section.items():
                causes += [invalid(f"{path}.{key}[{name}]", name, msg) for msg in qualified_name(name)]
                causes += _quantity_causes(name, raw, f"{path}.{key}[{name}]", integer=False)
        if kind == "Pod":
            for key in ("default", "defaultRequest"):
                if sections[key]:
                    causes.append(forbidden(f"{path}.{key}", "may not be specified when `type` is 'Pod'"))
        if kind == "PersistentVolumeClaim" and "storage" not in sections["min"] and "storage" not in sections["max"]:
            causes.append(required(f"{path}.limits",
                                   "either minimum or maximum storage value is required, but neither was provided"))
        low, high = _parsed(sections["min"]), _parsed(sections["max"])
        default, request = _parsed(sections["default"]), _parsed(sections["defaultRequest"])
        text = {key: {name: quantity_string(raw) for name, raw in section.items() if name in values}
                for (key, section), values in zip(sections.items(), (high, low, default, request, {}), strict=True)}
        for name in sorted(set(low) | set(high) | set(default) | set(request)):
            def show(key: str, name: str = name, text: dict[str, dict[str, str]] = text) -> str:
                return text[key][name]

            if name in low and name in high and low[name] > high[name]:
                causes.append(invalid(f"{path}.min[{name}]", show("min"),
                                      f"min value {show('min')} is greater than max value {show('max')}"))
            if name in request and name in low and low[name] > request[name]:
                causes.append(invalid(f"{path}.defaultRequest[{name}]", show("defaultRequest"),
                                      f"min value {show('min')} is greater than default request value "
                                      f"{show('defaultRequest')}"))
            if name in request and name in high and request[name] > high[name]:
                causes.append(invalid(f"{path}.defaultRequest[{name}]", show("defaultRequest"),
                                      f"default request value {show('defaultRequest')} is greater than max value "
                                      f"{show('max')}"))
            if name in request and name in default and request[name] > default[name]:
                causes.append(invalid(f"{path}.defaultRequest[{name}]", show("defaultRequest"),
                                      f"default request value {show('defaultRequest')} is greater than default "
                                      f"limit value {show('default')}"))
            if name in default and name in low and low[name] > default[name]:
                causes.append(invalid(f"{path}.default[{name}]", show("min"),
                                      f"min value {show('min')} is greater than default value {show('default')}"))
            if name in default and name in high and default[name] > high[name]:
                causes.append(invalid(f"{path}.default[{name}]", show("max"),
                                      f"default value {show('default')} is greater than max value {show('max')}"))
    if old is not None:
        causes += validate_metadata_update(obj, old)
    return causes


# --- registration ----------------------------------------------------------------------------------------
SERVICEACCOUNT = register(
    Kind(
        "ServiceAccount",
        "serviceaccounts",
        "serviceaccount",
        short_names=("sa",),
        has_status=False,
        validate=validate_service_account,
    )
)
RESOURCEQUOTA = register(
    Kind(
        "ResourceQuota",
        "resourcequotas",
        "resourcequota",
        short_names=("quota",),
        validate=validate_resource_quota,
        strategy=quota_strategy,
    )
)
LIMITRANGE = register(
    Kind(
        "LimitRange",
        "limitranges",
        "limitrange",
        short_names=("limits",),
        has_status=False,
        validate=validate_limit_range,
        default=default_limit_range,
    )
)
