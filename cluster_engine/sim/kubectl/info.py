"""Informational commands: `version`, `api-resources` (discovery as kubectl lists it), the root and `options`
help, `explain` (from the Kubernetes 1.32 schemas `kubernetes-validate` ships, laid out as kubectl's plaintext
explain template does), `top node|pod` (from the simulated metrics-server, `sim/metrics.py`, printed as
`kubectl/pkg/metricsutil` prints), `cluster-info` and `config view` (the terminal's kubeconfig, credentials
redacted)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from typing import Any

from cluster_engine.sim import metrics, schema
from cluster_engine.sim.quantity import QuantityError, parse_quantity
from cluster_engine.sim.util import parse_rfc3339

from . import messages, output, parser
from .context import Client, Result, Session, current_namespace
from .errors import KubectlError
from .resources import lookup, served
from .table import TabWriter

KUBECONFIG_NAME = "podlab"
CLIENT_VERSION = "v1.32.4"
KUSTOMIZE_VERSION = "v5.5.0"


# ---------------------------------------------------------------- explain


def _definitions() -> Mapping[str, Any]:
    return schema.definitions()  # the API server's own copy: read once per process


def _resolve(schema: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ref = schema.get("$ref", "")
    if not ref:
        return "", schema
    name = ref.rsplit("/", 1)[-1]
    return name, _definitions().get(name, {})


def _scalar_type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind or ""


def type_guess(schema: dict[str, Any]) -> str:
    """The template's `typeGuess`: `string`, `[]Container`, `map[string]string`, `Object`."""
    if schema.get("items"):
        return "[]" + type_guess(schema["items"])
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        return "map[string]" + type_guess(extra)
    ref = schema.get("$ref")
    if ref:
        name, target = _resolve(schema)
        target_type = _scalar_type(target)
        if not target_type or target_type == "object":
            return name.rsplit(".", 1)[-1] or "Object"
        return target_type
    kind = _scalar_type(schema)
    return "Object" if kind in ("object", "") else kind


def _description(schema: dict[str, Any]) -> str:
    """The template's `description`: the schema's own, then the referenced type's / the items'."""
    text = ""
    if schema.get("description"):
        text += schema["description"] + "\n"
    name, target = _resolve(schema)
    if name and target.get("description"):
        text += target["description"] + "\n"
    if schema.get("items"):
        text += _description(schema["items"])
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        text += _description(extra)
    return text


def _wrap(text: str, width: int) -> str:
    """sprig's `wrap` (go-wordwrap): break at spaces so lines stay within `width`, keeping newlines."""
    lines = []
    for line in text.split("\n"):
        wrapped = textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)
        lines.append("\n".join(wrapped) if wrapped else "")
    return "\n".join(lines)


def _indent(text: str, amount: int) -> str:
    pad = " " * amount
    return pad + text.replace("\n", "\n" + pad)


