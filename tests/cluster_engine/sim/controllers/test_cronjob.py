"""The CronJob controller: schedules, names, concurrency policies, deadlines, suspend, history."""

from __future__ import annotations

from typing import Any

import pytest
from sim_golden import check
from svc_helpers import job, job_events

from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.controllers.cronjob import job_name, most_recent
from cluster_engine.sim.errors import Status
from cluster_engine.sim.util import parse_rfc3339


def cronjob(name: str = "tick", schedule: str = "*/1 * * * *", script: str = "sleep 5", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name},
        "spec": {"schedule": schedule, "jobTemplate": {"spec": job("x", script)["spec"]}, **spec},
    }


def _jobs(cluster: Cluster) -> list[str]:
    return [j["metadata"]["name"] for j in cluster.api.list("jobs")["items"]]


def test_job_names_are_the_scheduled_minute_since_the_epoch() -> None:
    assert job_name("hello", parse_rfc3339("2026-01-05T10:00:00Z")) == "hello-29460120"


def test_cronjob_creates_a_job_each_minute_and_wakes_for_the_next(cluster: Cluster) -> None:
    cluster.api.create(cronjob())
    cluster.run_until_idle()
    wake = cluster.next_wakeup()
    assert wake is not None
    assert wake <= cluster.now + 60
    cluster.step(125)
    names = _jobs(cluster)
    assert len(names) == 2
    assert all(int(n.split("-")[1]) * 60 <= cluster.now for n in names)


def test_cronjob_events_and_names_golden(cluster: Cluster) -> None:
    cluster.api.create(cronjob(successfulJobsHistoryLimit=1))
    cluster.step(185)
    reasons = [e.split(":")[0] for e in job_events(cluster, "CronJob", "tick")]
    check("controllers/cronjob_events.yaml", {"jobs": _jobs(cluster), "events": reasons})


def test_forbid_skips_a_run_while_one_is_active(cluster: Cluster) -> None:
    cluster.api.create(cronjob(script="sleep 100", concurrencyPolicy="Forbid"))
    cluster.step(150)
    assert len(_jobs(cluster)) == 1
    assert any("JobAlreadyActive" in e for e in job_events(cluster, "CronJob", "tick"))


def test_replace_deletes_the_running_job(cluster: Cluster) -> None:
    cluster.api.create(cronjob(script="sleep 100", concurrencyPolicy="Replace"))
    cluster.step(61)
    first = _jobs(cluster)
    cluster.step(60)
    assert len(_jobs(cluster)) == 1
    assert _jobs(cluster) != first


def test_allow_runs_jobs_concurrently(cluster: Cluster) -> None:
    cluster.api.create(cronjob(script="sleep 300"))
    cluster.step(185)
    assert len(cluster.api.get("cronjobs", "tick")["status"]["active"]) == 3


def test_suspended_cronjob_creates_nothing(cluster: Cluster) -> None:
    cluster.api.create(cronjob(suspend=True))
    cluster.step(300)
    assert _jobs(cluster) == []


def test_history_limits_keep_the_newest_finished_jobs(cluster: Cluster) -> None:
    cluster.api.create(cronjob(script="true", successfulJobsHistoryLimit=2))
    cluster.step(60 * 5 + 30)
    assert len(_jobs(cluster)) == 2


def test_failed_history_limit(cluster: Cluster) -> None:
    cluster.api.create(
        cronjob(
            script="exit 1", failedJobsHistoryLimit=1, jobTemplate={"spec": job("x", "exit 1", backoffLimit=0)["spec"]}
        )
    )
    cluster.step(60 * 4 + 30)
    failed = [
        j
        for j in cluster.api.list("jobs")["items"]
        if any(c["type"] == "Failed" for c in j["status"].get("conditions", []))
    ]
    assert len(failed) == 1


def test_missed_start_past_the_deadline_is_reported(cluster: Cluster) -> None:
    cluster.set_component("kube-controller-manager", running=False)
    cluster.api.create(cronjob(schedule="0 * * * *", startingDeadlineSeconds=10))
    cluster.step(3600)
    cluster.set_component("kube-controller-manager", running=True)
    assert _jobs(cluster) == []
    assert not any("SuccessfulCreate" in e for e in job_events(cluster, "CronJob", "tick"))


def test_too_many_missed_start_times_warns_and_starts_the_latest(cluster: Cluster) -> None:
    cluster.set_component("kube-controller-manager", running=False)
    cluster.api.create(cronjob())
    cluster.step(200 * 60)
    cluster.set_component("kube-controller-manager", running=True)
    events = job_events(cluster, "CronJob", "tick")
    assert any(e.startswith("Warning TooManyMissedTimes: too many missed start times: 2") for e in events)
    assert len(_jobs(cluster)) == 1


def test_most_recent_schedule_counts_missed_runs() -> None:
    start = parse_rfc3339("2026-01-05T10:00:00Z")
    latest, missed = most_recent("*/5 * * * *", start, start + 3600, None)
    assert (latest, missed) == (start + 3600, 12)


def test_time_zone_moves_the_schedule(cluster: Cluster) -> None:
    cluster.api.create(cronjob(schedule="0 12 * * *", timeZone="Europe/Berlin"))
    cluster.step(86400)
    scheduled = cluster.api.get("cronjobs", "tick")["status"]["lastScheduleTime"]
    assert scheduled.endswith("T11:00:00Z")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("schedule", "* * *", "Expected exactly 5 fields, found 3: * * *"),
        ("schedule", "TZ=UTC * * * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
        ("timeZone", "Mars/Base", "unknown time zone Mars/Base"),
    ],
)
def test_invalid_schedule_or_time_zone_is_refused(cluster: Cluster, field: str, value: str, message: str) -> None:
    with pytest.raises(Status) as caught:
        cluster.api.create(cronjob(**{field: value}))
    assert message in caught.value.message
