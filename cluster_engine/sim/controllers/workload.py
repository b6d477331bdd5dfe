"""Helpers the workload controllers share, after `pkg/controller/controller_utils.go` and
`pkg/api/v1/pod`: the pod-template hash, pod readiness and availability, claiming (adopt / release)
of dependents, pods from templates, and the ranking of pods for deletion."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from cluster_engine.sim.conditions import condition_of
from cluster_engine.sim.controllers import Context, new_controller_ref
from cluster_engine.sim.errors import Status
from cluster_engine.sim.selectors import Selector, selector_from_object
from cluster_engine.sim.util import NAME_ALPHABET, clone, parse_rfc3339

POD_TEMPLATE_HASH = "pod-template-hash"
FAILED_CREATE = "FailedCreate"
SUCCESSFUL_CREATE = "SuccessfulCreate"
SUCCESSFUL_DELETE = "SuccessfulDelete"
FAILED_DELETE = "FailedDelete"
DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
_FNV_OFFSET, _FNV_PRIME = 0x811C9DC5, 0x01000193


def fnv32a(data: bytes) -> int:
    """FNV-1a, 32 bits (Go's hash/fnv New32a)."""
    value = _FNV_OFFSET
    for byte in data:
        value = ((value ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return value


def safe_encode(text: str) -> str:
    """apimachinery `rand.SafeEncodeString`: every byte mapped into the vowel-free name alphabet."""
    return "".join(NAME_ALPHABET[ord(char) % len(NAME_ALPHABET)] for char in text)


def compute_hash(template: dict[str, Any], collision_count: int | None = None) -> str:
    """`controller.ComputeHash`: FNV-32a of the pod template (here its canonical JSON, where upstream
    hashes the Go struct) plus the collision count as 8 little-endian bytes, written as the decimal
    number safe-encoded (so the result uses only `bcdf456789` and has up to 10 characters)."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    if collision_count is not None:
        data += (collision_count & 0xFFFFFFFF).to_bytes(4, "little") + b"\0\0\0\0"
    return safe_encode(str(fnv32a(data)))


# --- pods ------------------------------------------------------------------------------------------
def is_pod_ready(pod: dict[str, Any]) -> bool:
    """`podutil.IsPodReady`: the Ready condition is True (asked for every pod on every sync: inlined)."""
    for entry in (pod.get("status") or {}).get("conditions") or ():
        if entry.get("type") == "Ready":
            return entry.get("status") == "True"
    return False


def ready_since(pod: dict[str, Any]) -> float | None:
    ready = condition_of(pod, "Ready")
    if ready is None or ready.get("status") != "True" or not ready.get("lastTransitionTime"):
        return None
    return parse_rfc3339(ready["lastTransitionTime"])


def is_pod_available(pod: dict[str, Any], min_ready_seconds: int, now: float) -> bool:
    """`podutil.IsPodAvailable`: ready, and ready for longer than minReadySeconds."""
    if not is_pod_ready(pod):
        return False
    if not min_ready_seconds:
        return True
    since = ready_since(pod)
    return since is not None and since + min_ready_seconds < now


def available_in(pods: Iterable[dict[str, Any]], min_ready_seconds: int, now: float) -> float | None:
    """Seconds until the first ready-but-not-yet-available pod becomes available (None if none)."""
    waits = [
        since + min_ready_seconds - now + 1
        for pod in pods
        if min_ready_seconds and (since := ready_since(pod)) is not None and since + min_ready_seconds >= now
    ]
    return max(1.0, min(waits)) if waits else None


def is_pod_active(pod: dict[str, Any]) -> bool:
    """`controller.IsPodActive`: not finished and not being deleted."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


def pod_from_template(
    owner: dict[str, Any], template: dict[str, Any], *, extra_labels: dict[str, str] | None = None
) -> dict[str, Any]:
    """`controller.GetPodFromTemplate`: a pod manifest named `<owner>-` + 5 random characters, with the
    template's labels, annotations, finalizers and spec and a controller reference to `owner`."""
    meta = template.get("metadata") or {}
    labels = dict(meta.get("labels") or {})
    labels.update(extra_labels or {})
    pod_meta: dict[str, Any] = {
        "generateName": owner["metadata"]["name"] + "-",
        "namespace": owner["metadata"]["namespace"],
        "labels": labels,
        "ownerReferences": [new_controller_ref(owner)],
    }
    if meta.get("annotations"):
        pod_meta["annotations"] = dict(meta["annotations"])
    if meta.get("finalizers"):
        pod_meta["finalizers"] = list(meta["finalizers"])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": clone(template.get("spec") or {})}


def create_pod(
    ctx: Context, owner: dict[str, Any], pod: dict[str, Any], *, component: str, now: float
) -> tuple[dict[str, Any] | None, str | None]:
    """Create `pod` for `owner` through the api-server; records SuccessfulCreate or FailedCreate
    (`Error creating: <message>`) on the owner as `RealPodControl` does. Returns (pod, None) or
    (None, the refusal's message)."""
    try:
        created = ctx.api.create(pod, actor=component, now=now, reason=SUCCESSFUL_CREATE)
    except Status as error:
        ctx.event(owner, "Warning", FAILED_CREATE, f"Error creating: {error.message}", component=component, now=now)
        return None, error.message
    ctx.event(
        owner, "Normal", SUCCESSFUL_CREATE, f"Created pod: {created['metadata']['name']}", component=component, now=now
    )
    return created, None


def delete_pod(ctx: Context, owner: dict[str, Any], pod: dict[str, Any], *, component: str, now: float) -> bool:
    """Delete `pod` for `owner`; records SuccessfulDelete (or FailedDelete). True when deleted."""
    meta = pod["metadata"]
    try:
        ctx.api.delete(
            "Pod", meta["name"], namespace=meta["namespace"], actor=component, now=now, reason=SUCCESSFUL_DELETE
        )
    except Status as error:
        if error.code == 404:
            return False
        ctx.event(owner, "Warning", FAILED_DELETE, f"Error deleting: {error.message}", component=component, now=now)
        return False
    ctx.event(owner, "Normal", SUCCESSFUL_DELETE, f"Deleted pod: {meta['name']}", component=component, now=now)
    return True


# --- claiming (ControllerRefManager) ------------------------------------------------------------------
def claim(
    ctx: Context,
    owner: dict[str, Any],
    kind: str,
    selector: Selector,
    *,
    component: str,
    now: float,
    candidates: Iterable[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """`ClaimObjects`: the objects of `kind` in the owner's namespace it controls after adopting
    matching orphans (when the owner is not being deleted) and releasing owned ones whose labels no
    longer match. Adoption and release are patches of `metadata.ownerReferences`."""
    meta = owner["metadata"]
    uid = meta["uid"]
    deleting = bool(meta.get("deletionTimestamp"))
    claimed: list[dict[str, Any]] = []
    pool = candidates if candidates is not None else list(ctx.store.items(kind, meta["namespace"]))
    for obj in pool:
        ref = None
        for owner_ref in obj["metadata"].get("ownerReferences") or ():  # controller_ref, inlined: a hot loop
            if owner_ref.get("controller"):
                ref = owner_ref
                break
        labels = obj["metadata"].get("labels") or {}
        if ref is not None:
            if ref.get("uid") != uid:
                continue
            if selector.matches(labels):
                claimed.append(obj)
            elif not deleting:
                _set_refs(
                    ctx,
                    obj,
                    [r for r in obj["metadata"].get("ownerReferences") or [] if r.get("uid") != uid],
                    component=component,
                    now=now,
                )
            continue
        if deleting or obj["metadata"].get("deletionTimestamp") or not selector.matches(labels):
            continue
        adopted = _set_refs(
            ctx,
            obj,
            [*(obj["metadata"].get("ownerReferences") or []), new_controller_ref(owner)],
            component=component,
            now=now,
        )
        if adopted is not None:
            claimed.append(adopted)
    return claimed


def _set_refs(
    ctx: Context, obj: dict[str, Any], refs: list[dict[str, Any]], *, component: str, now: float
) -> dict[str, Any] | None:
    meta = obj["metadata"]
    body = {"metadata": {"ownerReferences": refs or None, "uid": meta["uid"]}}
    try:
        ctx.api.patch(
            obj["kind"],
            meta["name"],
            body,
            namespace=meta.get("namespace", ""),
            patch_type="merge",
            actor=component,
            now=now,
            reason="Adopted" if refs else "Released",
        )
    except Status:
        return None
    return ctx.store.get(obj["kind"], meta.get("namespace", ""), meta["name"])


def selector_of(obj: dict[str, Any]) -> Selector:
    """The workload's `spec.selector` as a Selector (nothing matches a missing or broken one)."""
    try:
        return selector_from_object((obj.get("spec") or {}).get("selector"))
    except Status:
        return selector_from_object(None)


# --- ranking pods for deletion (ActivePodsWithRanks) ----------------------------------------------------
_PHASE_ORDER = {"Pending": 0, "Unknown": 1, "Running": 2}


def _restarts(pod: dict[str, Any]) -> int:
    return max((c.get("restartCount", 0) for c in (pod.get("status") or {}).get("containerStatuses") or ()), default=0)


def _deletion_cost(pod: dict[str, Any]) -> int:
    try:
        return int((pod["metadata"].get("annotations") or {}).get(DELETION_COST, 0))
    except ValueError:
        return 0


def deletion_order(pods: list[dict[str, Any]], related: Iterable[dict[str, Any]], now: float) -> list[dict[str, Any]]:
    """Pods sorted so the ones least likely to matter come first (`ActivePodsWithRanks.Less`):
    unassigned before assigned; Pending, Unknown, then Running; not ready before ready; lower
    pod-deletion-cost first; more related pods on the same node first; ready for less time first
    (log2 buckets, as LogarithmicScaleDown); more restarts first; newer first."""
    per_node: dict[str, int] = {}
    for pod in related:
        node = pod["spec"].get("nodeName")
        if node and is_pod_active(pod):
            per_node[node] = per_node.get(node, 0) + 1

    def rank(pod: dict[str, Any]) -> tuple[Any, ...]:
        node = pod["spec"].get("nodeName") or ""
        ready = is_pod_ready(pod)
        since = ready_since(pod)
        ready_bucket = math.floor(math.log2(max(now - since, 1))) if ready and since is not None else 0
        created = parse_rfc3339(pod["metadata"]["creationTimestamp"])
        return (
            1 if node else 0,
            _PHASE_ORDER.get((pod.get("status") or {}).get("phase", "Pending"), 0),
            1 if ready else 0,
            _deletion_cost(pod),
            -per_node.get(node, 0) if node else 0,
            ready_bucket,
            -_restarts(pod),
            -created,
            pod["metadata"]["name"],
        )

    return sorted(pods, key=rank)


def int_or_percent(value: Any, total: int, *, round_up: bool) -> int:
    """`intstr.GetScaledValueFromIntOrPercent`: an int as is, `N%` of total rounded up or down."""
    if isinstance(value, int):
        return value
    text = str(value)
    if text.endswith("%"):
        scaled = int(text[:-1]) * total
        return -(-scaled // 100) if round_up else scaled // 100
    return int(text)
