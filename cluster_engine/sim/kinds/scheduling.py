"""scheduling.k8s.io/v1 PriorityClass: the priorities the scheduler's preemption compares."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.errors import Cause
from cluster_engine.sim.objects import Kind, register
from cluster_engine.sim.validation import (
    dns1123_subdomain,
    forbidden,
    invalid,
    not_supported,
    validate_metadata,
    validate_metadata_update,
)

HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000
PREEMPTION_POLICIES = ["Never", "PreemptLowerPriority"]


def default_priority_class(obj: dict[str, Any]) -> None:
    obj.setdefault("preemptionPolicy", "PreemptLowerPriority")


def validate_priority_class(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    causes = validate_metadata(obj, dns1123_subdomain, False)
    name = obj["metadata"].get("name", "")
    if name.startswith("system-"):
        causes.append(invalid("metadata.name", name, "priority class names with 'system-' prefix are reserved"))
    value = obj.get("value")
    if isinstance(value, int) and value > HIGHEST_USER_DEFINABLE_PRIORITY:
        causes.append(invalid("value", value,
                              f"maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}"))
    if obj.get("preemptionPolicy") not in PREEMPTION_POLICIES:
        causes.append(not_supported("preemptionPolicy", obj.get("preemptionPolicy"), PREEMPTION_POLICIES))
    if old is not None:
        causes += validate_metadata_update(obj, old)
        if obj.get("value") != old.get("value"):
            causes.append(forbidden("value", "may not be changed in an update."))
        if obj.get("preemptionPolicy") != old.get("preemptionPolicy"):
            causes.append(forbidden("preemptionPolicy", "may not be changed in an update."))
    return causes


PRIORITY_CLASS = register(
    Kind(
        "PriorityClass",
        "priorityclasses",
        "priorityclass",
        group="scheduling.k8s.io",
        namespaced=False,
        short_names=("pc",),
        validate=validate_priority_class,
        default=default_priority_class,
        has_status=False,
    )
)
