"""PodDisruptionBudgets as the eviction API (`eviction.py`) and the disruption controller (`controllers/disruption.py`)
both read them: which budgets cover a pod, and the `DisruptionAllowed` condition either writes."""

from __future__ import annotations

from typing import Any

from .conditions import set_condition as write_condition
from .selectors import selector_from_object
from .util import rfc3339

KIND = "PodDisruptionBudget"
CONDITION = "DisruptionAllowed"


def selects(pdb: dict[str, Any], pod: dict[str, Any]) -> bool:
    """Whether the budget covers the pod: same namespace and the selector matches (a null selector matches
    nothing, an empty one everything, as policy/v1 defines)."""
    selector = (pdb.get("spec") or {}).get("selector")
    if selector is None or pdb["metadata"]["namespace"] != pod["metadata"].get("namespace"):
        return False
    return selector_from_object(selector).matches(pod["metadata"].get("labels") or {})


def budgets_for(store: Any, pod: dict[str, Any]) -> list[dict[str, Any]]:
    """The budgets that cover `pod`, by name."""
    if not store.count(KIND):
        return []
    found = [pdb for pdb in store.items(KIND, pod["metadata"].get("namespace", "")) if selects(pdb, pod)]
    return sorted(found, key=lambda pdb: pdb["metadata"]["name"])


def set_condition(status: dict[str, Any], allowed: bool, now: float, *, reason: str = "") -> None:
    """UpdateDisruptionAllowedCondition (meta.SetStatusCondition: the transition time moves only with the status)."""
    wanted = {"type": CONDITION, "status": "True" if allowed else "False",
              "observedGeneration": status.get("observedGeneration", 0),
              "reason": reason or ("SufficientPods" if allowed else "InsufficientPods"), "message": ""}
    if not wanted["observedGeneration"]:
        wanted.pop("observedGeneration")
    wanted["lastTransitionTime"] = rfc3339(now)
    ordered = {key: wanted[key] for key in ("type", "status", "observedGeneration", "lastTransitionTime", "reason",
                                            "message") if key in wanted}
    write_condition(status, ordered, move_to_end=True)
