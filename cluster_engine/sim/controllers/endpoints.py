"""The endpoints controller (`pkg/controller/endpoint`): keeps one `Endpoints` object per Service with a
selector, listing the selected pods' IPs as ready `addresses` or `notReadyAddresses` with the resolved
target ports. Also the helpers the EndpointSlice controller and kube-proxy share: which pods back a
Service and which container port a Service port reaches on each of them."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.conditions import is_ready
from cluster_engine.sim.errors import Status
from cluster_engine.sim.selectors import Selector, parse_label_selector
from cluster_engine.sim.util import clone

from . import DONE, Context, Result, split_key

NAME = "endpoint-controller"
MAX_ADDRESSES = 1000  # endpoints over this are truncated (the EndpointSlice API carries the rest)
OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity"
HEADLESS_LABEL = "service.kubernetes.io/headless"


def service_selector(svc: dict[str, Any]) -> Selector | None:
    """The Service's pod selector, or None when it has none (its endpoints are managed by hand)."""
    selector = (svc.get("spec") or {}).get("selector")
    if not selector:
        return None
    return parse_label_selector(",".join(f"{k}={v}" for k, v in sorted(selector.items())))


def selected_pods(store: Any, svc: dict[str, Any]) -> list[dict[str, Any]]:
    """Pods of the Service's namespace its selector matches, sorted by name."""
    selector = service_selector(svc)
    if selector is None:
        return []
    namespace = svc["metadata"]["namespace"]
    pods = [p for p in store.items("Pod", namespace) if selector.matches(p["metadata"].get("labels"))]
    return sorted(pods, key=lambda p: p["metadata"]["name"])


def has_address(pod: dict[str, Any]) -> bool:
    """A pod that can be an endpoint at all: it has an IP and has not finished (ShouldPodBeInEndpoints)."""
    status = pod.get("status") or {}
    return bool(status.get("podIP")) and status.get("phase") not in ("Succeeded", "Failed")


def target_port(pod: dict[str, Any], port: dict[str, Any]) -> int | None:
    """The container port a Service port reaches on `pod` (FindPort): a number as is, a name looked up
    among the containers' named ports of the same protocol; None when the pod has no such port."""
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    if str(target).isdigit():
        return int(target)
    protocol = port.get("protocol", "TCP")
    for container in pod["spec"].get("containers") or []:
        for cport in container.get("ports") or []:
            if cport.get("name") == target and cport.get("protocol", "TCP") == protocol:
                return int(cport["containerPort"])
    return None


