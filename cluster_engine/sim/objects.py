"""The kind registry: every API kind the simulated api-server serves, with its names, scope, validator
and defaulter. Registering a later kind (Deployment, Service, ...) is one `register(Kind(...))` call."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import defaults, validation
from .errors import Cause, Status, bad_request
from .schema import root_ref

Validator = Callable[[dict[str, Any], dict[str, Any] | None], list[Cause]]
Defaulter = Callable[[dict[str, Any]], None]
Strategy = Callable[[dict[str, Any], dict[str, Any] | None], None]
FieldGetter = Callable[[dict[str, Any]], str]
# The storage step after validation (a REST strategy's allocation), given the object, the old one on
# update, the store and the seeded draws: allocates ClusterIPs and NodePorts, generates a Job's selector.
# Returns field errors (a 422 Invalid) and changes nothing when it returns any.
Admitter = Callable[[dict[str, Any], dict[str, Any] | None, Any, Any], list[Cause]]
Converter = Callable[[dict[str, Any]], dict[str, Any]]


def _path(*keys: str) -> FieldGetter:
    def get(obj: dict[str, Any]) -> str:
        value: Any = obj
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
            if value is None:
                return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return get


BASE_FIELDS: dict[str, FieldGetter] = {
    "metadata.name": _path("metadata", "name"),
    "metadata.namespace": _path("metadata", "namespace"),
}


@dataclass(frozen=True)
class Version:
    """Another version a kind is served in (autoscaling/v1 beside the stored autoscaling/v2). kube-apiserver stores
    one version and converts: `to_stored` turns a body of this version into the stored form, `from_stored` the
    stored object into this version (each returns a new dict and never mutates its argument)."""

    version: str
    to_stored: Converter
    from_stored: Converter


@dataclass(frozen=True)
class Kind:
    """One served resource. `plural` is what URLs and error messages use (`pods "x" not found`)."""

    kind: str
    plural: str
    singular: str
    group: str = ""
    version: str = "v1"
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    validate: Validator = field(default=lambda _obj, _old: [])
    default: Defaulter = defaults.default_none
    prepare: Defaulter = defaults.default_none  # request body normalisation before defaulting
    # PrepareForCreate (old None) / PrepareForUpdate of a registry strategy, after defaulting
    strategy: Strategy = field(default=lambda _obj, _old: None)
    has_status: bool = True  # a `status` subresource: the main endpoint ignores status changes
    tracks_generation: bool = False  # metadata.generation bumps on spec changes
    field_selectors: dict[str, FieldGetter] = field(default_factory=dict)
    admit: Admitter | None = None
    other_versions: tuple[Version, ...] = ()  # served besides `version`, which is the stored one
    verbs: tuple[str, ...] = (
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch",
    )

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def schema_ref(self) -> str:
        return root_ref(self.group, self.version, self.kind)

    @property
    def qualified_plural(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def served_version(self, api_version: str | None) -> Version | None:
        """The other served version named by `api_version` (`autoscaling/v1`), None for the stored one or any
        other text."""
        for other in self.other_versions:
            if api_version == (f"{self.group}/{other.version}" if self.group else other.version):
                return other
        return None

    def selectable(self, label: str) -> FieldGetter | None:
        return BASE_FIELDS.get(label) or self.field_selectors.get(label)


_BY_KIND: dict[str, Kind] = {}
_BY_NAME: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind; it is then found by kind, plural, singular and short names (case-insensitive)."""
    _BY_KIND[kind.kind] = kind
    for alias in (kind.kind.lower(), kind.plural, kind.singular, *kind.short_names):
        _BY_NAME[alias] = kind
        if kind.group:
            _BY_NAME[f"{alias}.{kind.group}"] = kind
    return kind


def by_kind(kind: str) -> Kind:
    """The registered kind named exactly `kind` (`Pod`); KeyError when unknown."""
    return _BY_KIND[kind]


