"""Content negotiation for reads: plain objects and lists, server-side `Table`s (what `kubectl get` asks for)
and `PartialObjectMetadata`; the columns come from `sim.printers`, defined once for both kubectls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cluster_engine import engine
from cluster_engine.engine import Kind

TABLE = "Table"
PARTIAL = "PartialObjectMetadata"
PARTIAL_LIST = "PartialObjectMetadataList"


@dataclass(frozen=True)
class MediaRange:
    type: str
    params: dict[str, str]


def media_ranges(accept: str) -> list[MediaRange]:
    ranges = []
    for part in accept.split(","):
        pieces = [piece.strip() for piece in part.split(";")]
        if not pieces[0]:
            continue
        params = {}
        for piece in pieces[1:]:
            key, _, value = piece.partition("=")
            params[key.strip().lower()] = value.strip()
        ranges.append(MediaRange(pieces[0].lower(), params))
    return ranges


def conversion(accept: str) -> str:
    """`Table`, `PartialObjectMetadata(List)` or "" (the plain object), from the first range we can serve.

    A range we cannot produce (protobuf, another version of Table) is skipped, as kube-apiserver does.
    """
    for media in media_ranges(accept):
        if media.type not in ("application/json", "*/*", "application/*", "application/yaml"):
            continue
        wanted = media.params.get("as")
        if not wanted:
            return ""
        if media.params.get("g") == "meta.k8s.io" and media.params.get("v") in ("v1", "v1beta1") \
                and wanted in (TABLE, PARTIAL, PARTIAL_LIST):
            return wanted
    return ""


def wants_aggregated(accept: str) -> bool:
    return any(media.params.get("as") == "APIGroupDiscoveryList" and media.params.get("v") == "v2"
               and media.params.get("g") == "apidiscovery.k8s.io" for media in media_ranges(accept))


def table(kind: Kind, items: list[dict[str, Any]], now: float, *, include_object: str, resource_version: str = "",
          continue_token: str = "", remaining: int | None = None, include_columns: bool = True) -> dict[str, Any]:
    """A meta.k8s.io/v1 Table of `items` (priority-1 columns are for `-o wide`)."""
    result = engine.to_table(kind.kind, items, now, include_object=include_object or "Metadata",
                               resource_version=resource_version, include_columns=include_columns)
    if continue_token:
        result["metadata"]["continue"] = continue_token
    if remaining is not None:
        result["metadata"]["remainingItemCount"] = remaining
    return result


def in_version(kind: Kind, obj: dict[str, Any]) -> dict[str, Any]:
    """`obj` (stored form) in the version `kind` serves (a view of another version: `discovery.served_kinds`)."""
    registered = engine.lookup_kind(kind.kind)
    if registered is None or registered.version == kind.version:
        return obj
    other = registered.served_version(kind.api_version)
    return other.from_stored(obj) if other is not None else obj


def partial(obj: dict[str, Any]) -> dict[str, Any]:
    return {"kind": PARTIAL, "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata", {})}


def render_list(kind: Kind, listing: dict[str, Any], how: str, now: float, *, include_object: str) -> dict[str, Any]:
    """A `<Kind>List` as the client asked for it (its `metadata` carries resourceVersion and continue)."""
    meta = listing["metadata"]
    if how == TABLE:
        return table(kind, listing["items"], now, include_object=include_object,
                     resource_version=meta.get("resourceVersion", ""), continue_token=meta.get("continue", ""),
                     remaining=meta.get("remainingItemCount"))
    if how in (PARTIAL, PARTIAL_LIST):
        return {"kind": PARTIAL_LIST, "apiVersion": "meta.k8s.io/v1", "metadata": meta,
                "items": [partial(item) for item in listing["items"]]}
    if kind.version != engine.stored_kind(kind.kind).version:
        listing = {**listing, "apiVersion": kind.api_version, "items": [in_version(kind, item) for item in
                                                                         listing["items"]]}
    return listing


def render_object(kind: Kind, obj: dict[str, Any], how: str, now: float, *, include_object: str) -> dict[str, Any]:
    if how == TABLE:
        return table(kind, [obj], now, include_object=include_object,
                     resource_version=obj.get("metadata", {}).get("resourceVersion", ""))
    if how in (PARTIAL, PARTIAL_LIST):
        return partial(obj)
    return in_version(kind, obj)
