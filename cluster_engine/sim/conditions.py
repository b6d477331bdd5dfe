"""Status conditions (`status.conditions`, one entry per type): reading one and writing one, the shared part of
the controllers' condition helpers (`meta.SetStatusCondition`, `SetDeploymentCondition`, the HPA's and the Job
controller's setCondition)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def find_condition(status: Mapping[str, Any] | None, kind: str) -> dict[str, Any] | None:
    """The condition of type `kind` in a status, or None."""
    for entry in (status or {}).get("conditions") or ():
        if entry.get("type") == kind:
            return entry
    return None


def condition_of(obj: Mapping[str, Any], kind: str) -> dict[str, Any] | None:
    """The condition of type `kind` of an object, or None."""
    return find_condition(obj.get("status"), kind)


def set_condition(status: dict[str, Any], new: dict[str, Any], *, move_to_end: bool = False) -> None:
    """Write `new` as the condition of its type: it keeps the old `lastTransitionTime` while the status stays the
    same (`new` is changed for that) and takes the old condition's place in the list, or is appended; with
    `move_to_end` it goes last, in a new list (`SetDeploymentCondition`).
    The old condition dict itself is never changed."""
    conditions = status.get("conditions") or []
    kind, index = new["type"], None
    for position, entry in enumerate(conditions):  # a plain loop: every binding sets PodScheduled through here
        if entry.get("type") == kind:
            index = position
            break
    if index is not None and conditions[index].get("status") == new["status"]:
        new["lastTransitionTime"] = conditions[index].get("lastTransitionTime") or new.get("lastTransitionTime")
    if move_to_end:
        status["conditions"] = [c for c in conditions if c.get("type") != kind] + [new]
        return
    if index is None:
        conditions.append(new)
    else:
        conditions[index] = new
    status["conditions"] = conditions


def remove_condition(status: dict[str, Any], kind: str) -> None:
    """Drop the condition of type `kind`; a status left without conditions loses the field."""
    remaining = [c for c in status.get("conditions") or [] if c.get("type") != kind]
    if remaining:
        status["conditions"] = remaining
    else:
        status.pop("conditions", None)


def is_ready(pod: Mapping[str, Any]) -> bool:
    """The pod's Ready condition is True."""
    return any(
        entry.get("type") == "Ready" and entry.get("status") == "True"
        for entry in (pod.get("status") or {}).get("conditions") or ()
    )
