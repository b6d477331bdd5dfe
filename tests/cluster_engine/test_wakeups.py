"""Wake-ups: reconciles enqueued once, timed ones claimed in Redis, none outlasting the broker's visibility."""

import json
import time

import pytest

from cluster_engine import services, wakeups, wallclock
from cluster_engine.models import Sandbox
from tests.cluster_engine.conftest import POD_YAML


def _queued_reconciles(sandbox: Sandbox) -> list[float]:
    """Countdowns (seconds from now) of the reconciles of `sandbox` waiting in the broker's queue."""
    from datetime import datetime

    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    countdowns = []
    for raw in client.lrange(settings.CELERY_TASK_DEFAULT_QUEUE, 0, -1):
        headers = json.loads(raw)["headers"]
        if headers["task"] == "cluster_engine.reconcile" and str(sandbox.pk) in headers["argsrepr"]:
            eta = headers.get("eta")
            countdowns.append(datetime.fromisoformat(eta).timestamp() - time.time() if eta else 0.0)
    return sorted(countdowns)


@pytest.mark.django_db
def test_a_wakeup_is_enqueued_only_when_none_is_pending_before_it(playground, settings):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    before = len(_queued_reconciles(playground))
    now = wallclock.wall_now()
    wakeups.schedule_wakeup(playground.pk, now + 30)
    wakeups.schedule_wakeup(playground.pk, now + 50)  # the one at +30 runs first and looks again
    wakeups.schedule_wakeup(playground.pk, now + 10)  # earlier: needs its own task
    wakeups.schedule_wakeup(playground.pk, now + 30)  # +10 is pending before it
    assert [round(countdown) for countdown in _queued_reconciles(playground)[before:]] == [10, 30]
    wakeups.schedule_wakeup(playground.pk, wallclock.wall_now() + 0.2)
    time.sleep(0.3)  # that one is past; the one at +10 is still pending
    wakeups.schedule_wakeup(playground.pk, now + 20)
    assert len(_queued_reconciles(playground)) == before + 3


@pytest.mark.django_db
def test_a_wakeup_never_outlasts_the_brokers_visibility_timeout(playground, settings):
    # Redis hands an unacknowledged message back to the queue after the visibility timeout: a task held
    # longer for its countdown would run twice.
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 120}
    before = _queued_reconciles(playground)
    wakeups.schedule_wakeup(playground.pk, wallclock.wall_now() + 600)
    countdowns = [countdown for countdown in _queued_reconciles(playground) if countdown > 1]
    assert len(countdowns) == len([countdown for countdown in before if countdown > 1]) + 1
    assert 55 < max(countdowns) <= 60


@pytest.mark.django_db(transaction=True)
def test_a_reconcile_enqueues_no_follow_up_of_itself(learner, playground):
    services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner, text=POD_YAML)
    before = _queued_reconciles(playground)
    services.sandbox_reconcile(sandbox_id=playground.pk)  # binds and starts the pod: changes were published
    # Only its own next wake-up (the kubelet's next step), not another immediate reconcile of what it did.
    added = len(_queued_reconciles(playground)) - len(before)
    assert added == 1
    assert [countdown for countdown in _queued_reconciles(playground) if countdown > 0.05]
