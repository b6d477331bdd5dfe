"""The apps/v1 StatefulSet kind: registration, defaulting (SetDefaults_StatefulSet) and validation
(ValidateStatefulSet / ValidateStatefulSetUpdate), next to the other apps kinds in `kinds.apps`."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.errors import Cause
from cluster_engine.sim.objects import Kind, register
from cluster_engine.sim.validation import (
    dns1123_label,
    dns1123_subdomain,
    forbidden,
    invalid,
    not_supported,
    validate_metadata,
)
from cluster_engine.sim.validation import validate_metadata_update as _meta_update

from .apps import _non_negative, _validate_selector_and_template, _validate_selector_update, default_pod_template
from .core import default_pvc, validate_pvc

POD_MANAGEMENT_POLICIES = ["OrderedReady", "Parallel"]
UPDATE_STRATEGIES = ["OnDelete", "RollingUpdate"]
RETENTION = ["Retain", "Delete"]
UPDATABLE = (
    "replicas",
    "ordinals",
    "template",
    "updateStrategy",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
    "revisionHistoryLimit",
)
UPDATE_FORBIDDEN = (
    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
    "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
)


def default_statefulset(obj: dict[str, Any]) -> None:
    """SetDefaults_StatefulSet: OrderedReady, RollingUpdate with partition 0, replicas 1, 10 revisions,
    PVCs retained, and each volumeClaimTemplate defaulted as a PersistentVolumeClaim."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        strategy.setdefault("rollingUpdate", {}).setdefault("partition", 0)
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    retention = spec.setdefault("persistentVolumeClaimRetentionPolicy", {})
    retention.setdefault("whenDeleted", "Retain")
    retention.setdefault("whenScaled", "Retain")
    default_pod_template(spec.setdefault("template", {}))
    for claim in spec.get("volumeClaimTemplates") or []:
        claim.setdefault("apiVersion", "v1")
        claim.setdefault("kind", "PersistentVolumeClaim")
        default_pvc(claim)


def validate_statefulset(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    causes = validate_metadata(obj, dns1123_label, True)
    spec = obj.get("spec") or {}
    for key in ("replicas", "minReadySeconds", "revisionHistoryLimit"):
        causes += _non_negative(spec, key)
    policy = spec.get("podManagementPolicy", "OrderedReady")
    if policy not in POD_MANAGEMENT_POLICIES:
        causes.append(not_supported("spec.podManagementPolicy", policy, POD_MANAGEMENT_POLICIES))
    strategy = spec.get("updateStrategy") or {}
    kind = strategy.get("type", "RollingUpdate")
    if kind not in UPDATE_STRATEGIES:
        causes.append(not_supported("spec.updateStrategy.type", kind, UPDATE_STRATEGIES))
    elif kind == "OnDelete" and strategy.get("rollingUpdate") is not None:
        causes.append(
            invalid("spec.updateStrategy.rollingUpdate", "", "only allowed for updateStrategy 'RollingUpdate'")
        )
    partition = (strategy.get("rollingUpdate") or {}).get("partition")
    if isinstance(partition, int) and partition < 0:
        causes.append(
            invalid("spec.updateStrategy.rollingUpdate.partition", partition, "must be greater than or equal to 0")
        )
    for key in ("whenDeleted", "whenScaled"):
        value = (spec.get("persistentVolumeClaimRetentionPolicy") or {}).get(key, "Retain")
        if value not in RETENTION:
            causes.append(not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{key}", value, RETENTION))
    causes += _validate_selector_and_template(
        spec, namespace=obj["metadata"].get("namespace", ""), workload="statefulset", pod_spec_checked=False
    )
    causes = [Cause(c.reason, c.message.replace("in ReplicaSet", "in StatefulSet"), c.field) for c in causes]
    for index, claim in enumerate(spec.get("volumeClaimTemplates") or []):
        name = (claim.get("metadata") or {}).get("name", "")
        shell = dict(claim, metadata={"name": name or "claim", "namespace": "default"})
        for cause in validate_pvc(shell, None):
            causes.append(Cause(cause.reason, cause.message, f"spec.volumeClaimTemplates[{index}].{cause.field}"))
        for msg in dns1123_subdomain(name) if name else []:
            causes.append(invalid(f"spec.volumeClaimTemplates[{index}].metadata.name", name, msg))
    if old is not None:
        causes += _meta_update(obj, old)
        causes += _validate_selector_update(spec, old)
        old_spec = old.get("spec") or {}
        rest = {k: v for k, v in spec.items() if k not in UPDATABLE}
        old_rest = {k: v for k, v in old_spec.items() if k not in UPDATABLE}
        if rest != old_rest and not any(c.field == "spec.selector" for c in causes):
            causes.append(forbidden("spec", UPDATE_FORBIDDEN))
    return causes


STATEFULSET = register(
    Kind(
        "StatefulSet",
        "statefulsets",
        "statefulset",
        group="apps",
        short_names=("sts",),
        categories=("all",),
        validate=validate_statefulset,
        default=default_statefulset,
        tracks_generation=True,
    )
)
