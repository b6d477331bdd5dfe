"""kube-proxy and cluster DNS, simulated: resolve a Service by DNS name, ClusterIP:port or NodePort on
any node address, pick one ready endpoint at random (as iptables mode's probability rules do, from the
cluster's seeded draws) and let that pod's simulated server answer. A Service without ready endpoints
refuses the connection, as kube-proxy's REJECT rule makes it. NetworkPolicies are enforced between the two pods
(`networkpolicy.py`); a connection they drop times out, and a pod whose egress policies leave it no way to cluster
DNS resolves no name.

`localhost` from a pod is the pod itself, as its containers share one network namespace.
DNS names: `<svc>.<ns>.svc.cluster.local` (and the short forms a pod's search path allows:
`<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc`), and `<pod>.<svc>.<ns>.svc.cluster.local` for a pod whose
`hostname` and `subdomain` name it behind a headless Service (a StatefulSet's pods).
"""

from __future__ import annotations

import dataclasses
import ipaddress
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from . import images, networkpolicy
from .conditions import is_ready
from .controllers.endpoints import hostname_of, target_port
from .store import Store
from .util import Draws

CLUSTER_DOMAIN = "cluster.local"
LOOPBACK = ("localhost", "127.0.0.1", "::1")
ENDPOINTSLICE_SERVICE = "kubernetes.io/service-name"
# curl without --connect-timeout waits for the kernel's SYN retries (net.ipv4.tcp_syn_retries = 6) to give up
KERNEL_CONNECT_TIMEOUT_MS = 134_368


@dataclass(frozen=True)
class Response:
    """What a request got: `status` (None when no HTTP answer came), `body`, the pod and node that
    answered, the Service it went through, and for a failure curl's message (`error`)."""

    status: int | None
    body: str
    pod: str = ""
    node: str = ""
    service: str = ""
    error: str = ""
    # a connection a NetworkPolicy dropped: the client waited for its timeout (`error` is curl's words for the
    # kernel's, about 130 s; `address` and `port` what it tried, for clients that word it themselves)
    timed_out: bool = False
    address: str = ""
    port: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def service_dns_name(svc: dict[str, Any]) -> str:
    meta = svc["metadata"]
    return f"{meta['name']}.{meta['namespace']}.svc.{CLUSTER_DOMAIN}"


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def resolve(store: Store, host: str, namespace: str) -> tuple[str, dict[str, Any] | None, dict[str, Any] | None]:
    """A host name as cluster DNS answers it from a pod in `namespace`: (address, Service, Pod) with
    the Service for a Service name and the Pod for a headless per-pod name; ("", None, None) if unknown."""
    name = host.rstrip(".").lower()
    if _is_ip(name):
        return name, None, None
    if name.endswith("." + CLUSTER_DOMAIN):
        name = name[: -len(CLUSTER_DOMAIN) - 1]
    parts = name.split(".")
    if parts[-1] == "svc":
        parts = parts[:-1]
    candidates = []
    if len(parts) == 1:
        candidates.append((None, parts[0], namespace))
    elif len(parts) == 2:
        candidates.append((None, parts[0], parts[1]))
        candidates.append((parts[0], parts[1], namespace))
    elif len(parts) == 3:
        candidates.append((parts[0], parts[1], parts[2]))
    for pod_host, svc_name, ns in candidates:
        svc = store.get("Service", ns, svc_name)
        if svc is None:
            continue
        if pod_host is None:
            ip = svc["spec"].get("clusterIP", "")
            if svc["spec"].get("type") == "ExternalName":
                return svc["spec"].get("externalName", ""), svc, None
            if ip and ip != "None":
                return ip, svc, None
            pods = _headless_backends(store, svc)
            return (pods[0]["status"]["podIP"], svc, pods[0]) if pods else ("", None, None)
        if svc["spec"].get("clusterIP") != "None":
            continue
        for pod in store.items("Pod", ns):
            if hostname_of(pod, svc) == pod_host and (pod.get("status") or {}).get("podIP"):
                return pod["status"]["podIP"], svc, pod
    return "", None, None


