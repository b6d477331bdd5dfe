"""Scheduling decision records (bounded, JSON-ready, rendered when read) and FailedScheduling wording."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.framework import Diagnosis

NO_NODES_AVAILABLE = "no nodes available to schedule pods"
# Bounds that keep one attempt's record small in a 5,000-node cluster (it is stored in the sandbox state).
NODE_DETAIL_LIMIT = 20  # per-node Filter verdicts listed one by one
EXAMPLE_NODES_PER_REASON = 5
SCORED_NODE_LIMIT = 10


def fit_error_message(diagnosis: Diagnosis, post_filter_message: str = "") -> str:
    """`FitError.Error()`: `0/N nodes are available: <count> <reason>, ... .` then the PostFilter message."""
    message = f"0/{diagnosis.total_nodes} nodes are available:"
    if diagnosis.pre_filter is not None:
        message += f" {', '.join(diagnosis.pre_filter[1].texts)}."
    else:
        histogram = sorted(f"{count} {text}" for text, count in diagnosis.histogram().items())
        if histogram:
            message += f" {', '.join(histogram)}."
    if post_filter_message:
        # The preemption message is itself a sentence (or a FitError) already ending in a period.
        message += f" {post_filter_message.rstrip('.')}."
    return message


def scheduled_message(namespace: str, name: str, node: str) -> str:
    """The `Scheduled` event's text."""
    return f"Successfully assigned {namespace}/{name} to {node}"


class Record:
    """One scheduling attempt's decision record, as `to_dict()` gives it to its readers (the page's "why this
    node", the grader). Parts set to a callable (the Filter and Score summaries, kept as the cycle's arrays)
    are rendered on the first `to_dict()`: the cluster keeps only its last few records, so most are never
    read, and rendering per-node verdicts and scores for each of thousands of pods a second is wasted."""

    __slots__ = ("_fields", "_rendered")

    def __init__(self, **fields: Any) -> None:
        self._fields: dict[str, Any] = fields
        self._rendered: dict[str, Any] | None = None

    def __setitem__(self, key: str, value: Any) -> None:
        """Set a part: a JSON value, or a callable returning one (rendered later, so it must keep what it
        needs, never read state that changes after the cycle)."""
        self._fields[key] = value

    def peek(self, key: str) -> Any:
        """A part as it was set (None when absent), without rendering the record: for a part set as a value."""
        value = self._fields.get(key)
        return None if callable(value) else value

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready record, parts in the order they were set; the same dict on every call (read-only)."""
        if self._rendered is None:
            self._rendered = {k: v() if callable(v) else v for k, v in self._fields.items()}
            self._fields = self._rendered  # the arrays are no longer needed
        return self._rendered


def filter_summary(
    diagnosis: Diagnosis, names: Sequence[str], feasible: int, not_evaluated: int
) -> dict[str, Any]:
    """Rejected nodes grouped by (plugin, reasons) with a few example names; per-node verdicts as well
    when few nodes were evaluated. `names` gives each slot's node name."""
    groups: list[dict[str, Any]] = []
    out: dict[str, Any] = {"feasible": feasible, "notEvaluated": not_evaluated, "rejected": groups}
    if diagnosis.pre_filter is not None:
        plugin, reason = diagnosis.pre_filter
        out["preFilter"] = {"plugin": plugin, "reasons": list(reason.texts)}
        return out
    codes = diagnosis.codes
    slots = diagnosis.slots
    if codes.size:
        per_code = np.bincount(codes, minlength=len(diagnosis.reasons) + 1)
        for code in np.flatnonzero(per_code[1:]) + 1:
            plugin, reason = diagnosis.reasons[code - 1]
            examples = slots[codes == code][:EXAMPLE_NODES_PER_REASON].tolist()
            groups.append(
                {
                    "plugin": plugin,
                    "reasons": list(reason.texts),
                    "count": int(per_code[code]),
                    "nodes": [names[s] for s in examples],
                }
            )
    if diagnosis.absent_nodes:
        groups.append(
            {
                "plugin": ", ".join(diagnosis.absent_plugins),
                "reasons": [f"node(s) didn't satisfy plugin(s) [{', '.join(diagnosis.absent_plugins)}]"],
                "count": diagnosis.absent_nodes,
                "nodes": [],
            }
        )
    if slots.size <= NODE_DETAIL_LIMIT:
        nodes = []
        for slot, code in zip(slots.tolist(), codes.tolist(), strict=True):
            if code:
                plugin, reason = diagnosis.reasons[code - 1]
                nodes.append(
                    {
                        "node": names[slot],
                        "passed": False,
                        "plugin": plugin,
                        "reasons": list(reason.texts),
                    }
                )
            else:
                nodes.append({"node": names[slot], "passed": True})
        out["nodes"] = nodes
    return out


def score_summary(
    names: Sequence[str],
    nodes: np.ndarray,
    totals: np.ndarray,
    plugin_scores: list[tuple[str, int, np.ndarray, np.ndarray]],
    *,
    chosen: int,
    tied: int,
) -> dict[str, Any]:
    """Scores of the best nodes (the chosen one always included): per node, lists aligned with `plugins`
    of each plugin's raw, normalized and weighted (normalized x weight) score; `tied` nodes had the best
    total."""
    count = len(nodes)
    if count > SCORED_NODE_LIMIT:
        top = np.argpartition(-totals, SCORED_NODE_LIMIT - 1)[:SCORED_NODE_LIMIT]
        if chosen not in top:
            top[-1] = chosen
    else:
        top = np.arange(count)
    top = top[np.lexsort((top, -totals[top]))]
    plugins = [p[0] for p in plugin_scores]
    weights = [p[1] for p in plugin_scores]
    rows = []
    if plugin_scores:
        raw = np.stack([p[2][top] for p in plugin_scores], axis=1)
        normalized = np.stack([p[3][top] for p in plugin_scores], axis=1)
        weighted = normalized * np.array(weights, dtype=np.int64)
        for slot, total, r, n, w in zip(
            nodes[top].tolist(),
            totals[top].tolist(),
            raw.tolist(),
            normalized.tolist(),
            weighted.tolist(),
            strict=True,
        ):
            rows.append({"node": names[slot], "total": total, "raw": r, "normalized": n, "weighted": w})
    return {"plugins": plugins, "weights": weights, "scored": count, "nodes": rows, "tied": tied}
