"""The commands that create objects: `create -f -`, `create <type>` for the types `generators.py` builds, `run`
and `expose`; and the create-then-print step they share with `create_more.py` (`finish_generated`)."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.errors import Status
from cluster_engine.sim.util import strip_nulls

from . import generators, messages, output, parser
from .context import (
    DRY_RUN_SUFFIX,
    Client,
    Result,
    Session,
    current_namespace,
    dry_run_mode,
    explicit_namespace,
    object_namespace,
    print_objects,
    read_stdin_objects,
)
from .errors import KubectlError
from .resources import parse_targets


def finish_generated(
    parsed: parser.ParsedCommand,
    client: Client,
    session: Session,
    obj: dict[str, Any],
    *,
    verb: str = "created",
    failure: str = "",
    typed: bool = False,
) -> Result:
    """Create what a generator built (create <type>, run, expose) and print it, or `<kind>/<name> <verb>`.
    `failure` is how the command words a refused create (`failed to create deployment`), if it rewords it;
    `typed` commands send the object as protobuf, which carries no status and no empty fields."""
    dry_run = dry_run_mode(parsed)
    out = parsed.flag("output")
    if dry_run == "client":
        if out:
            fmt, argument = output.check_output_format(out)
            return Result(stdout=print_objects([obj], fmt, argument, single=True, sort_keys=False))
        return Result(stdout=output.name_line(obj, verb + DRY_RUN_SUFFIX[dry_run]))
    try:
        created = client.create(
            _protobuf_body(obj) if typed else strip_nulls(obj),
            namespace=current_namespace(parsed, session),
            dry_run=dry_run == "server",
            field_manager=parsed.field_manager,
        )
    except Status as status:
        if failure:
            raise KubectlError(f"error: {failure}: {status.message}") from None
        raise
    if out:
        fmt, argument = output.check_output_format(out)
        return Result(stdout=print_objects([created], fmt, argument, single=True))
    return Result(stdout=output.name_line(created, verb + DRY_RUN_SUFFIX[dry_run]))


def _protobuf_body(obj: dict[str, Any]) -> dict[str, Any]:
    """The object as kubectl's typed clients send it (protobuf): no status, and no field left at its zero
    value (`{}`, `[]`, null), as the api-server decodes such a body."""

    def prune(value: Any) -> Any:
        if isinstance(value, dict):
            kept = {key: prune(item) for key, item in value.items()}
            return {key: item for key, item in kept.items() if item not in (None, {}, [])}
        if isinstance(value, list):
            return [prune(item) for item in value]
        return value

    return prune({key: value for key, value in obj.items() if key != "status"})


def one_name(parsed: parser.ParsedCommand) -> str:
    """The one NAME a `create <type>` takes, or kubectl's error."""
    if len(parsed.args) != 1:
        raise KubectlError(
            f"error: exactly one NAME is required, got {len(parsed.args)}\n"
            f"See '{parsed.display} -h' for help and examples"
        )
    return parsed.args[0]


