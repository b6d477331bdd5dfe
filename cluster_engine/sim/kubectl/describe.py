"""`kubectl describe` for pods, nodes, namespaces, config maps, secrets, persistent volume claims and priority
classes, and the layout every describer shares (kubectl's prefix writer over a tabwriter with padding 2, flushed
before the Events table). Workloads and services are in `describe_apps`, policy and storage kinds in
`describe_policy`, networking, disruption, autoscaling and RBAC kinds in `describe_more`, every other kind in
`describe_generic`; `describe_command` runs the command and reads what the describers are fed."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any, Protocol

from cluster_engine.sim.errors import Status
from cluster_engine.sim.kinds.coordination import NODE_LEASE_NAMESPACE
from cluster_engine.sim.managedfields import LAST_APPLIED
from cluster_engine.sim.printers import access_modes_text, format_labels, node_roles, since
from cluster_engine.sim.quantity import (
    QuantityError,
    cpu_millis,
    format_cpu,
    memory_bytes,
    quantity_string,
)
from cluster_engine.sim.util import parse_rfc3339

from .table import TabWriter

MAX_ANNOTATION_LEN = 140


class PrefixWriter:
    """kubectl's PrefixWriter: `write(level, text)` indents the start of `text` by two spaces per level;
    lines are split into tab-terminated cells and laid out by Go's tabwriter on `flush`."""

    def __init__(self) -> None:
        self._pending = ""
        self._out: list[str] = []

    def write(self, level: int, text: str) -> None:
        self._pending += "  " * level + text

    def line(self, text: str) -> None:
        """`WriteLine`: the text and a newline, without a prefix."""
        self._pending += text + "\n"

    def flush(self) -> None:
        writer = TabWriter(remember=False, min_width=0, padding=2)
        lines = self._pending.split("\n")
        tail = lines.pop()
        for line in lines:
            writer.write_row(line.split("\t"))
        self._out.append(writer.flush())
        self._pending = tail

    def raw(self) -> str:
        """The text written so far with its tabs, as a PrefixWriter over a plain buffer gives it."""
        return "".join(self._out) + self._pending

    def text(self) -> str:
        self.flush()
        return "".join(self._out) + self._pending


def rfc1123z(timestamp: str | None) -> str:
    """Go's `time.RFC1123Z` of an RFC 3339 timestamp (`Mon, 05 Jan 2026 09:00:00 +0000`)."""
    if not timestamp:
        return "Mon, 01 Jan 0001 00:00:00 +0000"
    moment = datetime.fromtimestamp(int(parse_rfc3339(timestamp)), tz=UTC)
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


def _bool(value: Any) -> str:
    return "true" if value else "false"


def _optional(value: Any) -> str:
    """A `*bool` printed with `%v`: `<nil>` when unset."""
    return "<nil>" if value is None else _bool(value)


def labels_multiline(
    w: PrefixWriter, title: str, labels: dict[str, str] | None, continuation: str = "\t"
) -> None:
    w.write(0, f"{title}:\t")
    if not labels:
        w.line("<none>")
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            w.write(0, continuation)
        w.write(0, f"{key}={labels[key]}\n")


