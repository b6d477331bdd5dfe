"""A scheduler profile as data: which plugins run at each extension point, and the Score weights."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cluster_engine.sim.scheduler.podinfo import DEFAULT_SCHEDULER_NAME


@dataclass(frozen=True)
class Profile:
    """`KubeSchedulerProfile`: plugin names per extension point, in the order they run.

    `percentage_of_nodes_to_score` 0 means upstream's adaptive default (`50 - nodes/125`, at least 5 %).
    """

    scheduler_name: str = DEFAULT_SCHEDULER_NAME
    queue_sort: str = "PrioritySort"
    pre_filter: tuple[str, ...] = ()
    filter: tuple[str, ...] = ()
    post_filter: tuple[str, ...] = ()
    pre_score: tuple[str, ...] = ()
    score: tuple[tuple[str, int], ...] = ()
    pre_bind: tuple[str, ...] = ()
    bind: tuple[str, ...] = ("DefaultBinder",)
    percentage_of_nodes_to_score: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def plugin_names(self) -> list[str]:
        """Every plugin the profile uses, once, in first-use order."""
        names = [
            self.queue_sort,
            *self.pre_filter,
            *self.filter,
            *self.post_filter,
            *self.pre_score,
            *(n for n, _ in self.score),
            *self.pre_bind,
            *self.bind,
        ]
        return list(dict.fromkeys(names))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        """Build from `{"schedulerName": ..., "filter": [...], "score": {"NodeAffinity": 2, ...},
        "pluginConfig": {"NodeResourcesFit": {"scoringStrategy": {"type": "MostAllocated"}}}, ...}`;
        anything left out is the default profile's."""
        base = default_profile()
        score = data.get("score")
        return cls(
            scheduler_name=data.get("schedulerName", base.scheduler_name),
            queue_sort=data.get("queueSort", base.queue_sort),
            pre_filter=tuple(data.get("preFilter", base.pre_filter)),
            filter=tuple(data.get("filter", base.filter)),
            post_filter=tuple(data.get("postFilter", base.post_filter)),
            pre_score=tuple(data.get("preScore", base.pre_score)),
            score=tuple(score.items()) if isinstance(score, dict) else base.score,
            pre_bind=tuple(data.get("preBind", base.pre_bind)),
            bind=tuple(data.get("bind", base.bind)),
            percentage_of_nodes_to_score=int(data.get("percentageOfNodesToScore", 0)),
            extra=dict(data.get("pluginConfig") or {}),
        )


def default_profile() -> Profile:
    """Upstream's default plugins (`apis/config/v1/default_plugins.go`) restricted to what Podlab simulates,
    with its default Score weights."""
    return Profile(
        pre_filter=(
            "NodeAffinity",
            "NodePorts",
            "NodeResourcesFit",
            "VolumeBinding",
            "PodTopologySpread",
            "InterPodAffinity",
        ),
        filter=(
            "NodeUnschedulable",
            "NodeName",
            "TaintToleration",
            "NodeAffinity",
            "NodePorts",
            "NodeResourcesFit",
            "VolumeBinding",
            "PodTopologySpread",
            "InterPodAffinity",
        ),
        post_filter=("DefaultPreemption",),
        pre_score=(
            "TaintToleration",
            "NodeAffinity",
            "NodeResourcesFit",
            "NodeResourcesBalancedAllocation",
            "PodTopologySpread",
            "InterPodAffinity",
        ),
        score=(
            ("TaintToleration", 3),
            ("NodeAffinity", 2),
            ("NodeResourcesFit", 1),
            ("NodeResourcesBalancedAllocation", 1),
            ("PodTopologySpread", 2),
            ("InterPodAffinity", 2),
            ("ImageLocality", 1),
        ),
        pre_bind=("VolumeBinding",),
    )
