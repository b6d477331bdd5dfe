"""ControllerRevisions, after `pkg/controller/history`: the snapshots of a pod template that the
DaemonSet and StatefulSet controllers keep for rollouts and rollbacks.

A revision's `data` is the strategic merge patch `{"spec": {"template": {"$patch": "replace", ...}}}`
that restores the workload's template (`getPatch`), so `kubectl rollout undo` sends it as is. The
StatefulSet names its revisions `<set>-<HashControllerRevision(data, collisionCount)>`; that hash is
FNV-1 (32 bits) over the bytes Go's `json.Marshal` writes for the patch (keys sorted,
`creationTimestamp: null` in the template's metadata, `<`, `>` and `&` escaped) plus the collision
count in decimal, so a template defaulted as upstream defaults it gets upstream's name. Revisions are
owned by their workload (controller reference), so the garbage collector removes them with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from cluster_engine.sim.controllers import Context, controller_ref, new_controller_ref
from cluster_engine.sim.controllers.workload import claim, safe_encode, selector_of
from cluster_engine.sim.errors import Status
from cluster_engine.sim.util import clone, parse_rfc3339

KIND = "ControllerRevision"
API_VERSION = "apps/v1"
HASH_LABEL = "controller.kubernetes.io/hash"  # history.ControllerRevisionHashLabel (StatefulSet revisions)
_FNV_OFFSET, _FNV_PRIME = 0x811C9DC5, 0x01000193
_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def fnv32(data: bytes) -> int:
    """FNV-1, 32 bits (Go's hash/fnv New32: multiply, then xor)."""
    value = _FNV_OFFSET
    for byte in data:
        value = ((value * _FNV_PRIME) & 0xFFFFFFFF) ^ byte
    return value


def go_json(value: Any) -> bytes:
    """What Go's `json.Marshal` writes for a decoded JSON value: map keys sorted, no spaces, UTF-8, and
    the HTML-sensitive characters escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in _GO_ESCAPES.items():
        text = text.replace(char, escaped)
    return text.encode()


def template_patch(workload: dict[str, Any]) -> dict[str, Any]:
    """`getPatch`: the revision data of the workload's current pod template."""
    template = clone((workload.get("spec") or {}).get("template") or {})
    template["$patch"] = "replace"
    return {"spec": {"template": template}}


def template_of(revision: dict[str, Any]) -> dict[str, Any]:
    """The pod template a revision restores (`ApplyRevision`, seen from the template)."""
    template = ((revision.get("data") or {}).get("spec") or {}).get("template") or {}
    return {k: clone(v) for k, v in template.items() if k != "$patch"}


def matches(workload: dict[str, Any], revision: dict[str, Any]) -> bool:
    """`Match` / `EqualRevision`: the revision holds exactly the workload's current template."""
    template = ((revision.get("data") or {}).get("spec") or {}).get("template")
    if not isinstance(template, dict) or template.get("$patch") != "replace":
        return False
    current = (workload.get("spec") or {}).get("template") or {}
    return len(template) == len(current) + 1 and all(template.get(k) == v for k, v in current.items())


def raw_data(data: dict[str, Any]) -> bytes:
    """The bytes upstream stores in `Data.Raw` for `data` (a Go PodTemplateSpec always carries
    `metadata.creationTimestamp`, null; the API drops nulls, so it is put back here)."""
    template = ((data.get("spec") or {}).get("template")) if isinstance(data.get("spec"), dict) else None
    if isinstance(template, dict):
        meta = dict(template.get("metadata") or {})
        meta.setdefault("creationTimestamp", None)
        data = {**data, "spec": {**data["spec"], "template": {**template, "metadata": meta}}}
    return go_json(data)


def hash_revision(data: dict[str, Any], probe: int | None) -> str:
    """`HashControllerRevision`: FNV-1 over the data's bytes and the collision count, safe-encoded."""
    raw = raw_data(data)
    if probe is not None:
        raw += str(probe).encode()
    return safe_encode(str(fnv32(raw)))


def revision_name(prefix: str, hash_: str) -> str:
    """`ControllerRevisionName`: `<prefix>-<hash>`, the prefix cut to 223 characters."""
    return f"{prefix[:223]}-{hash_}"


def revision_number(revision: dict[str, Any]) -> int:
    return int(revision.get("revision") or 0)


def sort_revisions(revisions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """`SortControllerRevisions`: by revision number, then creation time, then name."""
    return sorted(
        revisions,
        key=lambda r: (
            revision_number(r),
            parse_rfc3339(r["metadata"].get("creationTimestamp") or "1970-01-01T00:00:00Z"),
            r["metadata"]["name"],
        ),
    )


def owned(ctx: Context, owner: dict[str, Any], *, component: str, now: float) -> list[dict[str, Any]]:
    """The owner's revisions (`ListControllerRevisions` / `ClaimControllerRevisions`): those matching its
    selector that it controls, after adopting orphans and releasing ones whose labels stopped matching;
    sorted as `SortControllerRevisions`."""
    namespace = owner["metadata"]["namespace"]
    uid = owner["metadata"]["uid"]
    pool = [r for r in ctx.store.items(KIND, namespace) if (ref := controller_ref(r)) is None or ref.get("uid") == uid]
    if not pool:
        return []
    return sort_revisions(claim(ctx, owner, KIND, selector_of(owner), component=component, now=now, candidates=pool))


def new_revision(
    owner: dict[str, Any],
    *,
    name: str,
    labels: dict[str, str],
    data: dict[str, Any],
    revision: int,
) -> dict[str, Any]:
    """A ControllerRevision manifest owned (controller reference) by `owner`, carrying its annotations."""
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": owner["metadata"]["namespace"],
        "labels": labels,
        "ownerReferences": [new_controller_ref(owner)],
    }
    if owner["metadata"].get("annotations"):
        metadata["annotations"] = dict(owner["metadata"]["annotations"])
    return {"apiVersion": API_VERSION, "kind": KIND, "metadata": metadata, "data": data, "revision": revision}


def set_revision_number(
    ctx: Context, revision: dict[str, Any], number: int, *, component: str, now: float
) -> dict[str, Any]:
    """`UpdateControllerRevision`: give an existing revision a new revision number (a rollback to it)."""
    if revision_number(revision) == number:
        return revision
    body = dict(clone(revision), revision=number)
    body.setdefault("apiVersion", API_VERSION)
    body.setdefault("kind", KIND)
    return ctx.api.update(body, namespace=revision["metadata"]["namespace"], actor=component, now=now)


def delete(ctx: Context, revision: dict[str, Any], *, component: str, now: float) -> None:
    """`DeleteControllerRevision` (a revision already gone is fine)."""
    meta = revision["metadata"]
    try:
        ctx.api.delete(KIND, meta["name"], namespace=meta["namespace"], actor=component, now=now)
    except Status as error:
        if error.code != 404:
            raise
