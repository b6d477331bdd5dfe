"""Runs one kubectl line: `run` tokenises and parses it, hands it through the dispatch table (`_HANDLERS`) to its
command's handler (one module per command family, sharing `context.py`), and turns every learner's mistake into a
`Result`. Only `client.py`, the package's entry point, imports this module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cluster_engine.sim.errors import Status

from . import (
    apply,
    auth,
    autoscale,
    create,
    create_more,
    delete,
    describe_command,
    drain,
    execute,
    get,
    info,
    logs,
    messages,
    metrics_api,
    mutations,
    parser,
    rollout,
)
from .context import Client, Result, Session
from .errors import KubectlError
from .resources import discovery


def _fail(text: str) -> Result:
    return Result(stderr=text if text.endswith("\n") else text + "\n", exit_code=1)


def _note(message_id: str, session: Session, **params: Any) -> Result:
    return _fail(messages.message(message_id, session.language, **params))


def run(line: str, client: Client, session: Session | None = None) -> Result:
    """Run one terminal line. Never raises for a learner's mistake: every failure is a Result."""
    session = session or Session()
    try:
        words = parser.tokenize(line)
    except parser.ShellFeatureError as err:
        return _note(err.message_id, session, token=err.token)
    if not words:
        return Result()
    if words[0] != "kubectl":
        return _note("unknown_program", session, program=words[0])
    try:
        parsed = parser.parse(line)
        if not parsed.supported:
            if parsed.path == ("edit",):  # the page's editor stands in for $EDITOR
                return _note("edit_in_editor", session)
            if parsed.path == ("port-forward",):  # a local port is the learner's machine's: the real kubectl's
                return _note("port_forward_real_kubectl", session)
            return _note("command_unsupported", session, command=" ".join(parsed.path))
        # the aggregated Metrics API joins discovery (and its reads the client) while metrics-server is registered
        client = metrics_api.MetricsClient(client)
        with discovery(lambda: metrics_api.served(client)):
            return _dispatch(parsed, client, session)
    except KubectlError as err:
        return Result(stderr=err.text + "\n", exit_code=err.exit_code)
    except Status as status:
        return _fail(status.kubectl_text())


def _dispatch(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    if parsed.wants_help:
        return Result(stdout=parser.help_text(parsed.path))
    command = parser.command_for(parsed.path)
    if not command.runnable:
        if error := parser.group_error(parsed):
            raise error
        return Result(stdout=parser.help_text(parsed.path))
    handler = _HANDLERS.get(parsed.path)
    if handler is None:
        return _note("command_unsupported", session, command=" ".join(parsed.path))
    return handler(parsed, client, session)


Handler = Callable[[parser.ParsedCommand, Client, Session], Result]

_HANDLERS: dict[tuple[str, ...], Handler] = {
    (): info.root,
    ("get",): get.get,
    ("create",): create.create,
    ("create", "deployment"): create.create_deployment,
    ("create", "job"): create.create_job,
    ("create", "cronjob"): create.create_cronjob,
    ("create", "service", "clusterip"): create.create_service,
    ("create", "service", "nodeport"): create.create_service,
    ("create", "service", "loadbalancer"): create.create_service,
    ("create", "service", "externalname"): create.create_service,
    ("create", "namespace"): create.create_namespace,
    ("create", "configmap"): create.create_configmap,
    ("create", "serviceaccount"): create.create_service_account,
    ("create", "quota"): create.create_quota,
    ("create", "ingress"): create_more.create_ingress,
    ("create", "poddisruptionbudget"): create_more.create_pdb,
    ("create", "role"): create_more.create_role,
    ("create", "clusterrole"): create_more.create_clusterrole,
    ("create", "rolebinding"): create_more.create_rolebinding,
    ("create", "clusterrolebinding"): create_more.create_clusterrolebinding,
    ("run",): create.run,
    ("expose",): create.expose,
    ("apply",): apply.apply,
    ("delete",): delete.delete,
    ("version",): info.version,
    ("api-resources",): info.api_resources,
    ("autoscale",): autoscale.autoscale,
    ("describe",): describe_command.describe_command,
    ("label",): mutations.label,
    ("annotate",): mutations.annotate,
    ("scale",): mutations.scale,
    ("cordon",): mutations.cordon,
    ("uncordon",): mutations.uncordon,
    ("taint",): mutations.taint,
    ("logs",): logs.logs,
    ("set", "image"): mutations.set_image,
    ("drain",): drain.drain,
    ("exec",): execute.exec_command,
    ("explain",): info.explain,
    ("top", "node"): info.top,
    ("top", "pod"): info.top,
    ("cluster-info",): info.cluster_info,
    ("config", "view"): info.config_view,
    ("config", "current-context"): info.config_current_context,
    ("rollout", "status"): rollout.status,
    ("rollout", "history"): rollout.history,
    ("rollout", "undo"): rollout.undo,
    ("rollout", "restart"): rollout.restart,
    ("rollout", "pause"): rollout.pause,
    ("rollout", "resume"): rollout.resume,
    ("options",): info.options,
    ("auth", "can-i"): auth.can_i,
    ("auth", "whoami"): auth.whoami,
}
