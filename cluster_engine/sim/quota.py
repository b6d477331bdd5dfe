"""Sandbox limits, enforced as a ResourceQuota admission would: one quota, `sandbox-limits`, per cluster.

A learner's cluster is bounded so that one sandbox cannot starve the workers that serve everyone else.
Refusals are 403 Forbidden with kube-apiserver's quota wording, so controllers that hit a limit record
`FailedCreate` exactly as they would against a real ResourceQuota. The limits travel with the cluster's
state; a scenario may lift them (`limits: unlimited`), as the large benchmarks do.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .errors import Status
from .objects import Kind
from .store import Store

QUOTA_NAME = "sandbox-limits"
UNCOUNTED_KINDS = frozenset({"Event"})  # the cluster expires Events itself


@dataclass(frozen=True)
class Limits:
    objects: int = 500  # every stored object except Events
    pods: int = 200
    nodes: int = 20
    replicas: int = 100  # spec.replicas (and a Job's parallelism) of one workload


SANDBOX_LIMITS = Limits()


def limits_from_json(data: Any) -> Limits | None:
    """`None` (absent) gives the sandbox limits, `"unlimited"` none at all, a mapping overrides fields."""
    if data is None:
        return SANDBOX_LIMITS
    if data == "unlimited":
        return None
    return Limits(**{**asdict(SANDBOX_LIMITS), **data})


def limits_to_json(limits: Limits | None) -> Any:
    return "unlimited" if limits is None else asdict(limits)


def _forbidden(kind: Kind, name: str, resource: str, *, requested: int, used: int | None, limit: int) -> Status:
    qualified = f"{kind.plural}.{kind.group}" if kind.group else kind.plural
    used_text = f", used: {resource}={used}" if used is not None else ""
    return Status(
        403, "Forbidden",
        f'{qualified} "{name}" is forbidden: exceeded quota: {QUOTA_NAME}, requested: {resource}={requested}'
        f"{used_text}, limited: {resource}={limit}",
        {"name": name, "kind": kind.plural, **({"group": kind.group} if kind.group else {})},
    )


def _check_replicas(limits: Limits, kind: Kind, obj: dict[str, Any]) -> None:
    spec = obj.get("spec") or {}
    name = obj["metadata"].get("name", "")
    for field in ("replicas", "parallelism"):
        value = spec.get(field)
        if isinstance(value, int) and value > limits.replicas:
            raise _forbidden(kind, name, field, requested=value, used=None, limit=limits.replicas)


def admit_create(limits: Limits | None, store: Store, kind: Kind, obj: dict[str, Any]) -> None:
    """Refuse a create that would take the cluster past one of its limits; changes nothing."""
    if limits is None:
        return
    name = obj["metadata"].get("name", "")
    _check_replicas(limits, kind, obj)
    if kind.kind == "Pod" and (used := store.count("Pod")) >= limits.pods:
        raise _forbidden(kind, name, "pods", requested=1, used=used, limit=limits.pods)
    if kind.kind == "Node" and (used := store.count("Node")) >= limits.nodes:
        raise _forbidden(kind, name, "nodes", requested=1, used=used, limit=limits.nodes)
    if kind.kind not in UNCOUNTED_KINDS:
        used = store.count_all(excluding=UNCOUNTED_KINDS)
        if used >= limits.objects:
            raise _forbidden(kind, name, "count/objects", requested=1, used=used, limit=limits.objects)


def admit_update(limits: Limits | None, kind: Kind, obj: dict[str, Any]) -> None:
    """Refuse an update (or patch, or scale) that asks for more replicas than a workload may have."""
    if limits is not None:
        _check_replicas(limits, kind, obj)
