"""kubectl commands that read an object and patch it: label, annotate, scale, cordon/uncordon, taint and
set image. Each builds the patch kubectl would send and prints kubectl's words."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from cluster_engine.sim.errors import Status
from cluster_engine.sim.validation import label_value, qualified_name

from . import describe, output, parser
from .context import DRY_RUN_SUFFIX, Client, Result, Session, current_namespace, dry_run_mode, print_objects, with_kind
from .errors import KubectlError
from .resources import Resource, Target, by_kind, parse_targets


def _objects(
    parsed: parser.ParsedCommand,
    client: Client,
    session: Session,
    targets: list[Target],
    *,
    selector_flags: bool = True,
) -> tuple[list[tuple[Resource, dict[str, Any]]], list[str]]:
    """Resolve targets to objects (by name, or every object with `--all` / `-l`); NotFound errors are
    collected in kubectl's words rather than raised, so the other objects are still handled."""
    found, failures = _resolve(parsed, client, session, targets, selector_flags=selector_flags)
    return found, [status.kubectl_text() for status in failures]


def _resolve(
    parsed: parser.ParsedCommand,
    client: Client,
    session: Session,
    targets: list[Target],
    *,
    selector_flags: bool = True,
) -> tuple[list[tuple[Resource, dict[str, Any]]], list[Status]]:
    """`_objects` with the failed reads as the api-server's Statuses."""
    namespace = current_namespace(parsed, session)
    found: list[tuple[Resource, dict[str, Any]]] = []
    failures: list[Status] = []
    for target in targets:
        if target.names:
            for name in target.names:
                try:
                    found.append((target.resource, client.get(target.resource.kind, name, namespace)))
                except Status as status:
                    failures.append(status)
            continue
        # `label` and `annotate` also select by fields (the resource builder's FieldSelectorParam)
        fields = parsed.flag("field-selector") if "field-selector" in parser.command_flags(parsed.path) else ""
        wants_all = selector_flags and (
            parsed.flag("selector") or fields
            or ("all" in parser.command_flags(parsed.path) and parsed.flag("all"))
        )
        if not wants_all:
            raise KubectlError("error: resource(s) were provided, but no name was specified")
        scope = namespace if target.resource.namespaced else None
        if "all-namespaces" in parser.command_flags(parsed.path) and parsed.flag("all-namespaces"):
            scope = None
        listed = client.list(target.resource.kind, scope, label_selector=parsed.flag("selector"),
                             field_selector=fields or "")
        found.extend((target.resource, item) for item in listed.get("items") or [])
    return found, failures


