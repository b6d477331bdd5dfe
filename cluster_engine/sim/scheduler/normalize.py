"""Score normalisations shared by plugins (`helper.DefaultNormalizeScore` and min-max)."""

from __future__ import annotations

import numpy as np


def default_normalize(scores: np.ndarray, max_priority: int, *, reverse: bool) -> np.ndarray:
    """Scale to [0, max_priority] by the highest score (integer division); reversed, the lowest wins.

    All zero: everyone gets 0, or max_priority when reversed.
    """
    if scores.size == 0:
        return scores
    highest = int(scores.max())
    if highest == 0:
        return np.full_like(scores, max_priority if reverse else 0)
    scaled = max_priority * scores // highest
    return max_priority - scaled if reverse else scaled


def min_max_normalize(scores: np.ndarray, max_priority: int) -> np.ndarray:
    """Map [min, max] onto [0, max_priority], truncating; all equal gives 0 (InterPodAffinity's)."""
    if scores.size == 0:
        return scores
    low, high = int(scores.min()), int(scores.max())
    if high == low:
        return np.zeros_like(scores)
    return (max_priority * ((scores - low) / (high - low))).astype(np.int64)
