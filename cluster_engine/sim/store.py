"""Object storage of one sandbox, as etcd is for kube-apiserver: objects by kind/namespace/name, the
resourceVersion counter, a bounded watch history, the change log ("who did it") and small indexes.

Stored dicts are never mutated after they are written (writers replace them), so the watch history
holds references instead of copies; copies are made at the API boundary only.
"""

from __future__ import annotations

import json
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple, Protocol

from .errors import Status
from .patch import merge_diff, merge_patch

ADDED, MODIFIED, DELETED = "ADDED", "MODIFIED", "DELETED"
UNDRAINED_CAP = 20_000
Key = tuple[str, str]  # (namespace, name); namespace "" for cluster-scoped kinds
_NO_OBJECTS: dict[Key, dict[str, Any]] = {}  # what reads of an absent kind see; never written


class Change(NamedTuple):
    """One mutation: what changed, when, by whom, by which verb, and why (an Event reason or a verb).
    An immutable value like a frozen dataclass, but one is made on every write, and a tuple is made faster."""

    rv: int
    time: float
    type: str
    verb: str
    actor: str
    reason: str
    kind: str
    namespace: str
    name: str

    def to_list(self) -> list[Any]:
        return list(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "resourceVersion": str(self.rv),
            "time": self.time,
            "type": self.type,
            "verb": self.verb,
            "actor": self.actor,
            "reason": self.reason,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
        }


