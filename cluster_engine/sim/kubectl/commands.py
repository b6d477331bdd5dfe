"""Runs one parsed kubectl line against a cluster through a small client protocol, printing exactly what
kubectl prints. The simulated cluster satisfies the protocol through `client.ClusterClient`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from cluster_engine.sim import objects, printers
from cluster_engine.sim.errors import Status

from . import (
    apply,
    auth,
    create_more,
    drain,
    execute,
    generators,
    info,
    messages,
    metrics_api,
    mutations,
    output,
    parser,
    rollout,
)
from .errors import KubectlError
from .resources import Resource, Target, discovery, lookup, parse_targets, served
from .table import TableOptions, TablePrinter, TabWriter

CLIENT_VERSION = "v1.32.4"
KUSTOMIZE_VERSION = "v5.5.0"


class Client(Protocol):
    """What kubectl needs from the api-server (reads return copies; errors are `Status`). `field_manager` is
    the `fieldManager` a write sends (None: none, and the api-server records `kubectl`, from kubectl's
    User-Agent); `subresource` `scale` writes through the scale subresource."""

    @property
    def now(self) -> float: ...

    def get(self, kind: str, name: str, namespace: str = "default") -> dict[str, Any]: ...

    def list(
        self, kind: str, namespace: str | None = None, *, label_selector: str = "", field_selector: str = ""
    ) -> dict[str, Any]: ...

    def create(
        self, body: dict[str, Any], *, namespace: str | None, dry_run: bool, field_manager: str | None = None
    ) -> dict[str, Any]: ...

    def apply(
        self, manifest: dict[str, Any], *, namespace: str | None, dry_run: bool, field_manager: str | None
    ) -> tuple[dict[str, Any], str]: ...

    def server_side_apply(
        self,
        kind: str,
        name: str,
        manifest: dict[str, Any],
        *,
        namespace: str,
        field_manager: str,
        force: bool,
        dry_run: bool,
    ) -> tuple[dict[str, Any], bool]: ...

    def delete(
        self,
        kind: str,
        name: str,
        *,
        namespace: str,
        propagation_policy: str | None,
        grace_period_seconds: int | None,
        dry_run: bool,
    ) -> dict[str, Any]: ...

    def patch(
        self,
        kind: str,
        name: str,
        body: Any,
        *,
        namespace: str,
        patch_type: str,
        dry_run: bool,
        field_manager: str | None = None,
        subresource: str = "",
    ) -> dict[str, Any]: ...

    def logs(
        self,
        name: str,
        *,
        namespace: str,
        container: str | None,
        previous: bool,
        timestamps: bool,
        tail: int | None,
    ) -> str: ...

    def server_version(self) -> str: ...

    def evict(self, name: str, *, namespace: str, grace_period_seconds: int | None, dry_run: bool) -> dict[str, Any]:
        """POST `pods/<name>/eviction` (the pod's PodDisruptionBudget may refuse: 429 TooManyRequests)."""
        ...


@dataclass(frozen=True)
class Result:
    """What the terminal shows: stdout, stderr (kubectl's errors) and the exit code."""

    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0


@dataclass(frozen=True)
class Session:
    """The terminal's context: the current namespace (kubeconfig), the learner's language and the text
    of the editor, which `-f -` reads."""

    namespace: str = "default"
    language: str = "en"
    stdin: str = ""
    server_url: str = ""  # the kubeconfig's `server:` (cluster-info, config view); "" = the control plane's
    context_name: str = ""  # the kubeconfig's context and cluster name; "" = `podlab`


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


def _namespace(parsed: parser.ParsedCommand, session: Session) -> str:
    return parsed.flag("namespace") or session.namespace


def _dry_run(parsed: parser.ParsedCommand) -> str:
    """`none`, `client` or `server`, validated as kubectl validates `--dry-run`."""
    value = parsed.flag("dry-run")
    if value == "unchanged":
        return "client"
    if value not in ("none", "client", "server"):
        raise KubectlError(f'error: Invalid dry-run value ({value}). Must be "none", "server", or "client".')
    return value


def _print_objects(
    objects: list[dict[str, Any]],
    fmt: str,
    argument: str,
    *,
    single: bool,
    sort_keys: bool = True,
    no_headers: bool = False,
    show_managed_fields: bool = False,
) -> str:
    if fmt in ("yaml", "json") and not show_managed_fields:  # kubectl's JSON and YAML printers omit them
        objects = [_without_managed_fields(obj) for obj in objects]
    data: Any = objects[0] if single and len(objects) == 1 else output.as_list(objects)
    if fmt == "yaml":
        return output.to_yaml(data)
    if fmt == "json":
        return output.to_json(data, sort_keys=sort_keys)
    if fmt == "name":
        return "".join(output.name_line(o) for o in objects)
    if fmt == "jsonpath":
        return output.jsonpath_output(argument, data)
    if fmt == "jsonpath-as-json":
        return output.jsonpath_output(argument, data, as_json=True)
    if fmt == "custom-columns":
        return output.custom_columns(argument, objects, no_headers=no_headers)
    raise KubectlError(f'error: output format "{fmt}" is not available in this terminal')


def _without_managed_fields(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or "managedFields" not in meta:
        return obj
    return {**obj, "metadata": {key: value for key, value in meta.items() if key != "managedFields"}}


# ---------------------------------------------------------------- get


def _read_stdin_targets(parsed: parser.ParsedCommand, session: Session, command: str) -> list[dict[str, Any]]:
    from cluster_engine.sim.manifests import parse_objects

    files = parsed.flag("filename")
    for path in files:
        if path != "-":
            raise KubectlError(
                messages.message("file_not_available", session.language, path=path, command=command)
            )
    docs = [doc.body for doc in parse_objects(session.stdin)]
    for doc in docs:
        _check_mapping(doc, command)
    return docs


def _check_mapping(doc: dict[str, Any], command: str) -> None:
    """kubectl's builder maps every document to a resource before acting on any: a kind no served version has is
    `resource mapping not found` (for `get`, printed without kubectl's `error: ` prefix)."""
    kind, api_version = doc.get("kind"), doc.get("apiVersion")
    if not kind or not api_version:
        return  # the decoder's own errors follow
    try:
        objects.kind_of(doc)
    except Status as status:
        if status.code != 404:
            return
        meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
        text = (f'resource mapping not found for name: "{meta.get("name", "")}" namespace: '
                f'"{meta.get("namespace", "")}" from "STDIN": no matches for kind "{kind}" in version '
                f'"{api_version}"\nensure CRDs are installed first')
        raise KubectlError(text if command == "get" else f"error: {text}") from None


def _get(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    fmt, argument = output.check_output_format(parsed.flag("output")) if parsed.flag("output") else ("", "")
    namespace = _namespace(parsed, session)
    all_namespaces = parsed.flag("all-namespaces")
    selector, field_selector = parsed.flag("selector"), parsed.flag("field-selector")
    if parsed.flag("filename"):
        docs = _read_stdin_targets(parsed, session, "get")
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
            stdout = _print_objects(
                objects, fmt, argument, single=single, no_headers=parsed.flag("no-headers"),
                show_managed_fields=bool(parsed.flags.get("show-managed-fields")),
            )
        elif fmt in ("yaml", "json"):
            stdout = _print_objects([], fmt, argument, single=False)
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


# ---------------------------------------------------------------- create, run, expose, apply, delete


def _finish_generated(
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
    dry_run = _dry_run(parsed)
    out = parsed.flag("output")
    if dry_run == "client":
        if out:
            fmt, argument = output.check_output_format(out)
            return Result(stdout=_print_objects([obj], fmt, argument, single=True, sort_keys=False))
        return Result(stdout=output.name_line(obj, f"{verb} (dry run)"))
    try:
        created = client.create(
            _protobuf_body(obj) if typed else _without_nulls(obj),
            namespace=_namespace(parsed, session),
            dry_run=dry_run == "server",
            field_manager=parsed.field_manager,
        )
    except Status as status:
        if failure:
            raise KubectlError(f"error: {failure}: {status.message}") from None
        raise
    if out:
        fmt, argument = output.check_output_format(out)
        return Result(stdout=_print_objects([created], fmt, argument, single=True))
    return Result(stdout=output.name_line(created, f"{verb} (server dry run)" if dry_run == "server" else verb))


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


def _without_nulls(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _without_nulls(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [_without_nulls(v) for v in obj]
    return obj


def _explicit_namespace(parsed: parser.ParsedCommand) -> str:
    return parsed.flag("namespace") if parsed.given("namespace") else ""


def _one_name(parsed: parser.ParsedCommand) -> str:
    if len(parsed.args) != 1:
        raise KubectlError(
            f"error: exactly one NAME is required, got {len(parsed.args)}\n"
            f"See '{parsed.display} -h' for help and examples"
        )
    return parsed.args[0]


def _object_namespace(parsed: parser.ParsedCommand, session: Session, doc: dict[str, Any]) -> str:
    """The namespace of a manifest's object as kubectl's builder settles it: the manifest's own, unless
    `--namespace` names another (an error); the current namespace when the manifest names none."""
    own = (doc.get("metadata") or {}).get("namespace") if isinstance(doc.get("metadata"), dict) else None
    resource = lookup(str(doc.get("kind", "")))
    if not own or (resource is not None and not resource.namespaced):
        return _namespace(parsed, session)
    if parsed.given("namespace") and parsed.flag("namespace") != own:
        raise KubectlError(
            f'error: the namespace from the provided object "{own}" does not match the namespace '
            f'"{parsed.flag("namespace")}". You must pass \'--namespace={own}\' to perform this operation.'
        )
    return own


def _create(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    if parsed.args:
        raise KubectlError(
            f"error: Unexpected args: [{' '.join(parsed.args)}]\n"
            f"See 'kubectl create -h' for help and examples"
        )
    if not parsed.flag("filename"):
        raise KubectlError("error: must specify one of -f and -k")
    dry_run = _dry_run(parsed)
    lines = []
    for doc in _read_stdin_targets(parsed, session, "create"):
        created = client.create(
            doc,
            namespace=_object_namespace(parsed, session, doc),
            dry_run=dry_run != "none",
            field_manager=parsed.field_manager,
        )
        suffix = {"none": "created", "client": "created (dry run)", "server": "created (server dry run)"}
        lines.append(output.name_line(created if dry_run != "client" else doc, suffix[dry_run]))
    return Result(stdout="".join(lines))


def _create_deployment(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    name = _one_name(parsed)
    obj = generators.create_deployment(
        name,
        parsed.flag("image"),
        replicas=parsed.flag("replicas"),
        port=parsed.flag("port"),
        namespace=_explicit_namespace(parsed),
        command=list(parsed.dash_args),
    )
    return _finish_generated(parsed, client, session, obj, failure="failed to create deployment", typed=True)


def _create_job(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    name = _one_name(parsed)
    source = parsed.flag("from")
    if not source:
        obj = generators.create_job(
            name, parsed.flag("image"), namespace=_explicit_namespace(parsed), command=list(parsed.dash_args)
        )
    else:
        # CreateJobOptions.Validate, then Run's builder over `--from` (kubectl/pkg/cmd/create/create_job.go)
        if parsed.flag("image"):
            raise KubectlError("error: either --image or --from must be specified")
        if parsed.dash_args:
            raise KubectlError("error: cannot specify --from and command")
        obj = generators.job_from_cronjob(
            name, _the_cronjob(client, session, parsed, source), namespace=_explicit_namespace(parsed)
        )
    return _finish_generated(parsed, client, session, obj, failure="failed to create job", typed=True)


def _the_cronjob(client: Client, session: Session, parsed: parser.ParsedCommand, source: str) -> dict[str, Any]:
    """The one object `--from` names (`cronjob/NAME`, or a type with exactly one object), which must be a
    CronJob; an unknown type or a missing object is the server's error."""
    targets = parse_targets([source])
    if len(targets) != 1:
        raise KubectlError("error: from must be an existing cronjob")
    resource, names = targets[0].resource, targets[0].names
    namespace = _namespace(parsed, session) if resource.namespaced else ""
    if names:
        found = [client.get(resource.kind, name, namespace) for name in names]
    else:
        found = client.list(resource.kind, namespace or None).get("items") or []
    if len(found) != 1:
        raise KubectlError("error: from must be an existing cronjob")
    if resource.kind != "CronJob":
        raise KubectlError(f"error: unknown object type *{resource.version}.{resource.kind}")
    return found[0]


def _create_cronjob(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    obj = generators.create_cronjob(
        _one_name(parsed),
        parsed.flag("image"),
        parsed.flag("schedule"),
        restart=parsed.flag("restart"),
        namespace=_explicit_namespace(parsed),
        command=list(parsed.dash_args),
    )
    return _finish_generated(parsed, client, session, obj, failure="failed to create cronjob", typed=True)


def _create_service(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    flags = parser.command_flags(parsed.path)
    obj = generators.create_service(
        parsed.path[-1],
        _one_name(parsed),
        tcp=parsed.flag("tcp") if "tcp" in flags else [],
        cluster_ip=parsed.flag("clusterip") if "clusterip" in flags else "",
        node_port=parsed.flag("node-port") if "node-port" in flags else 0,
        external_name=parsed.flag("external-name") if "external-name" in flags else "",
        namespace=_explicit_namespace(parsed),
    )
    failure = f"failed to create {obj['spec']['type']} service"
    return _finish_generated(parsed, client, session, obj, failure=failure, typed=True)


def _create_namespace(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    return _finish_generated(parsed, client, session, generators.create_namespace(_one_name(parsed)), typed=True)


def _create_configmap(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    for flag in ("from-file", "from-env-file"):
        for path in parsed.flag(flag):
            raise KubectlError(
                messages.message("file_not_available", session.language, path=path, command="create")
            )
    obj = generators.create_configmap(
        _one_name(parsed), literals=parsed.flag("from-literal"), namespace=_explicit_namespace(parsed)
    )
    return _finish_generated(parsed, client, session, obj, failure="failed to create configmap", typed=True)


def _create_service_account(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    obj = generators.create_service_account(_one_name(parsed), namespace=_explicit_namespace(parsed))
    return _finish_generated(parsed, client, session, obj, failure="failed to create serviceaccount", typed=True)


def _create_quota(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    obj = generators.create_quota(_one_name(parsed), hard=parsed.flag("hard"), scopes=parsed.flag("scopes"),
                                  namespace=_explicit_namespace(parsed))
    return _finish_generated(parsed, client, session, obj, failure="failed to create quota", typed=True)


def _run(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
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
        namespace=_explicit_namespace(parsed),
        annotations=parsed.flag("annotations"),
    )
    return _finish_generated(parsed, client, session, obj)


def _expose(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    targets = parse_targets(parsed.args)
    if len(targets) != 1 or len(targets[0].names) != 1:
        raise KubectlError(
            "error: You must provide one or more resources by argument or filename.\n"
            "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
            "   '<resource> <name>'\n   '<resource>'"
        )
    namespace = _namespace(parsed, session)
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
        namespace=_explicit_namespace(parsed),
    )
    return _finish_generated(parsed, client, session, service, verb="exposed")


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


def _delete(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    namespace = _namespace(parsed, session)
    dry_run = _dry_run(parsed)
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
        for doc in _read_stdin_targets(parsed, session, "delete"):
            resource = lookup(doc.get("kind", ""))
            if resource is None:
                raise KubectlError(f'error: the server doesn\'t have a resource type "{doc.get("kind", "")}"')
            name = (doc.get("metadata") or {}).get("name", "")
            pairs.append((resource, name, _object_namespace(parsed, session, doc)))
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
    suffix = {"none": operation, "client": f"{operation} (dry run)", "server": f"{operation} (server dry run)"}[dry_run]
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


# ---------------------------------------------------------------- informational commands


def _version(parsed: parser.ParsedCommand, client: Client, _session: Session) -> Result:
    server = client.server_version()
    if parsed.flag("client"):
        return Result(stdout=f"Client Version: {CLIENT_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n")
    return Result(
        stdout=f"Client Version: {CLIENT_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n"
        f"Server Version: {server}\n"
    )


def _api_resources(parsed: parser.ParsedCommand, _client: Client, _session: Session) -> Result:
    """`kubectl api-resources` (apiresources.go): discovery filtered by group, scope, verbs and categories,
    sorted (stably) by group, name or kind and then by name."""
    out, sort_by = parsed.flag("output"), parsed.flag("sort-by")
    if out not in ("", "wide", "name"):
        raise KubectlError(f"error: --output {out} is not available")
    if sort_by not in ("", "name", "kind"):
        raise KubectlError("error: --sort-by accepts only name or kind")
    verbs = {verb for value in parsed.flag("verbs") for verb in value.split(",") if verb}
    categories = {name for value in parsed.flag("categories") for name in value.split(",") if name}
    rows = [
        r for r in served()
        if (not parsed.given("api-group") or r.group == parsed.flag("api-group"))
        and (not parsed.given("namespaced") or r.namespaced == parsed.flag("namespaced"))
        and verbs <= set(r.verbs) and categories <= set(r.categories)
    ]
    field = {"name": lambda r: r.plural, "kind": lambda r: r.kind}.get(sort_by, lambda r: r.group)
    rows.sort(key=lambda r: (field(r), r.plural))
    if out == "name":
        return Result(stdout="".join(f"{r.qualified_plural}\n" for r in rows))
    writer = TabWriter(remember=False)
    header = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    if not parsed.flag("no-headers"):
        writer.write_row([*header, "VERBS", "CATEGORIES"] if out == "wide" else header)
    for r in rows:
        cells = [r.plural, ",".join(r.short_names), r.api_version, "true" if r.namespaced else "false", r.kind]
        if out == "wide":
            cells += [",".join(sorted(r.verbs)), ",".join(r.categories)]
        writer.write_row(cells)
    return Result(stdout=writer.flush())


def _options(_parsed: parser.ParsedCommand, _client: Client, _session: Session) -> Result:
    return Result(stdout=parser.help_text(("options",)))


def _root(_parsed: parser.ParsedCommand, _client: Client, _session: Session) -> Result:
    return Result(stdout=parser.help_text(()))


_HANDLERS = {
    (): _root,
    ("get",): _get,
    ("create",): _create,
    ("create", "deployment"): _create_deployment,
    ("create", "job"): _create_job,
    ("create", "cronjob"): _create_cronjob,
    ("create", "service", "clusterip"): _create_service,
    ("create", "service", "nodeport"): _create_service,
    ("create", "service", "loadbalancer"): _create_service,
    ("create", "service", "externalname"): _create_service,
    ("create", "namespace"): _create_namespace,
    ("create", "configmap"): _create_configmap,
    ("create", "serviceaccount"): _create_service_account,
    ("create", "quota"): _create_quota,
    ("create", "ingress"): create_more.create_ingress,
    ("create", "poddisruptionbudget"): create_more.create_pdb,
    ("create", "role"): create_more.create_role,
    ("create", "clusterrole"): create_more.create_clusterrole,
    ("create", "rolebinding"): create_more.create_rolebinding,
    ("create", "clusterrolebinding"): create_more.create_clusterrolebinding,
    ("run",): _run,
    ("expose",): _expose,
    ("apply",): apply.apply,
    ("delete",): _delete,
    ("version",): _version,
    ("api-resources",): _api_resources,
    ("autoscale",): create_more.autoscale,
    ("describe",): mutations.describe_command,
    ("label",): mutations.label,
    ("annotate",): mutations.annotate,
    ("scale",): mutations.scale,
    ("cordon",): mutations.cordon,
    ("uncordon",): mutations.uncordon,
    ("taint",): mutations.taint,
    ("logs",): mutations.logs,
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
    ("options",): _options,
    ("auth", "can-i"): auth.can_i,
    ("auth", "whoami"): auth.whoami,
}
