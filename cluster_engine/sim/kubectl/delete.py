"""`kubectl delete`: the grace period and propagation policy kubectl derives from its flags, then one DELETE
per object named, selected or read from `-f -`."""

from __future__ import annotations

from cluster_engine.sim.errors import Status

from . import parser
from .context import (
    DRY_RUN_SUFFIX,
    Client,
    Result,
    Session,
    current_namespace,
    dry_run_mode,
    object_namespace,
    read_stdin_objects,
)
from .errors import KubectlError
from .resources import Resource, lookup, parse_targets

FORCE_WARNING = ("Warning: Immediate deletion does not wait for confirmation that the running resource has been "
                 "terminated. The resource may continue to run on the cluster indefinitely.\n")


def _grace_period(parsed: parser.ParsedCommand) -> int:
    """The grace period `delete` sends (kubectl/pkg/cmd/delete/delete.go, Complete and Validate): `--now` is 1,
    a bare `--grace-period=0` becomes 1 (only `--force` deletes at once), and `--force` alone means 0."""
    grace, force = parsed.flag("grace-period"), parsed.flag("force")
    if parsed.flag("now"):
        if grace != -1:
            raise KubectlError("error: --now and --grace-period cannot be specified together")
        grace = 1
    if grace == 0 and not force:
        grace = 1
    if force and grace < 0:
        grace = 0
    if force and grace > 0:
        raise KubectlError("error: --force and --grace-period greater than 0 cannot be specified together")
    return grace


def delete(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    namespace = current_namespace(parsed, session)
    dry_run = dry_run_mode(parsed)
    grace = _grace_period(parsed)
    warning = FORCE_WARNING if grace == 0 else ""
    cascade = parsed.flag("cascade")
    policy = {
        "background": "Background",
        "foreground": "Foreground",
        "orphan": "Orphan",
        "true": "Background",
        "false": "Orphan",
    }.get(cascade)
    if policy is None:
        raise KubectlError(
            f'error: invalid cascade value ({cascade}). Must be "background", "foreground", or "orphan".'
        )
    pairs: list[tuple[Resource, str, str]] = []
    if parsed.flag("filename"):
        for doc in read_stdin_objects(parsed, session, "delete"):
            resource = lookup(doc.get("kind", ""))
            if resource is None:
                raise KubectlError(f'error: the server doesn\'t have a resource type "{doc.get("kind", "")}"')
            name = (doc.get("metadata") or {}).get("name", "")
            pairs.append((resource, name, object_namespace(parsed, session, doc)))
    else:
        targets = parse_targets(parsed.args)
        if not targets:
            raise KubectlError(
                "error: You must provide one or more resources by argument or filename.\n"
                "Example resource specifications include:\n   '-f rsrc.yaml'\n"
                "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'"
            )
        for target in targets:
            if target.names:
                pairs.extend((target.resource, name, namespace) for name in target.names)
            elif parsed.flag("all") or parsed.flag("selector"):
                scope = None if parsed.flag("all-namespaces") else namespace
                listed = client.list(
                    target.resource.kind,
                    scope,
                    label_selector=parsed.flag("selector"),
                    field_selector=parsed.flag("field-selector"),
                )
                pairs.extend(
                    (target.resource, item["metadata"]["name"], item["metadata"].get("namespace", namespace))
                    for item in listed.get("items") or []
                )
            else:
                raise KubectlError("error: resource(s) were provided, but no name was specified")
    lines, errors = [], []
    operation = "force deleted" if grace == 0 else "deleted"
    suffix = operation + DRY_RUN_SUFFIX[dry_run]
    for resource, name, scope in pairs:
        try:
            if dry_run != "client":
                client.delete(
                    resource.kind,
                    name,
                    namespace=scope,
                    propagation_policy=policy,
                    grace_period_seconds=grace if grace >= 0 else None,
                    dry_run=dry_run == "server",
                )
            lines.append(f'{resource.group_kind} "{name}" {suffix}\n')
        except Status as status:
            if not (status.code == 404 and parsed.flag("ignore-not-found")):
                errors.append(status.kubectl_text() + "\n")
    if not pairs and not parsed.flag("ignore-not-found"):
        return Result(stderr=warning + "No resources found\n")
    return Result("".join(lines), warning + "".join(errors), 1 if errors else 0)


