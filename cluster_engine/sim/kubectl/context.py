"""What every in-page kubectl command shares: the `Client` protocol it calls the api-server through, the
terminal's `Session` and the `Result` it prints, and the flags all commands read alike (the namespace, `--dry-run`,
`-f -`, `-o`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from cluster_engine.sim import objects
from cluster_engine.sim.errors import Status
from cluster_engine.sim.managedfields import without_managed_fields
from cluster_engine.sim.manifests import parse_objects

from . import messages, output, parser
from .errors import KubectlError
from .resources import Resource, lookup


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


def current_namespace(parsed: parser.ParsedCommand, session: Session) -> str:
    """`--namespace`, else the kubeconfig's current namespace."""
    return parsed.flag("namespace") or session.namespace


# what a write's confirmation adds per `--dry-run` mode (`deployment.apps/web scaled (server dry run)`)
DRY_RUN_SUFFIX = {"none": "", "client": " (dry run)", "server": " (server dry run)"}


def dry_run_mode(parsed: parser.ParsedCommand) -> str:
    """`none`, `client` or `server`, validated as kubectl validates `--dry-run`."""
    value = parsed.flag("dry-run")
    if value == "unchanged":
        return "client"
    if value not in ("none", "client", "server"):
        raise KubectlError(f'error: Invalid dry-run value ({value}). Must be "none", "server", or "client".')
    return value


def print_objects(
    objects: list[dict[str, Any]],
    fmt: str,
    argument: str,
    *,
    single: bool,
    sort_keys: bool = True,
    no_headers: bool = False,
    show_managed_fields: bool = False,
) -> str:
    """`objects` in an `-o` format other than the table ones: one object alone when `single`, else a `List`."""
    if fmt in ("yaml", "json") and not show_managed_fields:  # kubectl's JSON and YAML printers omit them
        objects = [without_managed_fields(obj) for obj in objects]
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


def with_kind(resource: Resource, obj: dict[str, Any]) -> dict[str, Any]:
    """`obj` with the `kind` and `apiVersion` a list's items lack (set in place), as kubectl's printers need them."""
    obj.setdefault("kind", resource.kind)
    obj.setdefault("apiVersion", resource.api_version)
    return obj


def explicit_namespace(parsed: parser.ParsedCommand) -> str:
    """`--namespace` only if given: what generated objects carry in `metadata.namespace` ("" = none)."""
    return parsed.flag("namespace") if parsed.given("namespace") else ""


def object_namespace(parsed: parser.ParsedCommand, session: Session, doc: dict[str, Any]) -> str:
    """The namespace of a manifest's object as kubectl's builder settles it: the manifest's own, unless
    `--namespace` names another (an error); the current namespace when the manifest names none."""
    own = (doc.get("metadata") or {}).get("namespace") if isinstance(doc.get("metadata"), dict) else None
    resource = lookup(str(doc.get("kind", "")))
    if not own or (resource is not None and not resource.namespaced):
        return current_namespace(parsed, session)
    if parsed.given("namespace") and parsed.flag("namespace") != own:
        raise KubectlError(
            f'error: the namespace from the provided object "{own}" does not match the namespace '
            f'"{parsed.flag("namespace")}". You must pass \'--namespace={own}\' to perform this operation.'
        )
    return own


def read_stdin_objects(parsed: parser.ParsedCommand, session: Session, command: str) -> list[dict[str, Any]]:
    """The objects of `-f -` (the page's editor text); any other file is refused with the terminal's note."""
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

