"""Kubernetes `Event` objects (core/v1) as the components record them, aggregated like client-go's
EventCorrelator: the same reason and message on the same object bumps `count` and `lastTimestamp`."""

from __future__ import annotations

from typing import Any

from .store import Store
from .util import Draws, clone, rfc3339

EVENT_TTL = 3600.0  # kube-apiserver --event-ttl default: events expire after one hour


def involved(obj: dict[str, Any], field_path: str = "") -> dict[str, Any]:
    meta = obj["metadata"]
    ref = {
        "kind": obj.get("kind", ""),
        "namespace": meta.get("namespace", ""),
        "name": meta["name"],
        "uid": meta.get("uid", ""),
        "apiVersion": obj.get("apiVersion", "v1"),
        "resourceVersion": meta.get("resourceVersion", ""),
    }
    if not ref["namespace"]:
        ref.pop("namespace")
    if field_path:
        ref["fieldPath"] = field_path
    return ref


class Recorder:
    """Writes Events through the store on behalf of a component (`actor`)."""

    def __init__(self, store: Store, draws: Draws) -> None:
        self.store = store
        self.draws = draws
        self._by_key: dict[tuple[str, ...], tuple[str, str]] | None = None  # built on first use (see `_index`)

    @property
    def _index(self) -> dict[tuple[str, ...], tuple[str, str]]:
        """Events by what they are about. Built when first needed: a learner's write records no Event, and
        reading every Event of a loaded state would cost it more than the write itself."""
        if self._by_key is None:
            self._by_key = {self._key_of(event): (event["metadata"]["namespace"], event["metadata"]["name"])
                            for event in self.store.items("Event")}
        return self._by_key

    @staticmethod
    def _key_of(event: dict[str, Any]) -> tuple[str, ...]:
        ref = event.get("involvedObject") or {}
        return (
            ref.get("uid", ""),
            ref.get("fieldPath", ""),
            event.get("reason", ""),
            event.get("message", ""),
            event.get("type", ""),
            (event.get("source") or {}).get("component", ""),
        )

    def record(
        self,
        obj: dict[str, Any],
        event_type: str,
        reason: str,
        message: str,
        *,
        component: str,
        host: str = "",
        actor: str,
        now: float,
        field_path: str = "",
    ) -> dict[str, Any]:
        """Create or bump the Event; returns the stored Event."""
        ref = involved(obj, field_path)
        namespace = ref.get("namespace") or "default"
        source = {"component": component}
        if host:
            source["host"] = host
        key = (ref["uid"], field_path, reason, message, event_type, component)
        where = self._index.get(key)
        existing = self.store.get("Event", *where) if where else None
        stamp = rfc3339(now)
        if existing is not None:
            event = clone(existing)
            event["count"] = event.get("count", 1) + 1
            event["lastTimestamp"] = stamp
            event["involvedObject"] = ref
            return self.store.put("Event", event, actor=actor, reason=reason, verb="update", now=now)
        # As client-go names them, `<object>.<hex of the time in nanoseconds>`, so listing by name lists by
        # time; events of one simulated instant are told apart (and kept in order) by the next resourceVersion.
        name = f"{ref['name']}.{round(now * 1e9) + self.store.rv + 1:x}"
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "uid": self.draws.uid(),
                "creationTimestamp": stamp,
            },
            "involvedObject": ref,
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
            "type": event_type,
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": host,
        }
        event.pop("eventTime")
        self._index[key] = (namespace, name)
        return self.store.put("Event", event, actor=actor, reason=reason, verb="create", now=now)

    def forget(self, event: dict[str, Any]) -> None:
        self._index.pop(self._key_of(event), None)
