"""Fixtures of the simulated-cluster tests: no Django, no Redis, small clusters built from data."""

from __future__ import annotations

import pytest
from sim_helpers import small_cluster

from cluster_engine.sim.cluster import Cluster


@pytest.fixture(autouse=True)
def _forget_redis_keys() -> None:
    """The sim tests touch no Redis: override the project-wide fixture with a no-op."""
    return


@pytest.fixture
def cluster() -> Cluster:
    """A settled three-node cluster (one control plane, two workers)."""
    return small_cluster()