class Listener(Protocol):
    """What hears every change of a store (the cluster, which routes it as informers would)."""

    def store_changed(self, event: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None: ...


def _no_listener() -> None:
    """The listener of a store nobody listens to (what a dead weak reference returns, too)."""


class Store:
    """Objects plus history. All writes go through `put` and `remove`, which bump resourceVersion,
    append to the watch history and change log, maintain the indexes and notify the listener."""

    def __init__(self, *, history_limit: int = 1000, change_limit: int = 2000) -> None:
        # Objects by kind, decoded. A loaded store decodes a kind on first use: its kinds wait in `_encoded` as
        # (count, JSON text). A learner's write touches a kind or two of the dozen a cluster has, and decoding
        # the rest (Events and Pods are most of a state) cost it more than the write itself.
        self.objects: dict[str, dict[Key, dict[str, Any]]] = {}
        self._kinds: dict[str, None] = {}  # every kind with objects, decoded or not, in a stable order
        self._encoded: dict[str, tuple[int, str]] = {}
        self._unchanged_text: dict[str, tuple[int, str]] = {}  # decoded, not written since: saved as it was
        self._loaded: dict[str, list[dict[str, Any]]] = {}  # objects as loaded, for replaying them in order
        self._remembered_kinds: frozenset[str] = frozenset()  # the kinds `_loaded` keeps (`from_json`)
        self._decode: Callable[[str], Any] = json.loads
        self.rv = 0
        self.drained_rv = 0
        # Bounded, but nothing is forgotten before it has been drained (published): see `_trim`.
        self.history_limit = history_limit
        self.change_limit = change_limit
        self.history: deque[tuple[int, str, str, dict[str, Any]]] = deque()
        self.changes: deque[Change] = deque()
        # Indexes over every kind; a loaded store builds them on first use (which decodes every kind).
        self._indexed = True
        self._uids: dict[str, tuple[str, str, str]] = {}
        self._dependents: dict[str, set[tuple[str, str, str]]] = {}
        self._pods_by_node: dict[str, set[Key]] = {}
        self._listener: Callable[[], Listener | None] = _no_listener

    def listen(self, listener: Listener) -> None:
        """Call `listener.store_changed` after every write. Held weakly, as the cluster holds its parts' callbacks
        (`cluster._weak` says why); a reference to the object rather than a `WeakMethod` wrapper, as this call
        comes on every write."""
        self._listener = weakref.ref(listener)

    # --- reads ----------------------------------------------------------------------------------
    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """The stored object (not a copy: never mutate it) or None."""
        return self._bucket(kind).get((namespace, name))

    def items(self, kind: str, namespace: str | None = None) -> Iterator[dict[str, Any]]:
        """Stored objects of a kind, optionally in one namespace, in insertion order (not copies)."""
        for (ns, _name), obj in self._bucket(kind).items():
            if namespace is None or ns == namespace:
                yield obj

    def count(self, kind: str) -> int:
        encoded = self._encoded.get(kind)
        return encoded[0] if encoded is not None else len(self._bucket(kind))

    def count_all(self, *, excluding: Iterable[str] = ()) -> int:
        """How many objects the store holds, the kinds in `excluding` aside (nothing is decoded for it)."""
        skipped = set(excluding)
        return sum(self.count(kind) for kind in self._kinds if kind not in skipped)

    def kinds(self) -> list[str]:
        """Every kind that has (or had) objects, in a stable order."""
        return list(self._kinds)

    def by_uid(self, uid: str) -> dict[str, Any] | None:
        where = self.uids.get(uid)
        return self.get(*where) if where else None

    def pods_on(self, node: str) -> list[dict[str, Any]]:
        pods = self._bucket("Pod")
        return [pods[key] for key in sorted(self.pods_by_node.get(node, ())) if key in pods]

    def loaded_items(self, kind: str) -> list[dict[str, Any]]:
        """The objects of `kind` as the state held them when this store was loaded, in their order (later writes
        replace stored dicts, never change them, so these stay as loaded); for the kinds `from_json` was told to
        remember, until `forget_loaded`."""
        self._bucket(kind)
        return self._loaded.get(kind, [])

    def forget_loaded(self) -> None:
        """Drop the references `loaded_items` keeps, and keep none from now on (nothing will replay them)."""
        self._loaded.clear()
        self._remembered_kinds = frozenset()

    @property
    def uids(self) -> dict[str, tuple[str, str, str]]:
        self._build_indexes()
        return self._uids

    @property
    def dependents(self) -> dict[str, set[tuple[str, str, str]]]:
        self._build_indexes()
        return self._dependents

    @property
    def pods_by_node(self) -> dict[str, set[Key]]:
        self._build_indexes()
        return self._pods_by_node

    def _bucket(self, kind: str) -> dict[Key, dict[str, Any]]:
        """The kind's objects by key, decoded on first use; an absent kind's is empty (do not write to it)."""
        bucket = self.objects.get(kind)
        if bucket is None:
            if kind not in self._encoded:
                return _NO_OBJECTS
            count, text = self._encoded.pop(kind)
            loaded = self._decode(text)
            bucket = self.objects[kind] = {(obj["metadata"].get("namespace", ""), obj["metadata"]["name"]): obj
                                           for obj in loaded}
            if kind in self._remembered_kinds:
                self._loaded[kind] = loaded
            self._unchanged_text[kind] = (count, text)
        return bucket

    def _writable_bucket(self, kind: str) -> dict[Key, dict[str, Any]]:
        bucket = self._bucket(kind)
        self._unchanged_text.pop(kind, None)
        if bucket is _NO_OBJECTS:
            bucket = self.objects[kind] = {}
            self._kinds[kind] = None
        return bucket

    def _build_indexes(self) -> None:
        if self._indexed:
            return
        self._indexed = True
        for kind in self._kinds:
            for key, obj in self._bucket(kind).items():
                self._index(kind, key, None, obj)

    # --- writes ---------------------------------------------------------------------------------
    def next_rv(self) -> int:
        self.rv += 1
        return self.rv

    def put(
        self, kind: str, obj: dict[str, Any], *, actor: str, reason: str, verb: str, now: float
    ) -> dict[str, Any]:
        """Store `obj` (taken over: the caller must not keep mutating it) with a new resourceVersion."""
        # Writers often build `obj` as a shallow copy of the stored one (`dict(old, status=...)`); stamping
        # the new resourceVersion into a metadata dict of our own keeps the old version intact in the history.
        obj = {**obj, "metadata": dict(obj["metadata"])}
        meta = obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        bucket = self._writable_bucket(kind)
        old = bucket.get(key)
        rv = self.next_rv()
        meta["resourceVersion"] = str(rv)
        bucket[key] = obj
        self._index(kind, key, old, obj)
        event = MODIFIED if old is not None else ADDED
        self._record(
            rv=rv, event=event, verb=verb, actor=actor, reason=reason, kind=kind, key=key, obj=obj, now=now
        )
        listener = self._listener()
        if listener is not None:
            listener.store_changed(event, kind, obj, old)
        return obj

    def remove(
        self,
        kind: str,
        namespace: str,
        name: str,
        *,
        actor: str,
        reason: str,
        verb: str = "delete",
        now: float,
    ) -> dict[str, Any] | None:
        """Delete the object for good; its DELETED event carries the deletion's resourceVersion."""
        if (namespace, name) not in self._bucket(kind):
            return None
        old = self._writable_bucket(kind).pop((namespace, name))
        final = dict(old, metadata=dict(old["metadata"]))
        rv = self.next_rv()
        final["metadata"]["resourceVersion"] = str(rv)
        self._index(kind, (namespace, name), old, None)
        self._record(
            rv=rv,
            event=DELETED,
            verb=verb,
            actor=actor,
            reason=reason,
            kind=kind,
            key=(namespace, name),
            obj=final,
            now=now,
        )
        listener = self._listener()
        if listener is not None:
            listener.store_changed(DELETED, kind, final, old)
        return final

    def _record(
        self,
        *,
        rv: int,
        event: str,
        verb: str,
        actor: str,
        reason: str,
        kind: str,
        key: Key,
        obj: dict[str, Any],
        now: float,
    ) -> None:
        self.history.append((rv, event, kind, obj))
        self.changes.append(Change(rv, now, event, verb, actor, reason, kind, key[0], key[1]))
        self.trim()

    def trim(self) -> None:
        """Keep each log within its limit, except entries not yet drained (a reconcile's changes must all
        reach the page); a cluster nobody drains is still capped, at UNDRAINED_CAP entries."""
        if len(self.history) > self.history_limit:
            self._trim(self.history, self.history_limit)
        if len(self.changes) > self.change_limit:
            self._trim(self.changes, self.change_limit)

    def _trim(self, log: deque[Any], limit: int) -> None:
        # History entries and Changes both start with their resourceVersion.
        while len(log) > limit and (log[0][0] <= self.drained_rv or len(log) > UNDRAINED_CAP):
            log.popleft()

    def _index(self, kind: str, key: Key, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        if not self._indexed:
            return  # built from every object, this one included, when first needed
        where = (kind, key[0], key[1])
        if old is not None:
            old_meta = old["metadata"]
            if new is None or new["metadata"].get("uid") != old_meta.get("uid"):
                self._uids.pop(old_meta.get("uid", ""), None)
            for ref in old_meta.get("ownerReferences") or ():
                deps = self._dependents.get(ref.get("uid", ""))
                if deps is not None:
                    deps.discard(where)
                    if not deps:
                        del self._dependents[ref.get("uid", "")]
            if kind == "Pod":
                node = (old.get("spec") or {}).get("nodeName")
                if node:
                    self._pods_by_node.get(node, set()).discard(key)
        if new is not None:
            meta = new["metadata"]
            if meta.get("uid"):
                self._uids[meta["uid"]] = where
            for ref in meta.get("ownerReferences") or ():
                self._dependents.setdefault(ref.get("uid", ""), set()).add(where)
            if kind == "Pod":
                node = (new.get("spec") or {}).get("nodeName")
                if node:
                    self._pods_by_node.setdefault(node, set()).add(key)

    # --- watch and change feed ------------------------------------------------------------------
    def oldest_rv(self) -> int:
        """The oldest resourceVersion a watch may start from (every later event is still in history)."""
        return self.history[0][0] - 1 if self.history else self.compacted_rv

    compacted_rv = 0

    def events_since(self, since_rv: int) -> Iterable[tuple[int, str, str, dict[str, Any]]]:
        """History entries with resourceVersion > since_rv; 410 Expired if they are no longer all kept."""
        oldest = self.oldest_rv()
        if since_rv < oldest:
            raise Status(410, "Expired", f"too old resource version: {since_rv} ({oldest})")
        return [entry for entry in self.history if entry[0] > since_rv]

    def changes_since(self, since_rv: int) -> list[Change]:
        return [c for c in self.changes if c.rv > since_rv]

    def compact(self) -> None:
        """Forget the watch history and change log up to now (as etcd compaction does): watches from
        older resourceVersions get 410 Expired, the change feed starts empty."""
        self.history.clear()
        self.changes.clear()
        self.drained_rv = self.rv
        self.compacted_rv = self.rv

    # --- serialisation --------------------------------------------------------------------------
    def to_json(self, *, drained_logs: bool = True, encode: Callable[[Any], str] | None = None) -> dict[str, Any]:
        """Objects by kind, counters, the change log and the watch history (older versions as merge
        patches against the next newer version of the same object, which keeps the document small).

        Without `drained_logs` both logs keep only what was not drained yet and the document says it was
        compacted up to the last drain: for an owner that keeps every drained change elsewhere (the
        platform's database), which then need not be decoded and re-encoded with the state on every save.

        With `encode` (a JSON encoder returning text) each kind's objects are saved as JSON text
        (`encodedObjects`), which a loaded store decodes only when the kind is used; a kind not written since
        loading keeps its text, so neither decoding nor encoding it again costs anything."""
        newer: dict[tuple[str, str, str], dict[str, Any]] = {}
        kept_history: Iterable[tuple[int, str, str, dict[str, Any]]] = self.history
        kept_changes: Iterable[Change] = self.changes
        compacted_rv = self.compacted_rv
        if not drained_logs:
            kept_history = [entry for entry in self.history if entry[0] > self.drained_rv]
            kept_changes = [change for change in self.changes if change.rv > self.drained_rv]
            compacted_rv = max(compacted_rv, self.drained_rv)
        history: list[list[Any]] = []
        for rv, event, kind, obj in reversed(kept_history):
            key = (kind, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
            base = newer[key] if key in newer else self.get(*key)
            if base is obj:
                entry = [rv, event, *key, 0, None]
            elif base is None:
                entry = [rv, event, *key, 2, obj]
            else:
                entry = [rv, event, *key, 1, merge_diff(base, obj)]
            newer[key] = obj
            history.append(entry)
        history.reverse()
        document: dict[str, Any] = {
            "rv": self.rv,
            "drainedRv": self.drained_rv,
            "compactedRv": compacted_rv,
            "historyLimit": self.history_limit,
            "changeLimit": self.change_limit,
        }
        if encode is None:
            document["objects"] = {kind: list(self._bucket(kind).values()) for kind in self._kinds if self.count(kind)}
        else:
            document["encodedObjects"] = encoded = {}
            for kind in self._kinds:
                saved = self._encoded.get(kind) or self._unchanged_text.get(kind)
                if saved is None:
                    objects = list(self.objects[kind].values())
                    saved = (len(objects), encode(objects))
                if saved[0]:
                    encoded[kind] = list(saved)
        document["history"] = history
        document["changes"] = [c.to_list() for c in kept_changes]
        return document

    @classmethod
    def from_json(cls, data: dict[str, Any], *, decode: Callable[[str], Any] | None = None,
                  remember_loaded: Iterable[str] = ()) -> Store:
        """The store `to_json` saved. Kinds saved as text are decoded on first use, with `decode` (a JSON
        decoder; the standard library's by default). `loaded_items` answers for the kinds in `remember_loaded`."""
        store = cls(history_limit=data["historyLimit"], change_limit=data["changeLimit"])
        store.rv = data["rv"]
        store.drained_rv = data["drainedRv"]
        store.compacted_rv = data["compactedRv"]
        store._indexed = False
        store._remembered_kinds = frozenset(remember_loaded)
        if decode is not None:
            store._decode = decode
        for kind, objs in data.get("objects", {}).items():
            store.objects[kind] = {(obj["metadata"].get("namespace", ""), obj["metadata"]["name"]): obj
                                   for obj in objs}
            if kind in store._remembered_kinds:
                store._loaded[kind] = objs
            store._kinds[kind] = None
        for kind, (count, text) in data.get("encodedObjects", {}).items():
            store._encoded[kind] = (count, text)
            store._kinds[kind] = None
        newer: dict[tuple[str, str, str], dict[str, Any]] = {}
        entries: list[tuple[int, str, str, dict[str, Any]]] = []
        for rv, event, kind, ns, name, mode, payload in reversed(data["history"]):
            key = (kind, ns, name)
            if mode == 0:
                obj = newer[key] if key in newer else store.get(*key)
            elif mode == 1:
                obj = merge_patch(newer[key] if key in newer else store.get(*key), payload)
            else:
                obj = payload
            newer[key] = obj
            entries.append((rv, event, kind, obj))
        store.history.extend(reversed(entries))
        store.changes.extend(Change(*row) for row in data["changes"])
        return store
