"""The scheduling framework: extension-point interfaces and the runner calling a profile's plugins in order.

Plugins see the cluster through `NodeTable`, whose columns are indexed by node *slot*. Filter plugins answer
for every slot at once (an array of reason codes), Score plugins for an array of feasible slots. The framework
keeps upstream's per-node semantics on top: a node's verdict is the first failing plugin's, in profile order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.nodetable import NodeTable
    from cluster_engine.sim.scheduler.podinfo import PodInfo
    from cluster_engine.sim.scheduler.profile import Profile

MAX_NODE_SCORE = 100


@dataclass(frozen=True)
class Reason:
    """Why a plugin rejects a node: upstream's reason texts, and whether preemption could ever help
    (`UnschedulableAndUnresolvable` when not)."""

    texts: tuple[str, ...]
    unresolvable: bool = False


@dataclass
class FilterResult:
    """A Filter plugin's verdict on every slot: `codes[slot] == 0` passes, `k > 0` fails with
    `reasons[k - 1]`."""

    codes: np.ndarray
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class PreFilterResult:
    """PreFilter outcome: `reject` fails the whole pod; `node_names` restricts the nodes to evaluate;
    `skip` tells the framework this plugin's Filter has nothing to check for this pod."""

    reject: Reason | None = None
    node_names: frozenset[str] | None = None
    skip: bool = False


SKIP = PreFilterResult(skip=True)


class CycleState(dict[str, Any]):
    """Scratch data one scheduling cycle shares between a plugin's extension points (keyed by plugin name)."""

    def __init__(self) -> None:
        super().__init__()
        self.skip_filter: set[str] = set()
        self.skip_score: set[str] = set()


@runtime_checkable
class PreFilterPlugin(Protocol):
    """Computes per-pod state before filtering; may reject the pod outright or narrow the nodes."""

    name: str

    def pre_filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> PreFilterResult | None: ...


@runtime_checkable
class FilterPlugin(Protocol):
    """Says, for every node slot, whether the pod may run there; None means every node passes."""

    name: str

    def filter(self, state: CycleState, pod: PodInfo, table: NodeTable) -> FilterResult | None: ...


@runtime_checkable
class PreScorePlugin(Protocol):
    """Prepares scoring over the feasible nodes; returning False skips this plugin's Score for the pod."""

    name: str

    def pre_score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> bool: ...


@runtime_checkable
class ScorePlugin(Protocol):
    """Ranks feasible nodes (`nodes` are slots); returns one integer score per node, in that order."""

    name: str

    def score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> np.ndarray: ...


@runtime_checkable
class NormalizeScorePlugin(Protocol):
    """Maps a Score plugin's raw scores onto [0, MAX_NODE_SCORE]."""

    name: str

    def normalize(self, state: CycleState, pod: PodInfo, scores: np.ndarray) -> np.ndarray: ...


@dataclass
class Diagnosis:
    """The Filter verdicts of one attempt: per evaluated slot (in evaluation order) a reason code, 0 for
    feasible, indexing the reason table from 1; `histogram()` gives FitError's counts."""

    total_nodes: int
    slots: np.ndarray  # evaluated slots, in evaluation order
    codes: np.ndarray  # aligned with slots
    reasons: list[tuple[str, Reason]]  # code k -> reasons[k - 1] (plugin name, reason)
    pre_filter: tuple[str, Reason] | None = None
    absent_nodes: int = 0  # nodes outside a PreFilter node set
    absent_plugins: tuple[str, ...] = ()

    def histogram(self) -> dict[str, int]:
        """Reason text -> number of nodes, as FitError counts them."""
        counts: dict[str, int] = {}
        if self.pre_filter is not None:
            return counts
        per_code = np.bincount(self.codes, minlength=len(self.reasons) + 1) if self.codes.size else []
        for code, count in enumerate(per_code):
            if code and count:
                for text in self.reasons[code - 1][1].texts:
                    counts[text] = counts.get(text, 0) + int(count)
        if self.absent_nodes:
            text = f"node(s) didn't satisfy plugin(s) [{', '.join(self.absent_plugins)}]"
            counts[text] = counts.get(text, 0) + self.absent_nodes
        return counts


