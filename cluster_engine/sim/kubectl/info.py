"""Informational commands: `explain` (from the Kubernetes 1.32 schemas `kubernetes-validate` ships, laid out
as kubectl's plaintext explain template does), `top` (the simulated cluster runs no metrics-server, so kubectl's
own answer without one), `cluster-info` and `config view` (the terminal's kubeconfig, credentials redacted)."""

from __future__ import annotations

import json
import textwrap
from functools import cache
from importlib import resources as importlib_resources
from typing import TYPE_CHECKING, Any

from . import messages, output, parser
from .errors import KubectlError
from .resources import lookup

if TYPE_CHECKING:
    from .commands import Client, Result, Session

SCHEMA_VERSION = "v1.32.0-local-strict"
KUBECONFIG_NAME = "podlab"


def _result(stdout: str = "", stderr: str = "", exit_code: int = 0) -> Result:
    from .commands import Result

    return Result(stdout, stderr, exit_code)


# ---------------------------------------------------------------- explain


@cache
def _definitions() -> dict[str, Any]:
    path = importlib_resources.files("kubernetes_validate") / "kubernetes-json-schema" / SCHEMA_VERSION
    return json.loads((path / "_definitions.json").read_text())["$defs"]


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
    return _result(text + "\n")


# ---------------------------------------------------------------- top


def top(parsed: parser.ParsedCommand, _client: Client, session: Session) -> Result:
    """No metrics-server runs in the simulated cluster: kubectl's own error, then a note on what to use."""
    note = messages.message("top_no_metrics", session.language)
    return _result(stderr=f"error: Metrics API not available\n{note}\n", exit_code=1)


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
    return _result("".join(lines))


def config_current_context(parsed: parser.ParsedCommand, _client: Client, session: Session) -> Result:
    if parsed.args:
        raise KubectlError(f"error: unexpected arguments: {list(parsed.args)}")
    return _result(f"{session.context_name or KUBECONFIG_NAME}\n")


def config_view(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    if parsed.flag("raw"):
        return _result(stderr=messages.message("config_raw_refused", session.language) + "\n", exit_code=1)
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
        return _result(output.to_json(config, sort_keys=True))
    if fmt in ("yaml", ""):
        return _result(output.to_yaml(config))
    if fmt.startswith(("jsonpath", "name", "custom-columns", "go-template", "template")):
        kind, argument = output.check_output_format(fmt)
        if kind == "jsonpath":
            return _result(output.jsonpath_output(argument, config))
    raise KubectlError(f'error: unable to match a printer suitable for the output format "{fmt}"')
