"""Table columns and rows of PersistentVolume, StorageClass and ResourceQuota, as kube-apiserver 1.32's printers
define them (`pkg/printers/internalversion/printers.go`); they add themselves to `printers.PRINTERS`. LimitRange
has no printer upstream: it gets the default table (Name, Created At), as ServiceAccount's own is in `printers`."""

from __future__ import annotations

from typing import Any

from .kinds.storage import class_of, is_default_class
from .printers import AGE, NAME, PRINTERS, Cell, Column, Printer, _age, _meta, _name, _wide, access_modes_text
from .quantity import quantity_string

_PV_COLUMNS = (
    NAME,
    Column("Capacity", description="capacity is the description of the persistent volume's resources and capacity. "
           "More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
    Column("Access Modes", description="accessModes contains all ways the volume can be mounted. More info: "
           "https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes"),
    Column("Reclaim Policy", description="persistentVolumeReclaimPolicy defines what happens to a persistent volume "
           "when released from its claim. Valid options are Retain (default for manually created "
           "PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle "
           "(deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More "
           "info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming"),
    Column("Status", description="phase indicates if a volume is available, bound to a claim, or released by a "
           "claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase"),
    Column("Claim", description="claimRef is part of a bi-directional binding between PersistentVolume and "
           "PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind "
           "between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding"),
    Column("StorageClass", description="StorageClass of the pv"),
    Column("VolumeAttributesClass", description="VolumeAttributesClass of the pv"),
    Column("Reason", description="reason is a brief CamelCase string that describes any failure and is meant for "
           "machine parsing and tidy display in the CLI."),
    AGE,
    _wide("VolumeMode", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to "
          "remain in raw block state. Value of Filesystem is implied when not included in spec."),
)


def _storage_text(raw: Any) -> str:
    """`Quantity.String()` of a stored amount (`0` when unset)."""
    return quantity_string(raw if raw is not None else "0")


def _pv_row(pv: dict[str, Any], now: float) -> list[Cell]:
    spec, status = pv.get("spec") or {}, pv.get("status") or {}
    ref = spec.get("claimRef")
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else ""
    phase = "Terminating" if _meta(pv).get("deletionTimestamp") else status.get("phase", "")
    return [
        _name(pv),
        _storage_text((spec.get("capacity") or {}).get("storage")),
        access_modes_text(spec.get("accessModes")),
        spec.get("persistentVolumeReclaimPolicy", ""),
        phase,
        claim,
        class_of(pv),
        spec.get("volumeAttributesClassName") or "<unset>",
        status.get("reason", ""),
        _age(pv, now),
        spec.get("volumeMode") or "<unset>",
    ]


_STORAGE_CLASS_COLUMNS = (
    NAME,
    Column("Provisioner", description="provisioner indicates the type of the provisioner."),
    Column("ReclaimPolicy", description="reclaimPolicy controls the reclaimPolicy for dynamically provisioned "
           "PersistentVolumes of this storage class. Defaults to Delete."),
    Column("VolumeBindingMode", description="volumeBindingMode indicates how PersistentVolumeClaims should be "
           "provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by "
           "servers that enable the VolumeScheduling feature."),
    Column("AllowVolumeExpansion", description="allowVolumeExpansion shows whether the storage class allow volume "
           "expand."),
    AGE,
)


def _storage_class_row(sc: dict[str, Any], now: float) -> list[Cell]:
    name = _name(sc) + (" (default)" if is_default_class(sc) else "")
    return [
        name,
        sc.get("provisioner", ""),
        sc.get("reclaimPolicy") or "Delete",
        sc.get("volumeBindingMode") or "Immediate",
        bool(sc.get("allowVolumeExpansion")),
        _age(sc, now),
    ]


# 1.32 order: Age second (later releases moved it last)
_QUOTA_COLUMNS = (
    NAME,
    AGE,
    Column("Request", description="Request represents a minimum amount of cpu/memory that a container may consume."),
    Column("Limit", description="Limits control the maximum amount of cpu/memory that a container may use "
           "independent of contention on the node."),
)


def _quota_row(quota: dict[str, Any], now: float) -> list[Cell]:
    """`printResourceQuota`: `<resource>: <used>/<hard>` for every hard resource, sorted; `limits.*` in the Limit
    column, the rest in Request."""
    status = quota.get("status") or {}
    hard, used = status.get("hard") or {}, status.get("used") or {}
    request, limit = [], []
    for resource in sorted(hard):
        text = f"{resource}: {_storage_text(used.get(resource))}/{_storage_text(hard[resource])}"
        pieces = resource.split(".")
        (limit if len(pieces) > 1 and pieces[0] == "limits" else request).append(text)
    return [_name(quota), _age(quota, now), ", ".join(request), ", ".join(limit)]


PRINTERS.update({
    "PersistentVolume": Printer(_PV_COLUMNS, _pv_row),
    "StorageClass": Printer(_STORAGE_CLASS_COLUMNS, _storage_class_row),
    "ResourceQuota": Printer(_QUOTA_COLUMNS, _quota_row),
})
