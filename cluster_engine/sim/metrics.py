"""The simulated metrics-server: the metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics it would serve, computed
from the pods' simulated containers, and whether that API is registered and available at all.

Registration and availability follow the objects, as the aggregator does: the APIService
`v1beta1.metrics.k8s.io` that metrics-server's manifest installs points at the Service `kube-system/metrics-server`,
so that Service stands for the registration (no Service: `kubectl top` finds no Metrics API), and the API is
available while the Service has a ready endpoint (otherwise every metrics request is a 503, as when the
metrics-server pod is gone or not ready).

Usage is deterministic: a hash of the container's pod uid and name and of the scrape time (`--metric-resolution`
15 s, so values move every 15 simulated seconds, as scrapes do). It follows what the simulation models of the
workload: the resident memory of the image's process or `stress --vm-bytes` (which the kubelet's OOM kills use
too, so a container never shows more memory than its limit), busy CPU for `stress --cpu N` / `--vm N` capped by
the CPU limit as the CFS quota throttles it, a few millicores for servers, nothing for a sleeping shell, and
per-component figures for the control plane. A container counts once two scrapes have seen it running (15 s);
a node counts while it is Ready, with the kubelet's, runtime's and system's own usage added to its pods'.
"""

from __future__ import annotations

import hashlib
import math
import shlex
from collections.abc import Callable
from typing import Any, Protocol

from . import images
from .errors import Status, not_found
from .quantity import QuantityError, cpu_millis, memory_bytes, parse_quantity
from .selectors import parse_label_selector
from .util import parse_rfc3339, rfc3339

GROUP = "metrics.k8s.io"
VERSION = "v1beta1"
API_VERSION = f"{GROUP}/{VERSION}"
NAMESPACE = "kube-system"
SERVICE = "metrics-server"
RESOLUTION = 15.0  # metrics-server --metric-resolution=15s
WINDOW = "20s"
# kubectl top pod's metricsCreationDelay: younger pods without metrics are "not available yet"
METRICS_CREATION_DELAY = 120.0

ABSENT = "Absent"  # no APIService: discovery does not list metrics.k8s.io
UNAVAILABLE = "Unavailable"  # registered, but no ready endpoint behind it: 503 ServiceUnavailable
AVAILABLE = "Available"

MiB = 1024 * 1024
PAGE = 4096
# Idle CPU of the control-plane components, in millicores (what `kubectl top pod -n kube-system` shows on a
# quiet kubeadm or kind cluster).
COMPONENT_CPU = {
    "registry.k8s.io/kube-apiserver": 35.0,
    "registry.k8s.io/etcd": 18.0,
    "registry.k8s.io/kube-controller-manager": 12.0,
    "registry.k8s.io/kube-scheduler": 3.0,
    "registry.k8s.io/kube-proxy": 1.0,
    "registry.k8s.io/coredns/coredns": 2.0,
    "registry.k8s.io/metrics-server/metrics-server": 4.0,
}
SERVER_CPU = 1.0  # an idle server process
LOOP_CPU = 0.6  # a shell loop that wakes up now and then
# The node's own share: kubelet, container runtime and system daemons, plus each pod's sandbox and shim.
NODE_CPU, POD_CPU = 30.0, 1.5
NODE_MEMORY, POD_MEMORY = 300 * MiB, 8 * MiB


class Reader(Protocol):
    """The reads these functions make (the in-page kubectl's client and the cluster's api-server both qualify)."""

    def get(self, kind: str, name: str, *, namespace: str = ...) -> dict[str, Any]: ...

    def list(
        self, kind: str, *, namespace: str | None = ..., label_selector: str = ..., field_selector: str = ...
    ) -> dict[str, Any]: ...


# --- the API's state ----------------------------------------------------------------------------------
def api_state(reader: Reader) -> str:
    """ABSENT, UNAVAILABLE or AVAILABLE (see the module docstring)."""
    try:
        reader.get("Service", SERVICE, namespace=NAMESPACE)
    except Status:
        return ABSENT
    slices = reader.list("EndpointSlice", namespace=NAMESPACE, label_selector=f"kubernetes.io/service-name={SERVICE}")
    for endpoint_slice in slices.get("items") or []:
        for endpoint in endpoint_slice.get("endpoints") or []:
            if (endpoint.get("conditions") or {}).get("ready") is not False and endpoint.get("addresses"):
                return AVAILABLE
    return UNAVAILABLE


