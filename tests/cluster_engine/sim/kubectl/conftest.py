"""Fixtures of the kubectl tests: a fake client and no Redis."""

from __future__ import annotations

import pytest
from kubectl_fakes import FakeClient, load_objects


@pytest.fixture(autouse=True)
def _forget_redis_keys() -> None:
    """The sim tests touch no Redis: override the project-wide fixture with a no-op."""
    return


@pytest.fixture
def client() -> FakeClient:
    return FakeClient(load_objects())
