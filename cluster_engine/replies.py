"""Replies to the page (WebSocket and REST, docs/realtime.md): the `reply`, `batch`, `snapshot` and `history`
messages, and the learner's requests that answer with a `reply` (each calls one service)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cluster_engine import commandlog, control, engine, realtime, selectors, services, tokens, wakeups
from cluster_engine.engine import Status
from cluster_engine.models import Sandbox, SandboxChange, SandboxCommand

REASON_TEXT = {
    "NotFound": _("The object does not exist."),
    "AlreadyExists": _("An object with that name already exists."),
    "Conflict": _("Someone changed the object first; read it again and retry."),
    "Invalid": _("The object is invalid; the message names the field."),
    "BadRequest": _("The request could not be understood."),
    "Forbidden": _("This is not allowed."),
    "TooManyRequests": _("Too many requests; wait a moment."),
    "RequestEntityTooLarge": _("The manifest is too large."),
    "MethodNotAllowed": _("That operation is not supported here."),
    "Expired": _("That version is too old; start again from a fresh list."),
}


def explain_status(status: Status) -> str:
    """The learner-facing error: a sentence in the active language, then the API server's own words."""
    lead = REASON_TEXT.get(status.reason, _("The request failed."))
    return f"{lead} {status.kubectl_text()}"