def pod_ports(pod: dict[str, Any], svc: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The endpoint ports of `pod` for the Service (name, port, protocol), sorted by name; None when a
    named target port cannot be resolved on it."""
    ports = []
    for port in (svc.get("spec") or {}).get("ports") or []:
        number = target_port(pod, port)
        if number is None:
            return None
        entry = {"name": port.get("name", ""), "port": number, "protocol": port.get("protocol", "TCP")}
        if not entry["name"]:
            entry.pop("name")
        ports.append(entry)
    return sorted(ports, key=lambda p: (p.get("name", ""), p["port"]))


def hostname_of(pod: dict[str, Any], svc: dict[str, Any]) -> str:
    """The endpoint hostname: the pod's `hostname` when its `subdomain` names this Service."""
    spec = pod["spec"]
    if spec.get("hostname") and spec.get("subdomain") == svc["metadata"]["name"]:
        return str(spec["hostname"])
    return ""


def target_ref(pod: dict[str, Any]) -> dict[str, Any]:
    meta = pod["metadata"]
    return {"kind": "Pod", "namespace": meta["namespace"], "name": meta["name"], "uid": meta["uid"]}


def _endpoint_view(pod: dict[str, Any]) -> tuple[Any, ...]:
    """What of a pod its endpoints show: a change elsewhere (a restart count) needs no reconcile."""
    status = pod.get("status") or {}
    meta = pod["metadata"]
    return (
        meta.get("labels"),
        meta.get("deletionTimestamp"),
        status.get("podIP"),
        status.get("phase"),
        is_ready(pod),
        pod["spec"].get("nodeName"),
    )


def keys_for(event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
    """A Service maps to its own key; a Pod to `<namespace>/` (every Service of its namespace), since
    which Services select a pod is a question for the store, which event handlers do not read."""
    namespace = obj["metadata"].get("namespace", "")
    if kind == "Service":
        return [f"{namespace}/{obj['metadata']['name']}"]
    if event_type == "MODIFIED" and old is not None and _endpoint_view(old) == _endpoint_view(obj):
        return []
    return [f"{namespace}/"]


def desired_subsets(store: Any, svc: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """Endpoints subsets for the Service: addresses grouped by identical port lists (RepackSubsets),
    addresses sorted by IP; and whether the address limit truncated them."""
    tolerate = bool((svc.get("spec") or {}).get("publishNotReadyAddresses"))
    headless_no_ports = not (svc.get("spec") or {}).get("ports")
    groups: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]] = {}
    total = 0
    truncated = False
    for pod in selected_pods(store, svc):
        if not has_address(pod) or (pod["metadata"].get("deletionTimestamp") and not tolerate):
            continue
        ports = [] if headless_no_ports else pod_ports(pod, svc)
        if ports is None:
            continue
        if total >= MAX_ADDRESSES:
            truncated = True
            continue
        total += 1
        address: dict[str, Any] = {"ip": pod["status"]["podIP"]}
        if hostname_of(pod, svc):
            address["hostname"] = hostname_of(pod, svc)
        if pod["spec"].get("nodeName"):
            address["nodeName"] = pod["spec"]["nodeName"]
        address["targetRef"] = target_ref(pod)
        key = repr(ports)
        ready, not_ready, _ = groups.setdefault(key, ([], [], ports))
        (ready if tolerate or is_ready(pod) else not_ready).append(address)
    subsets = []
    for ready, not_ready, ports in groups.values():
        subset: dict[str, Any] = {}
        if ready:
            subset["addresses"] = sorted(ready, key=lambda a: a["ip"])
        if not_ready:
            subset["notReadyAddresses"] = sorted(not_ready, key=lambda a: a["ip"])
        if ports:
            subset["ports"] = ports
        subsets.append(subset)
    return subsets, truncated


def managed_labels(svc: dict[str, Any]) -> dict[str, str]:
    labels = dict(svc["metadata"].get("labels") or {})
    if (svc.get("spec") or {}).get("clusterIP") == "None":
        labels[HEADLESS_LABEL] = ""
    return labels


class EndpointsController:
    """`endpoint-controller`: one Endpoints per selecting Service, current as pods come and go."""

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
        current = ctx.store.get("Endpoints", namespace, name)
        if svc is None or svc["metadata"].get("deletionTimestamp"):
            if current is not None and svc is None:
                try:
                    ctx.api.delete("Endpoints", name, namespace=namespace, actor=NAME, now=now)
                except Status:
                    return DONE
            return DONE
        if service_selector(svc) is None or svc["spec"].get("type") == "ExternalName":
            return DONE
        subsets, truncated = desired_subsets(ctx.store, svc)
        labels = managed_labels(svc)
        annotations = dict((current or {}).get("metadata", {}).get("annotations") or {})
        if truncated:
            annotations[OVER_CAPACITY] = "truncated"
        else:
            annotations.pop(OVER_CAPACITY, None)
        body: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
        }
        if annotations:
            body["metadata"]["annotations"] = annotations
        if subsets:
            body["subsets"] = subsets
        try:
            if current is None:
                ctx.api.create(body, namespace=namespace, actor=NAME, now=now)
            elif (
                (current.get("subsets") or []) != subsets
                or (current["metadata"].get("labels") or {}) != labels
                or (current["metadata"].get("annotations") or {}) != annotations
            ):
                new = clone(current)
                new["metadata"]["labels"] = labels
                new["metadata"]["annotations"] = annotations
                if not annotations:
                    new["metadata"].pop("annotations")
                new.pop("subsets", None)
                if subsets:
                    new["subsets"] = subsets
                ctx.api.update(new, namespace=namespace, actor=NAME, now=now)
        except Status:
            return DONE
        return DONE


CONTROLLER = EndpointsController()