@dataclass
class PostFilterOutcome:
    """What a PostFilter plugin (preemption) did: the nominated node, if any, and its message."""

    nominated_node: str = ""
    message: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


class PostFilterPlugin(Protocol):
    """Runs when no node fits; may make room (preemption) and nominate a node."""

    name: str

    def post_filter(
        self,
        state: CycleState,
        pod: PodInfo,
        table: NodeTable,
        diagnosis: Diagnosis,
        *,
        framework: Framework,
        host: Any,
    ) -> PostFilterOutcome: ...


class Framework:
    """A profile's plugins, instantiated and ordered per extension point."""

    def __init__(self, profile: Profile, registry: dict[str, Callable[[], Any]]) -> None:
        self.profile = profile
        instances = {name: registry[name](profile.extra.get(name) or {}) for name in profile.plugin_names()}
        self.pre_filter = [instances[n] for n in profile.pre_filter]
        self.filter = [instances[n] for n in profile.filter]
        self.post_filter = [instances[n] for n in profile.post_filter]
        self.pre_score = [instances[n] for n in profile.pre_score]
        self.score = [
            (instances[n], w, callable(getattr(instances[n], "normalize", None))) for n, w in profile.score
        ]
        self.pre_bind = [instances[n] for n in profile.pre_bind]
        self.bind = [instances[n] for n in profile.bind]

    def run_pre_filter(
        self, state: CycleState, pod: PodInfo, table: NodeTable
    ) -> tuple[tuple[str, Reason] | None, frozenset[str] | None, tuple[str, ...]]:
        """Run PreFilter plugins: (rejection, node-name restriction, plugins that restricted)."""
        allowed: frozenset[str] | None = None
        restricting: list[str] = []
        for plugin in self.pre_filter:
            result = plugin.pre_filter(state, pod, table)
            if result is None:
                continue
            if result.skip:
                state.skip_filter.add(plugin.name)
            if result.reject is not None:
                return (plugin.name, result.reject), None, ()
            if result.node_names is not None:
                allowed = result.node_names if allowed is None else allowed & result.node_names
                restricting.append(plugin.name)
        return None, allowed, tuple(restricting)

    def run_filter(
        self, state: CycleState, pod: PodInfo, table: NodeTable
    ) -> tuple[np.ndarray, list[tuple[str, Reason]]]:
        """Every slot's code (0 = all Filter plugins pass) and the reason table the codes index (1-based)."""
        status = np.zeros(table.size, dtype=np.int16)
        reasons: list[tuple[str, Reason]] = []
        for plugin in self.filter:
            if plugin.name in state.skip_filter:
                continue
            result = plugin.filter(state, pod, table)
            if result is None:
                continue
            offset = len(reasons)
            reasons.extend((plugin.name, r) for r in result.reasons)
            fresh = (result.codes > 0) & (status == 0)
            status[fresh] = result.codes[fresh] + offset
        return status, reasons

    def run_score(
        self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray
    ) -> list[tuple[str, int, np.ndarray, np.ndarray]]:
        """PreScore, Score and NormalizeScore: per plugin (name, weight, raw, normalized), skipped plugins
        left out."""
        for plugin in self.pre_score:
            if not plugin.pre_score(state, pod, table, nodes):
                state.skip_score.add(plugin.name)
        out = []
        for plugin, weight, normalizes in self.score:
            if plugin.name in state.skip_score:
                continue
            raw = plugin.score(state, pod, table, nodes)
            normalized = plugin.normalize(state, pod, raw) if normalizes else raw
            out.append((plugin.name, weight, raw, normalized))
        return out
