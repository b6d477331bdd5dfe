"""A sandbox's past, rebuilt from its current objects and its change log (`SandboxChange`), for the replay of a
learner's session and for regrading an attempt at the resourceVersion it read.

Pure functions over plain values (no database): the callers read the rows. The change log holds each change
with the object *after* it, and only the changes since the sandbox was built or reset (a new cluster's own
objects are not in it) and the latest `cluster_engine.changelog.HISTORY_LIMIT` versions. So:

- going *back* from now to version N undoes every later change: an addition is removed, a modification or a
  deletion restores the object's previous logged version. When that previous version is not in the log (the
  object predates it), the state at N cannot be rebuilt exactly, and `objects_at` says so (None);
- going *forward* (the replay) starts from a base: the current objects the log never mentions (they have not
  changed since the sandbox was built), plus, for each object the log first mentions with a modification or a
  deletion, that first logged version (its earlier one is unknown: the base is then marked inexact).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Key = tuple[str, str, str]  # kind, namespace ("" when cluster-scoped), name
ADDED, MODIFIED, DELETED = "ADDED", "MODIFIED", "DELETED"


@dataclass
class Logged:
    """One row of the change log; its object is decoded on first use."""

    resource_version: int
    type: str
    kind: str
    namespace: str
    name: str
    sim_time: float = 0.0
    actor: str = ""
    verb: str = ""
    reason: str = ""
    load_object: Callable[[], dict[str, Any]] = field(default=dict, repr=False)
    _object: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def key(self) -> Key:
        return (self.kind, self.namespace, self.name)

    @property
    def object(self) -> dict[str, Any]:
        if self._object is None:
            self._object = self.load_object() or {}
        return self._object


def key_of(obj: dict[str, Any]) -> Key:
    metadata = obj.get("metadata") or {}
    return (obj.get("kind", ""), metadata.get("namespace") or "", metadata.get("name", ""))


def objects_at(current: Iterable[dict[str, Any]], log: list[Logged], resource_version: int, *,
               history_from: int | None, kinds: set[str] | None = None) -> dict[Key, dict[str, Any]] | None:
    """The objects (of `kinds`, or all) as they stood at `resource_version`, or None when that state cannot be
    rebuilt from `current` (the objects now) and `log` (every retained change, oldest first), which holds every
    change after `history_from` (`Sandbox.history_from`).

    It cannot when the log does not reach back to `resource_version` (the sandbox was reset or its log pruned
    since; `history_from` unknown), or when a later change of one of these objects has no logged previous
    version to restore (the object predates the log)."""
    if history_from is None or resource_version < history_from:
        return None
    relevant = [entry for entry in log if kinds is None or entry.kind in kinds]
    objects = {key_of(obj): obj for obj in current if kinds is None or obj.get("kind") in kinds}
    previous = _previous_versions(relevant)
    for entry in reversed(relevant):
        if entry.resource_version <= resource_version:
            break
        if entry.type == ADDED:
            objects.pop(entry.key, None)
            continue
        before = previous.get(id(entry))
        if before is None or before.type == DELETED:
            return None  # the version before this change predates the log
        objects[entry.key] = before.object
    return objects


def _previous_versions(log: list[Logged]) -> dict[int, Logged]:
    """For each entry (by id), the entry of the same object just before it, when logged."""
    last: dict[Key, Logged] = {}
    previous: dict[int, Logged] = {}
    for entry in log:
        if entry.key in last:
            previous[id(entry)] = last[entry.key]
        last[entry.key] = entry
    return previous


@dataclass(frozen=True)
class ReplayBase:
    objects: list[dict[str, Any]]
    resource_version: int  # just before the first logged change
    exact: bool  # False: some objects' versions before the log are unknown (their first logged one stands in)


def replay_base(current: Iterable[dict[str, Any]], log: list[Logged], *, history_from: int | None,
                resource_version: int) -> ReplayBase:
    """Where a replay of `log` starts (see the module's docstring); `resource_version` is the sandbox's now."""
    first: dict[Key, Logged] = {}
    for entry in log:
        first.setdefault(entry.key, entry)
    objects = [obj for obj in current if key_of(obj) not in first]
    exact = True
    for entry in first.values():
        if entry.type != ADDED:
            exact = False
            if entry.type == MODIFIED:
                objects.append(entry.object)
    start = log[0].resource_version - 1 if log else resource_version
    # Exact when the log is known to hold every change since the sandbox was built (or reset) and only ever
    # adds objects the build did not have: the others then stand as built.
    return ReplayBase(objects, start, exact and history_from is not None)


def replay_steps(log: list[Logged]) -> list[list[Logged]]:
    """The log cut into the steps a replay scrubs through: consecutive changes by the same actor at the same
    simulated moment (one `kubectl apply` of three objects, one controller's pass) are one step."""
    steps: list[list[Logged]] = []
    for entry in log:
        if steps and steps[-1][-1].actor == entry.actor and steps[-1][-1].sim_time == entry.sim_time:
            steps[-1].append(entry)
        else:
            steps.append([entry])
    return steps
