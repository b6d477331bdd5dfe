"""The storage kinds beside PersistentVolumeClaim (`kinds.core`): PersistentVolume (core/v1, cluster-scoped) and
StorageClass (storage.k8s.io/v1): registration, defaulting and validation with upstream wording
(`pkg/apis/core/validation`, `pkg/apis/storage/validation`). Binding and provisioning are the persistent-volume
controller's (`controllers/persistentvolume.py`); the scheduler's part is the VolumeBinding plugin."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.errors import Cause
from cluster_engine.sim.objects import Kind, _path, register
from cluster_engine.sim.quantity import QuantityError, parse_quantity, quantity_string
from cluster_engine.sim.validation import (
    dns1123_subdomain,
    forbidden,
    invalid,
    not_supported,
    qualified_name,
    required,
    validate_metadata,
    validate_metadata_update,
)

from .core import ACCESS_MODES

DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
BETA_DEFAULT_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class"
BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
RECLAIM_POLICIES = ["Delete", "Recycle", "Retain"]
CLASS_RECLAIM_POLICIES = ["Delete", "Retain"]
BINDING_MODES = ["Immediate", "WaitForFirstConsumer"]
VOLUME_MODES = ["Block", "Filesystem"]
# The volume sources a PersistentVolume may name (PersistentVolumeSource); exactly one is required.
PV_SOURCES = (
    "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "csi", "fc", "flexVolume", "flocker",
    "gcePersistentDisk", "glusterfs", "hostPath", "iscsi", "local", "nfs", "photonPersistentDisk",
    "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume",
)


def is_default_class(storage_class: dict[str, Any]) -> bool:
    """`storageutil.IsDefaultAnnotation`: the GA or the beta is-default-class annotation is "true"."""
    annotations = (storage_class.get("metadata") or {}).get("annotations") or {}
    return "true" in (annotations.get(DEFAULT_CLASS_ANNOTATION), annotations.get(BETA_DEFAULT_CLASS_ANNOTATION))


def class_of(obj: dict[str, Any]) -> str:
    """`GetPersistentVolumeClass` / `GetPersistentVolumeClaimClass`: the beta annotation, else the spec's class."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    return annotations.get(BETA_CLASS_ANNOTATION) or (obj.get("spec") or {}).get("storageClassName") or ""


def volume_source(pv: dict[str, Any]) -> str:
    """The name of the volume source a PersistentVolume uses (`hostPath`, `local`, `csi`, ...), or ""."""
    spec = pv.get("spec") or {}
    return next((key for key in PV_SOURCES if spec.get(key) is not None), "")


