"""What a check can see: one consistent reading of a sandbox.

The objects come from one engine at one resourceVersion; the change log and the command history are read
once, on first use, up to that resourceVersion. Nothing here changes the engine, so checks can run on the
engine a write or a reconcile just stored (live checks) as well as on one loaded for a graded attempt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cluster_engine import engine


@dataclass
class Change:
    """One entry of the change log: who did what to which object, and the object after it."""

    resource_version: int
    time: float
    type: str  # ADDED / MODIFIED / DELETED
    actor: str
    verb: str
    reason: str
    kind: str
    namespace: str
    name: str
    load_object: Callable[[], dict[str, Any]] = field(repr=False, default=dict)
    _object: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def object(self) -> dict[str, Any]:
        """The object as it stood after the change (decoded on first use)."""
        if self._object is None:
            self._object = self.load_object() or {}
        return self._object


@dataclass(frozen=True)
class Command:
    """One request of the learner: a terminal line, an editor apply, or a write through the Kubernetes API."""

    source: str
    text: str
    exit_code: int | None


ChangeSource = Callable[[frozenset[str]], list[Change]]
CommandSource = Callable[[], list[Command]]


class Reading:
    """A sandbox as the grader sees it. `changes_of` and `commands_of` are read at most once per kind set."""

    def __init__(self, cluster: engine.Cluster, *, learner: str, resource_version: int,
                 changes_of: ChangeSource | None = None, commands_of: CommandSource | None = None) -> None:
        self.cluster = cluster
        self.learner = learner
        self.resource_version = resource_version
        self._changes_of = changes_of or (lambda _kinds: [])
        self._commands_of = commands_of or list
        self._changes: dict[frozenset[str], list[Change]] = {}
        self._commands: list[Command] | None = None

    # --- objects at this resourceVersion
    def objects(self, kind: str, namespace: str | None = None) -> list[dict[str, Any]]:
        return engine.stored_objects(self.cluster, kind, namespace=namespace)

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return engine.stored_object(self.cluster, kind, namespace if engine.kind_is_namespaced(kind) else "", name)

    def http(self, url: str, *, from_pod: tuple[str, str] | None = None) -> dict[str, Any]:
        return engine.probe_http(self.cluster, url, from_pod=from_pod)

    def components(self) -> dict[str, bool]:
        return engine.components(self.cluster)

    def explanation(self, namespace: str, name: str) -> dict[str, Any] | None:
        return engine.scheduling_explanation(self.cluster, namespace, name)

    # --- history up to this resourceVersion
    def changes(self, kinds: Iterable[str]) -> list[Change]:
        """The change log of these kinds, oldest first."""
        key = frozenset(kinds)
        if key not in self._changes:
            self._changes[key] = [c for c in self._changes_of(key) if c.resource_version <= self.resource_version]
        return self._changes[key]

    def commands(self) -> list[Command]:
        if self._commands is None:
            self._commands = list(self._commands_of())
        return self._commands


def changes_from_engine(cluster: engine.Cluster) -> ChangeSource:
    """A change source over the engine's own retained log (the sim tests' clusters keep their whole history)."""

    def read(kinds: frozenset[str]) -> list[Change]:
        changes = []
        objects_by_rv = {rv: obj for rv, _type, _kind, obj in cluster.store.history}
        for entry in cluster.changes(0):
            if entry["kind"] not in kinds:
                continue
            rv = int(entry["resourceVersion"])
            changes.append(Change(rv, entry["time"], entry["type"], entry["actor"], entry["verb"], entry["reason"],
                                  entry["kind"], entry["namespace"], entry["name"],
                                  _object=objects_by_rv.get(rv, {})))
        return changes

    return read
