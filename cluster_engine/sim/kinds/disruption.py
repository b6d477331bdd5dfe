"""The policy/v1 kind PodDisruptionBudget: registration, validation (`pkg/apis/policy/validation`) and the
`kubectl get pdb` columns. Its status is the disruption controller's (`controllers/disruption.py`); the eviction
API (`eviction.py`) reads it. (The namespace policy kinds of core/v1, ServiceAccount, ResourceQuota and
LimitRange, are in `kinds/policy.py`.)"""

from __future__ import annotations

from typing import Any

from cluster_engine.sim import printers
from cluster_engine.sim.errors import Cause
from cluster_engine.sim.objects import Kind, register
from cluster_engine.sim.validation import (
    dns1123_subdomain,
    invalid,
    not_supported,
    validate_metadata,
    validate_metadata_update,
)

from .apps import _int_or_percent, _Raw, validate_label_selector

UNHEALTHY_POD_EVICTION_POLICIES = ["AlwaysAllow", "IfHealthyBudget"]


def int_or_string_text(value: Any) -> str:
    """intstr.IntOrString.String(): `1` or `50%`."""
    return str(value)


def validate_pdb(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidatePodDisruptionBudget (every spec field may change since 1.15): minAvailable and maxUnavailable
    exclusive, each a non-negative integer or a percentage up to 100%, a valid selector and eviction policy."""
    causes = validate_metadata(obj, dns1123_subdomain, True)
    spec = obj.get("spec") or {}
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        causes.append(invalid("spec", _Raw("policy.PodDisruptionBudgetSpec{...}"),
                              "minAvailable and maxUnavailable cannot be both set"))
    for key in ("minAvailable", "maxUnavailable"):
        if spec.get(key) is not None:
            causes += _int_or_percent(spec[key], f"spec.{key}")[0]
    causes += validate_label_selector(spec.get("selector"), "spec.selector")
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in UNHEALTHY_POD_EVICTION_POLICIES:
        causes.append(not_supported("spec.unhealthyPodEvictionPolicy", policy, UNHEALTHY_POD_EVICTION_POLICIES))
    if old is not None:
        causes += validate_metadata_update(obj, old)
    return causes


PDB = register(Kind("PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", group="policy",
                    short_names=("pdb",), validate=validate_pdb, tracks_generation=True))


def _pdb_row(pdb: dict[str, Any], now: float) -> list[printers.Cell]:
    spec, status = pdb.get("spec") or {}, pdb.get("status") or {}
    min_available, max_unavailable = spec.get("minAvailable"), spec.get("maxUnavailable")
    return [pdb["metadata"]["name"],
            "N/A" if min_available is None else int_or_string_text(min_available),
            "N/A" if max_unavailable is None else int_or_string_text(max_unavailable),
            int(status.get("disruptionsAllowed", 0) or 0),
            printers.since(pdb["metadata"].get("creationTimestamp"), now)]


printers.PRINTERS["PodDisruptionBudget"] = printers.Printer((
    printers.NAME,
    printers.Column("Min Available", description="The minimum number of pods that must be available."),
    printers.Column("Max Unavailable", description="The maximum number of pods that may be unavailable."),
    printers.Column("Allowed Disruptions", "integer",
                    description="Calculated number of pods that may be disrupted at this time."),
    printers.AGE,
), _pdb_row)