def _properties(schema: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    _, resolved = _resolve(schema)
    if schema.get("items"):
        return _properties(schema["items"])
    extra = resolved.get("additionalProperties")
    if isinstance(extra, dict) and not resolved.get("properties"):
        return _properties(extra)
    return resolved.get("properties") or {}, resolved.get("required") or []


def _field_list(schema: dict[str, Any], level: int, recursive: bool, seen: tuple[str, ...] = ()) -> str:
    name, _ = _resolve(schema.get("items") or schema)
    if name and name in seen:
        return ""
    properties, required = _properties(schema)
    text = ""
    indent = level * 2
    for key in sorted(properties):
        field = properties[key]
        text += " " * indent + f"{key}\t<{type_guess(field)}>" + (" -required-" if key in required else "") + "\n"
        if recursive:
            text += _field_list(field, level + 1, True, (*seen, name))
        else:
            description = field.get("description") or "<no description>"
            text += _indent(_wrap(description, 78 - indent), indent + 2) + "\n\n"
    return text


def _top_level(kind: str, group: str, version: str) -> dict[str, Any] | None:
    for definition in _definitions().values():
        for gvk in definition.get("x-kubernetes-group-version-kind") or []:
            if gvk.get("kind") == kind and gvk.get("group", "") == group and gvk.get("version") == version:
                return definition
    return None


def explain(parsed: parser.ParsedCommand, _client: Client, _session: Session) -> Result:
    if len(parsed.args) != 1:
        problem = (
            'You must specify the type of resource to explain. Use "kubectl api-resources" for a complete list '
            "of supported resources."
            if not parsed.args
            else "We accept only this format: explain RESOURCE"
        )
        raise KubectlError(f"error: {problem}\nSee 'kubectl explain -h' for help and examples")
    if parsed.flag("output") not in ("plaintext", "plaintext-openapiv2"):
        raise KubectlError(f"error: unrecognized format: {parsed.flag('output')}")
    type_text, *path = parsed.args[0].split(".")
    resource = lookup(type_text)
    if resource is None:
        raise KubectlError(f'error: the server doesn\'t have a resource type "{type_text}"')
    root = _top_level(resource.kind, resource.group, resource.version)
    if root is None:
        raise KubectlError(f'error: the server doesn\'t have a resource type "{type_text}"')
    text = f"GROUP:      {resource.group}\n" if resource.group else ""
    text += f"KIND:       {resource.kind}\nVERSION:    {resource.version}\n\n"
    schema: dict[str, Any] = root
    for i, part in enumerate(path):
        properties, _ = _properties(schema)
        if part not in properties:
            raise KubectlError(f'error: field "{part}" does not exist')
        schema = properties[part]
        if i == len(path) - 1:
            text += f"FIELD: {part} <{type_guess(schema)}>\n\n\n"
    description = _description(schema) if path else (root.get("description", "") + "\n")
    text += "DESCRIPTION:\n" + _indent(_wrap(description or "<empty>", 76), 4) + "\n"
    fields = _field_list(schema, 1, parsed.flag("recursive"))
    if fields:
        text += "FIELDS:\n" + fields
    return Result(text + "\n")


# ---------------------------------------------------------------- top


MiB = 1024 * 1024


def _milli(text: str) -> int:
    """`Quantity.MilliValue()` (rounded up)."""
    return math.ceil(parse_quantity(text) * 1000)


def _value(text: str) -> int:
    """`Quantity.Value()` (rounded up)."""
    return math.ceil(parse_quantity(text))


def go_duration(seconds: float) -> str:
    """Go's `time.Duration.String()` (`2m5.5s`, `1h0m0s`, `750ms`)."""
    nanos = round(seconds * 1e9)
    if nanos == 0:
        return "0s"
    sign, nanos = ("-", -nanos) if nanos < 0 else ("", nanos)
    if nanos < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size:
                return sign + f"{nanos / size:.9f}".rstrip("0").rstrip(".") + unit
    hours, rest = divmod(nanos, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    whole, fraction = divmod(rest, 1_000_000_000)
    text = f"{whole}" + (f".{fraction:09d}".rstrip("0") if fraction else "") + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{text}"
    return f"{sign}{minutes}m{text}" if minutes else sign + text


def _check_metrics_api(client: Client, session: Session, resource: str, name: str) -> None:
    """kubectl's discovery check, then the aggregator's answer: no APIService is kubectl's own error; an
    APIService without a ready metrics-server is the 503 every metrics read gets."""
    state = metrics.api_state(client)
    if state == metrics.ABSENT:
        note = messages.message("top_no_metrics", session.language)
        raise KubectlError(f"error: Metrics API not available\n{note}")
    if state == metrics.UNAVAILABLE:
        raise metrics.unavailable(resource, name)


def _top_args(parsed: parser.ParsedCommand, use: str) -> tuple[str, str]:
    if len(parsed.args) > 1:
        raise KubectlError(f"error: {use}\nSee '{parsed.display} -h' for help and examples")
    sort_by = parsed.flag("sort-by")
    if sort_by and sort_by not in ("cpu", "memory"):
        raise KubectlError("error: --sort-by accepts only cpu or memory")
    return (parsed.args[0] if parsed.args else ""), sort_by


def _usage_cells(usage: dict[str, str], available: dict[str, str] | None) -> list[str]:
    """printAllResourceUsages: `123m`, `45Mi`, and with `available` each one's percentage of it."""
    cells = []
    for resource in ("cpu", "memory"):
        quantity = usage.get(resource, "0")
        cells.append(f"{_milli(quantity)}m" if resource == "cpu" else f"{_value(quantity) // MiB}Mi")
        if available is not None and resource in available:
            try:
                total = _milli(available[resource])
            except QuantityError:
                total = 0
            fraction = _milli(quantity) / total * 100 if total else 0.0
            cells.append(f"{int(fraction)}%")
    return cells


def _sum_usage(containers: list[dict[str, Any]]) -> dict[str, str]:
    """A pod's usage: the sum of its containers' quantities (exact, as Quantity.Add)."""
    total = {"cpu": parse_quantity("0"), "memory": parse_quantity("0")}
    for container in containers:
        for resource in total:
            total[resource] += parse_quantity(container.get("usage", {}).get(resource, "0"))
    return {resource: f"{value:f}" for resource, value in total.items()}


def top_node(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    """`kubectl top node [NAME | -l label]` (top_node.go RunTopNode, metricsutil.PrintNodeMetrics)."""
    name, sort_by = _top_args(parsed, "node [NAME | -l label]")
    selector = parsed.flag("selector")
    if name and selector:
        raise KubectlError("error: only one of NAME or --selector can be provided")
    _check_metrics_api(client, session, "nodes", name)
    if name:
        items = [metrics.get_node_metrics(client, client.now, name)]
    else:
        items = metrics.list_node_metrics(client, client.now, label_selector=selector)
    if not items:
        raise KubectlError("error: metrics not available yet")
    nodes = [client.get("Node", name, "")] if name else client.list("Node", label_selector=selector)["items"]
    section = "capacity" if parsed.flag("show-capacity") else "allocatable"
    available = {n["metadata"]["name"]: (n.get("status") or {}).get(section) or {} for n in nodes}
    if sort_by == "cpu":
        items.sort(key=lambda m: -_milli(m["usage"].get("cpu", "0")))
    elif sort_by == "memory":
        items.sort(key=lambda m: -_value(m["usage"].get("memory", "0")))
    else:
        items.sort(key=lambda m: m["metadata"]["name"])
    writer = TabWriter()
    if not parsed.flag("no-headers"):
        writer.write_row(["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)", ""])
    for item in items:
        node_name = item["metadata"]["name"]
        writer.write_row([node_name, *_usage_cells(item["usage"], available.pop(node_name, {})), ""])
    for missing in sorted(available):  # nodes metrics-server cannot scrape (Go prints them in map order)
        writer.write_row([missing, *(["<unknown>"] * 4), ""])
    return Result(writer.flush())


def top(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    """`kubectl top node` / `kubectl top pod`."""
    return (top_node if parsed.path[-1] == "node" else top_pod)(parsed, client, session)


def _pod_age_error(pod: dict[str, Any], now: float) -> str | None:
    """checkPodAge: a pod older than metricsCreationDelay should have metrics by now."""
    meta = pod["metadata"]
    created = meta.get("creationTimestamp")
    age = now - parse_rfc3339(created) if created else now
    if age > metrics.METRICS_CREATION_DELAY:
        pod_key = f"{meta.get('namespace', '')}/{meta['name']}"
        return f"error: Metrics not available for pod {pod_key}, age: {go_duration(age)}"
    return None


def top_pod(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    """`kubectl top pod [NAME | -l label]` (top_pod.go RunTopPod, metricsutil.PrintPodMetrics)."""
    name, sort_by = _top_args(parsed, "pod [NAME | -l label]")
    selector, field_selector = parsed.flag("selector"), parsed.flag("field-selector")
    if name and (selector or field_selector):
        raise KubectlError("error: only one of NAME or selector can be provided")
    namespace = current_namespace(parsed, session)
    all_namespaces = parsed.flag("all-namespaces")
    _check_metrics_api(client, session, "pods", name)
    if name:
        items = [metrics.get_pod_metrics(client, client.now, "" if all_namespaces else namespace, name)]
    else:
        items = metrics.list_pod_metrics(client, client.now, namespace=None if all_namespaces else namespace,
                                         label_selector=selector, field_selector=field_selector)
    stderr = ""
    if not items:
        # verifyEmptyMetrics lists the pods of the current namespace (even with -A)
        pods = client.list("Pod", namespace, label_selector=selector, field_selector=field_selector)["items"]
        for pod in pods:
            if error := _pod_age_error(pod, client.now):
                raise KubectlError(error)
        if pods:
            raise KubectlError("error: metrics not available yet")
        stderr = "No resources found\n" if all_namespaces else f"No resources found in {namespace} namespace.\n"
        return Result(stderr=stderr)
    return Result(_format_pod_metrics(items, parsed, sort_by, all_namespaces))


def _format_pod_metrics(items: list[dict[str, Any]], parsed: parser.ParsedCommand, sort_by: str,
                        with_namespace: bool) -> str:
    containers_only, no_headers = parsed.flag("containers"), parsed.flag("no-headers")
    writer = TabWriter()
    width = 3
    if not no_headers:  # kubectl counts the extra columns only when it prints the headers
        header = []
        if with_namespace:
            header.append("NAMESPACE")
            width += 1
        if containers_only:
            header.append("POD")
            width += 1
        writer.write_row([*header, "NAME", "CPU(cores)", "MEMORY(bytes)", ""])

    def key(usage: dict[str, str]) -> int:
        return -_milli(usage["cpu"]) if sort_by == "cpu" else -_value(usage["memory"])

    totals = [_sum_usage(item["containers"]) for item in items]
    order = sorted(range(len(items)), key=lambda i: (items[i]["metadata"]["namespace"] if with_namespace else "",
                                                     items[i]["metadata"]["name"]))
    if sort_by:
        order.sort(key=lambda i: key(totals[i]))
    for index in order:
        item, meta = items[index], items[index]["metadata"]
        prefix = [meta["namespace"]] if with_namespace else []
        if containers_only:
            containers = sorted(item["containers"], key=lambda c: c["name"])
            if sort_by:
                containers.sort(key=lambda c: key(c["usage"]))
            for container in containers:
                cells = _usage_cells(container["usage"], None)
                writer.write_row([*prefix, meta["name"], container["name"], *cells, ""])
        else:
            writer.write_row([*prefix, meta["name"], *_usage_cells(totals[index], None), ""])
    if parsed.flag("sum"):
        total = _sum_usage([c for item in items for c in item["containers"]])
        writer.write_row([*([""] * (width - 2)), "________", "________", ""])
        writer.write_row([*([""] * (width - 3)), "", *_usage_cells(total, None), ""])
    return writer.flush()


# ---------------------------------------------------------------- cluster-info, config view


def control_plane_url(client: Client, session: Session) -> str:
    """The terminal's `server:`: what the web layer passes, else the control plane node's address as a
    kubeadm cluster's kubeconfig has it."""
    if session.server_url:
        return session.server_url
    for node in client.list("Node").get("items") or []:
        labels = node["metadata"].get("labels") or {}
        if "node-role.kubernetes.io/control-plane" in labels:
            for address in (node.get("status") or {}).get("addresses") or []:
                if address.get("type") == "InternalIP":
                    return f"https://{address['address']}:6443"
    return "https://127.0.0.1:6443"


def _colored(text: str, color: int) -> str:
    """go-colortext as kubectl cluster-info uses it: ANSI colours whether or not stdout is a terminal."""
    return f"\x1b[0;{30 + color}m{text}\x1b[0m"


def cluster_info(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    if parsed.args:
        raise KubectlError(
            f"error: unknown command \"{parsed.args[0]}\"\nSee 'kubectl cluster-info -h' for help and examples"
        )
    server = control_plane_url(client, session)
    lines = [f"{_colored('Kubernetes control plane', 2)} is running at {_colored(server, 3)}\n"]
    services = client.list("Service", "kube-system", label_selector="kubernetes.io/cluster-service=true")
    for svc in services.get("items") or []:
        meta = svc["metadata"]
        name = (meta.get("labels") or {}).get("kubernetes.io/name") or meta["name"]
        status = svc.get("status") or {}
        ingress = (status.get("loadBalancer") or {}).get("ingress") or []
        if ingress:
            ip = ingress[0].get("ip") or ingress[0].get("hostname", "")
            port = ((svc.get("spec") or {}).get("ports") or [{}])[0].get("port", 80)
            link = f"http://{ip}:{port}"
        else:
            link = f"{server}/api/v1/namespaces/kube-system/services/{meta['name']}"
            ports = (svc.get("spec") or {}).get("ports") or []
            if ports and ports[0].get("name"):
                link += f":{ports[0]['name']}"
            link += "/proxy"
        lines.append(f"{_colored(name, 2)} is running at {_colored(link, 3)}\n")
    lines.append("\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n")
    return Result("".join(lines))


def config_current_context(parsed: parser.ParsedCommand, _client: Client, session: Session) -> Result:
    if parsed.args:
        raise KubectlError(f"error: unexpected arguments: {list(parsed.args)}")
    return Result(f"{session.context_name or KUBECONFIG_NAME}\n")


def config_view(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    if parsed.flag("raw"):
        return Result(stderr=messages.message("config_raw_refused", session.language) + "\n", exit_code=1)
    actor = getattr(client, "actor", "user:admin")
    user = f"{KUBECONFIG_NAME}-{actor.partition(':')[2] or actor}"
    name = session.context_name or KUBECONFIG_NAME
    context: dict[str, Any] = {"cluster": name, "user": user}
    if session.namespace:
        context["namespace"] = session.namespace
    config = {
        "apiVersion": "v1",
        "clusters": [
            {
                "cluster": {
                    "certificate-authority-data": "DATA+OMITTED",
                    "server": control_plane_url(client, session),
                },
                "name": name,
            }
        ],
        "contexts": [{"context": context, "name": name}],
        "current-context": name,
        "kind": "Config",
        "preferences": {},
        "users": [{"name": user, "user": {"token": "REDACTED"}}],
    }
    fmt = parsed.flag("output")
    if fmt == "json":
        return Result(output.to_json(config, sort_keys=True))
    if fmt in ("yaml", ""):
        return Result(output.to_yaml(config))
    if fmt.startswith(("jsonpath", "name", "custom-columns", "go-template", "template")):
        kind, argument = output.check_output_format(fmt)
        if kind == "jsonpath":
            return Result(output.jsonpath_output(argument, config))
    raise KubectlError(f'error: unable to match a printer suitable for the output format "{fmt}"')


# ---------------------------------------------------------------- version, api-resources, help


def version(parsed: parser.ParsedCommand, client: Client, _session: Session) -> Result:
    server = client.server_version()
    if parsed.flag("client"):
        return Result(stdout=f"Client Version: {CLIENT_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n")
    return Result(
        stdout=f"Client Version: {CLIENT_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n"
        f"Server Version: {server}\n"
    )


def api_resources(parsed: parser.ParsedCommand, _client: Client, _session: Session) -> Result:
    """`kubectl api-resources` (apiresources.go): discovery filtered by group, scope, verbs and categories,
    sorted (stably) by group, name or kind and then by name."""
    out, sort_by = parsed.flag("output"), parsed.flag("sort-by")
    if out not in ("", "wide", "name"):
        raise KubectlError(f"error: --output {out} is not available")
    if sort_by not in ("", "name", "kind"):
        raise KubectlError("error: --sort-by accepts only name or kind")
    verbs = {verb for value in parsed.flag("verbs") for verb in value.split(",") if verb}
    categories = {name for value in parsed.flag("categories") for name in value.split(",") if name}
    rows = [
        r for r in served()
        if (not parsed.given("api-group") or r.group == parsed.flag("api-group"))
        and (not parsed.given("namespaced") or r.namespaced == parsed.flag("namespaced"))
        and verbs <= set(r.verbs) and categories <= set(r.categories)
    ]
    field = {"name": lambda r: r.plural, "kind": lambda r: r.kind}.get(sort_by, lambda r: r.group)
    rows.sort(key=lambda r: (field(r), r.plural))
    if out == "name":
        return Result(stdout="".join(f"{r.qualified_plural}\n" for r in rows))
    writer = TabWriter(remember=False)
    header = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    if not parsed.flag("no-headers"):
        writer.write_row([*header, "VERBS", "CATEGORIES"] if out == "wide" else header)
    for r in rows:
        cells = [r.plural, ",".join(r.short_names), r.api_version, "true" if r.namespaced else "false", r.kind]
        if out == "wide":
            cells += [",".join(sorted(r.verbs)), ",".join(r.categories)]
        writer.write_row(cells)
    return Result(stdout=writer.flush())


def options(_parsed: parser.ParsedCommand, _client: Client, _session: Session) -> Result:
    return Result(stdout=parser.help_text(("options",)))


def root(_parsed: parser.ParsedCommand, _client: Client, _session: Session) -> Result:
    return Result(stdout=parser.help_text(()))
