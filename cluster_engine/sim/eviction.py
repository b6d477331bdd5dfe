"""The `pods/eviction` subresource (`pkg/registry/core/pod/storage/eviction.go`): a delete that first asks the pod's
PodDisruptionBudget. What `kubectl drain` (the real one and the in-page one) and any client POSTing an Eviction go
through.

- A pod that is already finished, Pending or being deleted is deleted at once: evicting it disrupts nothing.
- A pod no budget covers is deleted. Two budgets covering one pod: 500, the eviction API does not support it.
- A pod that is not Ready is deleted when the budget is healthy (`currentHealthy >= desiredHealthy > 0`) or its
  `unhealthyPodEvictionPolicy` is `AlwaysAllow`.
- Otherwise the budget must allow a disruption: a budget its controller has not seen since its last change, or with
  `disruptionsAllowed: 0`, refuses with 429 `Cannot evict pod as it would violate the pod's disruption budget.`;
  else its `disruptionsAllowed` is decremented and the pod recorded in `disruptedPods` (so that a second eviction
  in the same instant cannot spend the same disruption), the pod gets the `DisruptionTarget` condition, and it is
  deleted with the Eviction's DeleteOptions.
"""

from __future__ import annotations

from typing import Any, Protocol

from .budgets import budgets_for, set_condition
from .conditions import is_ready
from .errors import Cause, Status, internal_error, not_found
from .store import Store
from .util import clone, rfc3339

REFUSED = "Cannot evict pod as it would violate the pod's disruption budget."
CAUSE = "DisruptionBudget"
STATUS_ORDER = ("observedGeneration", "disruptedPods", "disruptionsAllowed", "currentHealthy", "desiredHealthy",
                "expectedPods", "conditions")  # PodDisruptionBudgetStatus's fields, as its JSON lists them


class Writer(Protocol):
    """The api-server's writes an eviction makes (`ApiServer`, which owns the subresource, hands itself)."""

    def delete(self, kind_name: str, name: str, *, namespace: str = ..., actor: str = ..., now: float | None = ...,
               propagation_policy: str | None = ..., grace_period_seconds: int | None = ...,
               preconditions: dict[str, str] | None = ..., dry_run: bool = ...,
               reason: str = ...) -> dict[str, Any]: ...

    def update_status(self, body: dict[str, Any], *, actor: str = ..., now: float | None = ...) -> dict[str, Any]: ...


def _too_many_requests(message: str, retry_after: int) -> Status:
    """errors.NewTooManyRequests with the DisruptionBudget cause (`retryAfterSeconds` only when positive)."""
    details: dict[str, Any] = {"retryAfterSeconds": retry_after} if retry_after else {}
    return Status(429, "TooManyRequests", REFUSED, details, (Cause(CAUSE, message, ""),))


def _ignores_budget(pod: dict[str, Any]) -> bool:
    """canIgnorePDB: a finished or Pending pod, or one already being deleted."""
    phase = (pod.get("status") or {}).get("phase")
    return phase in ("Succeeded", "Failed", "Pending") or bool(pod["metadata"].get("deletionTimestamp"))


def _disruption_condition(pod: dict[str, Any], now: float) -> dict[str, Any]:
    return {"type": "DisruptionTarget", "status": "True", "lastProbeTime": None,
            "lastTransitionTime": rfc3339(now), "reason": "EvictionByEvictionAPI", "message": "Eviction API: evicting"}


def evict(api: Writer, store: Store, namespace: str, name: str, *, delete_options: dict[str, Any] | None,
          actor: str, now: float, dry_run: bool = False) -> dict[str, Any]:
    """Evict pod `namespace/name` (see the module's rules); returns the pod as deleted. Raises Status: 404 for a
    missing pod, 429 when its budget refuses, 500 for two budgets, and whatever the delete raises."""
    options = delete_options or {}
    pod = store.get("Pod", namespace, name)
    if pod is None:
        raise not_found("pods", name)
    if not _ignores_budget(pod):
        budgets = budgets_for(store, pod)
        if len(budgets) > 1:
            raise internal_error("This pod has more than one PodDisruptionBudget, which the eviction subresource "
                                 "does not support.")
        if budgets and not _unhealthy_may_go(budgets[0], pod):
            _spend(api, budgets[0], name, actor=actor, now=now, dry_run=dry_run)
    if not dry_run and not _ignores_budget(pod):
        _mark_disruption_target(api, pod, actor=actor, now=now)
    grace = options.get("gracePeriodSeconds")
    return api.delete("Pod", name, namespace=namespace, actor=actor, now=now,
                      propagation_policy=options.get("propagationPolicy"),
                      grace_period_seconds=int(grace) if grace is not None else None,
                      preconditions=options.get("preconditions") or None, dry_run=dry_run, reason="Evicted")


def _unhealthy_may_go(pdb: dict[str, Any], pod: dict[str, Any]) -> bool:
    """An unready pod is evicted without spending a disruption when its budget is healthy, or always with the
    AlwaysAllow policy."""
    if is_ready(pod):
        return False
    if (pdb.get("spec") or {}).get("unhealthyPodEvictionPolicy") == "AlwaysAllow":
        return True
    status = pdb.get("status") or {}
    desired = int(status.get("desiredHealthy", 0) or 0)
    return int(status.get("currentHealthy", 0) or 0) >= desired > 0


def _spend(api: Writer, pdb: dict[str, Any], pod_name: str, *, actor: str, now: float, dry_run: bool) -> None:
    """checkAndDecrement: refuse, or take one disruption from the budget and remember the pod."""
    meta, status = pdb["metadata"], pdb.get("status") or {}
    if int(status.get("observedGeneration", 0) or 0) < int(meta.get("generation", 0) or 0):
        raise _too_many_requests(f"The disruption budget {meta['name']} is still being processed by the server.", 10)
    allowed = int(status.get("disruptionsAllowed", 0) or 0)
    if allowed < 0:
        raise Status(403, "Forbidden", f'poddisruptionbudgets.policy "{meta["name"]}" is forbidden: pdb disruptions '
                     "allowed is negative", {"name": meta["name"], "group": "policy", "kind": "poddisruptionbudgets"})
    if allowed == 0:
        raise _too_many_requests(f"The disruption budget {meta['name']} needs {status.get('desiredHealthy', 0)} "
                                 f"healthy pods and has {status.get('currentHealthy', 0)} currently", 0)
    if dry_run:
        return
    body = clone(pdb)
    new_status = body.setdefault("status", {})
    new_status["disruptionsAllowed"] = allowed - 1
    if allowed - 1 == 0:
        set_condition(new_status, False, now)
    new_status.setdefault("disruptedPods", {})[pod_name] = rfc3339(now)
    body["status"] = {key: new_status[key] for key in STATUS_ORDER if key in new_status}
    api.update_status(body, actor=actor, now=now)


def _mark_disruption_target(api: Writer, pod: dict[str, Any], *, actor: str, now: float) -> None:
    """The `DisruptionTarget` condition the eviction adds before deleting (PodDisruptionConditions, GA in 1.31)."""
    conditions = (pod.get("status") or {}).get("conditions") or []
    if any(c.get("type") == "DisruptionTarget" for c in conditions):
        return
    body = clone(pod)
    body["status"]["conditions"] = [*conditions, _disruption_condition(pod, now)]
    api.update_status(body, actor=actor, now=now)
