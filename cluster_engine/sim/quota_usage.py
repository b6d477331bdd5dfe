"""What an object costs a ResourceQuota: the usage evaluators of `pkg/quota/v1/evaluator/core` (pods, services,
persistent volume claims) and the generic object counter (`count/<resource>[.<group>]`), shared by the
ResourceQuota admission plugin (`admission.py`) and the quota controller (`controllers/resourcequota.py`).

Usage is a `{resource name: Decimal}` map; `used_text` prints it as a quota's `status.used` does.
(`quota.py` is something else: the sandbox's own size limits.)"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from . import objects
from .defaults import qos_class
from .kinds.storage import class_of
from .quantity import QuantityError, format_quantity, is_binary, parse_quantity

Usage = dict[str, Decimal]
CLASS_SUFFIX = ".storageclass.storage.k8s.io/"
# the pod evaluator's resources (podResources) and what a scoped quota may track (podComputeResources + pods)
POD_COMPUTE = ("cpu", "memory", "ephemeral-storage")
VALIDATION_SET = frozenset({"cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"})
_BINARY_RESOURCES = ("memory", "storage", "ephemeral-storage", "hugepages")
# the kinds with an evaluator of their own; every other kind is counted by `count/<plural>[.<group>]` alone
LEGACY_COUNTS = {"Pod": "pods", "Service": "services", "Secret": "secrets", "ConfigMap": "configmaps",
                 "PersistentVolumeClaim": "persistentvolumeclaims", "ResourceQuota": "resourcequotas"}


def count_name(kind: objects.Kind) -> str:
    """`count/<resource>.<group>` (`count/<resource>` for the core group)."""
    return f"count/{kind.plural}.{kind.group}" if kind.group else f"count/{kind.plural}"


def _amount(raw: Any) -> Decimal | None:
    try:
        return parse_quantity(raw)
    except QuantityError:
        return None


def _add(usage: Usage, name: str, value: Decimal) -> None:
    usage[name] = usage.get(name, Decimal(0)) + value


def _container_totals(pod: dict[str, Any], section: str) -> Usage:
    """`max(sum over containers, max over init containers)` per resource, as PodRequests/PodLimits compute."""
    spec = pod.get("spec") or {}
    total: Usage = {}
    for container in spec.get("containers") or []:
        for name, raw in ((container.get("resources") or {}).get(section) or {}).items():
            if (value := _amount(raw)) is not None:
                _add(total, name, value)
    for container in spec.get("initContainers") or []:
        for name, raw in ((container.get("resources") or {}).get(section) or {}).items():
            if (value := _amount(raw)) is not None and value > total.get(name, Decimal(0)):
                total[name] = value
    return total


def counts_against_quota(pod: dict[str, Any]) -> bool:
    """`QuotaV1Pod`: a pod that has finished (Succeeded or Failed) no longer uses its quota."""
    return (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")


def pod_usage(pod: dict[str, Any]) -> Usage:
    """`PodUsageFunc`: pods and count/pods, requests.* (and the bare names) and limits.* of its containers."""
    if not counts_against_quota(pod):
        return {}
    usage: Usage = {"pods": Decimal(1), "count/pods": Decimal(1)}
    for name, value in _container_totals(pod, "requests").items():
        usage[f"requests.{name}"] = value
        if name in POD_COMPUTE:
            usage[name] = value
    for name, value in _container_totals(pod, "limits").items():
        usage[f"limits.{name}"] = value
    return usage


def service_usage(service: dict[str, Any]) -> Usage:
    """services, services.nodeports (ports of a NodePort or LoadBalancer Service) and services.loadbalancers."""
    spec = service.get("spec") or {}
    usage: Usage = {"services": Decimal(1), "count/services": Decimal(1)}
    kind = spec.get("type", "ClusterIP")
    ports = len(spec.get("ports") or [])
    if kind == "NodePort" or (kind == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts", True)):
        usage["services.nodeports"] = Decimal(ports)
    if kind == "LoadBalancer":
        usage["services.loadbalancers"] = Decimal(1)
    return usage


def claim_usage(claim: dict[str, Any]) -> Usage:
    """persistentvolumeclaims, requests.storage, and the same per storage class."""
    usage: Usage = {"persistentvolumeclaims": Decimal(1), "count/persistentvolumeclaims": Decimal(1)}
    storage = _amount(((claim.get("spec") or {}).get("resources") or {}).get("requests", {}).get("storage", "0"))
    class_name = class_of(claim)
    if class_name:
        usage[f"{class_name}{CLASS_SUFFIX}persistentvolumeclaims"] = Decimal(1)
    if storage is not None:
        usage["requests.storage"] = storage
        if class_name:
            usage[f"{class_name}{CLASS_SUFFIX}requests.storage"] = storage
    return usage


def usage_of(kind: objects.Kind, obj: dict[str, Any]) -> Usage:
    """Everything `obj` charges to a quota in its namespace."""
    if kind.kind == "Pod":
        return pod_usage(obj)
    if kind.kind == "Service":
        return service_usage(obj)
    if kind.kind == "PersistentVolumeClaim":
        return claim_usage(obj)
    usage = {count_name(kind): Decimal(1)}
    if kind.kind in LEGACY_COUNTS:
        usage[LEGACY_COUNTS[kind.kind]] = Decimal(1)
    return usage


# --- scopes ------------------------------------------------------------------------------------------------
def scope_selectors(quota: dict[str, Any]) -> list[dict[str, Any]]:
    """`getScopeSelectorsFromQuota`: `spec.scopes` as Exists expressions, then `spec.scopeSelector`'s."""
    spec = quota.get("spec") or {}
    selectors = [{"scopeName": scope, "operator": "Exists"} for scope in spec.get("scopes") or []]
    return selectors + list((spec.get("scopeSelector") or {}).get("matchExpressions") or [])


