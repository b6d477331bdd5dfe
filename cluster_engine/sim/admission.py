"""The admission plugins of the simulated kube-apiserver that read other objects, in upstream's order
(`pkg/kubeapiserver/options/plugins.go`): LimitRanger, ServiceAccount, DefaultStorageClass and
StorageObjectInUseProtection mutate; LimitRanger and ResourceQuota validate. (Priority, DefaultTolerationSeconds
and the token volume are `defaults.admit_pod` and `ApiServer._admit_priority`.)

Refusals are 403 Forbidden with upstream's words (`admission.NewForbidden`): `pods "x" is forbidden: <why>`. A
mutating plugin sees the name the request carried (a `generateName` prefix when the name is generated), a
validating one the generated name, as upstream's handler and `rest.BeforeCreate` order them. ResourceQuota
admission returns the quotas' new `status.used`, which the api-server writes once the object is stored, as
upstream's quota accessor does; the quota controller recomputes it from the objects later.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import quota_usage
from .errors import Status
from .kinds.storage import BETA_CLASS_ANNOTATION, is_default_class
from .objects import Kind
from .quantity import QuantityError, format_quantity, parse_quantity, quantity_string
from .store import Store

LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
DEFAULT_SERVICE_ACCOUNT = "default"


def forbidden(kind: Kind, name: str, why: str) -> Status:
    """`admission.NewForbidden`: 403 `<resource> "<name>" is forbidden: <why>`."""
    details: dict[str, Any] = {"name": name, "kind": kind.plural}
    if kind.group:
        details["group"] = kind.group
    return Status(403, "Forbidden", f'{kind.qualified_plural} "{name}" is forbidden: {why}', details)


def _aggregate(errors: list[str]) -> str:
    """`utilerrors.NewAggregate(...).Error()`: one error as is, several as `[a, b]`."""
    return errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"


# --- mutating ----------------------------------------------------------------------------------------------
def mutate(
    store: Store, kind: Kind, obj: dict[str, Any], *, request_name: str, default_account_coming: bool
) -> dict[str, Any] | None:
    """Run the mutating plugins on a create. Returns the pod's ServiceAccount (None for other kinds), whose
    `automountServiceAccountToken` decides the token volume. `default_account_coming`: the ServiceAccount
    controller runs, so a missing `default` account is one it is about to create (upstream's plugin waits
    for it), not a refusal."""
    namespace = obj["metadata"].get("namespace", "")
    if kind.kind == "Pod":
        _limit_ranger_defaults(store, namespace, obj)
        return _service_account(store, kind, obj, request_name=request_name,
                                default_account_coming=default_account_coming)
    if kind.kind == "PersistentVolumeClaim":
        _default_storage_class(store, obj)
        _protect(obj, PVC_PROTECTION)
    elif kind.kind == "PersistentVolume":
        _protect(obj, PV_PROTECTION)
    return None


def _protect(obj: dict[str, Any], finalizer: str) -> None:
    """StorageObjectInUseProtection: claims and volumes carry a finalizer their protection controller lifts."""
    finalizers = obj["metadata"].setdefault("finalizers", [])
    if finalizer not in finalizers:
        finalizers.append(finalizer)


def _default_storage_class(store: Store, claim: dict[str, Any]) -> None:
    """DefaultStorageClass: a claim that names no class (the field absent, not `""`) gets the default one; with
    several defaults, the newest (`GetDefaultClass`)."""
    spec = claim.setdefault("spec", {})
    if "storageClassName" in spec or BETA_CLASS_ANNOTATION in (claim["metadata"].get("annotations") or {}):
        return
    defaults = [sc for sc in store.items("StorageClass") if is_default_class(sc)]
    if defaults:
        newest = max(defaults, key=lambda sc: (sc["metadata"].get("creationTimestamp", ""), sc["metadata"]["name"]))
        spec["storageClassName"] = newest["metadata"]["name"]


def _service_account(store: Store, kind: Kind, pod: dict[str, Any], *, request_name: str,
                     default_account_coming: bool) -> dict[str, Any]:
    """The ServiceAccount plugin's lookup: a pod may only name an account that exists in its namespace."""
    spec = pod["spec"]
    namespace = pod["metadata"].get("namespace", "")
    name = spec.get("serviceAccountName") or DEFAULT_SERVICE_ACCOUNT
    account = store.get("ServiceAccount", namespace, name)
    if account is not None:
        return account
    if name == DEFAULT_SERVICE_ACCOUNT and default_account_coming:
        return {"metadata": {"name": name, "namespace": namespace}}
    raise forbidden(kind, request_name, f'error looking up service account {namespace}/{name}: serviceaccount '
                                        f'"{name}" not found')


