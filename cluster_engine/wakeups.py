"""Wake-ups: when a sandbox's reconcile task is enqueued, de-duplicated in Redis.

The task itself lives in `cluster_engine.tasks` and calls `services.sandbox_reconcile`; this module enqueues it
by its name (RECONCILE_TASK), so the write path and the task never import each other.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings

from cluster_engine import redis_pool, wallclock

RECONCILE_TASK = "cluster_engine.reconcile"
HIBERNATE_AFTER = timedelta(minutes=30)  # a sandbox nobody used for this long gets no more wake-ups


def warm_up_publishing() -> None:
    """Load, at server start, what the first enqueued reconcile would otherwise load inside a learner's
    request: the broker's transport and the result backend's modules. Nothing connects yet."""
    app = current_app
    _ = app.amqp.producer_pool, app.backend, app.connection_for_write().transport


def _enqueue(sandbox_id: Any, *, countdown: float | None = None) -> None:
    # As the task's own `apply_async` sends it: no result is awaited (the task ignores its result).
    current_app.send_task(RECONCILE_TASK, args=[str(sandbox_id)], countdown=countdown, ignore_result=True)


def _pending_key(sandbox_id: Any) -> str:
    return f"{settings.REDIS_KEY_PREFIX}:reconcile:{sandbox_id}"


def reconcile_soon(sandbox_id: Any) -> None:
    """Enqueue one reconcile for the sandbox unless one is already waiting (de-duplicated in Redis)."""
    if not redis_pool.connection().set(_pending_key(sandbox_id), "1", nx=True, ex=30):
        return
    _enqueue(sandbox_id)


def reconcile_started(sandbox_id: Any) -> None:
    """A reconcile of the sandbox begins: a write from now on needs a reconcile of its own (`reconcile_soon`)."""
    redis_pool.connection().delete(_pending_key(sandbox_id))


def schedule_wakeup(sandbox_id: Any, due_wall: float) -> None:
    """Make sure a reconcile runs at `due_wall` (wall seconds); an earlier pending wake-up suffices."""
    now = wallclock.wall_now()
    # Nothing further than the hibernation horizon needs a task: the next reconcile looks again. Nor further
    # than half the broker's visibility timeout: Redis hands a message back to the queue when it stays
    # unacknowledged longer, and a task held for its countdown would then run twice (or more).
    due_wall = min(due_wall, now + HIBERNATE_AFTER.total_seconds(), now + _longest_countdown())
    key = f"{settings.REDIS_KEY_PREFIX}:wakeups:{sandbox_id}"
    claim_wakeup = redis_pool.script(_CLAIM_WAKEUP)
    if not claim_wakeup(keys=[key], args=[repr(now), repr(due_wall), max(1, int(due_wall - now) + 600)]):
        return
    _enqueue(sandbox_id, countdown=max(0.0, due_wall - now))


def _longest_countdown() -> float:
    return max(1.0, settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600) / 2)


# One round trip: the sandbox's pending wake-ups are a sorted set of their times. A new one is needed unless
# one is pending (still in the future) no later than the new due time; the past ones are forgotten.
_CLAIM_WAKEUP = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], tonumber(ARGV[2]) + 0.01) > 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""