def _split_updates(args: tuple[str, ...], is_update: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    resources, updates = [], []
    for arg in args:
        (updates if is_update(arg) else resources).append(arg)
    return resources, updates


def _finish(
    parsed: parser.ParsedCommand, results: list[tuple[dict[str, Any], str]], errors: list[str]
) -> Result:
    out = parsed.flag("output") if "output" in parser.command_flags(parsed.path) else ""
    if out:
        fmt, argument = output.check_output_format(out)
        objects = [obj for obj, _ in results]
        stdout = print_objects(objects, fmt, argument, single=len(objects) == 1) if objects else ""
    else:
        stdout = "".join(output.name_line(obj, verb) for obj, verb in results)
    stderr = "".join(e + "\n" for e in errors)
    return Result(stdout, stderr, 1 if errors else 0)


# ---------------------------------------------------------------- label, annotate


def _parse_pairs(updates: list[str], what: str) -> tuple[dict[str, str], list[str]]:
    """kubectl's parseLabels / parseAnnotations: keys are left to the api-server's validation."""
    add: dict[str, str] = {}
    remove: list[str] = []
    for update in updates:
        if "=" not in update:
            remove.append(update[:-1])
        elif what == "label":
            parts = update.split("=")
            if len(parts) != 2:
                raise KubectlError(f"error: invalid label spec: {update}")
            if problems := label_value(parts[1]):
                raise KubectlError(f'error: invalid label value: "{update}": {";".join(problems)}')
            add[parts[0]] = parts[1]
        else:
            key, _, value = update.partition("=")
            if not key:
                raise KubectlError(f"error: invalid annotation format: {update}")
            add[key] = value
    return add, remove


def _metadata_command(parsed: parser.ParsedCommand, client: Client, session: Session, what: str) -> Result:
    field = "labels" if what == "label" else "annotations"
    resources, updates = _split_updates(parsed.args, lambda a: "=" in a or a.endswith("-"))
    targets = parse_targets(resources)
    if not targets:
        raise KubectlError(
            "error: one or more resources must be specified as <resource> <name> or <resource>/<name>\n"
            f"See 'kubectl {what} -h' for help and examples"
        )
    if parsed.flag("list"):
        objects, errors = _objects(parsed, client, session, targets)
        lines = []
        for resource, obj in objects:
            values = obj["metadata"].get(field) or {}
            if len(objects) > 1:
                lines.append(
                    f"Listing {field} for {resource.kind}.{resource.group}/{obj['metadata']['name']}:\n"
                )
            lines.extend(f"{key}={values[key]}\n" for key in sorted(values))
        return Result("".join(lines), "".join(e + "\n" for e in errors), 1 if errors else 0)
    if not updates:
        raise KubectlError(f"error: at least one {what} update is required")
    add, remove = _parse_pairs(updates, what)
    objects, errors = _objects(parsed, client, session, targets)
    dry_run = dry_run_mode(parsed)
    notes: list[str] = []
    results: list[tuple[dict[str, Any], str]] = []
    for resource, obj in objects:
        current = dict(obj["metadata"].get(field) or {})
        if not parsed.flag("overwrite"):
            clash = next((k for k, v in add.items() if k in current and current[k] != v), None)
            if clash is not None:
                errors.append(
                    f"error: '{clash}' already has a value ({current[clash]}), and --overwrite is false"
                )
                continue
        wanted = dict(current)
        for key in remove:
            if key not in wanted and what == "label":
                notes.append(f'label "{key}" not found.\n')
            wanted.pop(key, None)
        wanted.update(add)
        verb = "annotated"
        if what == "label":
            verb = "labeled" if wanted != current else "not labeled"
        patch: dict[str, Any] = {
            "metadata": {
                field: {
                    k: wanted.get(k) for k in set(current) | set(wanted) if current.get(k) != wanted.get(k)
                }
            }
        }
        if parsed.flag("resource-version"):
            patch["metadata"]["resourceVersion"] = parsed.flag("resource-version")
        namespace = obj["metadata"].get("namespace", "")
        if dry_run == "client" or (
            not patch["metadata"][field] and "resourceVersion" not in patch["metadata"]
        ):
            new = copy.deepcopy(obj)
            new["metadata"][field] = wanted
        else:
            try:
                new = client.patch(
                    resource.kind,
                    obj["metadata"]["name"],
                    patch,
                    namespace=namespace,
                    patch_type="merge",
                    dry_run=dry_run == "server",
                    field_manager=parsed.field_manager,
                )
            except Status as status:
                errors.append(status.kubectl_text())
                continue
        results.append((with_kind(resource, new), verb + DRY_RUN_SUFFIX[dry_run]))
    finished = _finish(parsed, results, errors)
    return Result("".join(notes) + finished.stdout, finished.stderr, finished.exit_code)


def label(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    return _metadata_command(parsed, client, session, "label")


def annotate(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    return _metadata_command(parsed, client, session, "annotate")


# ---------------------------------------------------------------- scale

SCALABLE = ("Deployment", "ReplicaSet", "StatefulSet")


def scale(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    if not parsed.given("replicas"):
        raise KubectlError('error: required flag(s) "replicas" not set')
    replicas = parsed.flag("replicas")
    if replicas < 0:
        raise KubectlError(
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
        )
    targets = parse_targets(parsed.args)
    if not targets:
        raise KubectlError(
            "error: You must provide one or more resources by argument or filename.\n"
            "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
            "   '<resource> <name>'\n   '<resource>'"
        )
    objects, failures = _resolve(parsed, client, session, targets)
    resource_version = parsed.flag("resource-version")
    if resource_version and len(objects) > 1:
        raise KubectlError("error: cannot use --resource-version with multiple resources")
    if not objects:
        # "no objects passed to scale %w" of the builder's errors (an aggregate when several)
        messages_text = [status.message for status in failures]
        cause = messages_text[0] if len(messages_text) == 1 else f"[{', '.join(messages_text)}]"
        raise KubectlError("error: no objects passed to scale" + (f" {cause}" if failures else ""))
    errors = [status.kubectl_text() for status in failures]
    dry_run = dry_run_mode(parsed)
    expected = parsed.flag("current-replicas")
    results: list[tuple[dict[str, Any], str]] = []
    for resource, obj in objects:
        # kubectl prints the object as it read it before scaling; the first failure ends the command
        if dry_run != "client":
            try:
                _scale_one(client, resource, obj, replicas=replicas, expected=expected,
                           resource_version=resource_version, dry_run=dry_run == "server")
            except Status as status:
                errors = [status.kubectl_text()]
                break
            except KubectlError as error:
                errors = [error.text]
                break
        results.append((with_kind(resource, obj), "scaled" + DRY_RUN_SUFFIX[dry_run]))
    return _finish(parsed, results, errors)


def _scale_one(
    client: Client,
    resource: Resource,
    obj: dict[str, Any],
    *,
    replicas: int,
    expected: int,
    resource_version: str,
    dry_run: bool,
) -> None:
    """kubectl's scaler: a merge patch of the `scale` subresource, or with a precondition (`--current-replicas`,
    `--resource-version`) the Scale read, checked and written back. Scale writes name no field manager, so the
    api-server records them under `kubectl` with subresource `scale`."""
    meta = obj["metadata"]
    if resource.kind not in SCALABLE:
        raise Status(404, "NotFound", "the server could not find the requested resource", {})
    body: dict[str, Any] = {"spec": {"replicas": replicas}}
    if expected >= 0 or resource_version:
        current = (obj.get("spec") or {}).get("replicas", 1)
        if expected >= 0 and current != expected:
            raise KubectlError(f"error: Expected replicas to be {expected}, was {current}")
        if resource_version and meta.get("resourceVersion") != resource_version:
            raise KubectlError(
                f"error: Expected resource version to be {resource_version}, was {meta.get('resourceVersion', '')}"
            )
        body["metadata"] = {"resourceVersion": meta.get("resourceVersion", "")}
    client.patch(resource.kind, meta["name"], body, namespace=meta.get("namespace", ""), patch_type="merge",
                 dry_run=dry_run, subresource="scale")


# ---------------------------------------------------------------- cordon, uncordon


def cordon_nodes(
    parsed: parser.ParsedCommand, client: Client, session: Session, desired: bool
) -> tuple[list[dict[str, Any]], str, str, bool]:
    """Cordon (or uncordon) the nodes named or selected: (the nodes, stdout, stderr, whether finding the
    nodes failed). Shared by cordon, uncordon and drain."""
    command = parsed.path[0]
    if not parsed.args and not parsed.flag("selector"):
        raise KubectlError(
            f"error: USAGE: {command} NODE [flags]\nSee 'kubectl {command} -h' for help and examples"
        )
    node = by_kind("Node")
    targets = [Target(node, tuple(parsed.args))] if parsed.args else [Target(node)]
    objects, errors = _objects(parsed, client, session, targets)
    dry_run = dry_run_mode(parsed)
    done = "cordoned" if desired else "uncordoned"
    lines = []
    for resource, obj in objects:
        name = obj["metadata"]["name"]
        if bool((obj.get("spec") or {}).get("unschedulable")) == desired:
            lines.append(f"node/{name} already {done}{DRY_RUN_SUFFIX[dry_run]}\n")
            continue
        if dry_run != "client":
            try:
                client.patch(
                    resource.kind,
                    name,
                    {"spec": {"unschedulable": True if desired else None}},
                    namespace="",
                    patch_type="strategic",
                    dry_run=dry_run == "server",
                )
            except Status as status:
                errors.append(status.kubectl_text())
                continue
        lines.append(f"node/{name} {done}{DRY_RUN_SUFFIX[dry_run]}\n")
    return [obj for _, obj in objects], "".join(lines), "".join(e + "\n" for e in errors), bool(errors)


def _cordon(parsed: parser.ParsedCommand, client: Client, session: Session, desired: bool) -> Result:
    _, stdout, stderr, failed = cordon_nodes(parsed, client, session, desired)
    return Result(stdout, stderr, 1 if failed else 0)


def cordon(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    return _cordon(parsed, client, session, True)


def uncordon(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    return _cordon(parsed, client, session, False)


# ---------------------------------------------------------------- taint

TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def _taint_usage(text: str) -> KubectlError:
    return KubectlError(f"error: {text}\nSee 'kubectl taint -h' for help and examples")


def parse_taint(spec: str) -> dict[str, str]:
    """`key[=value][:Effect]` as kubectl's parseTaint reads it (errors in its words)."""
    parts = spec.split(":")
    taint: dict[str, str] = {}
    if len(parts) == 1:
        key = parts[0]
    elif len(parts) == 2:
        if parts[1] not in TAINT_EFFECTS:
            raise _taint_usage(f"invalid taint effect: {parts[1]}, unsupported taint effect")
        taint["effect"] = parts[1]
        key_value = parts[0].split("=")
        if len(key_value) > 2:
            raise _taint_usage(f"invalid taint spec: {spec}")
        key = key_value[0]
        if len(key_value) == 2:
            if problems := label_value(key_value[1]):
                raise _taint_usage(f"invalid taint spec: {spec}, {'; '.join(problems)}")
            taint["value"] = key_value[1]
    else:
        raise _taint_usage(f"invalid taint spec: {spec}")
    if problems := qualified_name(key):
        raise _taint_usage(f"invalid taint spec: {spec}, {'; '.join(problems)}")
    return {"key": key, **taint}


def taint(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    resources, updates = _split_updates(
        parsed.args[1:] if parsed.args else (), lambda a: "=" in a or ":" in a or a.endswith("-")
    )
    resources = [*parsed.args[:1], *resources]
    if not updates:
        raise _taint_usage("at least one taint update is required")
    to_add: list[dict[str, str]] = []
    to_remove: list[dict[str, str]] = []
    for spec in updates:
        if spec.endswith("-"):
            to_remove.append(parse_taint(spec[:-1]))
            continue
        new = parse_taint(spec)
        if "effect" not in new:
            raise _taint_usage(f"invalid taint spec: {spec}")
        if any(t["key"] == new["key"] and t["effect"] == new["effect"] for t in to_add):
            raise _taint_usage(f"duplicated taints with the same key and effect: {_go_taint(new)}")
        to_add.append(new)
    targets = parse_targets(resources)
    if any(t.resource.kind != "Node" for t in targets):
        raise KubectlError(
            f'error: invalid resource type {targets[0].resource.plural}, only "nodes" are supported'
        )
    objects, errors = _objects(parsed, client, session, targets)
    dry_run = dry_run_mode(parsed)
    lines: list[str] = []
    for resource, obj in objects:
        name = obj["metadata"]["name"]
        old = list((obj.get("spec") or {}).get("taints") or [])
        if not parsed.flag("overwrite"):
            clash = [
                t
                for t in to_add
                if any(o.get("key") == t["key"] and o.get("effect") == t["effect"] for o in old)
            ]
            if clash:
                errors.append(
                    f"error: node {name} already has {clash[0]['key']} taint(s) with same effect(s) "
                    "and --overwrite is false"
                )
                continue
        new_taints = [dict(t) for t in to_add]
        for existing in old:
            if not any(
                t["key"] == existing.get("key") and t["effect"] == existing.get("effect") for t in new_taints
            ):
                new_taints.append(existing)
        added = len(old) != len(new_taints)
        missing: list[str] = []
        removed = False
        for gone in to_remove:
            before = len(new_taints)
            new_taints = [
                t
                for t in new_taints
                if not (
                    t.get("key") == gone["key"]
                    and ("effect" not in gone or t.get("effect") == gone["effect"])
                )
            ]
            removed = len(new_taints) != before
            if not removed:
                missing.append(f'taint "{describe.taint_text(gone)}" not found')
        if missing:
            errors.append(
                "error: " + ", ".join(missing) if len(missing) == 1 else "error: [" + ", ".join(missing) + "]"
            )
            continue
        verb = (
            "modified"
            if (added and removed) or parsed.flag("overwrite")
            else "tainted"
            if added
            else "untainted"
        )
        if dry_run != "client":
            try:
                client.patch(
                    resource.kind,
                    name,
                    {"spec": {"taints": new_taints or None}},
                    namespace="",
                    patch_type="merge",
                    dry_run=dry_run == "server",
                    field_manager=parsed.field_manager,
                )
            except Status as status:
                errors.append(status.kubectl_text())
                continue
        lines.append(f"node/{name} {verb}{DRY_RUN_SUFFIX[dry_run]}\n")
    return Result("".join(lines), "".join(e + "\n" for e in errors), 1 if errors else 0)


def _go_taint(taint: dict[str, str]) -> str:
    """A Taint printed with `%v` (a Go struct): `{key value NoSchedule <nil>}`."""
    return f"{{{taint['key']} {taint.get('value', '')} {taint.get('effect', '')} <nil>}}"


# ---------------------------------------------------------------- set image

_POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def set_image(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    resources, updates = _split_updates(parsed.args, lambda a: "=" in a)
    if not updates:
        raise KubectlError(
            "error: at least one image update is required\nSee 'kubectl set image -h' for help and examples"
        )
    images = {}
    for update in updates:
        name, _, image = update.partition("=")
        images[name] = image
    targets = parse_targets(resources)
    if not targets:
        raise KubectlError(
            "error: one or more resources must be specified as <resource> <name> or "
            "<resource>/<name>\nSee 'kubectl set image -h' for help and examples"
        )
    objects, errors = _objects(parsed, client, session, targets)
    dry_run = dry_run_mode(parsed)
    results: list[tuple[dict[str, Any], str]] = []
    for resource, obj in objects:
        path = _POD_SPEC_PATHS.get(resource.kind)
        if path is None:
            errors.append(
                f"error: {resource.group_kind}/{obj['metadata']['name']} the object is not a pod or "
                "does not have a pod template: *v1." + resource.kind
            )
            continue
        new = copy.deepcopy(obj)
        spec = new
        for key in path:
            spec = spec.setdefault(key, {})
        unknown = []
        for name, image in images.items():
            matched = False
            for section in ("initContainers", "containers"):
                for container in spec.get(section) or []:
                    if name in ("*", container["name"]):
                        container["image"] = image
                        matched = True
            if not matched:
                unknown.append(name)
        if unknown:
            errors.append(f'error: unable to find container named "{unknown[0]}"')
            continue
        if dry_run != "client":
            body: dict[str, Any] = {}
            cursor = body
            for key in path:
                cursor = cursor.setdefault(key, {})
            for section in ("initContainers", "containers"):
                if spec.get(section):
                    cursor[section] = spec[section]
            try:
                new = client.patch(
                    resource.kind,
                    obj["metadata"]["name"],
                    body,
                    namespace=obj["metadata"].get("namespace", ""),
                    patch_type="strategic",
                    dry_run=dry_run == "server",
                    field_manager=parsed.field_manager,
                )
            except Status as status:
                errors.append(status.kubectl_text())
                continue
        results.append((with_kind(resource, new), "image updated" + DRY_RUN_SUFFIX[dry_run]))
    return _finish(parsed, results, errors)
