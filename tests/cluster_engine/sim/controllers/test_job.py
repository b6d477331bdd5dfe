"""The Job controller: completions, parallelism, back-off, deadlines, Indexed mode, TTL."""

from __future__ import annotations

import pytest
from sim_golden import check
from svc_helpers import job, job_events

from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.controllers.job import backoff_delay, format_indexes


def _conditions(cluster: Cluster, name: str) -> list[str]:
    return [c["type"] for c in cluster.api.get("jobs", name)["status"].get("conditions", [])]


def test_job_defaults_and_generated_selector(cluster: Cluster) -> None:
    created = cluster.api.create(job("pi"))
    spec = created["spec"]
    assert (spec["completions"], spec["parallelism"], spec["backoffLimit"]) == (1, 1, 6)
    uid = created["metadata"]["uid"]
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert spec["template"]["metadata"]["labels"]["job-name"] == "pi"


def test_job_runs_completions_with_parallelism(cluster: Cluster) -> None:
    cluster.api.create(job("work", completions=3, parallelism=2))
    cluster.step(2)
    assert cluster.api.get("jobs", "work")["status"]["active"] == 2
    cluster.step(60)
    status = cluster.api.get("jobs", "work")["status"]
    assert status["succeeded"] == 3
    assert _conditions(cluster, "work") == ["SuccessCriteriaMet", "Complete"]


def test_job_events_golden(cluster: Cluster) -> None:
    cluster.api.create(job("work", completions=2, parallelism=2))
    cluster.step(60)
    events = [
        e.split(": ")[0] + (": Created pod" if "Created pod" in e else "") for e in job_events(cluster, "Job", "work")
    ]
    check("controllers/job_events.yaml", events)


def test_failed_pods_are_retried_with_backoff_until_the_limit(cluster: Cluster) -> None:
    cluster.api.create(job("bad", "exit 1", backoffLimit=2))
    cluster.step(5)
    assert cluster.api.get("jobs", "bad")["status"]["failed"] == 1
    cluster.step(5)
    assert cluster.api.get("jobs", "bad")["status"]["failed"] == 1  # waiting out the 10 s back-off
    cluster.step(60)
    status = cluster.api.get("jobs", "bad")["status"]
    assert status["failed"] == 3
    assert _conditions(cluster, "bad") == ["FailureTarget", "Failed"]
    assert status["conditions"][1]["reason"] == "BackoffLimitExceeded"
    assert any(
        "BackoffLimitExceeded: Job has reached the specified backoff limit" in e
        for e in job_events(cluster, "Job", "bad")
    )


@pytest.mark.parametrize(("failures", "delay"), [(1, 10), (2, 20), (3, 40), (7, 600), (20, 600)])
def test_backoff_doubles_from_10s_and_caps_at_10_minutes(failures: int, delay: float) -> None:
    assert backoff_delay(failures) == delay


def test_active_deadline_fails_the_job_and_deletes_its_pods(cluster: Cluster) -> None:
    cluster.api.create(job("slow", "sleep 600", activeDeadlineSeconds=20))
    cluster.step(25)
    status = cluster.api.get("jobs", "slow")["status"]
    assert status["conditions"][0]["reason"] == "DeadlineExceeded"
    assert any("Job was active longer than specified deadline" in e for e in job_events(cluster, "Job", "slow"))
    cluster.step(60)
    assert _conditions(cluster, "slow") == ["FailureTarget", "Failed"]


def test_indexed_job_runs_every_index_once(cluster: Cluster) -> None:
    cluster.api.create(job("idx", completions=3, parallelism=3, completionMode="Indexed"))
    cluster.step(60)
    status = cluster.api.get("jobs", "idx")["status"]
    assert status["completedIndexes"] == "0-2"
    names = sorted(
        p["metadata"]["name"].rsplit("-", 1)[0]
        for p in cluster.api.list("pods", label_selector="job-name=idx")["items"]
    )
    assert names == ["idx-0", "idx-1", "idx-2"]


def test_ttl_after_finished_deletes_the_job(cluster: Cluster) -> None:
    cluster.api.create(job("short", "true", ttlSecondsAfterFinished=30))
    cluster.step(20)
    assert "Complete" in _conditions(cluster, "short")
    cluster.step(40)
    assert cluster.api.list("jobs")["items"] == []


def test_completed_indexes_are_compressed() -> None:
    assert format_indexes({0, 1, 2, 4, 6, 7}) == "0-2,4,6-7"


@pytest.mark.parametrize(("completions", "parallelism"), [(1, 1), (3, 2), (5, 5), (4, 1)])
def test_property_job_status_matches_spec_when_satisfiable(
    cluster: Cluster, completions: int, parallelism: int
) -> None:
    cluster.api.create(job("p", "sleep 2", completions=completions, parallelism=parallelism))
    cluster.step(300)
    status = cluster.api.get("jobs", "p")["status"]
    assert status["succeeded"] == completions
    assert status.get("active", 0) == 0
    assert "Complete" in _conditions(cluster, "p")


def test_an_on_failure_job_fails_once_its_restarts_pass_the_limit_and_starts_no_new_pod(cluster: Cluster) -> None:
    body = job("flaky", "exit 1", backoffLimit=2)
    body["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
    cluster.api.create(body)
    cluster.step(0.5)
    restarts = 0
    while restarts < 2:  # pastBackoffLimitOnFailure: the restarts reach the limit
        assert "FailureTarget" not in _conditions(cluster, "flaky")
        cluster.step(1)
        pods = cluster.api.list("pods", label_selector="job-name=flaky")["items"]
        restarts = pods[0]["status"]["containerStatuses"][0]["restartCount"] if pods else 2
    assert "FailureTarget" in _conditions(cluster, "flaky")
    cluster.step(180)
    status = cluster.api.get("jobs", "flaky")["status"]
    assert _conditions(cluster, "flaky") == ["FailureTarget", "Failed"]
    assert status["conditions"][1]["reason"] == "BackoffLimitExceeded"
    assert status["failed"] == 1  # the pod it stopped
    assert "active" not in status
    created = [e for e in job_events(cluster, "Job", "flaky") if "SuccessfulCreate" in e]
    assert len(created) == 1
