"""`kubectl apply -f -`: client-side apply (the default; the api-server's three-way merge, recorded under
`kubectl-client-side-apply`) and `--server-side` apply, with kubectl's follow-up writes after a server-side
apply (apply.go): the last-applied annotation kept under its own manager `kubectl-last-applied`, and the fields
client-side apply owned migrated to the server-side manager (csaupgrade) before the configuration is applied
again, so that `get --show-managed-fields` shows what the real kubectl leaves."""

from __future__ import annotations

import copy
from typing import Any

from cluster_engine.sim import managedfields
from cluster_engine.sim.apiserver import CLIENT_SIDE_APPLY
from cluster_engine.sim.errors import Status

from . import output, parser
from .context import (
    DRY_RUN_SUFFIX,
    Client,
    Result,
    Session,
    dry_run_mode,
    object_namespace,
    print_objects,
    read_stdin_objects,
)
from .errors import KubectlError
from .resources import lookup

SERVER_SIDE_MANAGER = "kubectl"  # fieldManagerServerSideApply
LAST_APPLIED_MANAGER = "kubectl-last-applied"  # fieldManagerLastAppliedAnnotation
LAST_APPLIED = managedfields.LAST_APPLIED
LAST_APPLIED_PATH = ("f:metadata", "f:annotations", f"f:{LAST_APPLIED}")
CONFLICT_HELP = """Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts"""
_WARNING_TAIL = "This is non-fatal and will be retried next time you apply. Error: {error}\n"
WARNING_LAST_APPLIED = ("Warning: failed to migrate kubectl.kubernetes.io/last-applied-configuration for "
                        "Server-Side Apply. " + _WARNING_TAIL)
WARNING_MIGRATION = "Warning: server rejected managed fields migration to Server-Side Apply. " + _WARNING_TAIL
WARNING_REAPPLY = ("Warning: failed to re-apply configuration after performing Server-Side Apply migration. "
                   + _WARNING_TAIL)
WARNING_NO_LAST_APPLIED = (
    "Warning: resource {name} is missing the kubectl.kubernetes.io/last-applied-configuration annotation which "
    "is required by kubectl apply. kubectl apply should only be used on resources created declaratively by "
    "either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n"
)


