"""Table columns and rows per kind, as kube-apiserver's printers define them
(`pkg/printers/internalversion/printers.go`), served as a `meta.k8s.io/v1` Table.

The api-server role converts objects with `to_table`; the real kubectl and the in-page kubectl both format
that Table. Rows always carry every cell (the server prints "wide"); clients hide priority-1 columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .util import parse_rfc3339

Cell = str | int | bool | None
RowFunc = Callable[[dict[str, Any], float], list[Cell]]

_NAME_DOC = (
    "Name must be unique within a namespace. Is required when creating resources, although some resources "
    "may allow a client to request the generation of an appropriate name automatically. Name is primarily "
    "intended for creation idempotence and configuration definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
_AGE_DOC = (
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
    "guaranteed to be set in happens-before order across separate operations. Clients may not set this "
    "value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for "
    "lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
)
_CONTAINERS_DOC = "Names of each container in the template."
_IMAGES_DOC = "Images referenced by each container in the template."
_SELECTOR_DOC = "A label query over pods that should match the replica count."


@dataclass(frozen=True)
class Column:
    """One `TableColumnDefinition`; priority 1 columns appear only with `-o wide`."""

    name: str
    type: str = "string"
    format: str = ""
    description: str = ""
    priority: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "format": self.format,
            "description": self.description,
            "priority": self.priority,
        }


NAME = Column("Name", format="name", description=_NAME_DOC)
AGE = Column("Age", description=_AGE_DOC)


def _wide(name: str, description: str) -> Column:
    return Column(name, description=description, priority=1)


# ---------------------------------------------------------------- formatting helpers (upstream names)


def human_duration(seconds: float) -> str:
    """apimachinery `duration.HumanDuration`: `5s`, `3m2s`, `4h`, `2d`, ... (`<invalid>` when negative)."""
    whole = int(seconds)  # truncates toward zero, as Go's int(d.Seconds())
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 60 * 2:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        rest = whole % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = whole // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def since(timestamp: str | None, now: float) -> str:
    """`translateTimestampSince`: the age of an RFC 3339 timestamp, `<unknown>` when unset."""
    if not timestamp:
        return "<unknown>"
    return human_duration(now - parse_rfc3339(timestamp))


def format_labels(labels: dict[str, str] | None) -> str:
    """`labels.FormatLabels`: sorted `k=v` joined by commas, `<none>` when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{key}={labels[key]}" for key in sorted(labels))


