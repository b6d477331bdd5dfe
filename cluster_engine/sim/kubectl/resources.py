"""kubectl's view of discovery: resource names, short names and scopes, and the `TYPE NAME` / `TYPE/NAME`
argument forms resolved the way kubectl's resource builder resolves them.

Discovery is the kinds the simulated api-server registers, plus the aggregated APIs a sandbox serves only
at times (metrics.k8s.io while metrics-server is registered): a command runs inside `discovery(...)`, which
says which of those are served, so that `nodes.metrics.k8s.io` resolves exactly when the real kubectl's
discovery would list it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache

from cluster_engine.sim.discovery import served_kinds
from cluster_engine.sim.metrics import GROUP as METRICS_GROUP
from cluster_engine.sim.metrics import VERSION as METRICS_VERSION

from .errors import KubectlError


@dataclass(frozen=True)
class Resource:
    """One API resource as `kubectl api-resources` lists it."""

    kind: str
    plural: str
    singular: str
    group: str = ""
    version: str = "v1"
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
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
    def group_kind(self) -> str:
        """`pod`, `deployment.apps`: the prefix of `-o name` and of rows of `get all`."""
        return f"{self.kind.lower()}.{self.group}" if self.group else self.kind.lower()

    @property
    def qualified_plural(self) -> str:
        """`pods`, `deployments.apps`: how errors name the resource."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


# kubectl's view is the server's discovery (`sim.discovery`, in its order): the kinds the simulated api-server
# registers and the reviews it answers.
RESOURCES: tuple[Resource, ...] = tuple(
    Resource(kind.kind, kind.plural, kind.singular, kind.group, kind.version, kind.namespaced, kind.short_names,
             kind.categories, kind.verbs) for kind in served_kinds())

# `kubectl get all` expands the `all` category in discovery order.
ALL_CATEGORY: tuple[Resource, ...] = tuple(r for r in RESOURCES if "all" in r.categories)

# metrics-server's resources as the aggregator lists them: get and list only, no singular name (kubectl's
# RESTMapper then guesses the lower-case kind: `nodemetrics`), no short names.
NODE_METRICS = Resource("NodeMetrics", "nodes", "nodemetrics", METRICS_GROUP, METRICS_VERSION, False,
                        verbs=("get", "list"))
POD_METRICS = Resource("PodMetrics", "pods", "podmetrics", METRICS_GROUP, METRICS_VERSION, True,
                       verbs=("get", "list"))
METRICS_RESOURCES: tuple[Resource, ...] = (NODE_METRICS, POD_METRICS)


def _aliases(resources: tuple[Resource, ...]) -> dict[str, Resource]:
    """Every spelling kubectl's RESTMapper accepts for `resources`; an earlier resource keeps a shared one."""
    found: dict[str, Resource] = {}
    for resource in resources:
        for alias in (resource.plural, resource.singular, *resource.short_names):
            names = (f"{alias}.{resource.group}", f"{alias}.{resource.version}.{resource.group}") \
                if resource.group else (f"{alias}.{resource.version}",)
            for name in (alias, *names):
                found.setdefault(name, resource)
    return found


_ALIASES = _aliases(RESOURCES)
_AGGREGATED_ALIASES = {alias: resource for alias, resource in _aliases(METRICS_RESOURCES).items()
                       if alias not in _ALIASES}  # `nodes`, `pods`: the core group comes first
_served_aggregated: ContextVar[Callable[[], tuple[Resource, ...]]] = ContextVar("served_aggregated",
                                                                                default=tuple)


@contextmanager
def discovery(aggregated: Callable[[], tuple[Resource, ...]]) -> Iterator[None]:
    """Within the block, lookups also find the aggregated resources `aggregated()` returns; it is called at
    most once, and only when a name is not one of the registered kinds'."""
    token = _served_aggregated.set(cache(aggregated))
    try:
        yield
    finally:
        _served_aggregated.reset(token)


def served() -> tuple[Resource, ...]:
    """What discovery lists: the registered kinds, then the aggregated resources served now."""
    return RESOURCES + _served_aggregated.get()()


def by_kind(kind: str) -> Resource:
    """The resource of kind `kind` (`Pod`, `NodeMetrics`); KeyError when kubectl's discovery view lacks it."""
    for resource in RESOURCES + METRICS_RESOURCES:
        if resource.kind == kind:
            return resource
    raise KeyError(kind)


def lookup(text: str) -> Resource | None:
    """Resolve `po`, `pods`, `Pod`, `deploy.apps`, `deployments.v1.apps`, `nodes.metrics.k8s.io` (while that
    API is served) to a resource, or None."""
    key = text.lower()
    found = _ALIASES.get(key)
    if found is None and key in _AGGREGATED_ALIASES:
        candidate = _AGGREGATED_ALIASES[key]
        return candidate if candidate in _served_aggregated.get()() else None
    return found


def resolve_types(text: str) -> list[Resource]:
    """`deploy,svc` or `all` as a list of resources; raises the server's error for an unknown type."""
    found: list[Resource] = []
    for part in text.split(","):
        if part == "all":
            candidates: tuple[Resource, ...] = ALL_CATEGORY
        else:
            resource = lookup(part)
            if resource is None:  # the builder names the resource part of `<resource>.<group>`
                raise KubectlError(f'error: the server doesn\'t have a resource type "{part.split(".")[0]}"')
            candidates = (resource,)
        found.extend(r for r in candidates if r not in found)
    return found


@dataclass(frozen=True)
class Target:
    """One resource type with the names asked for (empty: every object of that type)."""

    resource: Resource
    names: tuple[str, ...] = ()


_SEPARATE_TYPE = (
    "error: there is no need to specify a resource type as a separate argument when passing "
    "arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of "
    "'kubectl get resource resource/<resource_name>'"
)


def parse_targets(args: list[str] | tuple[str, ...]) -> list[Target]:
    """Resolve positional arguments (`pods`, `pods a b`, `pod/a svc/b`, `deploy,svc`) to targets in order.

    Raises KubectlError with kubectl's wording for unknown types and mixed forms.
    """
    if not args:
        return []
    if any("/" in arg for arg in args):
        if not all("/" in arg for arg in args):
            raise KubectlError(_SEPARATE_TYPE)
        targets: list[Target] = []
        for arg in args:
            type_text, _, name = arg.partition("/")
            if not name:
                raise KubectlError(
                    "error: arguments in resource/name form must have a single resource and name"
                )
            resources = resolve_types(type_text)
            if len(resources) != 1:
                raise KubectlError(
                    "error: arguments in resource/name form must have a single resource and name"
                )
            targets.append(Target(resources[0], (name,)))
        return _merge(targets)
    names = tuple(args[1:])
    return [Target(r, names) for r in resolve_types(args[0])]


def _merge(targets: list[Target]) -> list[Target]:
    """Consecutive `TYPE/NAME` arguments of one type print as one table, as kubectl's builder groups them."""
    merged: list[Target] = []
    for target in targets:
        if merged and merged[-1].resource == target.resource:
            merged[-1] = Target(target.resource, merged[-1].names + target.names)
        else:
            merged.append(target)
    return merged