# --- LimitRanger -------------------------------------------------------------------------------------------
def _limit_items(store: Store, namespace: str, limit_type: str) -> list[dict[str, Any]]:
    return [item for lr in store.items("LimitRange", namespace) for item in (lr.get("spec") or {}).get("limits") or []
            if item.get("type") == limit_type]


def _limit_ranger_defaults(store: Store, namespace: str, pod: dict[str, Any]) -> None:
    """`defaultContainerResourceRequirements` + `mergeContainerResources`: each container gets the Container
    items' default limits and requests it does not set, and the pod an annotation naming what was set."""
    items = _limit_items(store, namespace, "Container")
    if not items:
        return
    default_limits: dict[str, Any] = {}
    default_requests: dict[str, Any] = {}
    for item in items:
        default_limits.update(item.get("default") or {})
        default_requests.update(item.get("defaultRequest") or {})
    notes: list[str] = []
    spec = pod["spec"]
    for prefix, containers in (("container", spec.get("containers") or []),
                               ("init container", spec.get("initContainers") or [])):
        for container in containers:
            resources = container.setdefault("resources", {})
            limits = resources.setdefault("limits", {})
            requests = resources.setdefault("requests", {})
            set_limits = [name for name in default_limits if name not in limits]
            set_requests = [name for name in default_requests if name not in requests]
            for name in set_limits:
                limits[name] = default_limits[name]
            for name in set_requests:
                requests[name] = default_requests[name]
            for section in ("limits", "requests"):
                if not resources[section]:
                    resources.pop(section)
            if set_requests:
                notes.append(f"{', '.join(sorted(set_requests))} request for {prefix} {container.get('name', '')}")
            if set_limits:
                notes.append(f"{', '.join(sorted(set_limits))} limit for {prefix} {container.get('name', '')}")
    if notes:
        pod["metadata"].setdefault("annotations", {})[LIMIT_RANGER_ANNOTATION] = (
            "LimitRanger plugin set: " + "; ".join(notes)
        )


def _quantity(raw: Any) -> Decimal | None:
    try:
        return parse_quantity(raw)
    except QuantityError:
        return None


def _enforce(limit_type: str, item: dict[str, Any], requests: dict[str, Any], limits: dict[str, Any]) -> list[str]:
    """minConstraint, maxConstraint and limitRequestRatioConstraint of one LimitRange item."""
    errors = []
    for name, enforced_raw in (item.get("min") or {}).items():
        enforced, text = _quantity(enforced_raw), quantity_string(enforced_raw)
        request, limit = requests.get(name), limits.get(name)
        if request is None:
            errors.append(f"minimum {name} usage per {limit_type} is {text}.  No request is specified")
        elif enforced is not None and (_quantity(request) or 0) < enforced:
            errors.append(f"minimum {name} usage per {limit_type} is {text}, but request is "
                          f"{quantity_string(request)}")
        elif limit is not None and enforced is not None and (_quantity(limit) or 0) < enforced:
            errors.append(f"minimum {name} usage per {limit_type} is {text}, but limit is {quantity_string(limit)}")
    for name, enforced_raw in (item.get("max") or {}).items():
        enforced, text = _quantity(enforced_raw), quantity_string(enforced_raw)
        request, limit = requests.get(name), limits.get(name)
        if limit is None:
            errors.append(f"maximum {name} usage per {limit_type} is {text}.  No limit is specified")
        elif enforced is not None and (_quantity(limit) or 0) > enforced:
            errors.append(f"maximum {name} usage per {limit_type} is {text}, but limit is {quantity_string(limit)}")
        elif request is not None and enforced is not None and (_quantity(request) or 0) > enforced:
            errors.append(f"maximum {name} usage per {limit_type} is {text}, but request is "
                          f"{quantity_string(request)}")
    for name, enforced_raw in (item.get("maxLimitRequestRatio") or {}).items():
        enforced, text = _quantity(enforced_raw) or Decimal(0), quantity_string(enforced_raw)
        request, limit = _quantity(requests.get(name, 0)) or 0, _quantity(limits.get(name, 0)) or 0
        if not request:
            errors.append(f"{name} max limit to request ratio per {limit_type} is {text}, but no request is specified "
                          "or request is 0")
        elif not limit:
            errors.append(f"{name} max limit to request ratio per {limit_type} is {text}, but no limit is specified "
                          "or limit is 0")
        elif limit / request > enforced:
            errors.append(f"{name} max limit to request ratio per {limit_type} is {text}, but provided ratio is "
                          f"{float(limit / request):f}")
    return errors


