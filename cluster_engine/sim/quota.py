"""Sandbox limits, enforced as a ResourceQuota admission would: one quota, `sandbox-limits`, per cluster.

A learner's cluster is bounded so that one sandbox cannot starve the workers that serve everyone else.
Refusals are 403 Forbidden with kube-apiserver's quota wording, so controllers that hit a limit record
`FailedCreate` exactly as they would against a real ResourceQuota.
"""

from __future__ import annotations

from typing import Any

from .errors import Status
from .objects import Kind
from .store import Store

QUOTA_NAME = "sandbox-limits"
MAX_OBJECTS = 500  # every stored object except Events, which the cluster expires on its own
MAX_PODS = 200
MAX_NODES = 20
MAX_REPLICAS = 100  # spec.replicas (and a Job's parallelism) of one workload
UNCOUNTED_KINDS = frozenset({"Event"})


def _forbidden(kind: Kind, name: str, resource: str, *, requested: int, used: int | None, limit: int) -> Status:
    qualified = f"{kind.plural}.{kind.group}" if kind.group else kind.plural
    used_text = f", used: {resource}={used}" if used is not None else ""
    return Status(
        403, "Forbidden",
        f'{qualified} "{name}" is forbidden: exceeded quota: {QUOTA_NAME}, requested: {resource}={requested}'
        f"{used_text}, limited: {resource}={limit}",
        {"name": name, "kind": kind.plural, **({"group": kind.group} if kind.group else {})},
    )


def _check_replicas(kind: Kind, obj: dict[str, Any]) -> None:
    spec = obj.get("spec") or {}
    name = obj["metadata"].get("name", "")
    for field in ("replicas", "parallelism"):
        value = spec.get(field)
        if isinstance(value, int) and value > MAX_REPLICAS:
            raise _forbidden(kind, name, field, requested=value, used=None, limit=MAX_REPLICAS)


def admit_create(store: Store, kind: Kind, obj: dict[str, Any]) -> None:
    """Refuse a create that would take the cluster past one of its limits; changes nothing."""
    name = obj["metadata"].get("name", "")
    _check_replicas(kind, obj)
    if kind.kind == "Pod" and (used := store.count("Pod")) >= MAX_PODS:
        raise _forbidden(kind, name, "pods", requested=1, used=used, limit=MAX_PODS)
    if kind.kind == "Node" and (used := store.count("Node")) >= MAX_NODES:
        raise _forbidden(kind, name, "nodes", requested=1, used=used, limit=MAX_NODES)
    if kind.kind not in UNCOUNTED_KINDS:
        used = sum(len(by_key) for counted, by_key in store.objects.items() if counted not in UNCOUNTED_KINDS)
        if used >= MAX_OBJECTS:
            raise _forbidden(kind, name, "count/objects", requested=1, used=used, limit=MAX_OBJECTS)


def admit_update(kind: Kind, obj: dict[str, Any]) -> None:
    """Refuse an update (or patch, or scale) that asks for more replicas than a workload may have."""
    _check_replicas(kind, obj)