def selector_string(selector: dict[str, Any] | None) -> str:
    """`LabelSelectorAsSelector(s).String()`: requirements sorted by key, empty for nil or empty."""
    if not selector:
        return ""
    parts: list[tuple[str, str]] = [(k, f"{k}={v}") for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        key, operator = expr.get("key", ""), expr.get("operator", "")
        values = ",".join(sorted(expr.get("values") or []))
        text = {
            "In": f"{key} in ({values})",
            "NotIn": f"{key} notin ({values})",
            "Exists": key,
            "DoesNotExist": f"!{key}",
        }.get(operator, key)
        parts.append((key, text))
    parts.sort(key=lambda part: part[0])
    return ",".join(text for _, text in parts)


def format_label_selector(selector: dict[str, Any] | None) -> str:
    """`metav1.FormatLabelSelector`: like `selector_string` but `<none>` when empty."""
    return selector_string(selector) or "<none>"


def _containers(template_spec: dict[str, Any] | None) -> tuple[str, str]:
    containers = (template_spec or {}).get("containers") or []
    return (",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers))


def _template_spec(obj: dict[str, Any]) -> dict[str, Any]:
    return ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def _name(obj: dict[str, Any]) -> str:
    return _meta(obj).get("name", "")


def _age(obj: dict[str, Any], now: float) -> str:
    return since(_meta(obj).get("creationTimestamp"), now)


def _true(conditions: Iterable[dict[str, Any]] | None, kind: str) -> bool:
    for condition in conditions or []:
        if condition.get("type") == kind:
            return condition.get("status") == "True"
    return False


def _list_with_more(items: list[str], count: int, limit: int = 3) -> str:
    shown = ",".join(items[:limit])
    if count > limit:
        return f"{shown} + {count - limit} more..."
    return shown or "<unset>"


# ---------------------------------------------------------------- Pod

_POD_COLUMNS = (
    NAME,
    Column("Ready", description="The aggregate readiness state of this pod for accepting traffic."),
    Column("Status", description="The aggregate status of the containers in this pod."),
    Column(
        "Restarts",
        description="The number of times the containers in this pod have been restarted "
        "and when the last container in this pod has restarted.",
    ),
    AGE,
    _wide(
        "IP",
        "podIP address allocated to the pod. Routable at least within the cluster. Empty if not "
        "yet allocated.",
    ),
    _wide("Node", "NodeName indicates in which node this pod is scheduled."),
    _wide(
        "Nominated Node",
        "nominatedNodeName is set only when this pod preempts other pods on the node, "
        "but it cannot be scheduled right away as preemption victims receive their "
        "graceful termination periods.",
    ),
    _wide("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness."),
)


@dataclass(frozen=True)
class PodSummary:
    """What `printPod` derives from a pod: READY, STATUS and RESTARTS before formatting."""

    ready: int
    total: int
    reason: str
    restarts: int
    last_restart: str | None  # RFC 3339 finishedAt of the latest restart, None if none


def _restartable(container: dict[str, Any] | None) -> bool:
    return bool(container) and container.get("restartPolicy") == "Always"


def _later(current: str | None, candidate: str | None) -> str | None:
    if not candidate:
        return current
    if current is None or parse_rfc3339(candidate) > parse_rfc3339(current):
        return candidate
    return current


def pod_summary(pod: dict[str, Any]) -> PodSummary:
    """The READY / STATUS / RESTARTS derivation of kube-apiserver's `printPod`, step for step."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    conditions = status.get("conditions") or []
    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for condition in conditions:
        if condition.get("type") == "PodScheduled" and condition.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    total = len(spec.get("containers") or [])
    init_specs = {c.get("name"): c for c in spec.get("initContainers") or []}
    total += sum(1 for c in init_specs.values() if _restartable(c))
    ready = 0
    restarts = 0
    sidecar_restarts = 0
    last_restart: str | None = None
    last_sidecar_restart: str | None = None

    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    for index, container in enumerate(init_statuses):
        count = int(container.get("restartCount") or 0)
        restarts += count
        finished = ((container.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
        last_restart = _later(last_restart, finished)
        sidecar = _restartable(init_specs.get(container.get("name")))
        if sidecar:
            sidecar_restarts += count
            last_sidecar_restart = _later(last_sidecar_restart, finished)
        state = container.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and int(terminated.get("exitCode") or 0) == 0:
            continue
        if sidecar and container.get("started"):
            if container.get("ready"):
                ready += 1
            continue
        if terminated is not None:
            if not terminated.get("reason"):
                signal = int(terminated.get("signal") or 0)
                reason = (
                    f"Init:Signal:{signal}"
                    if signal
                    else f"Init:ExitCode:{int(terminated.get('exitCode') or 0)}"
                )
            else:
                reason = "Init:" + terminated["reason"]
        elif waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _true(conditions, "Initialized"):
        restarts = sidecar_restarts
        last_restart = last_sidecar_restart
        has_running = False
        for container in reversed(status.get("containerStatuses") or []):
            restarts += int(container.get("restartCount") or 0)
            finished = ((container.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
            last_restart = _later(last_restart, finished)
            state = container.get("state") or {}
            waiting, terminated = state.get("waiting"), state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None and terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated is not None:
                signal = int(terminated.get("signal") or 0)
                reason = f"Signal:{signal}" if signal else f"ExitCode:{int(terminated.get('exitCode') or 0)}"
            elif container.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _true(conditions, "Ready") else "NotReady"

    deleting = _meta(pod).get("deletionTimestamp")
    if deleting and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif deleting and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return PodSummary(ready, total, reason, restarts, last_restart)


def _pod_row(pod: dict[str, Any], now: float) -> list[Cell]:
    summary = pod_summary(pod)
    restarts = str(summary.restarts)
    if summary.restarts and summary.last_restart:
        restarts = f"{summary.restarts} ({since(summary.last_restart, now)} ago)"
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    ips = status.get("podIPs") or []
    gates = spec.get("readinessGates") or []
    readiness = "<none>"
    if gates:
        conditions = status.get("conditions") or []
        met = 0
        for gate in gates:
            for condition in conditions:
                if condition.get("type") == gate.get("conditionType"):
                    met += condition.get("status") == "True"
                    break
        readiness = f"{met}/{len(gates)}"
    return [
        _name(pod),
        f"{summary.ready}/{summary.total}",
        summary.reason,
        restarts,
        _age(pod, now),
        (ips[0].get("ip") if ips else "") or "<none>",
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        readiness,
    ]


def _pod_conditions(pod: dict[str, Any]) -> list[dict[str, str]]:
    phase = (pod.get("status") or {}).get("phase")
    if phase == "Succeeded":
        return [
            {
                "type": "Completed",
                "status": "True",
                "reason": "Succeeded",
                "message": "The pod has completed successfully.",
            }
        ]
    if phase == "Failed":
        return [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]
    return []


# ---------------------------------------------------------------- Node

_NODE_COLUMNS = (
    NAME,
    Column("Status", description="The status of the node"),
    Column("Roles", description="The roles of the node"),
    AGE,
    Column("Version", description="Kubelet Version reported by the node."),
    _wide("Internal-IP", "List of addresses reachable to the node."),
    _wide("External-IP", "List of addresses reachable to the node."),
    _wide(
        "OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."
    ),
    _wide(
        "Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."
    ),
    _wide(
        "Container-Runtime",
        "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
    ),
)


def node_roles(node: dict[str, Any]) -> list[str]:
    """`findNodeRoles`: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role` values, sorted."""
    roles: set[str] = set()
    for key, value in (_meta(node).get("labels") or {}).items():
        if key.startswith("node-role.kubernetes.io/"):
            role = key.removeprefix("node-role.kubernetes.io/")
            if role:
                roles.add(role)
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return sorted(roles)


def node_status(node: dict[str, Any]) -> str:
    """`Ready`, `NotReady`, `Unknown`, with `,SchedulingDisabled` for a cordoned node."""
    parts: list[str] = []
    for condition in (node.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            parts = ["Ready" if condition.get("status") == "True" else "NotReady"]
    if not parts:
        parts = ["Unknown"]
    if (node.get("spec") or {}).get("unschedulable"):
        parts.append("SchedulingDisabled")
    return ",".join(parts)


def _node_address(node: dict[str, Any], kind: str) -> str:
    for address in (node.get("status") or {}).get("addresses") or []:
        if address.get("type") == kind:
            return address.get("address", "")
    return "<none>"


def _node_row(node: dict[str, Any], now: float) -> list[Cell]:
    info = (node.get("status") or {}).get("nodeInfo") or {}
    return [
        _name(node),
        node_status(node),
        ",".join(node_roles(node)) or "<none>",
        _age(node, now),
        info.get("kubeletVersion", ""),
        _node_address(node, "InternalIP"),
        _node_address(node, "ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


# ---------------------------------------------------------------- core kinds

_NAMESPACE_COLUMNS = (NAME, Column("Status", description="The status of the namespace"), AGE)


def _namespace_row(ns: dict[str, Any], now: float) -> list[Cell]:
    return [_name(ns), (ns.get("status") or {}).get("phase", ""), _age(ns, now)]


_EVENT_COLUMNS = (
    Column(
        "Last Seen", description="The time at which the most recent occurrence of this event was recorded."
    ),
    Column(
        "Type", description="Type of this event (Normal, Warning), new types could be added in the future"
    ),
    Column(
        "Reason",
        description="This should be a short, machine understandable string that gives the "
        "reason for the transition into the object's current status.",
    ),
    Column("Object", description="The object that this event is about."),
    _wide(
        "Subobject",
        "If referring to a piece of an object instead of an entire object, this string "
        "should contain a valid JSON/Go field access statement, such as "
        "desiredState.manifest.containers[2].",
    ),
    _wide("Source", "The component reporting this event. Should be a short machine understandable string."),
    Column("Message", description="A human-readable description of the status of this operation."),
    _wide(
        "First Seen",
        "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
    ),
    _wide("Count", "The number of times this event has occurred."),
    Column("Name", format="name", description=_NAME_DOC, priority=1),
)


def _event_row(event: dict[str, Any], now: float) -> list[Cell]:
    first = (
        since(event.get("firstTimestamp"), now)
        if event.get("firstTimestamp")
        else since(event.get("eventTime"), now)
    )
    last = since(event.get("lastTimestamp"), now) if event.get("lastTimestamp") else first
    count = int(event.get("count") or 0)
    series = event.get("series")
    if series:
        last = since(series.get("lastObservedTime"), now)
        count = int(series.get("count") or 0)
    elif count == 0:
        count = 1
    involved = event.get("involvedObject") or {}
    target = involved.get("kind", "").lower()
    if involved.get("name"):
        target = f"{target}/{involved['name']}"
    source = event.get("source") or {}
    component = (
        source.get("component") or event.get("reportingComponent") or event.get("reportingController") or ""
    )
    host = source.get("host") or event.get("reportingInstance") or ""
    return [
        last,
        event.get("type", ""),
        event.get("reason", ""),
        target,
        involved.get("fieldPath", ""),
        f"{component}, {host}" if host else component,
        (event.get("message") or "").strip(),
        first,
        count,
        _name(event),
    ]


_CONFIGMAP_COLUMNS = (NAME, Column("Data", description="Data contains the configuration data."), AGE)


def _configmap_row(cm: dict[str, Any], now: float) -> list[Cell]:
    return [_name(cm), len(cm.get("data") or {}) + len(cm.get("binaryData") or {}), _age(cm, now)]


_SECRET_COLUMNS = (
    NAME,
    Column("Type", description="Used to facilitate programmatic handling of secret data."),
    Column("Data", description="Data contains the secret data."),
    AGE,
)


def _secret_row(secret: dict[str, Any], now: float) -> list[Cell]:
    return [_name(secret), secret.get("type", ""), len(secret.get("data") or {}), _age(secret, now)]


_SERVICE_ACCOUNT_COLUMNS = (
    NAME,
    Column(
        "Secrets",
        description="Secrets is a list of the secrets in the "
        "same namespace that pods running using "
        "this ServiceAccount are allowed to use.",
    ),
    AGE,
)


def _service_account_row(sa: dict[str, Any], now: float) -> list[Cell]:
    return [_name(sa), len(sa.get("secrets") or []), _age(sa, now)]


_SERVICE_COLUMNS = (
    NAME,
    Column("Type", description="type determines how the Service is exposed."),
    Column(
        "Cluster-IP",
        description="clusterIP is the IP address of the service and is usually assigned randomly.",
    ),
    Column(
        "External-IP",
        description="externalIPs is a list of IP addresses for which nodes in the cluster "
        "will also accept traffic for this service.",
    ),
    Column("Port(s)", description="The list of ports that are exposed by this service."),
    AGE,
    _wide("Selector", "Route service traffic to pods with label keys and values matching this selector."),
)


def service_external_ip(service: dict[str, Any]) -> str:
    """`getServiceExternalIP` as the server computes it (wide: never clipped)."""
    spec = service.get("spec") or {}
    external = spec.get("externalIPs") or []
    kind = spec.get("type") or "ClusterIP"
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) or "<none>"
    if kind == "LoadBalancer":
        ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        addresses = sorted(
            {i.get("ip") or i.get("hostname") for i in ingress if i.get("ip") or i.get("hostname")}
        )
        if external:
            return ",".join([*addresses, *external])
        return ",".join(addresses) or "<pending>"
    if kind == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


def service_ports(ports: list[dict[str, Any]] | None) -> str:
    """`makePortString`: `80/TCP`, `80:30080/TCP`, joined by commas."""
    pieces = []
    for port in ports or []:
        protocol = port.get("protocol", "TCP")
        if port.get("nodePort"):
            pieces.append(f"{port.get('port')}:{port['nodePort']}/{protocol}")
        else:
            pieces.append(f"{port.get('port')}/{protocol}")
    return ",".join(pieces)


def _service_row(service: dict[str, Any], now: float) -> list[Cell]:
    spec = service.get("spec") or {}
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return [
        _name(service),
        spec.get("type") or "ClusterIP",
        cluster_ips[0] if cluster_ips else "<none>",
        service_external_ip(service),
        service_ports(spec.get("ports")) or "<none>",
        _age(service, now),
        format_labels(spec.get("selector")),
    ]


_ENDPOINTS_COLUMNS = (
    NAME,
    Column("Endpoints", description="The set of all endpoints is the union of all subsets."),
    AGE,
)


def format_endpoints(endpoints: dict[str, Any]) -> str:
    """`formatEndpoints`: the first three `ip:port` pairs, then `+ N more...`; `<none>` without subsets."""
    subsets = endpoints.get("subsets") or []
    if not subsets:
        return "<none>"
    shown: list[str] = []
    count = 0
    for subset in subsets:
        addresses = [a.get("ip", "") for a in subset.get("addresses") or []]
        ports = subset.get("ports") or []
        if not ports:
            count += len(addresses)
            shown.extend(addresses[: max(0, 3 - len(shown))])
            continue
        for port in ports:
            count += len(addresses)
            for ip in addresses:
                if len(shown) == 3:
                    break
                host = f"[{ip}]" if ":" in ip else ip
                shown.append(f"{host}:{port.get('port')}")
    text = ",".join(shown)
    return f"{text} + {count - 3} more..." if count > 3 else text


def _endpoints_row(endpoints: dict[str, Any], now: float) -> list[Cell]:
    return [_name(endpoints), format_endpoints(endpoints), _age(endpoints, now)]


_ENDPOINTSLICE_COLUMNS = (
    NAME,
    Column(
        "AddressType", description="addressType specifies the type of address carried by this EndpointSlice."
    ),
    Column(
        "Ports",
        description="ports specifies the list of network ports exposed by each endpoint in this slice.",
    ),
    Column("Endpoints", description="endpoints is a list of unique endpoints in this slice."),
    AGE,
)


def _endpointslice_row(eps: dict[str, Any], now: float) -> list[Cell]:
    ports = eps.get("ports") or []
    port_texts = [str(p["port"]) if p.get("port") is not None else (p.get("name") or "*") for p in ports]
    addresses = [a for e in eps.get("endpoints") or [] for a in e.get("addresses") or []]
    return [
        _name(eps),
        eps.get("addressType", ""),
        _list_with_more(port_texts, len(port_texts)),
        _list_with_more(addresses, len(addresses)),
        _age(eps, now),
    ]


_ACCESS_MODES = (
    ("ReadWriteOnce", "RWO"),
    ("ReadOnlyMany", "ROX"),
    ("ReadWriteMany", "RWX"),
    ("ReadWriteOncePod", "RWOP"),
)

_PVC_COLUMNS = (
    NAME,
    Column("Status", description="phase represents the current phase of PersistentVolumeClaim."),
    Column(
        "Volume",
        description="volumeName is the binding reference to the PersistentVolume backing this claim.",
    ),
    Column("Capacity", description="capacity represents the actual resources of the underlying volume."),
    Column(
        "Access Modes",
        description="accessModes contains the actual access modes the volume backing the PVC has.",
    ),
    Column("StorageClass", description="StorageClass of the pvc"),
    Column("VolumeAttributesClass", description="VolumeAttributesClass of the pvc"),
    AGE,
    _wide("VolumeMode", "volumeMode defines what type of volume is required by the claim."),
)


def access_modes_text(modes: list[str] | None) -> str:
    """`GetAccessModesAsString`: RWO, ROX, RWX, RWOP in that order, comma-separated."""
    present = set(modes or [])
    return ",".join(short for mode, short in _ACCESS_MODES if mode in present)


def _pvc_row(pvc: dict[str, Any], now: float) -> list[Cell]:
    spec, status = pvc.get("spec") or {}, pvc.get("status") or {}
    phase = "Terminating" if _meta(pvc).get("deletionTimestamp") else status.get("phase", "")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes_text(status.get("accessModes"))
        capacity = str((status.get("capacity") or {}).get("storage", "0"))
    storage_class = (
        (_meta(pvc).get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class")
        or spec.get("storageClassName")
        or ""
    )
    return [
        _name(pvc),
        phase,
        spec.get("volumeName", ""),
        capacity,
        modes,
        storage_class,
        spec.get("volumeAttributesClassName") or "<unset>",
        _age(pvc, now),
        spec.get("volumeMode") or "<unset>",
    ]


# ---------------------------------------------------------------- apps, batch, scheduling

_DEPLOYMENT_COLUMNS = (
    NAME,
    Column("Ready", description="Number of the pod with ready state"),
    Column(
        "Up-to-date",
        description="Total number of non-terminated pods targeted by this deployment that "
        "have the desired template spec.",
    ),
    Column(
        "Available",
        description="Total number of available pods (ready for at least minReadySeconds) "
        "targeted by this deployment.",
    ),
    AGE,
    _wide("Containers", _CONTAINERS_DOC),
    _wide("Images", _IMAGES_DOC),
    _wide(
        "Selector",
        "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be "
        "the ones affected by this deployment.",
    ),
)


def _deployment_row(deploy: dict[str, Any], now: float) -> list[Cell]:
    spec, status = deploy.get("spec") or {}, deploy.get("status") or {}
    names, images = _containers(_template_spec(deploy))
    return [
        _name(deploy),
        f"{int(status.get('readyReplicas') or 0)}/{int(spec.get('replicas') or 0)}",
        int(status.get("updatedReplicas") or 0),
        int(status.get("availableReplicas") or 0),
        _age(deploy, now),
        names,
        images,
        selector_string(spec.get("selector")),
    ]


_REPLICASET_COLUMNS = (
    NAME,
    Column("Desired", "integer", description="Replicas is the number of desired replicas."),
    Column("Current", "integer", description="Replicas is the most recently observed number of replicas."),
    Column("Ready", "integer", description="The number of ready replicas for this replica set."),
    AGE,
    _wide("Containers", _CONTAINERS_DOC),
    _wide("Images", _IMAGES_DOC),
    _wide("Selector", _SELECTOR_DOC),
)


def _replicaset_row(rs: dict[str, Any], now: float) -> list[Cell]:
    spec, status = rs.get("spec") or {}, rs.get("status") or {}
    names, images = _containers(_template_spec(rs))
    return [
        _name(rs),
        int(spec.get("replicas") or 0),
        int(status.get("replicas") or 0),
        int(status.get("readyReplicas") or 0),
        _age(rs, now),
        names,
        images,
        format_label_selector(spec.get("selector")),
    ]


_STATEFULSET_COLUMNS = (
    NAME,
    Column("Ready", description="Number of the pod with ready state"),
    AGE,
    _wide("Containers", _CONTAINERS_DOC),
    _wide("Images", _IMAGES_DOC),
)


def _statefulset_row(sts: dict[str, Any], now: float) -> list[Cell]:
    spec, status = sts.get("spec") or {}, sts.get("status") or {}
    names, images = _containers(_template_spec(sts))
    return [
        _name(sts),
        f"{int(status.get('readyReplicas') or 0)}/{int(spec.get('replicas') or 0)}",
        _age(sts, now),
        names,
        images,
    ]


_DAEMONSET_COLUMNS = (
    NAME,
    Column(
        "Desired", "integer", description="The total number of nodes that should be running the daemon pod."
    ),
    Column(
        "Current",
        "integer",
        description="The number of nodes that are running at least 1 daemon pod and "
        "are supposed to run the daemon pod.",
    ),
    Column(
        "Ready",
        "integer",
        description="numberReady is the number of nodes that should be running the "
        "daemon pod and have one or more of the daemon pod running with a "
        "Ready Condition.",
    ),
    Column(
        "Up-to-date", "integer", description="The total number of nodes that are running updated daemon pod"
    ),
    Column(
        "Available",
        "integer",
        description="The number of nodes that should be running the daemon pod "
        "and have one or more of the daemon pod running and available "
        "(ready for at least spec.minReadySeconds)",
    ),
    Column(
        "Node Selector",
        description="NodeSelector is a selector which must be true for the pod to fit on a node.",
    ),
    AGE,
    _wide("Containers", _CONTAINERS_DOC),
    _wide("Images", _IMAGES_DOC),
    _wide("Selector", "A label query over pods that are managed by the daemon set."),
)


def _daemonset_row(ds: dict[str, Any], now: float) -> list[Cell]:
    status = ds.get("status") or {}
    names, images = _containers(_template_spec(ds))
    return [
        _name(ds),
        int(status.get("desiredNumberScheduled") or 0),
        int(status.get("currentNumberScheduled") or 0),
        int(status.get("numberReady") or 0),
        int(status.get("updatedNumberScheduled") or 0),
        int(status.get("numberAvailable") or 0),
        format_labels(_template_spec(ds).get("nodeSelector")),
        _age(ds, now),
        names,
        images,
        format_label_selector((ds.get("spec") or {}).get("selector")),
    ]


_JOB_COLUMNS = (
    NAME,
    Column("Status", description="Status of the job."),
    Column("Completions", description="The number of pods which reached phase Succeeded."),
    Column("Duration", description="Time required to complete the job."),
    AGE,
    _wide("Containers", _CONTAINERS_DOC),
    _wide("Images", _IMAGES_DOC),
    _wide("Selector", "A label query over pods that should match the pod count."),
)


def job_status(job: dict[str, Any]) -> str:
    """The STATUS column of `printJob`: Complete, Failed, Terminating, Suspended, FailureTarget, Running."""
    conditions = (job.get("status") or {}).get("conditions")
    if _true(conditions, "Complete"):
        return "Complete"
    if _true(conditions, "Failed"):
        return "Failed"
    if _meta(job).get("deletionTimestamp"):
        return "Terminating"
    if _true(conditions, "Suspended"):
        return "Suspended"
    if _true(conditions, "FailureTarget"):
        return "FailureTarget"
    return "Running"


def _job_row(job: dict[str, Any], now: float) -> list[Cell]:
    spec, status = job.get("spec") or {}, job.get("status") or {}
    succeeded = int(status.get("succeeded") or 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif int(spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    duration = ""
    if status.get("startTime"):
        end = parse_rfc3339(status["completionTime"]) if status.get("completionTime") else now
        duration = human_duration(end - parse_rfc3339(status["startTime"]))
    names, images = _containers(_template_spec(job))
    return [
        _name(job),
        job_status(job),
        completions,
        duration,
        _age(job, now),
        names,
        images,
        format_label_selector(spec.get("selector")),
    ]


_CRONJOB_COLUMNS = (
    NAME,
    Column("Schedule", description="The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
    Column("Timezone", description="The time zone name for the given schedule."),
    Column(
        "Suspend",
        "boolean",
        description="This flag tells the controller to suspend subsequent "
        "executions, it does not apply to already started executions.",
    ),
    Column("Active", "integer", description="A list of pointers to currently running jobs."),
    Column(
        "Last Schedule", description="Information when was the last time the job was successfully scheduled."
    ),
    AGE,
    _wide("Containers", _CONTAINERS_DOC),
    _wide("Images", _IMAGES_DOC),
    _wide("Selector", "A label query over pods that should match the pod count."),
)


def _cronjob_row(cj: dict[str, Any], now: float) -> list[Cell]:
    spec, status = cj.get("spec") or {}, cj.get("status") or {}
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    names, images = _containers((job_spec.get("template") or {}).get("spec"))
    suspend = spec.get("suspend")
    return [
        _name(cj),
        spec.get("schedule", ""),
        spec.get("timeZone") or "<none>",
        "<unset>" if suspend is None else ("True" if suspend else "False"),
        len(status.get("active") or []),
        since(status["lastScheduleTime"], now) if status.get("lastScheduleTime") else "<none>",
        _age(cj, now),
        names,
        images,
        format_label_selector(job_spec.get("selector")),
    ]


_PRIORITYCLASS_COLUMNS = (
    NAME,
    Column("Value", "integer", description="value represents the integer value of this priority class."),
    Column(
        "Global-Default",
        "boolean",
        description="globalDefault specifies whether this PriorityClass "
        "should be considered as the default priority for pods "
        "that do not have any priority class.",
    ),
    AGE,
    Column(
        "PreemptionPolicy",
        description="preemptionPolicy is the Policy for preempting pods with lower priority.",
    ),
)


def _priorityclass_row(pc: dict[str, Any], now: float) -> list[Cell]:
    return [
        _name(pc),
        int(pc.get("value") or 0),
        bool(pc.get("globalDefault")),
        _age(pc, now),
        pc.get("preemptionPolicy") or "",
    ]


_CONTROLLERREVISION_COLUMNS = (
    NAME,
    Column("Controller", description="Controller of the object"),
    Column("Revision", description="Revision indicates the revision of the state represented by Data."),
    AGE,
)


def _controllerrevision_row(revision: dict[str, Any], now: float) -> list[Cell]:
    """`printControllerRevision`: CONTROLLER is `<kind>.<group>/<name>` in lower case (`formatResourceName`)."""
    controller = "<none>"
    for ref in _meta(revision).get("ownerReferences") or ():
        if ref.get("controller"):
            group = str(ref.get("apiVersion", "")).rpartition("/")[0]
            kind = f"{ref.get('kind', '')}.{group}" if group else str(ref.get("kind", ""))
            controller = f"{kind.lower()}/{ref.get('name', '')}"
            break
    return [_name(revision), controller, int(revision.get("revision") or 0), _age(revision, now)]


# Kinds without a printer get the api-server's default table (`rest.NewDefaultTableConvertor`).
_DEFAULT_COLUMNS = (NAME, Column("Created At", "date", description=_AGE_DOC))


def _default_row(obj: dict[str, Any], _now: float) -> list[Cell]:
    return [_name(obj), _meta(obj).get("creationTimestamp", "")]


@dataclass(frozen=True)
class Printer:
    columns: tuple[Column, ...]
    row: RowFunc


PRINTERS: dict[str, Printer] = {
    "Pod": Printer(_POD_COLUMNS, _pod_row),
    "Node": Printer(_NODE_COLUMNS, _node_row),
    "Namespace": Printer(_NAMESPACE_COLUMNS, _namespace_row),
    "Event": Printer(_EVENT_COLUMNS, _event_row),
    "ConfigMap": Printer(_CONFIGMAP_COLUMNS, _configmap_row),
    "Secret": Printer(_SECRET_COLUMNS, _secret_row),
    "ServiceAccount": Printer(_SERVICE_ACCOUNT_COLUMNS, _service_account_row),
    "Service": Printer(_SERVICE_COLUMNS, _service_row),
    "Endpoints": Printer(_ENDPOINTS_COLUMNS, _endpoints_row),
    "EndpointSlice": Printer(_ENDPOINTSLICE_COLUMNS, _endpointslice_row),
    "PersistentVolumeClaim": Printer(_PVC_COLUMNS, _pvc_row),
    "Deployment": Printer(_DEPLOYMENT_COLUMNS, _deployment_row),
    "ReplicaSet": Printer(_REPLICASET_COLUMNS, _replicaset_row),
    "StatefulSet": Printer(_STATEFULSET_COLUMNS, _statefulset_row),
    "DaemonSet": Printer(_DAEMONSET_COLUMNS, _daemonset_row),
    "Job": Printer(_JOB_COLUMNS, _job_row),
    "CronJob": Printer(_CRONJOB_COLUMNS, _cronjob_row),
    "PriorityClass": Printer(_PRIORITYCLASS_COLUMNS, _priorityclass_row),
    "ControllerRevision": Printer(_CONTROLLERREVISION_COLUMNS, _controllerrevision_row),
}
DEFAULT_PRINTER = Printer(_DEFAULT_COLUMNS, _default_row)


def printer_for(kind: str) -> Printer:
    return PRINTERS.get(kind, DEFAULT_PRINTER)


def _row_object(obj: dict[str, Any], include_object: str) -> dict[str, Any] | None:
    if include_object == "None":
        return None
    if include_object == "Object":
        return obj
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": _meta(obj)}


def to_table(
    kind: str,
    objects: Iterable[dict[str, Any]],
    now: float,
    *,
    include_object: str = "Metadata",
    resource_version: str = "",
    include_columns: bool = True,
) -> dict[str, Any]:
    """A `meta.k8s.io/v1` Table of `objects` (all of `kind`), as kube-apiserver answers
    `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`.

    `include_object` is the request's `includeObject` (`None`, `Metadata` (default) or `Object`);
    `include_columns=False` omits column definitions, as the server does for watch events after the first.
    """
    printer = printer_for(kind)
    rows = []
    for obj in objects:
        row: dict[str, Any] = {"cells": printer.row(obj, now)}
        if kind == "Pod" and (conditions := _pod_conditions(obj)):
            row["conditions"] = conditions
        if (embedded := _row_object(obj, include_object)) is not None:
            row["object"] = embedded
        rows.append(row)
    table: dict[str, Any] = {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version} if resource_version else {},
    }
    table["columnDefinitions"] = [c.to_dict() for c in printer.columns] if include_columns else []
    table["rows"] = rows
    return table


# Printers of the kinds registered in `kinds.policy` and `kinds.storage` live in `printers_storage_quota`; those of
# the networking, disruption, autoscaling and RBAC kinds in their kind modules. Each adds itself to PRINTERS when the
# `kinds` package loads them.