def reply(request_id: Any, *, output: str = "", error: Status | None = None, language: str = "en",
          extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A `reply` message (docs/realtime.md)."""
    with translation.override(language):
        message = {
            "type": "reply",
            "id": request_id,
            "ok": error is None,
            "output": output,
            "error": explain_status(error) if error is not None else None,
            "status": error.to_dict() if error is not None else None,
            "details": dict(error.details) if error is not None else {},
        }
    if extra:
        message.update(extra)
    return message


def _summary(change: SandboxChange) -> dict[str, Any]:
    return engine.change_summary(change.resource_version, change.sim_time, change.event_type, change.actor,
                                 change.verb, change.reason, change.kind, change.namespace, change.name)


def sandbox_catch_up(*, sandbox_id: Any, since: int | None, read_only: bool) -> dict[str, Any]:
    """A `batch` with what a reconnecting page missed after `since`, or a full `snapshot`."""
    sandbox = Sandbox.objects.get(pk=sandbox_id)
    if sandbox.hibernating:
        wakeups.reconcile_soon(sandbox.pk)
    cluster = engine.load(sandbox.state)
    settings_message = selectors.sandbox_settings(sandbox, read_only=read_only,
                                                  components=engine.components(cluster))
    if since is not None:
        missed = selectors.sandbox_changes_since(sandbox=sandbox, since=since)
        if missed is not None:
            return {"type": "batch", "previousResourceVersion": str(since),
                    "resourceVersion": str(sandbox.resource_version), "time": engine.sim_time_text(cluster),
                    "events": [{"type": c.event_type, "object": c.object} for c in missed],
                    "changes": [_summary(c) for c in missed],
                    "sandbox": settings_message}
    # Summaries only: the objects stay compressed in the database (decoding them was much of the CPU that
    # opening a page costs: docs/performance.md).
    recent = [_summary(c) for c in reversed(SandboxChange.objects.filter(sandbox=sandbox).defer("object")
                                            .order_by("-resource_version")[:200])]
    return {"type": "snapshot", **engine.snapshot(cluster), "sandbox": settings_message, "recent": recent}


def sandbox_history(*, sandbox_id: Any, after: int, until: int | None, limit: int = 2000) -> dict[str, Any]:
    """One page of the sandbox's whole recorded history for the timeline (docs/realtime.md, `history`): the watch
    events and change summaries after resourceVersion `after` (up to `until`), oldest first; `more` tells the
    page to ask again from `last`. The log starts at the sandbox's creation or its last reset."""
    sandbox = Sandbox.objects.get(pk=sandbox_id)
    changes, more = selectors.sandbox_change_log(sandbox=sandbox, after=after, until=until, limit=limit)
    return {"type": "history", "events": [{"type": c.event_type, "object": c.object} for c in changes],
            "changes": [_summary(c) for c in changes], "more": more,
            "last": str(changes[-1].resource_version) if changes else str(after)}


def sandbox_explanation_reply(*, sandbox_id: Any, namespace: str, name: str, request_id: Any,
                              language: str) -> dict[str, Any]:
    """The scheduler's last decision for a pod: each node's filter verdict and plugin scores (or null)."""
    state = Sandbox.objects.filter(pk=sandbox_id).values_list("state", flat=True).get()
    return reply(request_id, language=language,
                 extra={"explanation": engine.scheduling_explanation(engine.load(state), namespace, name)})


def sandbox_apply_reply(*, sandbox_id: Any, user: AbstractBaseUser, text: str, dry_run: bool, request_id: Any,
                        language: str) -> dict[str, Any]:
    """Apply the editor's manifest (`services.sandbox_apply_yaml`) and answer as kubectl does, object by object."""
    entry = commandlog.editor_log(text, dry_run=dry_run)
    try:
        result = services.sandbox_apply_yaml(sandbox_id=sandbox_id, user=user, text=text, dry_run=dry_run)
    except Status as error:
        message = reply(request_id, error=error, language=language)
        if error.code != 429 and not isinstance(error, services.ReadOnly):  # a refused manifest is part of the
            # learner's history; a rate limit or a reader's attempt is not
            commandlog.sandbox_command_refused(sandbox_id=sandbox_id,
                                             entry=commandlog.editor_log(text, dry_run=dry_run, exit_code=1))
            if Sandbox.objects.filter(pk=sandbox_id, watched_until__gt=timezone.now()).exists():
                _publish_terminal(sandbox_id, source=SandboxCommand.EDITOR, text=entry.text, message=message)
        return message
    suffix = " (dry run)" if dry_run else ""
    lines = [f"{engine.kubectl_name(item['object'])} {item['action']}{suffix}" for item in result.value]
    message = reply(request_id, output="\n".join(lines), language=language)
    if result.watched:
        _publish_terminal(sandbox_id, source=SandboxCommand.EDITOR, text=entry.text, message=message)
    return message


def sandbox_control_reply(*, sandbox_id: Any, user: AbstractBaseUser, request: dict[str, Any], request_id: Any,
                          language: str) -> dict[str, Any]:
    """Time control or fault injection (`control.sandbox_control`), answered with an empty reply or its error."""
    try:
        control.sandbox_control(sandbox_id=sandbox_id, user=user, request=request)
    except Status as error:
        return reply(request_id, error=error, language=language)
    return reply(request_id, language=language)


def sandbox_command_reply(*, sandbox_id: Any, user: AbstractBaseUser, command: str, request_id: Any,
                          language: str) -> dict[str, Any]:
    """Run one in-page kubectl command line and answer with its output (exit code in `exitCode`).

    Every command, a read (`get`, `describe`, `logs`) as much as a write, runs through `services.sandbox_write`
    under the sandbox's row lock: a command line may mix both, and the engine keeps no read-only copy. A read
    changes no object, so it stores nothing; its command is recorded in the history all the same."""
    sandbox = None
    try:
        services.rate_limit(user=user)
        actor = services.actor_for(user)
        sandbox = Sandbox.objects.only("id", "key", "watched_until").get(pk=sandbox_id)
        # `cluster-info` and `config view` show what the downloadable kubeconfig holds.
        server_url, context_name = tokens.kube_api_url(sandbox), tokens.kubeconfig_context_name(sandbox)
        output = services.sandbox_write(
            sandbox_id=sandbox_id,
            operation=lambda cluster: engine.run_kubectl(cluster, command, actor=actor, language=language,
                                                         server_url=server_url, context_name=context_name),
            log=lambda result: commandlog.CommandLog(SandboxCommand.TERMINAL, command, result.exit_code),
            author=user,
        ).value
    except Status as error:
        message = reply(request_id, error=error, language=language)
        if error.code != 429 and not isinstance(error, services.ReadOnly):
            commandlog.sandbox_command_refused(sandbox_id=sandbox_id,
                                    entry=commandlog.CommandLog(SandboxCommand.TERMINAL, command, 1))
            if sandbox is not None and services.watched(sandbox):
                _publish_terminal(sandbox_id, source=SandboxCommand.TERMINAL, text=command, message=message)
        return message
    message = reply(request_id, output=output.text, language=language,
                    extra={"ok": output.exit_code == 0, "exitCode": output.exit_code})
    if services.watched(sandbox):
        _publish_terminal(sandbox_id, source=SandboxCommand.TERMINAL, text=command, message=message)
    return message


def _publish_terminal(sandbox_id: Any, *, source: str, text: str, message: dict[str, Any]) -> None:
    """What the owner typed and what they were answered, for the sandbox's read-only watchers."""
    realtime.publish_terminal(sandbox_id, {"source": source, "command": text[:commandlog.COMMAND_TEXT_LIMIT],
                                           "ok": bool(message["ok"]), "output": message["output"] or "",
                                           "error": message["error"] or ""})