def lookup(name: str) -> Kind | None:
    """Resolve what a learner types (`po`, `pods`, `Pod`, `deployments.apps`) to a kind, or None."""
    return _BY_KIND.get(name) or _BY_NAME.get(name.lower())


def all_kinds() -> list[Kind]:
    return list(_BY_KIND.values())


def kind_of(manifest: dict[str, Any]) -> Kind:
    """The registered kind of a manifest, or the Status kubectl would get for an unknown one."""
    kind_name = manifest.get("kind")
    api_version = manifest.get("apiVersion")
    if not kind_name:
        raise bad_request("Object 'Kind' is missing in '" + _short_json(manifest) + "'")
    if not api_version:
        raise bad_request(f"Object 'apiVersion' is missing in '{_short_json(manifest)}'")
    kind = _BY_KIND.get(kind_name)
    if kind is None or (kind.api_version != api_version and kind.served_version(api_version) is None):
        group, _, version = api_version.rpartition("/")
        raise Status(
            404,
            "NotFound",
            f'the server could not find the requested resource (no matches for kind "{kind_name}" '
            f'in version "{api_version}")',
            {"group": group, "kind": kind_name, "version": version},
        )
    return kind


def _short_json(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, separators=(",", ":"))[:200]


# --- per-kind hooks --------------------------------------------------------------------------------
def _prepare_secret(secret: dict[str, Any]) -> None:
    """`stringData` is write-only: merged into base64 `data` on every write (secret strategy)."""
    string_data = secret.pop("stringData", None)
    if string_data:
        data = secret.setdefault("data", {})
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()


POD_FIELDS: dict[str, FieldGetter] = {
    "spec.nodeName": _path("spec", "nodeName"),
    "spec.restartPolicy": _path("spec", "restartPolicy"),
    "spec.schedulerName": _path("spec", "schedulerName"),
    "spec.serviceAccountName": _path("spec", "serviceAccountName"),
    "spec.hostNetwork": lambda o: "true" if (o.get("spec") or {}).get("hostNetwork") else "false",
    "status.phase": _path("status", "phase"),
    "status.podIP": _path("status", "podIP"),
    "status.nominatedNodeName": _path("status", "nominatedNodeName"),
}
EVENT_FIELDS: dict[str, FieldGetter] = {
    f"involvedObject.{key}": _path("involvedObject", key)
    for key in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")
} | {
    "reason": _path("reason"),
    "reportingComponent": _path("reportingComponent"),
    "source": _path("source", "component"),
    "type": _path("type"),
}

NAMESPACE = register(
    Kind(
        "Namespace",
        "namespaces",
        "namespace",
        namespaced=False,
        short_names=("ns",),
        validate=validation.validate_namespace,
        default=defaults.default_namespace,
        field_selectors={"status.phase": _path("status", "phase")},
        verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
    )
)
NODE = register(
    Kind(
        "Node",
        "nodes",
        "node",
        namespaced=False,
        short_names=("no",),
        validate=validation.validate_node,
        default=defaults.default_node,
        field_selectors={"spec.unschedulable": _path("spec", "unschedulable")},
    )
)
POD = register(
    Kind(
        "Pod",
        "pods",
        "pod",
        short_names=("po",),
        categories=("all",),
        validate=validation.validate_pod,
        default=defaults.default_pod,
        field_selectors=POD_FIELDS,
    )
)
EVENT = register(
    Kind(
        "Event",
        "events",
        "event",
        short_names=("ev",),
        has_status=False,
        validate=validation.validate_event,
        field_selectors=EVENT_FIELDS,
    )
)
CONFIGMAP = register(
    Kind(
        "ConfigMap",
        "configmaps",
        "configmap",
        short_names=("cm",),
        has_status=False,
        validate=validation.validate_configmap,
    )
)
SECRET = register(
    Kind(
        "Secret",
        "secrets",
        "secret",
        has_status=False,
        validate=validation.validate_secret,
        default=defaults.default_secret,
        prepare=_prepare_secret,
        field_selectors={"type": _path("type")},
    )
)
