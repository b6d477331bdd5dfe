"""Streams: watch (`?watch=true`, newline-delimited events) and `pods/<name>/log?follow=true`.

A watch without a resourceVersion starts with the engine's objects as ADDED events. Then, or straight after
the resourceVersion it was given, it replays the sandbox's stored change log and polls it every POLL_INTERVAL
seconds: every write (web process or worker) records its changes there in the same transaction that stores the
state, so the log is complete and ordered, and a resourceVersion the log no longer reaches ends the watch with
410 Gone. Objects entering or leaving a selector arrive as ADDED / DELETED, as from the watch cache.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async

from cluster_engine import engine
from cluster_engine.engine import Kind, Status, bad_request, gone, parse_field_selector, parse_label_selector
from cluster_engine.kubeapi import tables
from cluster_engine.kubeapi.state import load
from cluster_engine.models import Sandbox, SandboxChange

POLL_INTERVAL = 0.2
BOOKMARK_EVERY = 10.0
LOG_POLL_INTERVAL = 0.5
ROWS_PER_POLL = 1000
Key = tuple[str, str]


@dataclass(frozen=True)
class WatchSpec:
    sandbox_id: uuid.UUID
    kind: Kind
    namespace: str | None
    label_selector: str
    field_selector: str
    table: bool
    include_object: str
    bookmarks: bool
    timeout: float


@dataclass
class WatchStart:
    events: list[tuple[str, dict[str, Any], float]]  # (type, object, simulated time for the Table's ages)
    resource_version: int
    members: set[Key] = field(default_factory=set)
    expired: Status | None = None


def _key(obj: dict[str, Any]) -> Key:
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]


def start(cluster: engine.Cluster, spec: WatchSpec, resource_version: str) -> WatchStart:
    """Where the watch begins. Raises Status for bad selectors or resourceVersions; a too-old resourceVersion
    is reported in the stream (an ERROR event with a 410 Expired Status), as kube-apiserver's watch cache does."""
    listing = cluster.api.list(spec.kind.kind, namespace=spec.namespace, label_selector=spec.label_selector,
                           field_selector=spec.field_selector)
    current = engine.resource_version(cluster)
    members = {_key(item) for item in listing["items"]}
    if resource_version in ("", "0"):
        return WatchStart([("ADDED", item, cluster.now) for item in listing["items"]], current, members)
    try:
        since = int(resource_version)
    except ValueError as error:
        raise bad_request(f'invalid resource version "{resource_version}"') from error
    if since >= current:
        return WatchStart([], since, members)
    oldest = _oldest_logged(spec.sandbox_id)
    if oldest is None or since < oldest - 1:
        expired = Status(410, "Expired", f"too old resource version: {since} ({(oldest or current + 1) - 1})")
        return WatchStart([], current, members, expired=expired)
    return WatchStart([], since, _members_at(spec, since, members))


def _oldest_logged(sandbox_id: uuid.UUID) -> int | None:
    return (SandboxChange.objects.filter(sandbox_id=sandbox_id).order_by("resource_version")
            .values_list("resource_version", flat=True).first())


def _members_at(spec: WatchSpec, since: int, members_now: set[Key]) -> set[Key]:
    """The objects of the watched kind that matched the selectors at resourceVersion `since`, so that the
    replayed log reports each later change as ADDED, MODIFIED or DELETED as the watch cache would have.

    Objects the log shows unchanged since then match now as they did then. For one that changed, its last
    logged version up to `since` decides; when the log no longer holds one, it is judged by the version after
    (kube-apiserver's watch cache makes the same guess for an object older than its window)."""
    labels = parse_label_selector(spec.label_selector)
    fields = parse_field_selector(spec.field_selector, spec.kind)
    rows = SandboxChange.objects.filter(sandbox_id=spec.sandbox_id, kind=spec.kind.kind)
    if spec.namespace is not None:
        rows = rows.filter(namespace=spec.namespace)

    def matches(obj: dict[str, Any]) -> bool:
        return labels.matches(obj["metadata"].get("labels")) and fields.matches(spec.kind, obj)

    first_after: dict[Key, tuple[str, dict[str, Any]]] = {}
    for namespace, name, event_type, obj in (rows.filter(resource_version__gt=since).order_by("resource_version")
                                             .values_list("namespace", "name", "event_type", "object")):
        first_after.setdefault((namespace, name), (event_type, obj))
    members = members_now - first_after.keys()
    existing = {key for key, (event_type, _obj) in first_after.items() if event_type != "ADDED"}
    before: dict[Key, tuple[str, dict[str, Any]]] = {}
    if existing:
        names = {name for _namespace, name in existing}
        for namespace, name, event_type, obj in (rows.filter(resource_version__lte=since, name__in=names)
                                                 .order_by("-resource_version")
                                                 .values_list("namespace", "name", "event_type", "object")):
            if (namespace, name) in existing:
                before.setdefault((namespace, name), (event_type, obj))
    for key in existing:
        event_type, obj = before.get(key, first_after[key])
        if event_type != "DELETED" and matches(obj):
            members.add(key)
    return members