def _headless_backends(store: Store, svc: dict[str, Any]) -> list[dict[str, Any]]:
    """Ready pods behind a headless Service, in address order (its A records)."""
    found = []
    for endpoint in _slice_endpoints(store, svc):
        if endpoint["conditions"].get("ready"):
            ref = endpoint.get("targetRef") or {}
            pod = store.get("Pod", ref.get("namespace", ""), ref.get("name", ""))
            if pod is not None:
                found.append(pod)
    return sorted(found, key=lambda p: p["status"]["podIP"])


def _slice_endpoints(store: Store, svc: dict[str, Any]) -> list[dict[str, Any]]:
    meta = svc["metadata"]
    out = []
    for item in store.items("EndpointSlice", meta["namespace"]):
        if (item["metadata"].get("labels") or {}).get(ENDPOINTSLICE_SERVICE) == meta["name"]:
            out += item.get("endpoints") or []
    return out


def _service_for(store: Store, address: str, port: int) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The Service and Service port behind ClusterIP:port or a node address:NodePort."""
    node_addresses = {
        entry["address"] for node in store.items("Node") for entry in (node.get("status") or {}).get("addresses") or ()
    }
    for svc in store.items("Service"):
        spec = svc.get("spec") or {}
        for entry in spec.get("ports") or []:
            if spec.get("clusterIP") == address and entry.get("port") == port:
                return svc, entry
            if address in node_addresses and entry.get("nodePort") == port:
                return svc, entry
    return None, None


def _pod_by_ip(store: Store, ip: str) -> dict[str, Any] | None:
    for pod in store.items("Pod"):
        status = pod.get("status") or {}
        if status.get("podIP") == ip and not pod["spec"].get("hostNetwork"):
            return pod
    return None


def answer(pod: dict[str, Any], port: int, path: str, kubelets: Any, *, host: str = "") -> Response:
    """The pod's simulated server on `port`: 200 with the image's page, 404 for a path it does not
    serve, or a refused connection when no running container listens there (curl names `host`, by default
    the pod's IP)."""
    meta = pod["metadata"]
    node = pod["spec"].get("nodeName", "")
    ip = (pod.get("status") or {}).get("podIP", "")
    statuses = {c["name"]: c for c in (pod.get("status") or {}).get("containerStatuses") or ()}
    for container in pod["spec"].get("containers") or []:
        if not (statuses.get(container["name"], {}).get("state") or {}).get("running"):
            continue
        image = images.lookup(images.parse_ref(container.get("image", "")))
        if image is None:
            continue
        program = kubelets.program(pod, container)
        ok, why = images.serves(image, program, port, path)
        if ok:
            return Response(200, page(image, container, pod), meta["name"], node)
        if why.startswith("statuscode"):
            return Response(404, "404 page not found\n", meta["name"], node)
    return Response(
        None,
        "",
        meta["name"],
        node,
        error=f"curl: (7) Failed to connect to {host or ip} port {port} after 0 ms: Couldn't connect to server",
    )


def page(image: images.Image, container: dict[str, Any], pod: dict[str, Any]) -> str:
    """What the image's server answers on `/`."""
    repo = image.repository.rsplit("/", 1)[-1]
    if repo == "nginx":
        return (
            "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n"
            "<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and\n"
            "working. Further configuration is required.</p>\n</body>\n</html>\n"
        )
    if repo == "httpd":
        return "<html><body><h1>It works!</h1></body></html>\n"
    if repo == "http-echo":
        for arg in (container.get("args") or []) + (container.get("command") or []):
            if arg.startswith(("-text=", "--text=")):
                return arg.split("=", 1)[1] + "\n"
        return "hello-world\n"
    if repo == "agnhost":
        return pod["metadata"]["name"]
    return "OK\n"


def _source_ip(pod: dict[str, Any] | None) -> str:
    return ((pod or {}).get("status") or {}).get("podIP") or ((pod or {}).get("status") or {}).get("hostIP") or ""


def _dropped(host: str, port: int, address: str, svc: dict[str, Any] | None = None) -> Response:
    """A connection a NetworkPolicy dropped: curl gives up when the kernel does (about 130 s of SYN retries)."""
    return Response(None, "", service=svc["metadata"]["name"] if svc else "",
                    error=f"curl: (28) Failed to connect to {host} port {port} after {KERNEL_CONNECT_TIMEOUT_MS} ms: "
                    "Couldn't connect to server", timed_out=True, address=address, port=port)


def _dns_blocked(store: Store, source: dict[str, Any] | None) -> bool:
    """Whether the source pod's egress policies keep it from every cluster DNS server (UDP 53 to kube-dns)."""
    if source is None or not store.count(networkpolicy.KIND):
        return False
    dns = store.get("Service", "kube-system", "kube-dns")
    if dns is None:
        return False
    servers = [store.get("Pod", (e.get("targetRef") or {}).get("namespace", ""), (e.get("targetRef") or {}).get(
        "name", "")) for e in _slice_endpoints(store, dns) if e["conditions"].get("ready")]
    return not any(
        not networkpolicy.denied_by(store, source=source, source_ip=_source_ip(source), destination=server,
                                    destination_ip=_source_ip(server), port=53, protocol="UDP")
        for server in servers if server is not None
    )


def _allowed(store: Store, source: dict[str, Any] | None, target: dict[str, Any], port: int) -> bool:
    return not networkpolicy.denied_by(store, source=source, source_ip=_source_ip(source), destination=target,
                                       destination_ip=_source_ip(target), port=port)


def request(store: Store, kubelets: Any, draws: Draws, url: str, *, from_pod: dict[str, Any] | None = None) -> Response:
    """One HTTP GET as `curl <url>` from `from_pod` (or from a node, with the `default` namespace's
    search path): DNS, kube-proxy's choice of a ready endpoint, the NetworkPolicies between the two pods
    (`networkpolicy.py`: a dropped connection times out), and that pod's answer."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    namespace = from_pod["metadata"]["namespace"] if from_pod else "default"
    # the pod's own network namespace: its containers' servers (a node's: none simulated); /etc/hosts names it, and
    # loopback traffic never meets a NetworkPolicy
    if host in LOOPBACK:
        if from_pod is None:
            return Response(None, "", error=f"curl: (7) Failed to connect to {host} port {port} after 0 ms: "
                                            "Couldn't connect to server")
        return answer(from_pod, port, path, kubelets, host=host)
    if not _is_ip(host) and _dns_blocked(store, from_pod):
        return Response(None, "", error=f"curl: (6) Could not resolve host: {host}")
    address, svc, pod = resolve(store, host, namespace)
    if not address:
        return Response(None, "", error=f"curl: (6) Could not resolve host: {host}")
    if svc is not None and svc["spec"].get("type") == "ExternalName":
        return Response(
            None,
            "",
            service=svc["metadata"]["name"],
            error=f"curl: (6) Could not resolve host: {address} (outside the simulated cluster)",
        )
    if pod is not None:
        if not _allowed(store, from_pod, pod, port):
            return _dropped(host, port, address, svc)
        return _with_service(answer(pod, port, path, kubelets), svc)
    svc, svc_port = _service_for(store, address, port)
    if svc is None or svc_port is None:
        target = _pod_by_ip(store, address)
        if target is not None:
            if not _allowed(store, from_pod, target, port):
                return _dropped(host, port, address)
            return answer(target, port, path, kubelets)
        return Response(
            None, "", error=f"curl: (7) Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server"
        )
    ready = []
    for endpoint in _slice_endpoints(store, svc):
        if not endpoint["conditions"].get("ready"):
            continue
        ref = endpoint.get("targetRef") or {}
        backend = store.get("Pod", ref.get("namespace", ""), ref.get("name", ""))
        if backend is not None and is_ready(backend):
            number = target_port(backend, svc_port)
            if number is not None:
                ready.append((backend, number))
    if not ready:
        return Response(
            None,
            "",
            service=svc["metadata"]["name"],
            error=f"curl: (7) Failed to connect to {host} port {port} after 0 ms: Connection refused",
        )
    ready.sort(key=lambda item: item[0]["metadata"]["name"])
    backend, number = ready[draws.bits(32) % len(ready)]
    if not _allowed(store, from_pod, backend, number):  # after kube-proxy's DNAT: the policy sees the pod and port
        return _dropped(host, port, address, svc)
    return _with_service(answer(backend, number, path, kubelets), svc)


def _with_service(response: Response, svc: dict[str, Any] | None) -> Response:
    if svc is None:
        return response
    return dataclasses.replace(response, service=svc["metadata"]["name"])