def unavailable(resource: str, name: str = "") -> Status:
    """What client-go makes of the aggregator's `503 service unavailable` for a metrics read."""
    target = f"{resource}.{GROUP}" + (f" {name}" if name else "")
    return Status(503, "ServiceUnavailable", f"the server is currently unable to handle the request (get {target})")


# --- usage of one container -----------------------------------------------------------------------------
def _unit(*parts: Any) -> float:
    """A number in [0, 1) fixed by `parts`."""
    digest = hashlib.blake2b("/".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / float(1 << 64)


def scrape_time(now: float) -> float:
    """The last scrape at or before `now` (scrapes every RESOLUTION seconds)."""
    return math.floor(now / RESOLUTION) * RESOLUTION


def _argv(container: dict[str, Any]) -> list[str]:
    argv = [*(container.get("command") or []), *(container.get("args") or [])]
    if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash") and argv[1] == "-c":
        try:
            return shlex.split(argv[2].replace(";", " ; ").replace("&&", " ; "))
        except ValueError:
            return argv[2].split()
    return [str(word) for word in argv]


def _busy_cores(container: dict[str, Any]) -> float:
    """Cores kept busy by `stress` workers: `--cpu N`, and `--vm N` unless `--vm-hang` puts them to sleep."""
    argv = _argv(container)
    starts = [i for i, word in enumerate(argv) if word.rsplit("/", 1)[-1] == "stress"]
    if not starts:
        return 0.0
    words = argv[starts[0] + 1 :]
    words = words[: words.index(";")] if ";" in words else words

    def count(*names: str) -> int:
        for index, word in enumerate(words[:-1]):
            if word in names and words[index + 1].isdigit():
                return int(words[index + 1])
        return 0

    vm = count("--vm", "-m")
    hangs = any(word in ("--vm-hang",) for word in words)
    return float(count("--cpu", "-c") + (0 if hangs else vm))


def _limit(container: dict[str, Any], name: str) -> int | None:
    raw = ((container.get("resources") or {}).get("limits") or {}).get(name)
    if raw is None:
        return None
    try:
        return cpu_millis(raw) if name == "cpu" else memory_bytes(raw)
    except QuantityError:
        return None


def container_usage(pod: dict[str, Any], container: dict[str, Any], scrape: float) -> tuple[int, int]:
    """(CPU in nanocores, memory working set in bytes) of a running container at the scrape at `scrape`."""
    ref = images.parse_ref(container.get("image", ""))
    image = images.lookup(ref) or images.CATALOGUE["docker.io/library/busybox"]
    env = {e["name"]: e.get("value", "") for e in container.get("env") or [] if "name" in e}
    program = images.program_for(image, container.get("command"), container.get("args"), env)
    uid, name = pod["metadata"].get("uid", pod["metadata"]["name"]), container["name"]
    busy = _busy_cores(container)
    if busy:
        millis = busy * 1000.0 * (0.985 + 0.015 * _unit(uid, name, "cpu", scrape))
    else:
        base = COMPONENT_CPU.get(image.repository)
        if base is None:
            base = SERVER_CPU if program.server else (LOOP_CPU if program.loop else 0.0)
        millis = base * (0.6 + 0.8 * _unit(uid, name, "cpu", scrape))
    cpu_limit = _limit(container, "cpu")
    if cpu_limit is not None:
        millis = min(millis, float(cpu_limit))
    # the working set stays below the resident size the kubelet's OOM check compares with the limit
    memory = program.memory * (0.9 + 0.06 * _unit(uid, name, "memory") + 0.04 * _unit(uid, name, "memory", scrape))
    memory_limit = _limit(container, "memory")
    if memory_limit is not None:
        memory = min(memory, float(memory_limit))
    return int(millis * 1_000_000), int(memory) // PAGE * PAGE


def _running_since(pod: dict[str, Any]) -> dict[str, float]:
    """Start times of the pod's running containers, by name."""
    started: dict[str, float] = {}
    for cstatus in (pod.get("status") or {}).get("containerStatuses") or []:
        running = (cstatus.get("state") or {}).get("running")
        if running is not None and running.get("startedAt"):
            started[cstatus["name"]] = parse_rfc3339(running["startedAt"])
    return started


def _ready_node(node: dict[str, Any]) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (node.get("status") or {}).get("conditions") or []
    )