def create(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    """`kubectl create -f -`: create each object of the editor's manifests."""
    if parsed.args:
        raise KubectlError(
            f"error: Unexpected args: [{' '.join(parsed.args)}]\n"
            f"See 'kubectl create -h' for help and examples"
        )
    if not parsed.flag("filename"):
        raise KubectlError("error: must specify one of -f and -k")
    dry_run = dry_run_mode(parsed)
    lines = []
    for doc in read_stdin_objects(parsed, session, "create"):
        created = client.create(
            doc,
            namespace=object_namespace(parsed, session, doc),
            dry_run=dry_run != "none",
            field_manager=parsed.field_manager,
        )
        lines.append(output.name_line(created if dry_run != "client" else doc, "created" + DRY_RUN_SUFFIX[dry_run]))
    return Result(stdout="".join(lines))


def create_deployment(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    name = one_name(parsed)
    obj = generators.create_deployment(
        name,
        parsed.flag("image"),
        replicas=parsed.flag("replicas"),
        port=parsed.flag("port"),
        namespace=explicit_namespace(parsed),
        command=list(parsed.dash_args),
    )
    return finish_generated(parsed, client, session, obj, failure="failed to create deployment", typed=True)


def create_job(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    name = one_name(parsed)
    source = parsed.flag("from")
    if not source:
        obj = generators.create_job(
            name, parsed.flag("image"), namespace=explicit_namespace(parsed), command=list(parsed.dash_args)
        )
    else:
        # CreateJobOptions.Validate, then Run's builder over `--from` (kubectl/pkg/cmd/create/create_job.go)
        if parsed.flag("image"):
            raise KubectlError("error: either --image or --from must be specified")
        if parsed.dash_args:
            raise KubectlError("error: cannot specify --from and command")
        obj = generators.job_from_cronjob(
            name, _the_cronjob(client, session, parsed, source), namespace=explicit_namespace(parsed)
        )
    return finish_generated(parsed, client, session, obj, failure="failed to create job", typed=True)


def _the_cronjob(client: Client, session: Session, parsed: parser.ParsedCommand, source: str) -> dict[str, Any]:
    """The one object `--from` names (`cronjob/NAME`, or a type with exactly one object), which must be a
    CronJob; an unknown type or a missing object is the server's error."""
    targets = parse_targets([source])
    if len(targets) != 1:
        raise KubectlError("error: from must be an existing cronjob")
    resource, names = targets[0].resource, targets[0].names
    namespace = current_namespace(parsed, session) if resource.namespaced else ""
    if names:
        found = [client.get(resource.kind, name, namespace) for name in names]
    else:
        found = client.list(resource.kind, namespace or None).get("items") or []
    if len(found) != 1:
        raise KubectlError("error: from must be an existing cronjob")
    if resource.kind != "CronJob":
        raise KubectlError(f"error: unknown object type *{resource.version}.{resource.kind}")
    return found[0]


def create_cronjob(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    obj = generators.create_cronjob(
        one_name(parsed),
        parsed.flag("image"),
        parsed.flag("schedule"),
        restart=parsed.flag("restart"),
        namespace=explicit_namespace(parsed),
        command=list(parsed.dash_args),
    )
    return finish_generated(parsed, client, session, obj, failure="failed to create cronjob", typed=True)


def create_service(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    flags = parser.command_flags(parsed.path)
    obj = generators.create_service(
        parsed.path[-1],
        one_name(parsed),
        tcp=parsed.flag("tcp") if "tcp" in flags else [],
        cluster_ip=parsed.flag("clusterip") if "clusterip" in flags else "",
        node_port=parsed.flag("node-port") if "node-port" in flags else 0,
        external_name=parsed.flag("external-name") if "external-name" in flags else "",
        namespace=explicit_namespace(parsed),
    )
    failure = f"failed to create {obj['spec']['type']} service"
    return finish_generated(parsed, client, session, obj, failure=failure, typed=True)


def create_namespace(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    return finish_generated(parsed, client, session, generators.create_namespace(one_name(parsed)), typed=True)


def create_configmap(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    for flag in ("from-file", "from-env-file"):
        for path in parsed.flag(flag):
            raise KubectlError(
                messages.message("file_not_available", session.language, path=path, command="create")
            )
    obj = generators.create_configmap(
        one_name(parsed), literals=parsed.flag("from-literal"), namespace=explicit_namespace(parsed)
    )
    return finish_generated(parsed, client, session, obj, failure="failed to create configmap", typed=True)


def create_service_account(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    obj = generators.create_service_account(one_name(parsed), namespace=explicit_namespace(parsed))
    return finish_generated(parsed, client, session, obj, failure="failed to create serviceaccount", typed=True)


def create_quota(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    obj = generators.create_quota(one_name(parsed), hard=parsed.flag("hard"), scopes=parsed.flag("scopes"),
                                  namespace=explicit_namespace(parsed))
    return finish_generated(parsed, client, session, obj, failure="failed to create quota", typed=True)


def run(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    if not parsed.args:
        raise KubectlError("error: NAME is required for run\nSee 'kubectl run -h' for help and examples")
    obj = generators.run_pod(
        parsed.args[0],
        parsed.flag("image"),
        labels=parsed.flag("labels"),
        port=int(parsed.flag("port") or -1),
        restart=parsed.flag("restart"),
        env=parsed.flag("env"),
        args=[*parsed.args[1:], *parsed.dash_args],
        command=parsed.flag("command"),
        image_pull_policy=parsed.flag("image-pull-policy"),
        namespace=explicit_namespace(parsed),
        annotations=parsed.flag("annotations"),
    )
    return finish_generated(parsed, client, session, obj)


def expose(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    targets = parse_targets(parsed.args)
    if len(targets) != 1 or len(targets[0].names) != 1:
        raise KubectlError(
            "error: You must provide one or more resources by argument or filename.\n"
            "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
            "   '<resource> <name>'\n   '<resource>'"
        )
    namespace = current_namespace(parsed, session)
    source = client.get(targets[0].resource.kind, targets[0].names[0], namespace)
    service = generators.expose(
        source,
        name=parsed.flag("name"),
        port=parsed.flag("port"),
        target_port=parsed.flag("target-port"),
        protocol=parsed.flag("protocol"),
        service_type=parsed.flag("type"),
        cluster_ip=parsed.flag("cluster-ip"),
        selector=parsed.flag("selector"),
        labels=parsed.flag("labels"),
        namespace=explicit_namespace(parsed),
    )
    return finish_generated(parsed, client, session, service, verb="exposed")

