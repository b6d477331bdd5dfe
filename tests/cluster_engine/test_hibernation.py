"""Idle sandboxes hibernate (no more tasks) and wake on the next request with their clock caught up."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cluster_engine import engine, replies, services, wakeups, wallclock
from cluster_engine.models import Sandbox


@pytest.mark.django_db
def test_an_idle_sandbox_hibernates_and_schedules_nothing(playground, monkeypatch):
    scheduled = []
    monkeypatch.setattr(wakeups, "schedule_wakeup", lambda sandbox_id, due: scheduled.append(due))
    Sandbox.objects.filter(pk=playground.pk).update(last_active_at=timezone.now() - timedelta(minutes=31))
    assert services.sandbox_reconcile(sandbox_id=playground.pk) is None
    assert Sandbox.objects.get(pk=playground.pk).hibernating
    assert scheduled == []


@pytest.mark.django_db
def test_the_next_request_wakes_it_with_the_clock_caught_up(learner, playground, monkeypatch):
    woken = []
    monkeypatch.setattr(wakeups, "reconcile_soon", woken.append)
    sim_before = engine.load(Sandbox.objects.get(pk=playground.pk).state).now
    hour_ago = wallclock.wall_now() - 3600
    Sandbox.objects.filter(pk=playground.pk).update(hibernating=True,
                                                    last_active_at=timezone.now() - timedelta(hours=1))
    monkeypatch.setattr(wallclock, "wall_now", lambda: hour_ago + 7200)  # an hour after "now"
    replies.sandbox_catch_up(sandbox_id=playground.pk, since=None, read_only=False)
    assert woken == [playground.pk]
    services.sandbox_reconcile(sandbox_id=playground.pk)
    sandbox = Sandbox.objects.get(pk=playground.pk)
    assert engine.load(sandbox.state).now >= sim_before + 3600  # simulated time followed wall time