def annotations_multiline(w: PrefixWriter, title: str, annotations: dict[str, str] | None) -> None:
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k != LAST_APPLIED)
    if not keys:
        w.line("<none>")
        return
    for i, key in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = (annotations or {})[key].removesuffix("\n")
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{key}:\n")
            for part in value.split("\n"):
                limit = MAX_ANNOTATION_LEN - 2
                shown = part if len(part) <= limit else part[:limit] + "..."
                w.write(0, f"\t  {shown}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def taint_text(taint: dict[str, Any]) -> str:
    """`Taint.ToString`: `key=value:Effect`, `key:Effect`."""
    text = taint.get("key", "")
    if taint.get("value"):
        text += f"={taint['value']}"
    if taint.get("effect"):
        text += f":{taint['effect']}"
    return text


def taints_multiline(w: PrefixWriter, title: str, taints: list[dict[str, Any]] | None) -> None:
    w.write(0, f"{title}:\t")
    if not taints:
        w.line("<none>")
        return
    ordered = sorted(taints, key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    for i, taint in enumerate(ordered):
        if i:
            w.write(0, "\t")
        w.write(0, taint_text(taint) + "\n")


def tolerations_multiline(w: PrefixWriter, title: str, tolerations: list[dict[str, Any]] | None) -> None:
    w.write(0, f"{title}:\t")
    if not tolerations:
        w.line("<none>")
        return
    for i, toleration in enumerate(sorted(tolerations, key=lambda t: t.get("key", ""))):
        if i:
            w.write(0, "\t")
        text = toleration.get("key", "")
        if toleration.get("value"):
            text += f"={toleration['value']}"
        if toleration.get("effect"):
            text += f":{toleration['effect']}"
        if toleration.get("operator") == "Exists" and not toleration.get("value"):
            text += " op=Exists" if toleration.get("key") or toleration.get("effect") else "op=Exists"
        if toleration.get("tolerationSeconds") is not None:
            text += f" for {toleration['tolerationSeconds']}s"
        w.write(0, text + "\n")


# ---------------------------------------------------------------- events


def events_for(events: list[dict[str, Any]], obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The Events whose involvedObject is `obj` (kind, name, namespace; uid or, for nodes, the node name)."""
    meta = obj["metadata"]
    uids = {meta.get("uid", ""), meta["name"]} if obj.get("kind") == "Node" else {meta.get("uid", "")}
    found = []
    for event in events:
        ref = event.get("involvedObject") or {}
        if (
            ref.get("kind") == obj.get("kind")
            and ref.get("name") == meta["name"]
            and ref.get("namespace", "") == meta.get("namespace", "")
            and (not ref.get("uid") or ref.get("uid") in uids)
        ):
            found.append(event)
    return found


def _event_time(event: dict[str, Any]) -> float:
    """kubectl's `eventTime`: the series' last observation, else lastTimestamp, else eventTime."""
    series = event.get("series") or {}
    for stamp in (series.get("lastObservedTime"), event.get("lastTimestamp"), event.get("eventTime")):
        if stamp:
            return parse_rfc3339(stamp)
    return 0.0


def describe_events(w: PrefixWriter, events: list[dict[str, Any]], now: float) -> None:
    """`DescribeEvents`: oldest last-seen first (ties in the list's order), `<age> (xN over <age>)`."""
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    # `sort.Sort(SortableEvents)` over the list as the server returned it (by name). Go sorts up to 12
    # items by insertion, which is stable: ties (events in the same second) keep the list's order. Past 12,
    # Go's pdqsort may order ties differently from this stable sort.
    ordered = sorted(events, key=_event_time)
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for event in ordered:
        first = since(event.get("eventTime") or event.get("firstTimestamp"), now)
        series = event.get("series")
        if series:
            interval = (
                f"{since(series.get('lastObservedTime'), now)} (x{series.get('count', 0)} over {first})"
            )
        elif (event.get("count") or 0) > 1:
            interval = f"{since(event.get('lastTimestamp'), now)} (x{event['count']} over {first})"
        else:
            interval = first
        source = (event.get("source") or {}).get("component") or event.get("reportingComponent", "")
        message = (event.get("message") or "").strip()
        w.write(1, f"{event.get('type', '')}\t{event.get('reason', '')}\t{interval}\t{source}\t{message}\n")


# ---------------------------------------------------------------- pods


def _controller(obj: dict[str, Any]) -> str:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return f"{ref.get('kind', '')}/{ref.get('name', '')}"
    return ""


def _ports(ports: list[dict[str, Any]] | None, field: str) -> str:
    return ", ".join(f"{p.get(field, 0)}/{p.get('protocol', 'TCP')}" for p in ports or [])


def _state(w: PrefixWriter, title: str, state: dict[str, Any] | None) -> None:
    state = state or {}
    if "running" in state:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z(state['running'].get('startedAt'))}\n")
    elif "waiting" in state:
        w.write(2, f"{title}:\tWaiting\n")
        if state["waiting"].get("reason"):
            w.write(3, f"Reason:\t{state['waiting']['reason']}\n")
    elif "terminated" in state:
        term = state["terminated"]
        w.write(2, f"{title}:\tTerminated\n")
        if term.get("reason"):
            w.write(3, f"Reason:\t{term['reason']}\n")
        if term.get("message"):
            w.write(3, f"Message:\t{term['message']}\n")
        w.write(3, f"Exit Code:\t{term.get('exitCode', 0)}\n")
        if term.get("signal"):
            w.write(3, f"Signal:\t{term['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(term.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(term.get('finishedAt'))}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")


def probe_text(probe: dict[str, Any]) -> str:
    """`DescribeProbe`: `http-get http://:8080/health delay=60s timeout=5s period=10s #success=1 ...`."""
    attrs = (
        f"delay={probe.get('initialDelaySeconds', 0)}s timeout={probe.get('timeoutSeconds', 1)}s "
        f"period={probe.get('periodSeconds', 10)}s #success={probe.get('successThreshold', 1)} "
        f"#failure={probe.get('failureThreshold', 3)}"
    )
    if "exec" in probe:
        return f"exec [{' '.join(probe['exec'].get('command') or [])}] {attrs}"
    if "httpGet" in probe:
        get = probe["httpGet"]
        scheme = str(get.get("scheme", "HTTP")).lower()
        host = get.get("host", "")
        port = get.get("port", "")
        where = f"{host}:{port}" if str(port) else host
        if ":" in host and str(port):
            where = f"[{host}]:{port}"
        return f"http-get {scheme}://{where}{get.get('path', '')} {attrs}"
    if "tcpSocket" in probe:
        sock = probe["tcpSocket"]
        return f"tcp-socket {sock.get('host', '')}:{sock.get('port', '')} {attrs}"
    if "grpc" in probe:
        grpc = probe["grpc"]
        return f"grpc <pod>:{grpc.get('port', 0)} {grpc.get('service', '')} {attrs}"
    return f"unknown {attrs}"


_FIELD_VALUES = {
    "metadata.name": lambda pod: pod["metadata"].get("name", ""),
    "metadata.namespace": lambda pod: pod["metadata"].get("namespace", ""),
    "metadata.uid": lambda pod: pod["metadata"].get("uid", ""),
    "spec.nodeName": lambda pod: (pod.get("spec") or {}).get("nodeName", ""),
    "spec.serviceAccountName": lambda pod: (pod.get("spec") or {}).get("serviceAccountName", ""),
    "status.hostIP": lambda pod: (pod.get("status") or {}).get("hostIP", ""),
    "status.podIP": lambda pod: (pod.get("status") or {}).get("podIP", ""),
}


def _env(w: PrefixWriter, container: dict[str, Any], pod: dict[str, Any]) -> None:
    env_from = container.get("envFrom") or []
    if env_from:
        w.write(2, "Environment Variables from:\n")
        for source in env_from:
            if "configMapRef" in source:
                kind, ref = "ConfigMap", source["configMapRef"]
            else:
                kind, ref = "Secret", source.get("secretRef") or {}
            optional = _bool(ref.get("optional"))
            if source.get("prefix"):
                w.write(
                    3,
                    f"{ref.get('name', '')}\t{kind} with prefix '{source['prefix']}'\tOptional: {optional}\n",
                )
            else:
                w.write(3, f"{ref.get('name', '')}\t{kind}\tOptional: {optional}\n")
    env = container.get("env") or []
    w.write(2, "Environment:" + ("" if env else "\t<none>") + "\n")
    for var in env:
        source = var.get("valueFrom")
        if source is None:
            for i, part in enumerate(str(var.get("value", "")).split("\n")):
                w.write(3, f"{var['name']}:\t{part}\n" if i == 0 else f"\t{part}\n")
        elif "fieldRef" in source:
            ref = source["fieldRef"]
            resolve = _FIELD_VALUES.get(ref.get("fieldPath", ""))
            value = resolve(pod) if resolve else ""
            w.write(
                3, f"{var['name']}:\t{value} ({ref.get('apiVersion', 'v1')}:{ref.get('fieldPath', '')})\n"
            )
        elif "resourceFieldRef" in source:
            ref = source["resourceFieldRef"]
            value = _resource_field_value(container, ref)
            w.write(3, f"{var['name']}:\t{value} ({ref.get('resource', '')})\n")
        elif "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            w.write(
                3,
                f"{var['name']}:\t<set to the key '{ref.get('key', '')}' in secret '{ref.get('name', '')}'>"
                f"\tOptional: {_bool(ref.get('optional'))}\n",
            )
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            w.write(
                3,
                f"{var['name']}:\t<set to the key '{ref.get('key', '')}' of config map "
                f"'{ref.get('name', '')}'>"
                f"\tOptional: {_bool(ref.get('optional'))}\n",
            )


def _resource_field_value(container: dict[str, Any], ref: dict[str, Any]) -> str:
    """`ExtractContainerResourceValue`: the request or limit divided by the divisor, rounded up;
    `node allocatable` for an unset cpu or memory limit."""
    resource = ref.get("resource", "")
    section, _, name = resource.partition(".")
    text = ((container.get("resources") or {}).get(section) or {}).get(name)
    if text is None:
        return "node allocatable" if resource in ("limits.cpu", "limits.memory") else "0"
    try:
        if name == "cpu":
            divisor = cpu_millis(ref.get("divisor", "1")) or 1000
            return str(-(-cpu_millis(text) // divisor))
        divisor = memory_bytes(ref.get("divisor", "1")) or 1
        return str(-(-memory_bytes(text) // divisor))
    except QuantityError:
        return ""


def _containers(w: PrefixWriter, title: str, section: str, pod: dict[str, Any], space: str = "") -> None:
    """`describeContainers`; `space` is the indent of a pod template's sections (`  `)."""
    containers = (pod.get("spec") or {}).get(section) or []
    statuses = (pod.get("status") or {}).get(
        "initContainerStatuses" if section == "initContainers" else "containerStatuses"
    )
    by_name = {s.get("name"): s for s in statuses or []}
    w.write(0, f"{space}{title}:{'' if containers else ' <none>'}\n")
    name_indent = " " if space else ""
    for container in containers:
        status = by_name.get(container["name"])
        w.write(1, f"{name_indent}{container['name']}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
        w.write(2, f"Image:\t{container.get('image', '')}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
        ports = _ports(container.get("ports"), "containerPort")
        w.write(2, f"Ports:\t{ports}\n" if "," in ports else f"Port:\t{ports or '<none>'}\n")
        host_ports = _ports(container.get("ports"), "hostPort")
        w.write(
            2,
            f"Host Ports:\t{host_ports}\n"
            if "," in host_ports
            else f"Host Port:\t{host_ports or '<none>'}\n",
        )
        if container.get("restartPolicy"):
            w.write(2, f"Restart Policy:\t{container['restartPolicy']}\n")
        for field, label in (("command", "Command"), ("args", "Args")):
            if container.get(field):
                w.write(2, f"{label}:\n")
                for item in container[field]:
                    for part in str(item).split("\n"):
                        w.write(3, f"{part}\n")
        if status is not None:
            _state(w, "State", status.get("state"))
            if (status.get("lastState") or {}).get("terminated"):
                _state(w, "Last State", status["lastState"])
            w.write(2, f"Ready:\t{'True' if status.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")
        resources = container.get("resources") or {}
        for part, label in (("limits", "Limits"), ("requests", "Requests")):
            if resources.get(part):
                w.write(2, f"{label}:\n")
                for name in sorted(resources[part]):
                    w.write(3, f"{name}:\t{quantity_string(resources[part][name])}\n")
        for field, label in (
            ("livenessProbe", "Liveness"),
            ("readinessProbe", "Readiness"),
            ("startupProbe", "Startup"),
        ):
            if container.get(field):
                w.write(2, f"{label}:\t{probe_text(container[field])}\n")
        _env(w, container, pod)
        mounts = sorted(container.get("volumeMounts") or [], key=lambda m: m.get("mountPath", ""))
        w.write(2, "Mounts:" + ("" if mounts else "\t<none>") + "\n")
        for mount in mounts:
            flags = ["ro" if mount.get("readOnly") else "rw"]
            if mount.get("subPath"):
                flags.append(f'path="{mount["subPath"]}"')
            w.write(3, f"{mount.get('mountPath', '')} from {mount.get('name', '')} ({','.join(flags)})\n")


def _volumes(w: PrefixWriter, volumes: list[dict[str, Any]] | None, space: str = "") -> None:
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    name_indent = " " if space else ""
    for volume in volumes:
        w.write(1, f"{name_indent}{volume['name']}:\n")
        if "hostPath" in volume:
            source = volume["hostPath"]
            w.write(
                2,
                f"Type:\tHostPath (bare host directory volume)\n    Path:\t{source.get('path', '')}\n"
                f"    HostPathType:\t{source.get('type') or '<none>'}\n",
            )
        elif "emptyDir" in volume:
            source = volume["emptyDir"] or {}
            w.write(
                2,
                "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                f"    Medium:\t{source.get('medium', '')}\n"
                f"    SizeLimit:\t{source.get('sizeLimit') or '<unset>'}\n",
            )
        elif "configMap" in volume:
            source = volume["configMap"]
            w.write(
                2,
                f"Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{source.get('name', '')}\n"
                f"    Optional:\t{_bool(source.get('optional'))}\n",
            )
        elif "secret" in volume:
            source = volume["secret"]
            w.write(
                2,
                "Type:\tSecret (a volume populated by a Secret)\n"
                f"    SecretName:\t{source.get('secretName', '')}\n"
                f"    Optional:\t{_bool(source.get('optional'))}\n",
            )
        elif "persistentVolumeClaim" in volume:
            source = volume["persistentVolumeClaim"]
            w.write(
                2,
                "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same "
                "namespace)\n"
                f"    ClaimName:\t{source.get('claimName', '')}\n"
                f"    ReadOnly:\t{_bool(source.get('readOnly'))}\n",
            )
        elif "projected" in volume:
            w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
            for source in volume["projected"].get("sources") or []:
                if "secret" in source:
                    w.write(
                        2,
                        f"SecretName:\t{source['secret'].get('name', '')}\n"
                        f"    SecretOptionalName:\t{_optional(source['secret'].get('optional'))}\n",
                    )
                elif "downwardAPI" in source:
                    w.write(2, "DownwardAPI:\ttrue\n")
                elif "configMap" in source:
                    w.write(
                        2,
                        f"ConfigMapName:\t{source['configMap'].get('name', '')}\n"
                        f"    ConfigMapOptional:\t{_optional(source['configMap'].get('optional'))}\n",
                    )
                elif "serviceAccountToken" in source:
                    seconds = source["serviceAccountToken"].get("expirationSeconds", 3600)
                    w.write(2, f"TokenExpirationSeconds:\t{seconds}\n")
        else:
            w.write(1, "<unknown>\n")


def describe_pod(pod: dict[str, Any], events: list[dict[str, Any]] | None, now: float) -> str:
    """`kubectl describe pod`; `events` None when `--show-events=false`."""
    meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("nodeName"):
        w.write(0, f"Node:\t{spec['nodeName']}/{status.get('hostIP', '')}\n")
    else:
        w.write(0, "Node:\t<none>\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    if meta.get("deletionTimestamp") and status.get("phase") not in ("Failed", "Succeeded"):
        # kubectl passes the (future) deletion time to translateTimestampSince: `(lasts <invalid>)`
        w.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], now)})\n")
        w.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(0, f"Status:\t{status.get('phase', '')}\n")
    if status.get("reason"):
        w.write(0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(0, f"Message:\t{status['message']}\n")
    w.write(0, f"IP:\t{status.get('podIP', '')}\n")
    pod_ips = status.get("podIPs") or []
    if not pod_ips:
        w.write(0, "IPs:\t<none>\n")
    else:
        w.write(0, "IPs:\n")
        for entry in pod_ips:
            w.write(1, f"IP:\t{entry.get('ip', '')}\n")
    if controlled_by := _controller(pod):
        w.write(0, f"Controlled By:\t{controlled_by}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("initContainers"):
        _containers(w, "Init Containers", "initContainers", pod)
    _containers(w, "Containers", "containers", pod)
    if spec.get("readinessGates"):
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        for gate in spec["readinessGates"]:
            w.write(
                1,
                f"{gate.get('conditionType', '')} \t{conditions.get(gate.get('conditionType'), '<none>')} \n",
            )
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for condition in status["conditions"]:
            w.write(1, f"{condition.get('type', '')} \t{condition.get('status', '')} \n")
    _volumes(w, spec.get("volumes"))
    w.write(0, f"QoS Class:\t{status.get('qosClass') or _qos_class(spec)}\n")
    labels_multiline(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"))
    if events is not None:
        describe_events(w, events, now)
    return w.text()


def describe_pod_template(w: PrefixWriter, template: dict[str, Any] | None) -> None:
    """`DescribePodTemplate`: the template's labels, containers (no statuses), volumes, node selectors
    and tolerations, indented under `Pod Template:`."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    meta, spec = template.get("metadata") or {}, template.get("spec") or {}
    labels_multiline(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        annotations_multiline(w, "  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    as_pod = {"metadata": {}, "spec": spec}
    if spec.get("initContainers"):
        _containers(w, "Init Containers", "initContainers", as_pod, "  ")
    _containers(w, "Containers", "containers", as_pod, "  ")
    _volumes(w, spec.get("volumes"), "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels_multiline(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "  Tolerations", spec.get("tolerations"))


def pod_template_text_raw(template: dict[str, Any] | None) -> str:
    """`printTemplate` (rollout history --revision, rollout undo --dry-run=client): kubectl writes it
    through a PrefixWriter straight into a buffer, without a tabwriter, so the tabs stay tabs."""
    w = PrefixWriter()
    describe_pod_template(w, template)
    return w.raw()


def _qos_class(spec: dict[str, Any]) -> str:
    containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    requests_seen = limits_seen = False
    guaranteed = True
    for container in containers:
        resources = container.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        requests_seen |= bool(requests)
        limits_seen |= bool(limits)
        for name in ("cpu", "memory"):
            if name not in limits or requests.get(name, limits[name]) != limits[name]:
                guaranteed = False
    if not requests_seen and not limits_seen:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


# ---------------------------------------------------------------- nodes


def _pod_totals(pod: dict[str, Any]) -> tuple[dict[str, int], dict[str, int]]:
    """`PodRequestsAndLimits` for cpu (millicores), memory and ephemeral-storage (bytes): the sum over
    containers, at least the largest init container, plus overhead."""
    spec = pod.get("spec") or {}

    def amount(name: str, text: Any) -> int:
        try:
            return cpu_millis(text) if name == "cpu" else memory_bytes(text)
        except QuantityError:
            return 0

    totals: list[dict[str, int]] = [{}, {}]
    for index, section in enumerate(("requests", "limits")):
        total = totals[index]
        for container in spec.get("containers") or []:
            for name, text in ((container.get("resources") or {}).get(section) or {}).items():
                total[name] = total.get(name, 0) + amount(name, text)
        for container in spec.get("initContainers") or []:
            for name, text in ((container.get("resources") or {}).get(section) or {}).items():
                total[name] = max(total.get(name, 0), amount(name, text))
        for name, text in (spec.get("overhead") or {}).items():
            if name in total:
                total[name] += amount(name, text)
    return totals[0], totals[1]


def _quantity_text(name: str, value: int) -> str:
    if value == 0:
        return "0"
    if name == "cpu":
        return format_cpu(value)
    for suffix, unit in (
        ("Ei", 2**60),
        ("Pi", 2**50),
        ("Ti", 2**40),
        ("Gi", 2**30),
        ("Mi", 2**20),
        ("Ki", 2**10),
    ):
        if value % unit == 0:
            return f"{value // unit}{suffix}"
    for suffix, unit in (
        ("E", 10**18),
        ("P", 10**15),
        ("T", 10**12),
        ("G", 10**9),
        ("M", 10**6),
        ("k", 10**3),
    ):
        if value % unit == 0:
            return f"{value // unit}{suffix}"
    return str(value)


def _percent(value: int, total: int) -> int:
    return int(value / total * 100) if total else 0


def _node_resources(w: PrefixWriter, node: dict[str, Any], pods: list[dict[str, Any]], now: float) -> None:
    status = node.get("status") or {}
    allocatable = status.get("allocatable") or status.get("capacity") or {}

    def total(name: str) -> int:
        text = allocatable.get(name, "0")
        try:
            return cpu_millis(text) if name == "cpu" else memory_bytes(text)
        except QuantityError:
            return 0

    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    sums: tuple[dict[str, int], dict[str, int]] = ({}, {})
    for pod in pods:
        requests, limits = _pod_totals(pod)
        for index, part in enumerate((requests, limits)):
            for name, value in part.items():
                sums[index][name] = sums[index].get(name, 0) + value
        cells = []
        for name, part in (("cpu", requests), ("cpu", limits), ("memory", requests), ("memory", limits)):
            value = part.get(name, 0)
            cells.append(f"{_quantity_text(name, value)} ({_percent(value, total(name))}%)")
        meta = pod["metadata"]
        age = since(meta.get("creationTimestamp"), now)
        w.write(1, f"{meta.get('namespace', '')}\t{meta['name']}\t\t{chr(9).join(cells)}\t{age}\n")
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    for name in ("cpu", "memory", "ephemeral-storage"):
        requested, limited = sums[0].get(name, 0), sums[1].get(name, 0)
        w.write(
            1,
            f"{name}\t{_quantity_text(name, requested)} ({_percent(requested, total(name))}%)\t"
            f"{_quantity_text(name, limited)} ({_percent(limited, total(name))}%)\n",
        )
    for name in sorted(n for n in allocatable if n.startswith("hugepages-")):
        requested, limited = sums[0].get(name, 0), sums[1].get(name, 0)
        w.write(
            1,
            f"{name}\t{_quantity_text(name, requested)} ({_percent(requested, total(name))}%)\t"
            f"{_quantity_text(name, limited)} ({_percent(limited, total(name))}%)\n",
        )


_NODE_INFO = (
    ("Machine ID", "machineID"),
    ("System UUID", "systemUUID"),
    ("Boot ID", "bootID"),
    ("Kernel Version", "kernelVersion"),
    ("OS Image", "osImage"),
    ("Operating System", "operatingSystem"),
    ("Architecture", "architecture"),
    ("Container Runtime Version", "containerRuntimeVersion"),
    ("Kubelet Version", "kubeletVersion"),
    ("Kube-Proxy Version", "kubeProxyVersion"),
)


class LeaseGetter(Protocol):
    def get(self, kind: str, name: str, namespace: str = "default") -> dict[str, Any]: ...


def node_lease(client: LeaseGetter, name: str) -> dict[str, Any] | str:
    """The node's Lease in `kube-node-lease` as `describe node` reads it, or the error text of the read."""
    try:
        return client.get("Lease", name, NODE_LEASE_NAMESPACE)
    except Status as error:
        return error.message


def describe_node(
    node: dict[str, Any],
    pods: list[dict[str, Any]],
    events: list[dict[str, Any]] | None,
    now: float,
    lease: dict[str, Any] | str,
) -> str:
    """`kubectl describe node`: `pods` are the node's non-terminated pods; `lease` is the node's Lease (the
    kubelet's heartbeat) or the error its read gave (`Lease:  Failed to get lease: ...`)."""
    meta, spec, status = node["metadata"], node.get("spec") or {}, node.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Roles:\t{','.join(node_roles(node)) or '<none>'}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    taints_multiline(w, "Taints", spec.get("taints"))
    w.write(0, f"Unschedulable:\t{_bool(spec.get('unschedulable'))}\n")
    if isinstance(lease, str):
        w.write(0, f"Lease:\tFailed to get lease: {lease}\n")
    else:
        lease_spec = lease.get("spec") or {}
        w.write(0, "Lease:\n")
        holder = lease_spec.get("holderIdentity")
        w.write(1, f"HolderIdentity:\t{'<unset>' if holder is None else holder}\n")
        for label, key in (("AcquireTime", "acquireTime"), ("RenewTime", "renewTime")):
            w.write(1, f"{label}:\t{rfc1123z(lease_spec[key]) if lease_spec.get(key) else '<unset>'}\n")
    conditions = status.get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(
                1,
                f"{c.get('type', '')} \t{c.get('status', '')} \t{rfc1123z(c.get('lastHeartbeatTime'))} \t"
                f"{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t{c.get('message', '')}\n",
            )
    w.write(0, "Addresses:\n")
    for address in status.get("addresses") or []:
        w.write(1, f"{address.get('type', '')}:\t{address.get('address', '')}\n")
    for section, title in (("capacity", "Capacity"), ("allocatable", "Allocatable")):
        if status.get(section):
            w.write(0, f"{title}:\n")
            for name in sorted(status[section]):
                w.write(0, f"  {name}:\t{quantity_string(status[section][name])}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for label, field in _NODE_INFO:
        w.write(0, f"  {label}:\t{info.get(field, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    _node_resources(w, node, pods, now)
    if events is not None:
        describe_events(w, events, now)
    return w.text()


# ---------------------------------------------------------------- namespaces, config maps, secrets


def describe_configmap(configmap: dict[str, Any], events: list[dict[str, Any]] | None, now: float) -> str:
    """`kubectl describe configmap`: keys sorted (kubectl's order is Go's random map order)."""
    meta = configmap["metadata"]
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "\nData\n====\n")
    data = configmap.get("data") or {}
    for key in sorted(data):
        w.write(0, f"{key}:\n----\n")
        w.write(0, f"{data[key]}\n")
    w.write(0, "\nBinaryData\n====\n")
    binary = configmap.get("binaryData") or {}
    for key in sorted(binary):
        w.write(0, f"{key}: {len(_decoded(binary[key]))} bytes\n")
    w.write(0, "\n")
    if events is not None:
        describe_events(w, events, now)
    return w.text()


def describe_secret(secret: dict[str, Any]) -> str:
    """`kubectl describe secret`: sizes only, never the values (except a service account token)."""
    meta = secret["metadata"]
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    secret_type = secret.get("type", "Opaque")
    w.write(0, f"\nType:\t{secret_type}\n")
    w.write(0, "\nData\n====\n")
    data = secret.get("data") or {}
    for key in sorted(data):
        value = _decoded(data[key])
        if key == "token" and secret_type == "kubernetes.io/service-account-token":  # noqa: S105 - a type
            w.write(0, f"{key}:\t{value.decode(errors='replace')}\n")
        else:
            w.write(0, f"{key}:\t{len(value)} bytes\n")
    return w.text()


def _decoded(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text.encode()


# ---------------------------------------------------------------- persistent volume claims, priority classes

BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class"


def _go_strings(values: list[Any] | None) -> str:
    """A `[]string` printed with `%v`: `[a b]`."""
    return "[" + " ".join(str(v) for v in values or []) + "]"


def describe_pvc(
    pvc: dict[str, Any], pods: list[dict[str, Any]], events: list[dict[str, Any]] | None, now: float
) -> str:
    """`kubectl describe pvc`: `pods` are the namespace's pods that mount the claim or own it."""
    meta, spec, status = pvc["metadata"], pvc.get("spec") or {}, pvc.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    annotations = meta.get("annotations") or {}
    storage_class = annotations[BETA_STORAGE_CLASS] if BETA_STORAGE_CLASS in annotations else \
        spec.get("storageClassName") or ""
    w.write(0, f"StorageClass:\t{storage_class}\n")
    if meta.get("deletionTimestamp"):
        w.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], now)})\n")
    else:
        w.write(0, f"Status:\t{status.get('phase', '')}\n")
    w.write(0, f"Volume:\t{spec.get('volumeName', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Finalizers:\t{_go_strings(meta.get('finalizers'))}\n")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes_text(status.get("accessModes"))
        stored = (status.get("capacity") or {}).get("storage")
        capacity = quantity_string(stored) if stored is not None else "0"
    w.write(0, f"Capacity:\t{capacity}\n")
    w.write(0, f"Access Modes:\t{modes}\n")
    if spec.get("volumeMode") is not None:
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    source = spec.get("dataSource")
    if source is not None:
        w.write(0, "DataSource:\n")
        if source.get("apiGroup") is not None:
            w.write(1, f"APIGroup:\t{source['apiGroup']}\n")
        w.write(1, f"Kind:\t{source.get('kind', '')}\n")
        w.write(1, f"Name:\t{source.get('name', '')}\n")
    w.write(0, "Used By:\t")
    names = sorted(pod["metadata"]["name"] for pod in pods)
    if not names:
        w.line("<none>")
    for i, name in enumerate(names):
        w.write(0, ("\t" if i else "") + f"{name}\n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t{rfc1123z(c.get('lastProbeTime'))} \t"
                       f"{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t{c.get('message', '')}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.text()


def pods_using_claim(pvc: dict[str, Any], pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`getPodsForPVC`: pods with a volume of the claim (once per such volume), then owner pods not yet found."""
    name = pvc["metadata"]["name"]
    found = [
        pod for pod in pods for volume in (pod.get("spec") or {}).get("volumes") or []
        if ((volume.get("persistentVolumeClaim") or {}).get("claimName")) == name
    ]
    for ref in pvc["metadata"].get("ownerReferences") or []:
        if ref.get("kind") != "Pod":
            continue
        owner = next((pod for pod in pods if pod["metadata"].get("uid") == ref.get("uid")), None)
        if owner is not None and all(pod["metadata"].get("uid") != ref.get("uid") for pod in found):
            found.append(owner)
    return found


def describe_priority_class(pc: dict[str, Any], events: list[dict[str, Any]] | None, now: float) -> str:
    """`kubectl describe priorityclass`: annotations on one line, as `labels.FormatLabels` writes them."""
    meta = pc["metadata"]
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Value:\t{pc.get('value', 0)}\n")
    w.write(0, f"GlobalDefault:\t{_bool(pc.get('globalDefault'))}\n")
    w.write(0, f"PreemptionPolicy:\t{pc.get('preemptionPolicy', '')}\n")
    w.write(0, f"Description:\t{pc.get('description', '')}\n")
    w.write(0, f"Annotations:\t{format_labels(meta.get('annotations'))}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.text()
