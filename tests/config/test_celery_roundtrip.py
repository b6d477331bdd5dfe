"""A task travels through the real Redis broker to a real worker process and back."""

import os

import pytest

from config.celery_app import ping


@pytest.mark.worker
def test_ping_round_trip_through_a_real_worker(celery_worker_process):
    result = ping.apply_async(args=["hello"]).get(timeout=30)
    assert result["payload"] == "hello"
    assert result["pid"] == str(celery_worker_process.pid)  # answered by the child, not in-process
    assert result["pid"] != str(os.getpid())
