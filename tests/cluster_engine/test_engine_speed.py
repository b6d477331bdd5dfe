"""The engine's door and the simulated clock accept the same speeds (one constant pair in `sim/clock.py`)."""

from __future__ import annotations

import pytest

from cluster_engine import engine
from cluster_engine.sim.clock import MAX_SPEED, MIN_SPEED, Clock
from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.errors import Status

ALLOWED = [MIN_SPEED, 2, 30.5, MAX_SPEED]
REFUSED = [0, 0.5, MAX_SPEED + 1, 500]


@pytest.mark.parametrize("speed", ALLOWED)
def test_a_speed_the_clock_accepts_the_engine_accepts(speed):
    Clock(0.0).set_speed(speed, 0.0)
    cluster = Cluster(now=0.0)
    engine.set_speed(cluster, speed=speed, wall_now=0.0)
    assert cluster.clock.speed == speed


@pytest.mark.parametrize("speed", REFUSED)
def test_a_speed_the_clock_refuses_the_engine_refuses(speed):
    with pytest.raises(ValueError, match="speed must be between 1 and 60"):
        Clock(0.0).set_speed(speed, 0.0)
    with pytest.raises(Status, match=f"speed must be between 1 and 60 \\(got {speed:g}\\)"):
        engine.set_speed(Cluster(now=0.0), speed=speed, wall_now=0.0)
