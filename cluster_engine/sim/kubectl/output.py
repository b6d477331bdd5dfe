"""kubectl's non-table output formats: `-o yaml|json|name|jsonpath=...|custom-columns=...`, with the
`List` wrapping `kubectl get` applies when it prints several objects."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from . import jsonpath
from .errors import KubectlError
from .resources import Resource, by_kind
from .table import TabWriter, escape_terminal


class _GoYamlDumper(yaml.SafeDumper):
    """Block YAML as sigs.k8s.io/yaml (go-yaml v2) writes it: sorted keys, `- ` flush with the parent key,
    double quotes for strings that would read as another type, literal blocks for multi-line strings."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    implicit = dumper.resolve(yaml.ScalarNode, value, (True, False))
    if implicit != "tag:yaml.org,2002:str" or value == "":
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_GoYamlDumper.add_representer(str, _represent_str)


def to_yaml(obj: Any) -> str:
    """`kubectl -o yaml` of one object (keys sorted, as Go marshals maps)."""
    if obj == {}:
        return "{}\n"
    return yaml.dump(
        obj, Dumper=_GoYamlDumper, default_flow_style=False, sort_keys=True, allow_unicode=True, width=1 << 30
    )


def to_json(obj: Any, *, sort_keys: bool = True) -> str:
    """`kubectl -o json`: four-space indent; map keys sorted for server objects, struct order (insertion
    order) for objects kubectl built itself (generators)."""
    if sort_keys:
        return jsonpath.go_json(obj, indent=4) + "\n"
    text = json.dumps(obj, ensure_ascii=False, indent=4)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def as_list(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The `List` kubectl prints for a list request or several objects."""
    return {"apiVersion": "v1", "items": objects, "kind": "List", "metadata": {"resourceVersion": ""}}


def resource_of(obj: dict[str, Any]) -> Resource | None:
    try:
        return by_kind(obj.get("kind", ""))
    except KeyError:
        return None


def name_line(obj: dict[str, Any], operation: str = "") -> str:
    """`deployment.apps/web` (`-o name`), with ` created` etc. when an operation is given."""
    kind = obj.get("kind", "")
    api_version = obj.get("apiVersion", "")
    group = api_version.rpartition("/")[0]
    prefix = f"{kind.lower()}.{group}" if group else kind.lower()
    name = (obj.get("metadata") or {}).get("name") or "<unknown>"
    suffix = f" {operation}" if operation else ""
    return f"{prefix}/{name}{suffix}\n"


_OUTPUT_FORMATS = (
    "json",
    "yaml",
    "name",
    "go-template",
    "go-template-file",
    "template",
    "templatefile",
    "jsonpath",
    "jsonpath-as-json",
    "jsonpath-file",
    "custom-columns",
    "custom-columns-file",
    "wide",
)


def check_output_format(output: str, allowed: tuple[str, ...] = _OUTPUT_FORMATS) -> tuple[str, str]:
    """Split `-o` into (format, argument): `jsonpath={.a}` -> (`jsonpath`, `{.a}`), or kubectl's error."""
    fmt, _, argument = output.partition("=")
    if fmt not in allowed or (fmt in ("jsonpath", "custom-columns", "jsonpath-as-json") and not argument):
        if fmt in ("jsonpath", "jsonpath-as-json") and not argument:
            raise KubectlError("error: template format specified but no template given")
        if fmt == "custom-columns" and not argument:
            raise KubectlError("error: custom-columns format specified but no custom columns given")
        raise KubectlError(
            f'error: unable to match a printer suitable for the output format "{output}", '
            f"allowed formats are: {','.join(allowed)}"
        )
    return fmt, argument


def jsonpath_output(template: str, obj: Any, *, as_json: bool = False) -> str:
    """`-o jsonpath=TEMPLATE` (no trailing newline, as kubectl) or `-o jsonpath-as-json=...`."""
    try:
        if as_json:
            values = [v for action in jsonpath.find(template, obj) for v in action]
            return jsonpath.go_json(values, indent=4) + "\n"
        return jsonpath.execute(template, obj)
    except jsonpath.JSONPathError as err:
        if str(err) in ("unclosed action", "unterminated array") or "unrecognized" in str(err):
            raise KubectlError(f"error: error parsing jsonpath {template}, {err}") from err
        raise KubectlError(
            f'error: error executing jsonpath "{template}": Error executing template: {err}. '
            f"Printing more information for debugging the template:"
        ) from err


_COLUMN_SPEC = re.compile(r"^([^:]+):(.+)$")


def custom_columns(spec: str, objects: list[dict[str, Any]], *, no_headers: bool = False) -> str:
    """`-o custom-columns=NAME:.metadata.name,...`: each column's JSONPath, `<none>` when it finds nothing."""
    columns: list[tuple[str, str]] = []
    for part in spec.split(","):
        match = _COLUMN_SPEC.match(part)
        if not match:
            raise KubectlError(
                f"error: unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
            )
        columns.append((match.group(1), jsonpath.relaxed(match.group(2))))
    writer = TabWriter(remember=False)
    if not no_headers:
        writer.write_row([header for header, _ in columns])
    for obj in objects:
        cells = []
        for _, template in columns:
            found = jsonpath.find(template, obj)
            values = found[0] if found else []
            text = ",".join(jsonpath.go_print(v) for v in values) if values else "<none>"
            cells.append(escape_terminal(text))
        writer.write_row(cells)
    return writer.flush()