def apply(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    """`kubectl apply -f -` of the editor's manifests, client-side or `--server-side`."""
    if not parsed.flag("filename"):
        raise KubectlError("error: must specify one of -f and -k")
    server_side, dry_run = parsed.flag("server-side"), dry_run_mode(parsed)
    if parsed.flag("force-conflicts") and not server_side:
        raise KubectlError("error: --force-conflicts only works with --server-side")
    if dry_run == "client" and server_side:
        raise KubectlError(
            "error: --dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)"
        )
    manager = parsed.flag("field-manager") if parsed.given("field-manager") else (
        SERVER_SIDE_MANAGER if server_side else CLIENT_SIDE_APPLY)
    out = parsed.flag("output")
    suffix = DRY_RUN_SUFFIX[dry_run]
    lines, warnings, applied = [], [], []
    for raw in read_stdin_objects(parsed, session, "apply"):
        namespace = object_namespace(parsed, session, raw)
        doc = _with_namespace(raw, namespace)
        if server_side:
            obj, notes = _server_side(parsed, client, doc, namespace=namespace, manager=manager,
                                      dry_run=dry_run == "server")
            verb = "serverside-applied"
        else:
            notes = _missing_annotation_warning(client, doc, namespace) if dry_run != "client" else ""
            obj, verb = client.apply(doc, namespace=namespace, dry_run=dry_run != "none",
                                     field_manager=manager or None)
        warnings.append(notes)
        applied.append(obj)
        lines.append(output.name_line(obj, "" if out == "name" else verb + suffix))
    if out and out != "name":
        fmt, argument = output.check_output_format(out)
        return Result(print_objects(applied, fmt, argument, single=len(applied) == 1), "".join(warnings))
    return Result("".join(lines), "".join(warnings))


def _with_namespace(doc: dict[str, Any], namespace: str) -> dict[str, Any]:
    """The manifest as kubectl's builder hands it on: a namespaced object carries its namespace (which the
    last-applied annotation then records)."""
    resource = lookup(str(doc.get("kind", "")))
    meta = doc.get("metadata")
    if resource is None or not resource.namespaced or not isinstance(meta, dict) or meta.get("namespace"):
        return doc
    return {**doc, "metadata": {**meta, "namespace": namespace}}


def _missing_annotation_warning(client: Client, doc: dict[str, Any], namespace: str) -> str:
    """kubectl warns when client-side apply patches a live object that has no last-applied annotation."""
    resource = lookup(str(doc.get("kind", "")))
    name = (doc.get("metadata") or {}).get("name") if isinstance(doc.get("metadata"), dict) else None
    if resource is None or not name:
        return ""
    try:
        live = client.get(resource.kind, name, namespace if resource.namespaced else "")
    except Status:
        return ""
    if LAST_APPLIED in (live["metadata"].get("annotations") or {}):
        return ""
    return WARNING_NO_LAST_APPLIED.format(name=f"{resource.plural}/{name}")  # Info.ObjectName()


def _server_side(
    parsed: parser.ParsedCommand,
    client: Client,
    doc: dict[str, Any],
    *,
    namespace: str,
    manager: str,
    dry_run: bool,
) -> tuple[dict[str, Any], str]:
    """One object's server-side apply and kubectl's migration writes: (the object, warnings)."""
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    name = meta.get("name", "")
    if not name:
        if meta.get("generateName"):
            raise KubectlError(f"error: from {meta['generateName']}: cannot use generate name with apply")
        raise KubectlError("error: resource name may not be empty")
    kind = str(doc.get("kind", ""))
    force = bool(parsed.flag("force-conflicts"))

    def send(body: dict[str, Any], field_manager: str) -> dict[str, Any]:
        obj, _created = client.server_side_apply(kind, name, body, namespace=namespace,
                                                 field_manager=field_manager, force=force, dry_run=dry_run)
        return obj

    try:
        obj = send(doc, manager)
    except Status as status:
        if status.code == 409:
            raise KubectlError(f"error: {status.message}\n{CONFLICT_HELP}") from None
        raise
    if dry_run:
        return obj, ""
    try:
        obj = _save_last_applied(obj, manager, lambda body: send(body, LAST_APPLIED_MANAGER))
    except Status as status:
        return obj, WARNING_LAST_APPLIED.format(error=status.message)
    try:
        migrated = _migrate(client, obj, manager, namespace)
    except Status as status:
        return obj, WARNING_MIGRATION.format(error=status.message)
    if migrated:
        try:
            obj = send(doc, manager)
        except Status as status:
            return obj, WARNING_REAPPLY.format(error=status.message)
    return obj, ""


def _owners(entries: list[dict[str, Any]], operation: str, path: tuple[str, ...]) -> list[dict[str, Any]]:
    """`csaupgrade.FindFieldsOwners`: the managedFields entries of `operation` whose set has `path`."""
    found = []
    for entry in entries:
        if entry.get("operation") != operation:
            continue
        try:
            fields = managedfields.decode_fields(entry.get("fieldsV1") or {})
        except ValueError:
            continue
        if path in fields:
            found.append(entry)
    return found


def _save_last_applied(obj: dict[str, Any], manager: str, send: Any) -> dict[str, Any]:
    """`saveLastApplyAnnotationIfNecessary`: with the default manager, an apply of the annotation alone by
    `kubectl-last-applied`, unless an Apply manager owns it already."""
    meta = obj["metadata"]
    annotation = (meta.get("annotations") or {}).get(LAST_APPLIED)
    if manager != SERVER_SIDE_MANAGER or annotation is None:
        return obj
    if _owners(meta.get("managedFields") or [], managedfields.APPLY, LAST_APPLIED_PATH):
        return obj
    just: dict[str, Any] = {"apiVersion": obj.get("apiVersion", ""), "kind": obj.get("kind", ""),
                            "metadata": {"name": meta["name"], "annotations": {LAST_APPLIED: annotation}}}
    if meta.get("namespace"):
        just["metadata"]["namespace"] = meta["namespace"]
    return send(just)


def _is(entry: dict[str, Any], manager: str, operation: str) -> bool:
    return (entry.get("manager") == manager and entry.get("operation") == operation
            and not entry.get("subresource"))


def upgraded_managed_fields(entries: list[dict[str, Any]], csa_manager: str, ssa_manager: str) -> list[dict[str, Any]]:
    """`csaupgrade.upgradedManagedFields`: `csa_manager`'s Update fields merged into `ssa_manager`'s Apply
    entry (the newest `csa_manager` entry becomes it when there is none), then `csa_manager`'s entries dropped."""
    entries = copy.deepcopy(entries)
    target = next((e for e in entries if _is(e, ssa_manager, managedfields.APPLY)), None)
    if target is None:
        target = next((e for e in entries if _is(e, csa_manager, managedfields.UPDATE)), None)
        if target is None:
            return entries
        target["operation"], target["manager"] = managedfields.APPLY, ssa_manager
    fields = set(managedfields.decode_fields(target.get("fieldsV1") or {}))
    source = next((e for e in entries if _is(e, csa_manager, managedfields.UPDATE)
                   and e.get("apiVersion") == target.get("apiVersion")), None)
    if source is not None:
        fields |= managedfields.decode_fields(source.get("fieldsV1") or {})
    target["fieldsV1"] = managedfields.encode_fields(fields)
    return [e for e in entries if not _is(e, csa_manager, managedfields.UPDATE)]


def _migrate(client: Client, obj: dict[str, Any], manager: str, namespace: str) -> bool:
    """`migrateToSSAIfNecessary`: a JSON patch replacing managedFields when client-side apply managers (Update
    entries owning the last-applied annotation) still own fields. Returns whether it patched."""
    meta = obj["metadata"]
    entries = meta.get("managedFields") or []
    upgraded = entries
    for csa in sorted({e.get("manager", "") for e in _owners(entries, managedfields.UPDATE, LAST_APPLIED_PATH)}):
        upgraded = upgraded_managed_fields(upgraded, csa, manager)
    if upgraded == entries:
        return False
    resource = lookup(str(obj.get("kind", "")))
    kind = resource.kind if resource is not None else str(obj.get("kind", ""))
    operations = [{"op": "test", "path": "/metadata/resourceVersion", "value": meta.get("resourceVersion", "")},
                  {"op": "replace", "path": "/metadata/managedFields", "value": upgraded}]
    client.patch(kind, meta["name"], operations, namespace=namespace, patch_type="json", dry_run=False,
                 field_manager=manager or None)
    return True
