"""coordination.k8s.io/v1 Lease: the kind (validation as `pkg/apis/coordination/validation`, the `kubectl get
leases` columns) and the node Lease each kubelet keeps in `kube-node-lease` as its heartbeat."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from cluster_engine.sim import printers
from cluster_engine.sim.errors import Cause
from cluster_engine.sim.objects import Kind, register
from cluster_engine.sim.validation import (
    dns1123_subdomain,
    forbidden,
    invalid,
    validate_metadata,
    validate_metadata_update,
)

NODE_LEASE_NAMESPACE = "kube-node-lease"
# The kubelet's --node-lease-duration-seconds default (nodeLeaseDurationSeconds in KubeletConfiguration).
NODE_LEASE_DURATION_SECONDS = 40


def validate_lease(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateLease (and ValidateLeaseUpdate): a DNS subdomain name and a sane spec."""
    causes = validate_metadata(obj, dns1123_subdomain, True)
    spec = obj.get("spec") or {}
    duration = spec.get("leaseDurationSeconds")
    if isinstance(duration, int) and duration <= 0:
        causes.append(invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"))
    transitions = spec.get("leaseTransitions")
    if isinstance(transitions, int) and transitions < 0:
        causes.append(invalid("spec.leaseTransitions", transitions, "must be greater than or equal to 0"))
    if spec.get("preferredHolder") and not spec.get("strategy"):
        causes.append(forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined"))
    if old is not None:
        causes += validate_metadata_update(obj, old)
    return causes


LEASE = register(
    Kind(
        "Lease",
        "leases",
        "lease",
        group="coordination.k8s.io",
        has_status=False,
        validate=validate_lease,
    )
)


# --- kubectl get leases (printers.go: leaseColumnDefinitions / printLease) -----------------------------
def _lease_row(lease: dict[str, Any], now: float) -> list[printers.Cell]:
    meta = lease["metadata"]
    holder = (lease.get("spec") or {}).get("holderIdentity") or ""
    return [meta["name"], holder, printers.since(meta.get("creationTimestamp"), now)]


printers.PRINTERS["Lease"] = printers.Printer(
    (
        printers.NAME,
        printers.Column(
            "Holder",
            description="holderIdentity contains the identity of the holder of a current lease. If Coordinated "
            "Leader Election is used, the holder identity must be equal to the elected "
            "LeaseCandidate.metadata.name field.",
        ),
        printers.AGE,
    ),
    _lease_row,
)


# --- node leases --------------------------------------------------------------------------------------
def micro_time(seconds: float) -> str:
    """metav1.MicroTime as JSON: RFC 3339 with six fractional digits (`2026-01-05T09:00:00.000000Z`)."""
    moment = datetime.fromtimestamp(round(seconds, 6), tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def node_lease(node: dict[str, Any], now: float, *, created: str) -> dict[str, Any]:
    """The Lease a node's kubelet creates and renews (`component-helpers/apimachinery/lease`): named after the
    node in `kube-node-lease`, held by the node, owned by the Node (so the garbage collector deletes it with
    the node), renewed at `now`. Its uid is derived from the node's, so creating one draws nothing."""
    meta = node["metadata"]
    digest = hashlib.blake2b(f"lease:{meta.get('uid', meta['name'])}".encode(), digest_size=16).digest()
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {
            "name": meta["name"],
            "namespace": NODE_LEASE_NAMESPACE,
            "uid": str(uuid.UUID(bytes=digest, version=4)),
            "creationTimestamp": created,
            "ownerReferences": [
                {"apiVersion": "v1", "kind": "Node", "name": meta["name"], "uid": meta.get("uid", "")}
            ],
        },
        "spec": {
            "holderIdentity": meta["name"],
            "leaseDurationSeconds": NODE_LEASE_DURATION_SECONDS,
            "renewTime": micro_time(now),
        },
    }
