"""The EndpointSlice controller (`pkg/controller/endpointslice`): for every Service with a selector, the
selected pods as endpoints (ready, serving, terminating; node, zone, target) in slices of at most 100,
named `<service>-<5 random characters>`. Like upstream's reconciler it keeps endpoints in the slice they
are already in, fills slices that change anyway before others, and keeps one empty placeholder slice
when there are no endpoints at all."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.errors import Status
from cluster_engine.sim.util import clone

from . import DONE, Context, Result, split_key
from .endpoints import (
    has_address,
    hostname_of,
    is_ready,
    keys_for,
    managed_labels,
    pod_ports,
    selected_pods,
    service_selector,
    target_ref,
)

NAME = "endpointslice-controller"
MAX_ENDPOINTS_PER_SLICE = 100  # kube-controller-manager --max-endpoints-per-slice default
SERVICE_NAME = "kubernetes.io/service-name"
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "endpointslice-controller.k8s.io"
ZONE = "topology.kubernetes.io/zone"


def desired_endpoints(store: Any, svc: dict[str, Any]) -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Endpoints by port list (a repr key): (ports, endpoints). Terminating pods stay in, not ready."""
    headless_no_ports = not (svc.get("spec") or {}).get("ports")
    tolerate = bool((svc.get("spec") or {}).get("publishNotReadyAddresses"))
    groups: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for pod in selected_pods(store, svc):
        if not has_address(pod):
            continue
        ports = [] if headless_no_ports else pod_ports(pod, svc)
        if ports is None:
            continue
        terminating = bool(pod["metadata"].get("deletionTimestamp"))
        serving = is_ready(pod)
        endpoint: dict[str, Any] = {
            "addresses": [pod["status"]["podIP"]],
            "conditions": {
                "ready": (serving or tolerate) and not terminating,
                "serving": serving or tolerate,
                "terminating": terminating,
            },
        }
        if hostname_of(pod, svc):
            endpoint["hostname"] = hostname_of(pod, svc)
        node_name = pod["spec"].get("nodeName")
        if node_name:
            endpoint["nodeName"] = node_name
        endpoint["targetRef"] = target_ref(pod)
        node = store.get("Node", "", node_name) if node_name else None
        zone = ((node or {}).get("metadata", {}).get("labels") or {}).get(ZONE)
        if zone:
            endpoint["zone"] = zone
        slice_ports = [dict(p, name=p.get("name", "")) for p in ports]
        groups.setdefault(repr(slice_ports), (slice_ports, []))[1].append(endpoint)
    return groups


def _uid_of(endpoint: dict[str, Any]) -> str:
    return str((endpoint.get("targetRef") or {}).get("uid", ""))


class EndpointSliceController:
    """`endpointslice-controller`: the EndpointSlices of every selecting Service."""

    name = NAME
    kinds_watched = ("Service", "Pod")

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        return keys_for(event_type, kind, obj, old)

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        namespace, name = split_key(key)
        if not name:
            for svc in list(ctx.store.items("Service", namespace)):
                self.reconcile(ctx, f"{namespace}/{svc['metadata']['name']}", now)
            return DONE
        svc = ctx.store.get("Service", namespace, name)
        if svc is None or svc["metadata"].get("deletionTimestamp"):
            return DONE  # the garbage collector deletes the slices the Service owns
        if service_selector(svc) is None or svc["spec"].get("type") == "ExternalName":
            return DONE
        existing = sorted(
            (
                s
                for s in ctx.store.items("EndpointSlice", namespace)
                if (s["metadata"].get("labels") or {}).get(SERVICE_NAME) == name
                and (s["metadata"].get("labels") or {}).get(MANAGED_BY) == MANAGED_BY_VALUE
            ),
            key=lambda s: s["metadata"]["name"],
        )
        try:
            self._sync(ctx, svc, existing, desired_endpoints(ctx.store, svc), now)
        except Status:
            return DONE
        return DONE

    def _sync(
        self,
        ctx: Context,
        svc: dict[str, Any],
        existing: list[dict[str, Any]],
        groups: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]],
        now: float,
    ) -> None:
        labels = managed_labels(svc) | {SERVICE_NAME: svc["metadata"]["name"], MANAGED_BY: MANAGED_BY_VALUE}
        plans: list[tuple[dict[str, Any] | None, list[dict[str, Any]], list[dict[str, Any]]]] = []
        leftover = list(existing)
        for ports, endpoints in groups.values():
            wanted = {_uid_of(e): e for e in endpoints}
            mine = [s for s in leftover if (s.get("ports") or []) == ports]
            leftover = [s for s in leftover if s not in mine]
            placed: set[str] = set()
            slices: list[tuple[dict[str, Any] | None, list[dict[str, Any]], list[dict[str, Any]]]] = []
            for current in mine:
                kept = [wanted[_uid_of(e)] for e in current.get("endpoints") or [] if _uid_of(e) in wanted]
                placed.update(_uid_of(e) for e in kept)
                slices.append((current, ports, kept))
            fresh = [e for uid, e in wanted.items() if uid not in placed]
            # fill slices that change anyway first, then the others, then new slices
            order = sorted(
                range(len(slices)),
                key=lambda i: (slices[i][2] == (slices[i][0] or {}).get("endpoints", []), i),
            )
            for index in order:
                room = MAX_ENDPOINTS_PER_SLICE - len(slices[index][2])
                if room > 0 and fresh:
                    slices[index][2].extend(fresh[:room])
                    fresh = fresh[room:]
            while fresh:
                slices.append((None, ports, fresh[:MAX_ENDPOINTS_PER_SLICE]))
                fresh = fresh[MAX_ENDPOINTS_PER_SLICE:]
            plans += slices
        leftover += [s for s, _, eps in plans if s is not None and not eps]
        plans = [p for p in plans if p[2] or p[0] is None]
        if not plans:
            # no endpoints: one placeholder slice stays (or is created) so clients see the Service
            keep = leftover.pop(0) if leftover else None
            plans = [(keep, [], [])]
        for current, ports, endpoints in plans:
            body: dict[str, Any] = {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {
                    "labels": labels,
                    "ownerReferences": [
                        {
                            "apiVersion": "v1",
                            "kind": "Service",
                            "name": svc["metadata"]["name"],
                            "uid": svc["metadata"]["uid"],
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "addressType": "IPv4",
                "endpoints": endpoints,
                "ports": ports,
            }
            if current is None:
                body["metadata"]["generateName"] = f"{svc['metadata']['name']}-"
                ctx.api.create(body, namespace=svc["metadata"]["namespace"], actor=NAME, now=now)
                continue
            if (
                (current.get("endpoints") or []) == endpoints
                and (current.get("ports") or []) == ports
                and (current["metadata"].get("labels") or {}) == labels
            ):
                continue
            new = clone(current)
            new["metadata"]["labels"] = labels
            new["endpoints"] = endpoints
            new["ports"] = ports
            ctx.api.update(new, namespace=svc["metadata"]["namespace"], actor=NAME, now=now)
        for stale in leftover:
            ctx.api.delete(
                "EndpointSlice",
                stale["metadata"]["name"],
                namespace=stale["metadata"]["namespace"],
                actor=NAME,
                now=now,
            )


CONTROLLER = EndpointSliceController()
