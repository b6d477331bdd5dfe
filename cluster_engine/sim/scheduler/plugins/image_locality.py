"""ImageLocality: favours nodes that already hold the pod's images, scaled by how widely each is spread."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cluster_engine.sim.scheduler.framework import MAX_NODE_SCORE, CycleState

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.nodetable import NodeTable
    from cluster_engine.sim.scheduler.podinfo import PodInfo

NAME = "ImageLocality"
MB = 1024 * 1024
MIN_THRESHOLD = 23 * MB
MAX_CONTAINER_THRESHOLD = 1000 * MB


def image_score(sum_scores: np.ndarray, containers: int) -> np.ndarray:
    """`calculatePriority`: clamp the summed sizes to [23 MB, 1000 MB per container] and scale to 0..100."""
    max_threshold = MAX_CONTAINER_THRESHOLD * max(containers, 1)
    clamped = np.clip(sum_scores, MIN_THRESHOLD, max_threshold)
    return MAX_NODE_SCORE * (clamped - MIN_THRESHOLD) // (max_threshold - MIN_THRESHOLD)


class ImageLocality:
    name = NAME

    def score(self, state: CycleState, pod: PodInfo, table: NodeTable, nodes: np.ndarray) -> np.ndarray:
        template = pod.template
        # Every node's score changes only with the nodes' images and their number: one column per image list.
        column = table.cached(
            (NAME, template.images, template.container_count),
            (table.images_version, table.nodes_version),
            lambda: self.scores(template.images, template.container_count, table, np.arange(table.size)),
        )
        return column[nodes]

    @staticmethod
    def scores(images: tuple[str, ...], containers: int, table: NodeTable, nodes: np.ndarray) -> np.ndarray:
        """The score of each node in `nodes` for a pod with `images` in `containers` containers."""
        total_nodes = max(table.node_count, 1)
        sums = np.zeros(len(nodes), dtype=np.int64)
        for image in images:
            spread = table.image_nodes.get(image)
            if not spread:
                continue
            sizes = table.image_sizes(image)[nodes]
            sums += (sizes * (spread / total_nodes)).astype(np.int64)
        if not sums.any():
            return sums  # no image present anywhere: every node scores 0
        return image_score(sums, containers)
