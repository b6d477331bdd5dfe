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


@pytest.mark.worker
@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="the idle scheduling class is Linux's")
def test_the_worker_runs_only_on_cpu_the_web_process_leaves(celery_worker_process, settings):
    """Reconciles yield to learners' requests: niced, and in the idle class, which a waking request preempts."""
    assert settings.WORKER_IDLE_PRIORITY
    assert os.sched_getscheduler(celery_worker_process.pid) == os.SCHED_IDLE
    expected_niceness = min(19, os.getpriority(os.PRIO_PROCESS, 0) + settings.WORKER_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, celery_worker_process.pid) == expected_niceness
    assert os.sched_getscheduler(0) != os.SCHED_IDLE  # the test process, like the web process, stays normal
