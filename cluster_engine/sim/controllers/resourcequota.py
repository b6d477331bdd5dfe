"""The ResourceQuota controller (`pkg/controller/resourcequota`): keeps each quota's `status.hard` equal to its
`spec.hard` and `status.used` equal to what the objects in its namespace use (`quota_usage`).

Admission grows `status.used` as objects are created; this controller is what gives usage back (replenishment)
when objects go away or pods finish, and what fills in a new quota. Keyed by namespace; every quota of it is
recomputed. Changes of kinds a quota may count are mapped to their namespace only when they can change usage
(deletions, a pod finishing, a Service or claim changing its spec), so the busy pod status updates of a
cluster without quotas cost one key per namespace at most and a dictionary lookup each."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim import objects, quota_usage
from cluster_engine.sim.errors import Status
from cluster_engine.sim.util import clone

from . import DONE, Context, Result

NAME = "resourcequota-controller"
UNCOUNTED = frozenset({"Event", "Lease", "EndpointSlice", "Endpoints", "ControllerRevision"})


class ResourceQuotaController:
    """`resourcequota-controller`."""

    name = NAME

    @property
    def kinds_watched(self) -> tuple[str, ...]:
        """Every namespaced kind a `count/...` quota can name (the quota monitor watches them all)."""
        return tuple(k.kind for k in objects.all_kinds() if k.namespaced and k.kind not in UNCOUNTED)

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        namespace = obj["metadata"].get("namespace", "")
        if kind == "ResourceQuota":
            if event_type == "DELETED" or (old is not None and old.get("spec") == obj.get("spec")
                                           and (obj.get("status") or {}).get("hard") == (obj.get("spec") or {})
                                           .get("hard")):
                return []  # its own status writes and admission's charges need no recount
            return [namespace]
        if event_type == "DELETED":
            return [namespace]
        if event_type == "MODIFIED" and old is not None:
            if kind == "Pod":
                finished = quota_usage.counts_against_quota(old) and not quota_usage.counts_against_quota(obj)
                return [namespace] if finished else []
            if kind in ("Service", "PersistentVolumeClaim") and obj.get("spec") != old.get("spec"):
                return [namespace]
        return []

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        quotas = list(ctx.store.items("ResourceQuota", key))
        if not quotas:
            return DONE
        for quota in quotas:
            if quota["metadata"].get("deletionTimestamp"):
                continue
            hard = dict((quota.get("spec") or {}).get("hard") or {})
            used = quota_usage.namespace_usage(ctx.store, quota, hard)
            status = {"hard": hard, "used": {name: quota_usage.used_text(name, value, hard.get(name))
                                             for name, value in used.items()}}
            if not hard:
                status = {}
            if status == (quota.get("status") or {}):
                continue
            body = dict(clone(quota), apiVersion="v1", kind="ResourceQuota", status=status)
            try:
                ctx.api.update_status(body, namespace=key, actor=NAME, now=now)
            except Status:
                continue
        # No periodic resync (upstream's --resource-quota-sync-period): every change that moves usage is an event
        # here, and a timer would wake an idle sandbox every five minutes.
        return DONE


CONTROLLER = ResourceQuotaController()
