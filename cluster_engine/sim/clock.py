"""Virtual time: a clock that follows wall time at a per-sandbox speed, and a SimPy-style timer heap
ordered by (time, priority, sequence) so that ties always break the same way."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any

MIN_SPEED = 1.0  # the speeds a sandbox runs at: x1 (real time) ...
MAX_SPEED = 60.0  # ... to x60 (a minute a second); the page's control and the engine's door check the same


def speed_allowed(speed: float) -> bool:
    """Whether `speed` is one the clock accepts (MIN_SPEED..MAX_SPEED)."""
    return MIN_SPEED <= speed <= MAX_SPEED


def speed_refused(speed: float) -> str:
    """Why `speed` is refused, in the words the API answers with."""
    return f"speed must be between {MIN_SPEED:g} and {MAX_SPEED:g} (got {speed:g})"


class Clock:
    """Simulated seconds since the epoch. `advance(wall_now)` moves it by the elapsed wall time times
    `speed` (0 while paused); `step(seconds)` moves it regardless. Nothing here reads the wall clock."""

    __slots__ = ("now", "paused", "speed", "wall")

    def __init__(
        self, now: float, *, speed: float = 1.0, paused: bool = False, wall: float | None = None
    ) -> None:
        self.now = float(now)
        self.speed = speed
        self.paused = paused
        self.wall = wall

    def target(self, wall_now: float) -> float:
        """The simulated time that corresponds to `wall_now` (does not move the clock)."""
        if self.wall is None or self.paused:
            return self.now
        return self.now + max(0.0, wall_now - self.wall) * self.speed

    def sync(self, wall_now: float) -> None:
        """Anchor the wall-time reference at `wall_now` without moving simulated time."""
        self.wall = wall_now

    def set_speed(self, speed: float, wall_now: float) -> None:
        """Change the speed (MIN_SPEED..MAX_SPEED, else ValueError); simulated time up to `wall_now` runs at the old
        speed."""
        if not speed_allowed(speed):
            raise ValueError(speed_refused(speed))
        self.now = self.target(wall_now)
        self.wall = wall_now
        self.speed = float(speed)

    def set_paused(self, paused: bool, wall_now: float) -> None:
        self.now = self.target(wall_now)
        self.wall = wall_now
        self.paused = paused

    def wall_for(self, sim_time: float) -> float | None:
        """The wall time at which simulated time reaches `sim_time` (None while paused or unanchored)."""
        if self.paused or self.wall is None:
            return None
        return self.wall + max(0.0, sim_time - self.now) / self.speed

    def to_json(self) -> dict[str, Any]:
        return {"now": self.now, "speed": self.speed, "paused": self.paused, "wall": self.wall}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Clock:
        return cls(data["now"], speed=data["speed"], paused=data["paused"], wall=data["wall"])


@dataclass(frozen=True, order=True)
class Timer:
    time: float
    priority: int
    seq: int
    owner: str  # component: "kubelet/worker-1", "node-lifecycle-controller", ...
    key: str  # what to reconcile: "default/web", a node name, ...


class Timers:
    """Keyed timers: at most one pending timer per (owner, key); scheduling again replaces it
    (the stale heap entry is skipped lazily)."""

    def __init__(self) -> None:
        self._heap: list[Timer] = []
        self._live: dict[tuple[str, str], Timer] = {}
        self._seq = 0

    def schedule(
        self, time: float, owner: str, key: str, priority: int = 0, *, earliest: bool = True
    ) -> None:
        """Arrange for (owner, key) to fire at `time`. With `earliest`, an already earlier timer wins."""
        current = self._live.get((owner, key))
        if current is not None and earliest and current.time <= time:
            return
        self._seq += 1
        timer = Timer(time, priority, self._seq, owner, key)
        self._live[(owner, key)] = timer
        heapq.heappush(self._heap, timer)

    def cancel(self, owner: str, key: str) -> None:
        self._live.pop((owner, key), None)

    def _clean(self) -> None:
        while self._heap and self._live.get((self._heap[0].owner, self._heap[0].key)) is not self._heap[0]:
            heapq.heappop(self._heap)

    def peek(self) -> Timer | None:
        self._clean()
        return self._heap[0] if self._heap else None

    def pop_due(self, now: float) -> Timer | None:
        """Remove and return the earliest timer due at or before `now`, or None."""
        self._clean()
        if self._heap and self._heap[0].time <= now:
            timer = heapq.heappop(self._heap)
            del self._live[(timer.owner, timer.key)]
            return timer
        return None

    def pending(self, owner: str, key: str) -> float | None:
        timer = self._live.get((owner, key))
        return timer.time if timer else None

    def __len__(self) -> int:
        return len(self._live)

    def to_json(self) -> dict[str, Any]:
        live = sorted(self._live.values())
        return {"seq": self._seq, "timers": [[t.time, t.priority, t.seq, t.owner, t.key] for t in live]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Timers:
        timers = cls()
        timers._seq = data["seq"]
        for time, priority, seq, owner, key in data["timers"]:
            timer = Timer(time, priority, seq, owner, key)
            timers._live[(owner, key)] = timer
            timers._heap.append(timer)
        heapq.heapify(timers._heap)
        return timers
