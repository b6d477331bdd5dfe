"""PrioritySort: the queue-sort plugin; higher priority first, then the earlier arrival."""

from __future__ import annotations

NAME = "PrioritySort"


def less(priority_a: int, seq_a: int, priority_b: int, seq_b: int) -> bool:
    """True if pod a should be scheduled before pod b (`PrioritySort.Less`)."""
    return priority_a > priority_b or (priority_a == priority_b and seq_a < seq_b)


class PrioritySort:
    """The scheduling queue's heap orders by (-priority, arrival), which is exactly `less`."""

    name = NAME
