"""The clusterrole-aggregation controller (`pkg/controller/clusterroleaggregation`): a ClusterRole with an
`aggregationRule` gets as its rules every rule of the ClusterRoles its selectors match (in selector order, then
by name, each rule once), so `admin`, `edit` and `view` grow when a learner labels a role
`rbac.authorization.k8s.io/aggregate-to-view: "true"`. Only ClusterRole changes reach it."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.errors import Status
from cluster_engine.sim.selectors import selector_from_object
from cluster_engine.sim.util import clone

from . import DONE, Context, Result

NAME = "clusterrole-aggregation-controller"


def aggregated_rules(store: Any, role: dict[str, Any]) -> list[dict[str, Any]]:
    """The rules `role`'s aggregation rule collects from the other ClusterRoles."""
    others = sorted(store.items("ClusterRole"), key=lambda r: r["metadata"]["name"])
    rules: list[dict[str, Any]] = []
    for selector_spec in (role.get("aggregationRule") or {}).get("clusterRoleSelectors") or []:
        selector = selector_from_object(selector_spec)
        for other in others:
            if other["metadata"]["name"] == role["metadata"]["name"]:
                continue
            if not selector.matches(other["metadata"].get("labels") or {}):
                continue
            for rule in other.get("rules") or []:
                if rule not in rules:
                    rules.append(rule)
    return rules


class ClusterRoleAggregationController:
    name = NAME
    kinds_watched = ("ClusterRole",)

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        # A change of any ClusterRole may change what an aggregating role collects: one key stands for all of
        # them. A role's own rules changing (the aggregation's write) needs no second pass unless its labels
        # make it feed another aggregating role, which the one key also covers.
        if old is not None and obj.get("rules") == old.get("rules") and obj["metadata"].get("labels") == (
                old["metadata"].get("labels")) and obj.get("aggregationRule") == old.get("aggregationRule"):
            return []
        return ["*"]

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        del key
        for role in list(ctx.store.items("ClusterRole")):
            if role.get("aggregationRule") is None:
                continue
            rules = aggregated_rules(ctx.store, role)
            if rules == (role.get("rules") or []):
                continue
            body = clone(role)
            body["rules"] = rules
            try:
                ctx.api.update(body, actor=NAME, now=now)
            except Status:
                continue  # the next ClusterRole change retries
        return DONE


CONTROLLER = ClusterRoleAggregationController()
