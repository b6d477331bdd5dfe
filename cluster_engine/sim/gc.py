"""The garbage collector, the namespace controller and pod GC (kube-controller-manager's core loops, registered in
`controllers/registry.py`): dependents whose owners are gone are deleted (background), foreground deletion waits
for dependents, orphan deletion strips owner references; a deleted namespace is emptied, then finalized; pods bound
to a node that is gone are force-deleted after a quarantine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import objects
from .apiserver import FOREGROUND, ORPHAN, ApiServer
from .controllers import ALL_KINDS, DONE, Context, Result
from .errors import Status
from .nodes import placed_on
from .store import DELETED, Store
from .util import clone

GC = "garbage-collector"
POD_GC = "pod-garbage-collector"
ORPHAN_QUARANTINE = 40.0  # podgc waits this long before force-deleting pods of a node that is gone
NAMESPACE_CONTROLLER = "namespace-controller"


class GarbageCollector:
    """Level-based: `sync_uid(uid)` looks at one object (as owner and as dependent) and acts."""

    def __init__(self, store: Store, api: ApiServer) -> None:
        self.store = store
        self.api = api

    def _owner_exists(self, ref: dict[str, Any]) -> bool:
        kind = objects.lookup(ref.get("kind", ""))
        if kind is None or kind.kind != ref.get("kind"):
            return True  # a kind this cluster does not serve yet: nothing can be verified, leave it alone
        return self.store.by_uid(ref.get("uid", "")) is not None

    def sync(self, where: tuple[str, str, str], now: float) -> list[tuple[str, str, str]]:
        """Process one object; returns objects whose state may now need another look."""
        kind, namespace, name = where
        obj = self.store.get(kind, namespace, name)
        if obj is None:
            return []
        touched: list[tuple[str, str, str]] = []
        meta = obj["metadata"]
        refs = meta.get("ownerReferences") or []
        if refs and not meta.get("deletionTimestamp"):
            alive = [r for r in refs if self._owner_exists(r)]
            if not alive:
                self._delete(kind, namespace, name, "Background", now)
                return []
            if len(alive) != len(refs):
                self._set_owner_refs(obj, alive, now)
        if meta.get("deletionTimestamp"):
            finalizers = meta.get("finalizers") or []
            dependents = sorted(self.store.dependents.get(meta.get("uid", ""), ()))
            if ORPHAN in finalizers:
                for dep in dependents:
                    dep_obj = self.store.get(*dep)
                    if dep_obj is not None:
                        remaining = [
                            r
                            for r in dep_obj["metadata"].get("ownerReferences") or []
                            if r.get("uid") != meta.get("uid")
                        ]
                        self._set_owner_refs(dep_obj, remaining, now)
                self._drop_finalizer(kind, namespace, name, ORPHAN, now)
            elif FOREGROUND in finalizers:
                live = [d for d in dependents if self.store.get(*d) is not None]
                for dep in live:
                    dep_obj = self.store.get(*dep)
                    if dep_obj is not None and not dep_obj["metadata"].get("deletionTimestamp"):
                        self._delete(*dep, "Foreground", now)
                        touched.append(dep)
                if not [d for d in dependents if self.store.get(*d) is not None]:
                    self._drop_finalizer(kind, namespace, name, FOREGROUND, now)
        return touched

    def _delete(self, kind: str, namespace: str, name: str, policy: str, now: float) -> None:
        try:
            self.api.delete(
                kind,
                name,
                namespace=namespace,
                actor=GC,
                now=now,
                propagation_policy=policy,
                reason="GarbageCollected",
            )
        except Status:
            return

    def _set_owner_refs(self, obj: dict[str, Any], refs: list[dict[str, Any]], now: float) -> None:
        new = clone(obj)
        if refs:
            new["metadata"]["ownerReferences"] = refs
        else:
            new["metadata"].pop("ownerReferences", None)
        self.store.put(obj["kind"], new, actor=GC, reason="OwnerRefsRemoved", verb="patch", now=now)

    def _drop_finalizer(self, kind: str, namespace: str, name: str, finalizer: str, now: float) -> None:
        obj = self.store.get(kind, namespace, name)
        if obj is None:
            return
        new = clone(obj)
        remaining = [f for f in new["metadata"].get("finalizers") or [] if f != finalizer]
        if remaining:
            new["metadata"]["finalizers"] = remaining
        else:
            new["metadata"].pop("finalizers", None)
        if not remaining and (kind != "Pod" or new["metadata"].get("deletionGracePeriodSeconds") == 0):
            self.store.remove(kind, namespace, name, actor=GC, reason="GarbageCollected", now=now)
        else:
            self.store.put(kind, new, actor=GC, reason="GarbageCollected", verb="patch", now=now)


class NamespaceController:
    """Deletes everything in a terminating namespace, then removes the `kubernetes` finalizer."""

    def __init__(self, store: Store, api: ApiServer) -> None:
        self.store = store
        self.api = api

    def sync(self, name: str, now: float) -> bool:
        """Returns True while the namespace still waits for its contents to go."""
        ns = self.store.get("Namespace", "", name)
        if ns is None or not ns["metadata"].get("deletionTimestamp"):
            return False
        for kind in objects.all_kinds():
            if not kind.namespaced:
                continue
            for obj in list(self.store.items(kind.kind, name)):
                if not obj["metadata"].get("deletionTimestamp"):
                    try:
                        self.api.delete(
                            kind.kind,
                            obj["metadata"]["name"],
                            namespace=name,
                            actor=NAMESPACE_CONTROLLER,
                            now=now,
                            reason="NamespaceDeletion",
                        )
                    except Status:
                        continue
        still = any(
            True for kind in objects.all_kinds() if kind.namespaced for _ in self.store.items(kind.kind, name)
        )
        if still:
            return True
        self.store.remove(
            "Namespace", "", name, actor=NAMESPACE_CONTROLLER, reason="NamespaceFinalized", now=now
        )
        return False


def collect_orphaned_pods(store: Store, api: ApiServer, node_name: str, now: float) -> None:
    """PodGC: force-delete the pods bound to a node that no longer exists."""
    if store.get("Node", "", node_name) is not None:
        return
    for pod in store.pods_on(node_name):
        meta = pod["metadata"]
        try:
            api.delete(
                "Pod",
                meta["name"],
                namespace=meta["namespace"],
                actor=POD_GC,
                now=now,
                grace_period_seconds=0,
                reason="PodGC",
            )
        except Status:
            continue


class GarbageCollectorLoop:
    """The garbage collector's queue: an object with owners, one being deleted with a propagation finalizer, and,
    when an object goes, its dependents and an owner that waits for them (foreground)."""

    name = GC
    kinds_watched = ALL_KINDS
    controller_manager = True

    def heard(self, ctx: Context, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None
              ) -> Sequence[str]:
        meta = obj["metadata"]
        if event_type != DELETED and not meta.get("ownerReferences") and not meta.get("deletionTimestamp"):
            return ()  # most changes: nothing owns the object and it is not being deleted
        keys = []
        if meta.get("ownerReferences") and event_type != DELETED:
            keys.append(f"{kind}/{meta.get('namespace', '')}/{meta['name']}")
        if meta.get("deletionTimestamp"):
            finalizers = meta.get("finalizers") or ()
            if FOREGROUND in finalizers or ORPHAN in finalizers:
                keys.append(f"{kind}/{meta.get('namespace', '')}/{meta['name']}")
        if event_type == DELETED:
            keys += ["/".join(dep) for dep in sorted(ctx.store.dependents.get(meta.get("uid", ""), ()))]
            for ref in meta.get("ownerReferences") or ():
                owner = ctx.store.by_uid(ref.get("uid", ""))
                if owner is not None and FOREGROUND in (owner["metadata"].get("finalizers") or ()):
                    owner_meta = owner["metadata"]
                    keys.append(f"{owner['kind']}/{owner_meta.get('namespace', '')}/{owner_meta['name']}")
        return keys

    def resync(self, ctx: Context) -> list[str]:
        return [f"{kind.kind}/{obj['metadata'].get('namespace', '')}/{obj['metadata']['name']}"
                for kind in objects.all_kinds() for obj in ctx.store.items(kind.kind)
                if obj["metadata"].get("ownerReferences") or obj["metadata"].get("deletionTimestamp")]

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        kind, namespace, name = key.split("/", 2)
        touched = GarbageCollector(ctx.store, ctx.api).sync((kind, namespace, name), now)
        return Result(follow_up=tuple("/".join(item) for item in touched)) if touched else DONE


class NamespaceLoop:
    """The namespace controller's queue: a namespace being deleted, looked at again as its objects go, and every
    second while some remain."""

    name = NAMESPACE_CONTROLLER
    kinds_watched = ALL_KINDS
    controller_manager = True

    def heard(self, ctx: Context, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None
              ) -> Sequence[str]:
        meta = obj["metadata"]
        if kind == "Namespace" and meta.get("deletionTimestamp"):
            return [meta["name"]]
        if event_type != DELETED:
            return ()
        namespace = meta.get("namespace", "")
        if namespace:
            ns = ctx.store.get("Namespace", "", namespace)
            if ns is not None and ns["metadata"].get("deletionTimestamp"):
                return [namespace]
        return ()

    def resync(self, ctx: Context) -> list[str]:
        return [ns["metadata"]["name"] for ns in ctx.store.items("Namespace")
                if ns["metadata"].get("deletionTimestamp")]

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        return Result(requeue_after=1.0) if NamespaceController(ctx.store, ctx.api).sync(key, now) else DONE


class PodGCLoop:
    """Pod GC's timers: a node deleted, or a pod placed on a node that does not exist, is looked at after the
    quarantine (ORPHAN_QUARANTINE)."""

    name = POD_GC
    kinds_watched = ("Pod", "Node")
    controller_manager = True

    def heard(self, ctx: Context, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None
              ) -> Sequence[str]:
        if kind == "Node":
            if event_type == DELETED:
                ctx.timers.schedule(ctx.now + ORPHAN_QUARANTINE, POD_GC, obj["metadata"]["name"])
            return ()
        node = placed_on(event_type, obj, old)
        if node and ctx.store.get("Node", "", node) is None:
            ctx.timers.schedule(ctx.now + ORPHAN_QUARANTINE, POD_GC, node)
        return ()

    def resync(self, ctx: Context) -> list[str]:
        return []

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        collect_orphaned_pods(ctx.store, ctx.api, key, now)
        return DONE


GARBAGE_COLLECTOR = GarbageCollectorLoop()
NAMESPACES = NamespaceLoop()
PODS_OF_DELETED_NODES = PodGCLoop()