# --- PodMetrics -------------------------------------------------------------------------------------------
def _pod_metrics(pod: dict[str, Any], now: float, scrape: float) -> dict[str, Any] | None:
    if (pod.get("status") or {}).get("phase") != "Running":
        return None
    started = _running_since(pod)
    containers = []
    for container in pod["spec"].get("containers") or []:
        since = started.get(container["name"])
        if since is None or since > scrape - RESOLUTION:
            continue
        cpu, memory = container_usage(pod, container, scrape)
        containers.append({"name": container["name"], "usage": {"cpu": f"{cpu}n", "memory": f"{memory // 1024}Ki"}})
    if not containers:
        return None
    meta = pod["metadata"]
    metadata: dict[str, Any] = {"name": meta["name"], "namespace": meta["namespace"], "creationTimestamp": rfc3339(now)}
    if meta.get("labels"):
        metadata["labels"] = dict(meta["labels"])
    return {"kind": "PodMetrics", "apiVersion": API_VERSION, "metadata": metadata, "timestamp": rfc3339(scrape),
            "window": WINDOW, "containers": containers}


def _field_matches(field_selector: str, obj: dict[str, Any]) -> bool:
    """metrics-server filters pods by their object-meta fields only (`generic.AddObjectMetaFieldsSet`): any
    other field reads as empty, so `spec.nodeName=x` matches nothing."""
    meta = obj["metadata"]
    fields = {"metadata.name": meta["name"], "metadata.namespace": meta.get("namespace", "")}
    for raw in (field_selector or "").split(","):
        part = raw.strip()
        if not part:
            continue
        for op in ("!=", "==", "="):
            if op in part:
                label, value = (piece.strip() for piece in part.split(op, 1))
                if (fields.get(label, "") == value) == (op == "!="):
                    return False
                break
    return True


def _ready_nodes(reader: Reader) -> set[str]:
    return {n["metadata"]["name"] for n in reader.list("Node").get("items") or [] if _ready_node(n)}


def list_pod_metrics(
    reader: Reader, now: float, *, namespace: str | None = None, label_selector: str = "", field_selector: str = ""
) -> list[dict[str, Any]]:
    """PodMetrics of the pods in `namespace` (None: all) that have metrics, sorted by namespace and name."""
    pods = reader.list("Pod", namespace=namespace, label_selector=label_selector).get("items") or []
    ready, scrape = _ready_nodes(reader), scrape_time(now)
    found = []
    for pod in pods:
        if pod["spec"].get("nodeName") not in ready or not _field_matches(field_selector, pod):
            continue
        metrics = _pod_metrics(pod, now, scrape)
        if metrics is not None:
            found.append(metrics)
    return found


def get_pod_metrics(reader: Reader, now: float, namespace: str, name: str) -> dict[str, Any]:
    """One pod's PodMetrics. Raises the pod's NotFound, or `pods.metrics.k8s.io "ns/name" not found` when the
    pod exists but has no metrics (as metrics-server answers)."""
    pod = reader.get("Pod", name, namespace=namespace)
    metrics = None
    if pod["spec"].get("nodeName") in _ready_nodes(reader):
        metrics = _pod_metrics(pod, now, scrape_time(now))
    if metrics is None:
        raise not_found("pods", f"{namespace}/{name}", GROUP)
    return metrics


