"""The CronJob controller (`pkg/controller/cronjob`, the v2 controller): creates a Job named
`<cronjob>-<scheduled time in minutes since the epoch>` at each scheduled time (cron syntax via croniter,
in `timeZone` or UTC), honours concurrencyPolicy Allow / Forbid / Replace, startingDeadlineSeconds and
suspend, keeps the successful and failed Job history limits, and asks to be woken at the next schedule."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from croniter import croniter

from cluster_engine.sim.errors import Status
from cluster_engine.sim.kinds.batch import next_run, zone_of
from cluster_engine.sim.util import clone, parse_rfc3339, rfc3339

from . import DONE, Context, Result, controller_ref, new_controller_ref, split_key
from .job import finished, owned

NAME = "cronjob-controller"
SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp"
MISSED_LIMIT = 100


def job_name(cronjob: str, scheduled: float) -> str:
    """`getJobName`: the scheduled time in minutes since the epoch, so one schedule gives one name."""
    return f"{cronjob}-{int(scheduled // 60)}"


def most_recent(schedule: str, earliest: float, now: float, zone: Any) -> tuple[float | None, int]:
    """The latest scheduled time in (earliest, now] and how many there were (counted up to 101, then
    estimated from the period between two runs, as `mostRecentScheduleTime` does)."""
    first = next_run(schedule, earliest, zone)
    if first > now:
        return None, 0
    second = next_run(schedule, first, zone)
    if second > now:
        return first, 1
    count, current = 1, first
    while count <= MISSED_LIMIT:
        following = next_run(schedule, current, zone)
        if following > now:
            return current, count
        current, count = following, count + 1
    latest = datetime.fromtimestamp(now, tz=zone or UTC)
    expression = {"@annually": "@yearly", "@midnight": "@daily"}.get(schedule.strip(), schedule.strip())
    previous = float(croniter(expression, latest).get_prev(float))
    if next_run(schedule, previous, zone) <= now:
        previous = next_run(schedule, previous, zone)
    return previous, int((now - first) // (second - first)) + 1


def _zone_text(seconds: float, zone: Any) -> str:
    moment = datetime.fromtimestamp(seconds, tz=zone or UTC)
    text = moment.isoformat()
    return text.replace("+00:00", "Z") if zone is None or moment.utcoffset().total_seconds() == 0 else text


class CronJobController:
    """`cronjob-controller`."""

    name = NAME
    kinds_watched = ("CronJob", "Job")

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        if kind == "CronJob":
            return [f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"]
        ref = controller_ref(obj)
        if ref is None or ref.get("kind") != "CronJob":
            return []
        return [f"{obj['metadata']['namespace']}/{ref['name']}"]

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        namespace, name = split_key(key)
        cj = ctx.store.get("CronJob", namespace, name)
        if cj is None or cj["metadata"].get("deletionTimestamp"):
            return DONE
        try:
            return self._sync(ctx, cj, now)
        except Status:
            return DONE

    def _sync(self, ctx: Context, cj: dict[str, Any], now: float) -> Result:
        spec = cj["spec"]
        status = clone(cj.get("status") or {})
        jobs = owned(ctx, cj, "Job")
        by_uid = {j["metadata"]["uid"]: j for j in jobs}
        active = []
        for ref in status.get("active") or []:
            job = by_uid.get(ref.get("uid", ""))
            if job is None:
                ctx.event(
                    cj, "Normal", "MissingJob", f"Active job went missing: {ref.get('name')}", component=NAME, now=now
                )
                continue
            done = finished(job)
            if done is not None:
                ctx.event(
                    cj,
                    "Normal",
                    "SawCompletedJob",
                    f"Saw completed job: {job['metadata']['name']}, condition: {done['type']}",
                    component=NAME,
                    now=now,
                )
                continue
            active.append(ref)
        listed = {ref.get("uid") for ref in active}
        for job in jobs:
            if (
                finished(job) is None
                and job["metadata"]["uid"] not in listed
                and not job["metadata"].get("deletionTimestamp")
            ):
                active.append(self._ref(job))
        for job in jobs:
            done = finished(job)
            if done is not None and done["type"] == "Complete":
                stamp = (job.get("status") or {}).get("completionTime") or done["lastTransitionTime"]
                if not status.get("lastSuccessfulTime") or parse_rfc3339(stamp) > parse_rfc3339(
                    status["lastSuccessfulTime"]
                ):
                    status["lastSuccessfulTime"] = stamp
        self._history(ctx, cj, jobs, now)
        status["active"] = active
        zone = zone_of(spec.get("timeZone"))
        if spec.get("timeZone") and zone is None:
            ctx.event(
                cj, "Warning", "UnknownTimeZone", f"invalid timeZone: {spec['timeZone']!r}", component=NAME, now=now
            )
            self._status(ctx, cj, status, now)
            return DONE
        if spec.get("suspend"):
            self._status(ctx, cj, status, now)
            return DONE
        schedule = spec["schedule"]
        last = status.get("lastScheduleTime") or cj["metadata"]["creationTimestamp"]
        earliest = parse_rfc3339(last)
        deadline = spec.get("startingDeadlineSeconds")
        if deadline is not None:
            earliest = max(earliest, now - deadline)
        scheduled, missed = most_recent(schedule, earliest, now, zone)
        following = next_run(schedule, now, zone)
        requeue = Result(requeue_after=max(following - now, 0.0))
        if scheduled is None:
            self._status(ctx, cj, status, now)
            return requeue
        if missed > MISSED_LIMIT:
            ctx.event(
                cj,
                "Warning",
                "TooManyMissedTimes",
                f"too many missed start times: {missed}. "
                "Set or decrease .spec.startingDeadlineSeconds or check clock skew",
                component=NAME,
                now=now,
            )
        if deadline is not None and scheduled + deadline < now:
            ctx.event(
                cj,
                "Warning",
                "MissSchedule",
                f"Missed scheduled time to start a job: {_zone_text(scheduled, zone)}",
                component=NAME,
                now=now,
            )
            self._status(ctx, cj, status, now)
            return requeue
        name = job_name(cj["metadata"]["name"], scheduled)
        if any(j["metadata"]["name"] == name for j in jobs) or (
            status.get("lastScheduleTime") and parse_rfc3339(status["lastScheduleTime"]) >= scheduled
        ):
            self._status(ctx, cj, status, now)
            return requeue
        policy = spec.get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and active:
            ctx.event(
                cj,
                "Normal",
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid",
                component=NAME,
                now=now,
            )
            self._status(ctx, cj, status, now)
            return requeue
        if policy == "Replace":
            for ref in active:
                job = by_uid.get(ref.get("uid", ""))
                if job is None:
                    continue
                ctx.api.delete(
                    "Job",
                    job["metadata"]["name"],
                    namespace=job["metadata"]["namespace"],
                    actor=NAME,
                    now=now,
                    propagation_policy="Background",
                )
                ctx.event(
                    cj, "Normal", "SuccessfulDelete", f"Deleted job {job['metadata']['name']}", component=NAME, now=now
                )
            active = []
        job = ctx.api.create(
            self._job_for(cj, name, scheduled, zone), namespace=cj["metadata"]["namespace"], actor=NAME, now=now
        )
        ctx.event(cj, "Normal", "SuccessfulCreate", f"Created job {name}", component=NAME, now=now)
        status["active"] = [*active, self._ref(job)]
        status["lastScheduleTime"] = rfc3339(scheduled)
        self._status(ctx, cj, status, now)
        return requeue

    def _job_for(self, cj: dict[str, Any], name: str, scheduled: float, zone: Any) -> dict[str, Any]:
        template = clone(cj["spec"].get("jobTemplate") or {})
        meta = template.get("metadata") or {}
        annotations = dict(meta.get("annotations") or {})
        annotations[SCHEDULED_TIMESTAMP] = _zone_text(scheduled, zone)
        metadata: dict[str, Any] = {"name": name, "annotations": annotations}
        if meta.get("labels"):
            metadata["labels"] = dict(meta["labels"])
        metadata["ownerReferences"] = [new_controller_ref(dict(cj, apiVersion="batch/v1", kind="CronJob"))]
        return {"apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "spec": template.get("spec") or {}}

    def _ref(self, job: dict[str, Any]) -> dict[str, Any]:
        meta = job["metadata"]
        return {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "name": meta["name"],
            "namespace": meta["namespace"],
            "uid": meta["uid"],
            "resourceVersion": meta.get("resourceVersion", ""),
        }

    def _history(self, ctx: Context, cj: dict[str, Any], jobs: list[dict[str, Any]], now: float) -> None:
        """Delete the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit."""
        for kind, limit_key in (("Complete", "successfulJobsHistoryLimit"), ("Failed", "failedJobsHistoryLimit")):
            limit = cj["spec"].get(limit_key)
            if limit is None:
                continue
            done = [
                j
                for j in jobs
                if (finished(j) or {}).get("type") == kind and not j["metadata"].get("deletionTimestamp")
            ]
            done.sort(
                key=lambda j: (
                    (j.get("status") or {}).get("startTime") or j["metadata"]["creationTimestamp"],
                    j["metadata"]["name"],
                )
            )
            for job in done[: max(0, len(done) - limit)]:
                ctx.api.delete(
                    "Job",
                    job["metadata"]["name"],
                    namespace=job["metadata"]["namespace"],
                    actor=NAME,
                    now=now,
                    propagation_policy="Background",
                )
                ctx.event(
                    cj, "Normal", "SuccessfulDelete", f"Deleted job {job['metadata']['name']}", component=NAME, now=now
                )

    def _status(self, ctx: Context, cj: dict[str, Any], status: dict[str, Any], now: float) -> None:
        if not status.get("active"):
            status.pop("active", None)
        if status == (cj.get("status") or {}):
            return
        current = ctx.store.get("CronJob", cj["metadata"]["namespace"], cj["metadata"]["name"]) or cj
        body = dict(clone(current), status=status)
        body.setdefault("apiVersion", "batch/v1")
        body.setdefault("kind", "CronJob")
        ctx.api.update_status(body, namespace=cj["metadata"]["namespace"], actor=NAME, now=now)


CONTROLLER = CronJobController()