def _pod_in_scope(selector: dict[str, Any], pod: dict[str, Any]) -> bool:
    spec = pod.get("spec") or {}
    scope = selector.get("scopeName")
    if scope == "Terminating":
        return spec.get("activeDeadlineSeconds") is not None
    if scope == "NotTerminating":
        return spec.get("activeDeadlineSeconds") is None
    if scope == "BestEffort":
        return qos_class(spec) == "BestEffort"
    if scope == "NotBestEffort":
        return qos_class(spec) != "BestEffort"
    if scope == "PriorityClass":
        name = spec.get("priorityClassName") or ""
        operator, values = selector.get("operator"), selector.get("values") or []
        return {
            "Exists": bool(name),
            "DoesNotExist": not name,
            "In": name in values,
            "NotIn": bool(name) and name not in values,
        }.get(operator, False)
    if scope == "CrossNamespacePodAffinity":
        return _cross_namespace_affinity(spec)
    return False


def _cross_namespace_affinity(spec: dict[str, Any]) -> bool:
    affinity = spec.get("affinity") or {}
    for kind in ("podAffinity", "podAntiAffinity"):
        section = affinity.get(kind) or {}
        terms = list(section.get("requiredDuringSchedulingIgnoredDuringExecution") or [])
        terms += [t.get("podAffinityTerm") or {} for t in section.get("preferredDuringSchedulingIgnoredDuringExecution")
                  or []]
        if any(t.get("namespaces") or t.get("namespaceSelector") is not None for t in terms):
            return True
    return False


def in_scope(quota: dict[str, Any], kind: objects.Kind, obj: dict[str, Any]) -> bool:
    """Whether `obj` falls within every scope of the quota; only pods can be in a scoped quota."""
    selectors = scope_selectors(quota)
    if not selectors:
        return True
    return kind.kind == "Pod" and all(_pod_in_scope(s, obj) for s in selectors)


# --- a namespace's usage -----------------------------------------------------------------------------------
def _kinds_for(resource: str) -> list[objects.Kind]:
    """The kinds whose objects a quota resource counts."""
    if resource.startswith("count/"):
        plural, _, group = resource[len("count/") :].partition(".")
        return [k for k in objects.all_kinds() if k.plural == plural and k.group == group and k.namespaced]
    if CLASS_SUFFIX in resource or resource in ("persistentvolumeclaims", "requests.storage"):
        return [objects.by_kind("PersistentVolumeClaim")]
    if resource.startswith("services"):
        return [objects.by_kind("Service")]
    legacy = {plural: kind for kind, plural in LEGACY_COUNTS.items()}
    if resource in legacy:
        return [objects.by_kind(legacy[resource])]
    return [objects.by_kind("Pod")]


def namespace_usage(store: Any, quota: dict[str, Any], resources: Iterable[str]) -> Usage:
    """The quota's `status.used` recomputed from the objects in its namespace, for `resources` (its hard ones)."""
    namespace = quota["metadata"]["namespace"]
    wanted = list(resources)
    used: Usage = dict.fromkeys(wanted, Decimal(0))
    kinds: dict[str, objects.Kind] = {}
    for resource in wanted:
        for kind in _kinds_for(resource):
            kinds[kind.kind] = kind
    for kind in kinds.values():
        for obj in store.items(kind.kind, namespace):
            if not in_scope(quota, kind, obj):
                continue
            for name, value in usage_of(kind, obj).items():
                if name in used:
                    used[name] += value
    return used


def is_binary_resource(name: str) -> bool:
    return any(part in name for part in _BINARY_RESOURCES)


def used_text(name: str, value: Decimal, hard: Any = None) -> str:
    """A usage amount as the quota's status prints it: binary (`256Mi`) for memory and storage when the hard
    limit is written that way, decimal (`500m`, `3`) otherwise."""
    binary = is_binary(hard) if isinstance(hard, str) else is_binary_resource(name)
    return format_quantity(value, binary=binary)


def matching_resources(kind: objects.Kind, hard: Iterable[str]) -> list[str]:
    """`MatchingResources`: the quota resources this kind's evaluator accounts for."""
    return [name for name in hard if _matches(kind.kind, name)]


def _matches(kind: str, name: str) -> bool:
    if name.startswith("count/"):
        return name == count_name(objects.by_kind(kind))
    if kind == "Pod":
        computed = name in ("pods", *POD_COMPUTE) or name.startswith(("requests.", "limits."))
        return computed and name != "requests.storage"
    if kind == "Service":
        return name.startswith("services")
    if kind == "PersistentVolumeClaim":
        return name in ("persistentvolumeclaims", "requests.storage") or CLASS_SUFFIX in name
    return LEGACY_COUNTS.get(kind) == name
