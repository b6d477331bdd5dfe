"""`kubectl rollout status|history|undo|restart|pause|resume` with kubectl 1.32's words.

The terminal cannot block, so `rollout status` prints the one line kubectl prints for the object as it is
now (and, while it would keep watching, a note saying so). Undo sends what kubectl's DeploymentRollbacker
sends: a JSON Patch replacing `/spec/template` (the chosen ReplicaSet's, without its pod-template-hash
label) and `/metadata/annotations`. DaemonSets and StatefulSets keep their history in ControllerRevisions
they control: `history` lists their revision numbers (change-cause from the revision's annotations) and
`undo` sends the chosen revision's `data` as a strategic merge patch, as DaemonSetRollbacker and
StatefulSetRollbacker do.
"""

from __future__ import annotations

import copy
from typing import Any

from cluster_engine.sim.errors import Status
from cluster_engine.sim.managedfields import LAST_APPLIED
from cluster_engine.sim.printers import selector_string
from cluster_engine.sim.util import rfc3339

from . import describe, messages, output, parser
from .context import DRY_RUN_SUFFIX, Client, Result, Session, current_namespace, dry_run_mode, with_kind
from .errors import KubectlError
from .resources import Resource, parse_targets
from .table import TabWriter

REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
CHANGE_CAUSE = "kubernetes.io/change-cause"
POD_TEMPLATE_HASH = "pod-template-hash"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
_SKIPPED_ANNOTATIONS = (
    LAST_APPLIED,
    REVISION,
    REVISION_HISTORY,
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
)


def _group_kind(resource: Resource) -> str:
    """`schema.GroupKind.String()`: `Deployment.apps`, `Pod`."""
    return f"{resource.kind}.{resource.group}" if resource.group else resource.kind


def _objects(
    parsed: parser.ParsedCommand, client: Client, session: Session
) -> tuple[list[tuple[Resource, dict[str, Any]]], list[str]]:
    """The objects named by `TYPE NAME...`, `TYPE/NAME...`, `TYPE -l selector` or a bare `TYPE` (all of
    them); NotFound errors are collected in kubectl's words."""
    if parsed.flag("filename"):
        path = parsed.flag("filename")[0]
        raise KubectlError(
            messages.message("file_not_available", session.language, path=path, command=parsed.display[8:])
        )
    if not parsed.args:
        raise KubectlError("error: required resource not specified")
    targets = parse_targets(parsed.args)
    namespace = current_namespace(parsed, session)
    found: list[tuple[Resource, dict[str, Any]]] = []
    errors: list[str] = []
    for target in targets:
        if target.names:
            for name in target.names:
                try:
                    obj = client.get(target.resource.kind, name, namespace)
                    found.append((target.resource, with_kind(target.resource, obj)))
                except Status as status:
                    errors.append(status.kubectl_text())
            continue
        # a bare type selects every object of it (the builder allows an empty selector here)
        listed = client.list(target.resource.kind, namespace, label_selector=parsed.flag("selector"))
        found.extend((target.resource, with_kind(target.resource, o)) for o in listed.get("items") or [])
    return found, errors


def _finish(lines: list[str], errors: list[str], stderr: str = "") -> Result:
    """Errors as kubectl's CheckErr prints an aggregate: one error as is, several one per line."""
    return Result("".join(lines), stderr + "".join(e + "\n" for e in errors), 1 if errors else 0)


# ---------------------------------------------------------------- replica sets of a deployment


def revision_of(obj: dict[str, Any]) -> int:
    try:
        return int((obj["metadata"].get("annotations") or {}).get(REVISION, ""))
    except ValueError:
        return -1


def _strip_hash(template: dict[str, Any]) -> dict[str, Any]:
    template = copy.deepcopy(template)
    labels = (template.get("metadata") or {}).get("labels")
    if labels is not None:
        labels.pop(POD_TEMPLATE_HASH, None)
    return template