# --- NodeMetrics ------------------------------------------------------------------------------------------
def _node_metrics(node: dict[str, Any], pods: list[dict[str, Any]], now: float, scrape: float) -> dict[str, Any]:
    meta = node["metadata"]
    uid = meta.get("uid", meta["name"])
    cpu = (NODE_CPU + POD_CPU * len(pods)) * 1_000_000 * (0.85 + 0.3 * _unit(uid, "cpu", scrape))
    memory = (NODE_MEMORY + POD_MEMORY * len(pods)) * (0.95 + 0.1 * _unit(uid, "memory", scrape))
    for pod in pods:
        started = _running_since(pod)
        for container in pod["spec"].get("containers") or []:
            if container["name"] in started:
                container_cpu, container_memory = container_usage(pod, container, scrape)
                cpu += container_cpu
                memory += container_memory
    capacity = (node.get("status") or {}).get("capacity") or {}
    try:
        cpu = min(cpu, cpu_millis(capacity.get("cpu", "0")) * 1_000_000 or cpu)
        memory = min(memory, memory_bytes(capacity.get("memory", "0")) or memory)
    except QuantityError:
        pass
    metadata: dict[str, Any] = {"name": meta["name"], "creationTimestamp": rfc3339(now)}
    if meta.get("labels"):
        metadata["labels"] = dict(meta["labels"])
    return {
        "kind": "NodeMetrics",
        "apiVersion": API_VERSION,
        "metadata": metadata,
        "timestamp": rfc3339(scrape),
        "window": WINDOW,
        "usage": {"cpu": f"{int(cpu)}n", "memory": f"{int(memory) // PAGE * PAGE // 1024}Ki"},
    }


def _pods_by_node(reader: Reader) -> dict[str, list[dict[str, Any]]]:
    by_node: dict[str, list[dict[str, Any]]] = {}
    for pod in reader.list("Pod").get("items") or []:
        node = pod["spec"].get("nodeName")
        if node and _running_since(pod):
            by_node.setdefault(node, []).append(pod)
    return by_node


def list_node_metrics(reader: Reader, now: float, *, label_selector: str = "") -> list[dict[str, Any]]:
    """NodeMetrics of the Ready nodes matching `label_selector`, sorted by name."""
    parse_label_selector(label_selector)  # a bad selector is the api-server's 400 before anything is read
    nodes = [n for n in reader.list("Node", label_selector=label_selector).get("items") or [] if _ready_node(n)]
    if not nodes:
        return []
    by_node, scrape = _pods_by_node(reader), scrape_time(now)
    return [_node_metrics(n, by_node.get(n["metadata"]["name"], []), now, scrape) for n in nodes]


def get_node_metrics(reader: Reader, now: float, name: str) -> dict[str, Any]:
    """One node's NodeMetrics. Raises the node's NotFound, or `nodes.metrics.k8s.io "x" not found` for a node
    metrics-server cannot scrape (not Ready)."""
    node = reader.get("Node", name, namespace="")
    if not _ready_node(node):
        raise not_found("nodes", name, GROUP)
    pods = [p for p in reader.list("Pod", field_selector=f"spec.nodeName={name}").get("items") or []
            if _running_since(p)]
    return _node_metrics(node, pods, now, scrape_time(now))


# --- metrics-server's Table (what `kubectl get nodes.metrics.k8s.io` prints) ------------------------------
def _quantity(value: Any, unit: str) -> str:
    """Quantity.String() of a sum in the unit metrics-server writes (`n` for CPU, `Ki` for memory)."""
    if unit == "n":
        return f"{int(value * 10**9)}n"
    number = int(value)
    return f"{number // 1024}Ki" if number % 1024 == 0 else str(number)


def _usage(item: dict[str, Any]) -> dict[str, str]:
    """A NodeMetrics' usage, or a PodMetrics' containers summed (as metrics-server's table does)."""
    if "usage" in item:
        return item["usage"]
    totals = {"cpu": parse_quantity("0"), "memory": parse_quantity("0")}
    for container in item.get("containers") or []:
        for resource in totals:
            totals[resource] += parse_quantity(container["usage"].get(resource, "0"))
    return {"cpu": _quantity(totals["cpu"], "n"), "memory": _quantity(totals["memory"], "Ki")}


def table(items: list[dict[str, Any]], row_object: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """metrics-server's Table (Name, cpu, memory, Window); `row_object` gives each row's `object`."""
    # metrics-server names the columns after the first item's resources: none without items
    columns = [
        {"name": "Name", "type": "string", "format": "name", "description": "Name of the resource", "priority": 0},
        *({"name": name, "type": "string", "format": "quantity", "description": "", "priority": 0}
          for name in ("cpu", "memory")),
        {"name": "Window", "type": "string", "format": "duration", "description": "", "priority": 0},
    ] if items else []
    rows = []
    for item in items:
        usage = _usage(item)
        rows.append({"cells": [item["metadata"]["name"], usage["cpu"], usage["memory"], item.get("window", "")],
                     "object": row_object(item)})
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {}, "columnDefinitions": columns,
            "rows": rows}