# --- PersistentVolume ----------------------------------------------------------------------------------
def default_persistent_volume(obj: dict[str, Any]) -> None:
    """SetDefaults_PersistentVolume: Retain, Filesystem, and Pending until the controller looks at it."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    spec.setdefault("volumeMode", "Filesystem")
    obj.setdefault("status", {}).setdefault("phase", "Pending")
    if spec.get("hostPath") is not None:
        spec["hostPath"].setdefault("type", "")


def validate_persistent_volume(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidatePersistentVolume / ...Update (the parts a learner meets)."""
    causes = validate_metadata(obj, dns1123_subdomain, False)
    spec = obj.get("spec") or {}
    modes = spec.get("accessModes") or []
    if not modes:
        causes.append(required("spec.accessModes"))
    for mode in modes:
        if mode not in ACCESS_MODES:
            causes.append(not_supported("spec.accessModes", mode, ACCESS_MODES))
    capacity = spec.get("capacity") or {}
    if not capacity:
        causes.append(required("spec.capacity"))
    if "storage" not in capacity or len(capacity) > 1:
        shown = "map[" + " ".join(f"{k}:{quantity_string(v)}" for k, v in sorted(capacity.items())) + "]"
        causes.append(Cause("FieldValueNotSupported", f'Unsupported value: {shown}: supported values: "storage"',
                            "spec.capacity"))
    for name, raw in capacity.items():
        try:
            if parse_quantity(raw) <= 0:
                causes.append(invalid(f"spec.capacity[{name}]", quantity_string(raw), "must be greater than zero"))
        except QuantityError:
            continue
    sources = [key for key in PV_SOURCES if spec.get(key) is not None]
    if not sources:
        causes.append(required("spec", "must specify a volume type"))
    elif len(sources) > 1:
        causes.append(forbidden(f"spec.{sources[1]}", "may not specify more than 1 volume type"))
    policy = spec.get("persistentVolumeReclaimPolicy", "Retain")
    if policy not in RECLAIM_POLICIES:
        causes.append(not_supported("spec.persistentVolumeReclaimPolicy", policy, RECLAIM_POLICIES))
    elif policy == "Recycle" and sources and sources[0] not in ("hostPath", "nfs"):
        causes.append(forbidden("spec.persistentVolumeReclaimPolicy",
                                f'may not be \'Recycle\' for a volume of type "{sources[0]}"'))
    mode = spec.get("volumeMode", "Filesystem")
    if mode not in VOLUME_MODES:
        causes.append(not_supported("spec.volumeMode", mode, VOLUME_MODES))
    if spec.get("hostPath") is not None and not spec["hostPath"].get("path"):
        causes.append(required("spec.hostPath.path"))
    if spec.get("local") is not None:
        if not spec["local"].get("path"):
            causes.append(required("spec.local.path"))
        if not spec.get("nodeAffinity"):
            causes.append(required("spec.nodeAffinity", "Local volume requires node affinity"))
    class_name = spec.get("storageClassName")
    if class_name:
        causes += [invalid("spec.storageClassName", class_name, msg) for msg in dns1123_subdomain(class_name)]
    if old is not None:
        causes += validate_metadata_update(obj, old)
        old_spec = old.get("spec") or {}
        if {k: spec.get(k) for k in PV_SOURCES} != {k: old_spec.get(k) for k in PV_SOURCES}:
            causes.append(forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is forbidden."))
        if old_spec.get("nodeAffinity") and spec.get("nodeAffinity") != old_spec.get("nodeAffinity"):
            causes.append(invalid("spec.nodeAffinity", "", "field is immutable"))
        if old_spec.get("volumeMode", "Filesystem") != spec.get("volumeMode", "Filesystem"):
            causes.append(invalid("spec.volumeMode", spec.get("volumeMode", ""), "field is immutable"))
    return causes


# --- StorageClass ----------------------------------------------------------------------------------------
def default_storage_class(obj: dict[str, Any]) -> None:
    """SetDefaults_StorageClass: reclaimPolicy Delete, volumeBindingMode Immediate."""
    obj.setdefault("reclaimPolicy", "Delete")
    obj.setdefault("volumeBindingMode", "Immediate")


def validate_storage_class(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateStorageClass / ...Update: a qualified provisioner name, known policies; provisioner, parameters,
    reclaimPolicy and volumeBindingMode are immutable."""
    causes = validate_metadata(obj, dns1123_subdomain, False)
    provisioner = obj.get("provisioner", "")
    if not provisioner:
        causes.append(required("provisioner"))
    else:
        causes += [invalid("provisioner", provisioner, msg) for msg in qualified_name(provisioner.lower())]
    policy = obj.get("reclaimPolicy", "Delete")
    if policy not in CLASS_RECLAIM_POLICIES:
        causes.append(not_supported("reclaimPolicy", policy, CLASS_RECLAIM_POLICIES))
    mode = obj.get("volumeBindingMode", "Immediate")
    if mode not in BINDING_MODES:
        causes.append(not_supported("volumeBindingMode", mode, BINDING_MODES))
    if old is not None:
        causes += validate_metadata_update(obj, old)
        if obj.get("provisioner") != old.get("provisioner"):
            causes.append(forbidden("provisioner", "updates to provisioner are forbidden."))
        if (obj.get("parameters") or {}) != (old.get("parameters") or {}):
            causes.append(forbidden("parameters", "updates to parameters are forbidden."))
        if obj.get("reclaimPolicy") != old.get("reclaimPolicy"):
            causes.append(forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."))
        if obj.get("volumeBindingMode") != old.get("volumeBindingMode"):
            causes.append(invalid("volumeBindingMode", mode, "field is immutable"))
    return causes


# --- registration ----------------------------------------------------------------------------------------
PERSISTENTVOLUME = register(
    Kind(
        "PersistentVolume",
        "persistentvolumes",
        "persistentvolume",
        namespaced=False,
        short_names=("pv",),
        validate=validate_persistent_volume,
        default=default_persistent_volume,
        field_selectors={"status.phase": _path("status", "phase")},
    )
)
STORAGECLASS = register(
    Kind(
        "StorageClass",
        "storageclasses",
        "storageclass",
        group="storage.k8s.io",
        namespaced=False,
        short_names=("sc",),
        has_status=False,
        validate=validate_storage_class,
        default=default_storage_class,
    )
)