def equal_ignore_hash(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def normal(template: dict[str, Any]) -> dict[str, Any]:
        template = _strip_hash(template)
        meta = template.get("metadata") or {}
        for key in ("labels", "annotations"):
            if not meta.get(key):
                meta.pop(key, None)
        if not meta:
            template.pop("metadata", None)
        return template

    return normal(a) == normal(b)


def replica_sets(client: Client, deployment: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """`GetAllReplicaSets`: (old ReplicaSets, the new one) controlled by the deployment; the new one is
    the oldest whose template equals the deployment's (ignoring pod-template-hash)."""
    meta = deployment["metadata"]
    selector = selector_string((deployment.get("spec") or {}).get("selector"))
    items = client.list("ReplicaSet", meta.get("namespace"), label_selector=selector).get("items") or []
    owned = [
        rs
        for rs in items
        if any(
            ref.get("controller") and ref.get("uid") == meta.get("uid")
            for ref in rs["metadata"].get("ownerReferences") or []
        )
    ]
    owned.sort(key=lambda rs: (rs["metadata"].get("creationTimestamp", ""), rs["metadata"]["name"]))
    template = (deployment.get("spec") or {}).get("template") or {}
    new = next((rs for rs in owned if equal_ignore_hash(rs["spec"].get("template") or {}, template)), None)
    return [rs for rs in owned if rs is not new], new


# ---------------------------------------------------------------- status


def deployment_status(deployment: dict[str, Any], revision: int = 0) -> tuple[str, bool]:
    """`DeploymentStatusViewer.Status`: (message, done); raises KubectlError for a failed rollout."""
    meta, spec, status = deployment["metadata"], deployment.get("spec") or {}, deployment.get("status") or {}
    name = meta["name"]
    if revision > 0:
        current = revision_of(deployment)
        if current != revision:
            raise KubectlError(
                f"error: desired revision ({revision}) is different from the running revision ({current})"
            )
    if meta.get("generation", 0) <= status.get("observedGeneration", 0):
        progressing = next((c for c in status.get("conditions") or [] if c.get("type") == "Progressing"), None)
        if progressing is not None and progressing.get("reason") == "ProgressDeadlineExceeded":
            raise KubectlError(f'error: deployment "{name}" exceeded its progress deadline')
        replicas = spec.get("replicas", 1)
        updated, total, available = (
            status.get("updatedReplicas", 0),
            status.get("replicas", 0),
            status.get("availableReplicas", 0),
        )
        if updated < replicas:
            return (
                f'Waiting for deployment "{name}" rollout to finish: {updated} out of {replicas} new replicas '
                "have been updated...\n",
                False,
            )
        if total > updated:
            return (
                f'Waiting for deployment "{name}" rollout to finish: {total - updated} old replicas are pending '
                "termination...\n",
                False,
            )
        if available < updated:
            return (
                f'Waiting for deployment "{name}" rollout to finish: {available} of {updated} updated replicas '
                "are available...\n",
                False,
            )
        return f'deployment "{name}" successfully rolled out\n', True
    return "Waiting for deployment spec update to be observed...\n", False


def daemonset_status(ds: dict[str, Any]) -> tuple[str, bool]:
    """`DaemonSetStatusViewer.Status`."""
    meta, spec, status = ds["metadata"], ds.get("spec") or {}, ds.get("status") or {}
    name = meta["name"]
    if (spec.get("updateStrategy") or {}).get("type", "RollingUpdate") != "RollingUpdate":
        raise KubectlError("error: rollout status is only available for RollingUpdate strategy type")
    if meta.get("generation", 0) <= status.get("observedGeneration", 0):
        desired = status.get("desiredNumberScheduled", 0)
        updated, available = status.get("updatedNumberScheduled", 0), status.get("numberAvailable", 0)
        if updated < desired:
            return (
                f'Waiting for daemon set "{name}" rollout to finish: {updated} out of {desired} new pods have '
                "been updated...\n",
                False,
            )
        if available < desired:
            return (
                f'Waiting for daemon set "{name}" rollout to finish: {available} of {desired} updated pods are '
                "available...\n",
                False,
            )
        return f'daemon set "{name}" successfully rolled out\n', True
    return "Waiting for daemon set spec update to be observed...\n", False


def statefulset_status(sts: dict[str, Any]) -> tuple[str, bool]:
    """`StatefulSetStatusViewer.Status`."""
    meta, spec, status = sts["metadata"], sts.get("spec") or {}, sts.get("status") or {}
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        raise KubectlError("error: rollout status is only available for RollingUpdate strategy type")
    observed = status.get("observedGeneration", 0)
    if not observed or meta.get("generation", 0) > observed:
        return "Waiting for statefulset spec update to be observed...\n", False
    replicas = spec.get("replicas", 1)
    ready = status.get("readyReplicas", 0)
    if ready < replicas:
        return f"Waiting for {replicas - ready} pods to be ready...\n", False
    rolling = strategy.get("rollingUpdate")
    updated = status.get("updatedReplicas", 0)
    if rolling is not None:
        partition = rolling.get("partition")
        if partition is not None and updated < replicas - partition:
            return (
                f"Waiting for partitioned roll out to finish: {updated} out of {replicas - partition} new pods "
                "have been updated...\n",
                False,
            )
        return f"partitioned roll out complete: {updated} new pods have been updated...\n", True
    update_revision, current_revision = status.get("updateRevision", ""), status.get("currentRevision", "")
    if update_revision != current_revision:
        return (
            f"waiting for statefulset rolling update to complete {updated} pods at revision {update_revision}...\n",
            False,
        )
    return (
        f"statefulset rolling update complete {status.get('currentReplicas', 0)} pods at revision "
        f"{current_revision}...\n",
        True,
    )


def status(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    if parsed.flag("revision") < 0:
        raise KubectlError(f"error: revision must be a positive integer: {parsed.flag('revision')}")
    objects, errors = _objects(parsed, client, session)
    if errors:
        return _finish([], errors)
    if len(objects) != 1:
        raise KubectlError(
            "error: rollout status is only supported on individual resources and resource collections - "
            f"{len(objects)} resources were found"
        )
    resource, obj = objects[0]
    if resource.kind == "Deployment":
        text, done = deployment_status(obj, parsed.flag("revision"))
    elif resource.kind == "DaemonSet":
        text, done = daemonset_status(obj)
    elif resource.kind == "StatefulSet":
        text, done = statefulset_status(obj)
    else:
        raise KubectlError(f"error: no status viewer has been implemented for {_group_kind(resource)}")
    note = ""
    if not done and parsed.flag("watch"):
        note = messages.message("rollout_status_snapshot", session.language) + "\n"
    return Result(text, note)


# ---------------------------------------------------------------- history


def _deployment_history(client: Client, deployment: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Revision -> the pod template of that revision (with its change-cause annotation)."""
    old, new = replica_sets(client, deployment)
    history: dict[int, dict[str, Any]] = {}
    for rs in [*old, *([new] if new else [])]:
        number = revision_of(rs)
        if number < 0:
            continue
        template = copy.deepcopy(rs["spec"].get("template") or {})
        cause = (rs["metadata"].get("annotations") or {}).get(CHANGE_CAUSE, "")
        if cause:
            template.setdefault("metadata", {}).setdefault("annotations", {})[CHANGE_CAUSE] = cause
        history[number] = template
    return history


def controller_revisions(client: Client, workload: dict[str, Any]) -> list[dict[str, Any]]:
    """`controlledHistory`: the ControllerRevisions matching the workload's selector that it controls,
    by revision number."""
    meta = workload["metadata"]
    selector = selector_string((workload.get("spec") or {}).get("selector"))
    items = client.list("ControllerRevision", meta.get("namespace"), label_selector=selector).get("items") or []
    owned = [
        r
        for r in items
        if any(
            ref.get("controller") and ref.get("uid") == meta.get("uid")
            for ref in r["metadata"].get("ownerReferences") or []
        )
    ]
    return sorted(owned, key=lambda r: int(r.get("revision") or 0))


def revision_template(revision: dict[str, Any]) -> dict[str, Any]:
    """The pod template a revision's `data` patch restores (`applyDaemonSetHistory` /
    `applyStatefulSetHistory`: the patch replaces `spec.template` whole)."""
    template = ((revision.get("data") or {}).get("spec") or {}).get("template") or {}
    return {k: copy.deepcopy(v) for k, v in template.items() if k != "$patch"}


def _revision_history(client: Client, workload: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """`printHistory`'s view of a DaemonSet or StatefulSet: revision -> (the revision's template, with the
    revision's change-cause annotation where the table reads it)."""
    info: dict[int, dict[str, Any]] = {}
    for revision in controller_revisions(client, workload):
        cause = (revision["metadata"].get("annotations") or {}).get(CHANGE_CAUSE, "")
        info[int(revision.get("revision") or 0)] = {"template": revision_template(revision), "cause": cause}
    return info


def history(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    objects, errors = _objects(parsed, client, session)
    revision = parsed.flag("revision")
    lines: list[str] = []
    for resource, obj in objects:
        if resource.kind not in ("Deployment", "DaemonSet", "StatefulSet"):
            errors.append(f'error: no history viewer has been implemented for "{_group_kind(resource)}"')
            continue
        if resource.kind == "Deployment":
            info = {
                number: {"template": template, "cause": _cause_of(template)}
                for number, template in _deployment_history(client, obj).items()
            }
        else:
            info = _revision_history(client, obj)
        if not info:
            text = "No rollout history found."
        elif revision > 0:
            entry = info.get(revision)
            if entry is None:
                errors.append("error: unable to find the specified revision")
                continue
            text = describe.pod_template_text_raw(entry["template"])
        else:
            writer = TabWriter(remember=False, min_width=0, padding=2)
            writer.write_row(["REVISION", "CHANGE-CAUSE"])
            for number in sorted(info):
                writer.write_row([str(number), info[number]["cause"] or "<none>"])
            text = writer.flush()
        with_revision = f"with revision #{revision}" if revision > 0 else ""
        lines.append(output.name_line(obj, f"{with_revision}\n{text}"))
    return _finish(lines, errors)


def _cause_of(template: dict[str, Any]) -> str:
    return ((template.get("metadata") or {}).get("annotations") or {}).get(CHANGE_CAUSE, "")


# ---------------------------------------------------------------- undo


def _rollback_target(client: Client, deployment: dict[str, Any], to_revision: int) -> dict[str, Any]:
    """`deploymentRevision`: the ReplicaSet of `to_revision`, or of the previous revision for 0."""
    old, new = replica_sets(client, deployment)
    latest: tuple[int, dict[str, Any] | None] = (-1, None)
    previous: tuple[int, dict[str, Any] | None] = (-1, None)
    for rs in [*old, *([new] if new else [])]:
        number = revision_of(rs)
        if number < 0:
            continue
        if to_revision == 0:
            if latest[0] < number:
                previous, latest = latest, (number, rs)
            elif previous[0] < number:
                previous = (number, rs)
        elif number == to_revision:
            return rs
    if to_revision > 0:
        raise KubectlError(f"error: unable to find specified revision {to_revision} in history")
    if previous[1] is None:
        raise KubectlError(f'error: no rollout history found for deployment "{deployment["metadata"]["name"]}"')
    return previous[1]


def rollback_patch(deployment: dict[str, Any], rs: dict[str, Any]) -> list[dict[str, Any]]:
    """The JSON Patch kubectl sends: the ReplicaSet's template without the hash label, and the annotations
    (the deployment's own bookkeeping ones kept, the rest taken from the ReplicaSet)."""
    current = deployment["metadata"].get("annotations") or {}
    annotations = {k: current[k] for k in _SKIPPED_ANNOTATIONS if k in current}
    for key, value in (rs["metadata"].get("annotations") or {}).items():
        if key not in _SKIPPED_ANNOTATIONS:
            annotations[key] = value
    return [
        {"op": "replace", "path": "/spec/template", "value": _strip_hash(rs["spec"].get("template") or {})},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]


def _undo_revision(client: Client, resource: Resource, obj: dict[str, Any], to_revision: int, dry_run: str) -> str:
    """`DaemonSetRollbacker` / `StatefulSetRollbacker`: the operation kubectl prints after the name;
    raises KubectlError with kubectl's message."""
    suffix = DRY_RUN_SUFFIX[dry_run]
    if to_revision < 0:
        raise KubectlError(f"error: unable to find specified revision {to_revision} in history")
    revisions = controller_revisions(client, obj)
    if to_revision == 0 and len(revisions) <= 1:
        raise KubectlError("error: no last revision to roll back to")
    if to_revision == 0:
        target = revisions[-2]  # findHistory: the second highest revision
    else:
        target = next((r for r in revisions if int(r.get("revision") or 0) == to_revision), None)
        if target is None:
            raise KubectlError(f"error: unable to find specified revision {to_revision} in history")
    template = revision_template(target)
    if dry_run == "client":
        return "will roll back to " + describe.pod_template_text_raw(template) + suffix
    if template == (obj.get("spec") or {}).get("template"):
        return f"skipped rollback (current template already matches revision {to_revision})" + suffix
    try:
        client.patch(
            resource.kind,
            obj["metadata"]["name"],
            target.get("data") or {},
            namespace=obj["metadata"].get("namespace", ""),
            patch_type="strategic",
            dry_run=dry_run == "server",
        )
    except Status as status_error:
        raise KubectlError(f"error: failed restoring revision {to_revision}: {status_error.message}") from None
    return "rolled back" + suffix


def undo(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    dry_run = dry_run_mode(parsed)
    to_revision = parsed.flag("to-revision")
    objects, errors = _objects(parsed, client, session)
    lines: list[str] = []
    suffix = DRY_RUN_SUFFIX[dry_run]
    for resource, obj in objects:
        name = obj["metadata"]["name"]
        if resource.kind in ("DaemonSet", "StatefulSet"):
            try:
                lines.append(output.name_line(obj, _undo_revision(client, resource, obj, to_revision, dry_run)))
            except KubectlError as error:
                errors.append(error.text)
            continue
        if resource.kind != "Deployment":
            errors.append(f'error: no rollbacker has been implemented for "{_group_kind(resource)}"')
            continue
        if to_revision < 0:
            errors.append(f"error: unable to find specified revision {to_revision} in history")
            continue
        try:
            rs = _rollback_target(client, obj, to_revision)
        except KubectlError as error:
            errors.append(error.text)
            continue
        if dry_run == "client":
            lines.append(output.name_line(obj, describe.pod_template_text_raw(rs["spec"].get("template")) + suffix))
            continue
        if (obj.get("spec") or {}).get("paused"):
            errors.append(
                "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' "
                "and try again"
            )
            continue
        number = revision_of(rs)
        if equal_ignore_hash(rs["spec"].get("template") or {}, (obj.get("spec") or {}).get("template") or {}):
            lines.append(
                output.name_line(obj, f"skipped rollback (current template already matches revision {number})" + suffix)
            )
            continue
        try:
            client.patch(
                "Deployment",
                name,
                rollback_patch(obj, rs),
                namespace=obj["metadata"].get("namespace", ""),
                patch_type="json",
                dry_run=dry_run == "server",
            )
        except Status as status_error:
            errors.append(f"error: failed restoring revision {to_revision}: {status_error.message}")
            continue
        lines.append(output.name_line(obj, "rolled back" + suffix))
    return _finish(lines, errors)


# ---------------------------------------------------------------- pause, resume, restart


def _patch_command(parsed: parser.ParsedCommand, client: Client, session: Session, verb: str) -> Result:
    objects, errors = _objects(parsed, client, session)
    lines: list[str] = []
    for resource, obj in objects:
        meta, spec = obj["metadata"], obj.get("spec") or {}
        problem = ""
        patch: dict[str, Any] = {}
        if verb == "paused":
            if resource.kind != "Deployment":
                problem = "pausing is not supported"
            elif spec.get("paused"):
                problem = "is already paused"
            else:
                patch = {"spec": {"paused": True}}
        elif verb == "resumed":
            if resource.kind != "Deployment":
                problem = "resuming is not supported"
            elif not spec.get("paused"):
                problem = "is not paused"
            else:
                patch = {"spec": {"paused": None}}
        elif resource.kind not in ("Deployment", "DaemonSet", "StatefulSet"):
            problem = "restarting is not supported"
        elif resource.kind == "Deployment" and spec.get("paused"):
            problem = "can't restart paused deployment (run rollout resume first)"
        else:
            stamp = rfc3339(client.now)
            patch = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
        if problem:
            errors.append(f'error: {resource.qualified_plural} "{meta["name"]}" {problem}')
            continue
        try:
            client.patch(
                resource.kind,
                meta["name"],
                patch,
                namespace=meta.get("namespace", ""),
                patch_type="strategic",
                dry_run=False,
                field_manager=parsed.field_manager,
            )
        except Status as status_error:
            errors.append(f"failed to patch: {status_error.message}")
            continue
        lines.append(output.name_line(obj, verb))
    return _finish(lines, errors)


def pause(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    return _patch_command(parsed, client, session, "paused")


def resume(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    return _patch_command(parsed, client, session, "resumed")


def restart(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    return _patch_command(parsed, client, session, "restarted")
