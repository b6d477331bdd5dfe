"""Taints and tolerations as Kubernetes defines them (`v1.Toleration.ToleratesTaint`): the one rule the scheduler,
the DaemonSet controller, the taint eviction controller and admission share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: str  # NoSchedule, PreferNoSchedule, NoExecute

    @classmethod
    def from_dict(cls, taint: Mapping[str, Any]) -> Taint:
        return cls(taint.get("key", "") or "", str(taint.get("value", "") or ""), taint.get("effect", "") or "")


@dataclass(frozen=True)
class Toleration:
    key: str
    operator: str  # Equal (an empty operator means Equal) or Exists
    value: str
    effect: str  # empty matches every effect

    @classmethod
    def from_dict(cls, toleration: Mapping[str, Any]) -> Toleration:
        return cls(
            toleration.get("key", "") or "",
            toleration.get("operator", "") or "Equal",
            str(toleration.get("value", "") or ""),
            toleration.get("effect", "") or "",
        )

    def tolerates(self, taint: Taint) -> bool:
        """`v1.Toleration.ToleratesTaint`: the effect (when set) and key (when set) must match; Exists matches every
        value, so an empty key with Exists tolerates every taint (of that effect); Equal needs the same value; any
        other operator tolerates nothing."""
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        if self.operator == "Exists":
            return True
        return self.operator in ("", "Equal") and self.value == taint.value


def taints_of(node: Mapping[str, Any]) -> tuple[Taint, ...]:
    return tuple(Taint.from_dict(t) for t in (node.get("spec") or {}).get("taints") or [])


def tolerations_of(spec: Mapping[str, Any]) -> tuple[Toleration, ...]:
    return tuple(Toleration.from_dict(t) for t in spec.get("tolerations") or [])


def find_untolerated_taint(
    taints: Iterable[Taint],
    tolerations: Iterable[Toleration],
    effects: tuple[str, ...] = ("NoSchedule", "NoExecute"),
) -> Taint | None:
    """The first taint with one of `effects` that no toleration tolerates, or None."""
    tols = tuple(tolerations)
    for taint in taints:
        if taint.effect in effects and not any(t.tolerates(taint) for t in tols):
            return taint
    return None


def declares_toleration_of(toleration: Mapping[str, Any], key: str, effect: str) -> bool:
    """Whether a toleration names the taint `key`/`effect` (an empty key or effect names every one), whatever its
    operator and value: the test DefaultTolerationSeconds applies before it adds its own (upstream's admission
    plugin compares key and effect only, not `ToleratesTaint`, so an Equal toleration of the not-ready taint with
    some value keeps the pod from getting the default one although it tolerates no real not-ready taint)."""
    return (toleration.get("key") or "") in ("", key) and (toleration.get("effect") or "") in ("", effect)