def _pod_totals(pod: dict[str, Any], section: str) -> dict[str, Any]:
    """A Pod item's view of the pod: the sum over its containers, only for resources every container sets."""
    containers = (pod.get("spec") or {}).get("containers") or []
    totals: dict[str, Decimal] = {}
    for name in {n for c in containers for n in ((c.get("resources") or {}).get(section) or {})}:
        values = [_quantity(((c.get("resources") or {}).get(section) or {}).get(name)) for c in containers]
        if all(v is not None for v in values):
            totals[name] = sum(values, Decimal(0))  # type: ignore[arg-type]
    return {name: format_quantity(value, binary=quota_usage.is_binary_resource(name)) for name, value in totals.items()}


def _limit_ranger_validate(store: Store, kind: Kind, obj: dict[str, Any]) -> list[str]:
    namespace = obj["metadata"].get("namespace", "")
    errors: list[str] = []
    if kind.kind == "Pod":
        for item in _limit_items(store, namespace, "Container"):
            for container in (obj["spec"].get("containers") or []) + (obj["spec"].get("initContainers") or []):
                resources = container.get("resources") or {}
                errors += _enforce("Container", item, resources.get("requests") or {}, resources.get("limits") or {})
        for item in _limit_items(store, namespace, "Pod"):
            errors += _enforce("Pod", item, _pod_totals(obj, "requests"), _pod_totals(obj, "limits"))
    elif kind.kind == "PersistentVolumeClaim":
        requests = ((obj.get("spec") or {}).get("resources") or {}).get("requests") or {}
        for item in _limit_items(store, namespace, "PersistentVolumeClaim"):
            # minConstraint on the requests alone, and maxRequestConstraint: a claim's limits are not user input
            errors += _enforce("PersistentVolumeClaim", {"min": item.get("min") or {}}, requests, {})
            for name, enforced_raw in (item.get("max") or {}).items():
                text, request = quantity_string(enforced_raw), requests.get(name)
                if request is None:
                    errors.append(f"maximum {name} usage per PersistentVolumeClaim is {text}.  No request is "
                                  "specified")
                elif (_quantity(request) or 0) > (_quantity(enforced_raw) or 0):
                    errors.append(f"maximum {name} usage per PersistentVolumeClaim is {text}, but request is "
                                  f"{quantity_string(request)}")
    return errors


# --- ResourceQuota -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Charge:
    """A quota whose `status.used` grows by this request, to be written once the object is stored."""

    namespace: str
    name: str
    used: dict[str, str]


def _pretty(usage: dict[str, str]) -> str:
    return ",".join(f"{key}={usage[key]}" for key in sorted(usage))


def _missing_requests(pod: dict[str, Any], restricted: set[str]) -> str:
    """The pod evaluator's `Constraints`: with cpu or memory under quota, every container must set them."""
    required = restricted & quota_usage.VALIDATION_SET
    missing: dict[str, set[str]] = {}
    spec = pod.get("spec") or {}
    for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        resources = container.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        for name in required:
            if name.startswith("limits."):
                absent = name[len("limits."):] not in limits
            else:
                absent = name.removeprefix("requests.") not in requests
            if absent:
                missing.setdefault(name, set()).add(container.get("name", ""))
    return "; ".join(f"{name} for: {','.join(sorted(missing[name]))}" for name in sorted(missing))


