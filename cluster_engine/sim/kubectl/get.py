"""`kubectl get`: read the objects named, selected or listed, and print them as a table (the api-server's
printers' columns, laid out as kubectl lays out a Table) or in the `-o` format asked for."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim import printers
from cluster_engine.sim.errors import Status

from . import messages, metrics_api, output, parser
from .context import Client, Result, Session, current_namespace, print_objects, read_stdin_objects
from .errors import KubectlError
from .resources import Resource, Target, lookup, parse_targets
from .table import TableOptions, TablePrinter


def get(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    fmt, argument = output.check_output_format(parsed.flag("output")) if parsed.flag("output") else ("", "")
    namespace = current_namespace(parsed, session)
    all_namespaces = parsed.flag("all-namespaces")
    selector, field_selector = parsed.flag("selector"), parsed.flag("field-selector")
    if parsed.flag("filename"):
        docs = read_stdin_objects(parsed, session, "get")
        targets: list[Target] = []
        for doc in docs:
            resource = lookup(doc.get("kind", ""))
            if resource is None:
                raise KubectlError(f'error: the server doesn\'t have a resource type "{doc.get("kind", "")}"')
            targets.append(Target(resource, ((doc.get("metadata") or {}).get("name", ""),)))
    else:
        if not parsed.args:
            raise KubectlError(
                'You must specify the type of resource to get. Use "kubectl api-resources" for a complete '
                'list of supported resources.\n\nerror: Required resource not specified.\nUse "kubectl '
                'explain <resource>" for a detailed description of that resource (e.g. kubectl explain '
                "pods).\nSee 'kubectl get -h' for help and examples"
            )
        targets = parse_targets(parsed.args)
    with_names = any(t.names for t in targets)
    if with_names and all_namespaces:
        raise KubectlError("error: a resource cannot be retrieved by name across all namespaces")

    groups: list[tuple[Resource, list[dict[str, Any]]]] = []
    errors: list[str] = []
    for target in targets:
        scope = None if all_namespaces or not target.resource.namespaced else namespace
        if target.names:
            found = []
            for name in target.names:
                try:
                    found.append(client.get(target.resource.kind, name, namespace))
                except Status as status:
                    if status.code == 404 and parsed.flag("ignore-not-found"):
                        continue
                    errors.append(status.kubectl_text())
            groups.append((target.resource, found))
        else:
            listed = client.list(
                target.resource.kind, scope, label_selector=selector, field_selector=field_selector
            )
            groups.append((target.resource, listed.get("items") or []))

    stdout = ""
    if fmt and fmt != "wide":
        objects = [obj for _, objs in groups for obj in objs]
        single = with_names and len(objects) == 1 and len(targets) == 1 and len(targets[0].names) == 1
        if objects or single:
            stdout = print_objects(
                objects, fmt, argument, single=single, no_headers=parsed.flag("no-headers"),
                show_managed_fields=bool(parsed.flags.get("show-managed-fields")),
            )
        elif fmt in ("yaml", "json"):
            stdout = print_objects([], fmt, argument, single=False)
    else:
        printer = TablePrinter()
        several_types = len({r.kind for r, objs in groups if objs}) > 1 or (
            len(parsed.args) == 1 and parsed.args[0] == "all"
        )
        for resource, objs in groups:
            if not objs:
                continue
            options = TableOptions(
                wide=fmt == "wide",
                no_headers=parsed.flag("no-headers"),
                show_labels=parsed.flag("show-labels"),
                label_columns=tuple(_label_columns(parsed)),
                with_namespace=bool(all_namespaces) and resource.namespaced,
                with_kind=resource.group_kind if several_types else "",
            )
            if resource.kind in metrics_api.KINDS:
                table = metrics_api.to_table(objs)
            else:
                table = printers.to_table(resource.kind, objs, client.now)
            stdout += printer.print(table, options, key=resource.kind)
    stderr = "".join(e + "\n" for e in errors)
    watching = parsed.flag("watch") or parsed.flag("watch-only")
    if watching:
        # kubectl watches one resource type; it prints the current objects (none with --watch-only and no
        # `No resources found`), then each change, which the page streams itself
        if len({r.kind for r, objs in groups if objs}) > 1:
            raise KubectlError(
                "error: watch is only supported on individual resources and resource collections - more than "
                "1 resource was found"
            )
        if parsed.flag("watch-only"):
            stdout = ""
        unwatchable = next((r for r, _ in groups if r.kind in metrics_api.KINDS), None)
        if unwatchable is not None:  # the aggregated API answers the watch with a 405
            return Result(stdout, stderr + metrics_api.not_allowed("watch", unwatchable).kubectl_text() + "\n", 1)
        return Result(stdout, stderr + messages.message("watch_snapshot", session.language) + "\n", 1 if errors else 0)
    if not stdout and not errors and not parsed.flag("ignore-not-found"):
        namespaced = all(r.namespaced for r, _ in groups) and not all_namespaces
        stderr = f"No resources found in {namespace} namespace.\n" if namespaced else "No resources found\n"
    return Result(stdout, stderr, 1 if errors else 0)


def _label_columns(parsed: parser.ParsedCommand) -> list[str]:
    return [key for value in parsed.flag("label-columns") for key in value.split(",") if key]