def _changes_after(sandbox_id: uuid.UUID, last: int) -> list[tuple[Any, ...]] | None:
    """Recorded changes after `last`, oldest first; None when the log no longer holds `last + 1` (pruned, reset
    or the sandbox deleted): the watch must then end with 410 Gone."""
    current = Sandbox.objects.filter(pk=sandbox_id).values_list("resource_version", flat=True).first()
    if current is None:
        return None
    if current <= last:
        return []
    rows = list(SandboxChange.objects.filter(sandbox_id=sandbox_id, resource_version__gt=last)
                .order_by("resource_version")
                .values_list("resource_version", "event_type", "kind", "namespace", "object", "sim_time")
                [:ROWS_PER_POLL])
    if not rows or rows[0][0] != last + 1:
        return None
    return rows


class _Encoder:
    """Watch events as lines; under a Table Accept each object is a one-row Table (columns in the first only)."""

    def __init__(self, spec: WatchSpec) -> None:
        self.spec = spec
        self.columns = True

    def event(self, event_type: str, obj: dict[str, Any], now: float) -> bytes:
        if self.spec.table:
            obj = tables.table(self.spec.kind, [obj], now, include_object=self.spec.include_object,
                               resource_version=obj["metadata"].get("resourceVersion", ""),
                               include_columns=self.columns)
            self.columns = False
        else:
            obj = tables.in_version(self.spec.kind, obj)
        return json.dumps({"type": event_type, "object": obj}, separators=(",", ":")).encode() + b"\n"

    @staticmethod
    def error(status: Status) -> bytes:
        return json.dumps({"type": "ERROR", "object": status.to_dict()}, separators=(",", ":")).encode() + b"\n"

    def bookmark(self, resource_version: int) -> bytes:
        kind = self.spec.kind
        obj = {"kind": kind.kind, "apiVersion": kind.api_version,
               "metadata": {"resourceVersion": str(resource_version)}}
        return json.dumps({"type": "BOOKMARK", "object": obj}, separators=(",", ":")).encode() + b"\n"


async def stream(spec: WatchSpec, begin: WatchStart) -> AsyncIterator[bytes]:
    """The watch's lines until `spec.timeout` seconds pass, the log breaks (410) or the client goes away."""
    encoder = _Encoder(spec)
    for event_type, obj, now in begin.events:
        yield encoder.event(event_type, obj, now)
    if begin.expired is not None:
        yield encoder.error(begin.expired)
        return
    labels = parse_label_selector(spec.label_selector)
    fields = parse_field_selector(spec.field_selector, spec.kind)
    members, last = begin.members, begin.resource_version
    loop = asyncio.get_running_loop()
    deadline = loop.time() + spec.timeout
    next_bookmark = loop.time() + BOOKMARK_EVERY
    read = sync_to_async(_changes_after, thread_sensitive=False)
    while loop.time() < deadline:
        rows = await read(spec.sandbox_id, last)
        if rows is None:
            yield encoder.error(gone(f"too old resource version: {last}"))
            return
        for rv, event_type, kind, namespace, obj, sim_time in rows:
            last = rv
            if kind != spec.kind.kind or (spec.namespace is not None and namespace != spec.namespace):
                continue
            key = (namespace, obj["metadata"]["name"])
            was = key in members
            matches = event_type != "DELETED" and labels.matches(obj["metadata"].get("labels")) \
                and fields.matches(spec.kind, obj)
            if matches:
                members.add(key)
                yield encoder.event("MODIFIED" if was else "ADDED", obj, sim_time)
            elif was:
                members.discard(key)
                yield encoder.event("DELETED", obj, sim_time)
        if spec.bookmarks and loop.time() >= next_bookmark:
            next_bookmark = loop.time() + BOOKMARK_EVERY
            yield encoder.bookmark(last)
        await asyncio.sleep(POLL_INTERVAL)


# ------------------------------------------------------------------ kubectl logs -f

@dataclass(frozen=True)
class LogFollow:
    sandbox_id: uuid.UUID
    namespace: str
    name: str
    container: str | None
    timestamps: bool


def _read_logs(follow: LogFollow) -> tuple[str | None, bool]:
    """(the container's whole log now, whether it can grow no more); (None, True) once the pod is gone."""
    try:
        cluster = load(follow.sandbox_id)
        text = cluster.logs(follow.name, namespace=follow.namespace, container=follow.container,
                            timestamps=follow.timestamps)
        pod = cluster.api.get("Pod", follow.name, namespace=follow.namespace)
    except Status:
        return None, True
    finished = (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
    return text, finished or bool(pod["metadata"].get("deletionTimestamp"))


async def follow_logs(follow: LogFollow, *, first: str, seen: str) -> AsyncIterator[bytes]:
    """`first` (the requested tail), then whatever the container writes after `seen`, until it stops."""
    if first:
        yield first.encode()
    sent = seen
    read = sync_to_async(_read_logs, thread_sensitive=False)
    while True:
        await asyncio.sleep(LOG_POLL_INTERVAL)
        text, done = await read(follow)
        if text is None:
            return
        if text.startswith(sent) and len(text) > len(sent):
            yield text[len(sent):].encode()
        if not text.startswith(sent):
            return  # the container restarted: upstream's follow ends with the container it followed
        sent = text
        if done:
            return