def _quota_check(store: Store, kind: Kind, obj: dict[str, Any], old: dict[str, Any] | None,
                 name: str) -> list[Charge]:
    """`checkRequest`: each matching quota must have room for what the request adds; returns the charges."""
    namespace = obj["metadata"].get("namespace", "")
    quotas = list(store.items("ResourceQuota", namespace))
    if not quotas or not kind.namespaced:
        return []
    usage = quota_usage.usage_of(kind, obj)
    if old is not None:
        previous = quota_usage.usage_of(kind, old)
        usage = {key: value - previous.get(key, Decimal(0)) for key, value in usage.items()
                 if value - previous.get(key, Decimal(0)) > 0}
        if not usage:
            return []
    charges = []
    for resource_quota in sorted(quotas, key=lambda q: q["metadata"]["name"]):
        status = resource_quota.get("status") or {}
        hard = status.get("hard") or {}
        restricted = quota_usage.matching_resources(kind, hard)
        if not restricted or not quota_usage.in_scope(resource_quota, kind, obj):
            continue
        quota_name = resource_quota["metadata"]["name"]
        if kind.kind == "Pod" and old is None and (missing := _missing_requests(obj, set(restricted))):
            raise forbidden(kind, name, f"failed quota: {quota_name}: must specify {missing}")
        used = status.get("used") or {}
        if any(resource not in used for resource in restricted):
            unknown = ",".join(sorted(restricted))
            raise forbidden(kind, name, f"status unknown for quota: {quota_name}, resources: {unknown}")
        requested = {key: value for key, value in usage.items() if key in hard}
        if not requested:
            continue
        new_used = {key: (_quantity(used.get(key, "0")) or Decimal(0)) + value for key, value in requested.items()}
        exceeded = sorted(key for key, value in new_used.items() if value > (_quantity(hard[key]) or Decimal(0)))
        if exceeded:
            shown_requested = {k: quota_usage.used_text(k, requested[k], hard[k]) for k in exceeded}
            shown_used = {k: quantity_string(used[k]) for k in exceeded if k in used}
            shown_hard = {k: quantity_string(hard[k]) for k in exceeded}
            raise forbidden(kind, name, f"exceeded quota: {quota_name}, requested: {_pretty(shown_requested)}, "
                                        f"used: {_pretty(shown_used)}, limited: {_pretty(shown_hard)}")
        charges.append(Charge(namespace, quota_name, {
            key: quota_usage.used_text(key, value, hard.get(key)) for key, value in new_used.items()
        }))
    return charges


def validate(store: Store, kind: Kind, obj: dict[str, Any], old: dict[str, Any] | None, *, name: str) -> list[Charge]:
    """Run the validating plugins (LimitRanger, then ResourceQuota) on a create (`old` None) or an update;
    raises their Forbidden Status, else returns the quota charges to write after the object is stored."""
    if old is None:
        errors = _limit_ranger_validate(store, kind, obj)
        if errors:
            raise forbidden(kind, name, _aggregate(errors))
    elif kind.kind == "PersistentVolumeClaim":
        old_storage = ((old.get("spec") or {}).get("resources") or {}).get("requests", {}).get("storage")
        new_storage = ((obj.get("spec") or {}).get("resources") or {}).get("requests", {}).get("storage")
        if old_storage != new_storage and (errors := _limit_ranger_validate(store, kind, obj)):
            raise forbidden(kind, name, _aggregate(errors))
    return _quota_check(store, kind, obj, old, name)


def charge(store: Store, charges: list[Charge], *, actor: str, now: float) -> None:
    """Write the quotas' grown `status.used` (the api-server's own write, as upstream's quota accessor)."""
    for item in charges:
        current = store.get("ResourceQuota", item.namespace, item.name)
        if current is None:
            continue
        status = dict(current.get("status") or {})
        status["used"] = {**(status.get("used") or {}), **item.used}
        if status != current.get("status"):
            store.put("ResourceQuota", dict(current, status=status), actor=actor, reason="QuotaCharged",
                      verb="update/status", now=now)
