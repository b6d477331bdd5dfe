"""The one place the wall clock enters the sandboxes' code: the engine converts it to simulated time itself."""

from __future__ import annotations

import time


def wall_now() -> float:
    """Seconds since the epoch, now (a test replaces this function to move time)."""
    return time.time()
