"""The Job controller (`pkg/controller/job`) and the TTL-after-finished controller
(`pkg/controller/ttlafterfinished`).

A Job runs pods until `completions` succeed (NonIndexed) or every index 0..completions-1 has a
succeeded pod (Indexed), at most `parallelism` at a time. Failed pods are replaced after the pod
failure back-off; more than `backoffLimit` failures, or running longer than `activeDeadlineSeconds`,
fails the Job (its running pods are deleted). Finished Jobs get `SuccessCriteriaMet` + `Complete` or
`FailureTarget` + `Failed` conditions, as 1.32 writes them.

Simplification: pods carry no `batch.kubernetes.io/job-tracking` finalizer; the counts come from the
Job's pods that still exist and never decrease. A pod deleted before it succeeded counts as failed only once
the Job is failing (upstream counts every such pod).
"""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.conditions import condition_of, find_condition, is_ready, set_condition
from cluster_engine.sim.errors import Status
from cluster_engine.sim.kinds.batch import CONTROLLER_UID, JOB_NAME, LEGACY_CONTROLLER_UID, LEGACY_JOB_NAME
from cluster_engine.sim.util import clone, parse_rfc3339, rfc3339

from . import DONE, Context, Result, controller_ref, new_controller_ref, split_key

NAME = "job-controller"
TTL_NAME = "ttl-after-finished-controller"
INDEX = "batch.kubernetes.io/job-completion-index"
# The pod failure back-off: 10 s doubling per failure. Capped at 10 minutes as the source does
# (pkg/controller/job/job_controller.go: DefaultJobPodFailureBackOff = 10s, MaxJobPodFailureBackOff
# = 10 * time.Minute); the documentation's "capped at six minutes" describes an older controller.
BACKOFF_BASE = 10.0
BACKOFF_MAX = 600.0
BACKOFF_LIMIT_MESSAGE = "Job has reached the specified backoff limit"
DEADLINE_MESSAGE = "Job was active longer than specified deadline"
COMPLETIONS_MESSAGE = "Reached expected number of succeeded pods"


def condition(job: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """The Job's condition of type `kind` when it is True, else None."""
    entry = condition_of(job, kind)
    return entry if entry is not None and entry.get("status") == "True" else None


def finished(job: dict[str, Any]) -> dict[str, Any] | None:
    """The Job's True `Complete` or `Failed` condition, if it has finished."""
    return condition(job, "Complete") or condition(job, "Failed")


def backoff_delay(failures: int) -> float:
    """Seconds before a new pod after `failures` failed ones: 10 s, 20 s, 40 s, ... at most 10 min."""
    if failures <= 0:
        return 0.0
    return min(BACKOFF_MAX, BACKOFF_BASE * 2 ** min(failures - 1, 30))


def format_indexes(indexes: set[int]) -> str:
    """`0-2,4`: the compressed interval list of `status.completedIndexes`."""
    parts = []
    ordered = sorted(indexes)
    start = prev = None
    for value in [*ordered, None]:
        if value is not None and prev is not None and value == prev + 1:
            prev = value
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = value
    return ",".join(parts)


def _index(pod: dict[str, Any]) -> int | None:
    text = (pod["metadata"].get("annotations") or {}).get(INDEX)
    return int(text) if text is not None and text.isdigit() else None


def _finished_at(pod: dict[str, Any]) -> float:
    latest = 0.0
    for entry in (pod.get("status") or {}).get("containerStatuses") or ():
        ended = (entry.get("state") or {}).get("terminated") or (entry.get("lastState") or {}).get("terminated")
        if ended and ended.get("finishedAt"):
            latest = max(latest, parse_rfc3339(ended["finishedAt"]))
    return latest or parse_rfc3339(pod["metadata"]["creationTimestamp"])


def owned(ctx: Context, owner: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """Objects of `kind` whose controller reference is `owner` (by uid), sorted by name."""
    uid = owner["metadata"]["uid"]
    found = []
    for dep_kind, namespace, name in ctx.store.dependents.get(uid, ()):
        if dep_kind != kind:
            continue
        obj = ctx.store.get(kind, namespace, name)
        ref = controller_ref(obj) if obj is not None else None
        if obj is not None and ref is not None and ref.get("uid") == uid:
            found.append(obj)
    return sorted(found, key=lambda o: o["metadata"]["name"])


class JobController:
    """`job-controller`."""

    name = NAME
    kinds_watched = ("Job", "Pod")

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        if kind == "Job":
            return [f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"]
        ref = controller_ref(obj)
        if ref is None or ref.get("kind") != "Job":
            return []
        return [f"{obj['metadata']['namespace']}/{ref['name']}"]

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        namespace, name = split_key(key)
        job = ctx.store.get("Job", namespace, name)
        if job is None or job["metadata"].get("deletionTimestamp"):
            return DONE
        try:
            return self._sync(ctx, job, now)
        except Status:
            return DONE

    def _sync(self, ctx: Context, job: dict[str, Any], now: float) -> Result:
        spec = job["spec"]
        old_status = job.get("status") or {}
        status = clone(old_status)
        pods = owned(ctx, job, "Pod")
        if finished(job):
            self._status(ctx, job, self._counts(job, pods, status), now)
            return DONE
        indexed = spec.get("completionMode") == "Indexed"
        active = [p for p in pods if not _terminal(p) and not p["metadata"].get("deletionTimestamp")]
        succeeded = [p for p in pods if p.get("status", {}).get("phase") == "Succeeded"]
        failed = [p for p in pods if p.get("status", {}).get("phase") == "Failed"]
        status = self._counts(job, pods, status)
        if spec.get("suspend"):
            for pod in active:
                self._delete_pod(ctx, job, pod, now)
            self._set_condition(status, "Suspended", "JobSuspended", "Job suspended", now)
            status.pop("startTime", None)
            self._status(ctx, job, status, now)
            return DONE
        if condition({"status": status}, "Suspended"):
            self._set_condition(status, "Suspended", "JobResumed", "Job resumed", now, value="False")
        status.setdefault("startTime", rfc3339(now))
        started = parse_rfc3339(status["startTime"])
        restarts = sum(
            c.get("restartCount", 0) for p in active for c in (p.get("status") or {}).get("containerStatuses") or ()
        )
        limit = spec.get("backoffLimit", 6)
        # exceedsBackoffLimit counts failed pods; pastBackoffLimitOnFailure the restarts of the running ones
        # (pkg/controller/job/job_controller.go)
        on_failure = spec["template"]["spec"].get("restartPolicy") == "OnFailure"
        past_limit = status.get("failed", 0) > limit or (on_failure and (restarts >= limit if limit else restarts > 0))
        deadline = spec.get("activeDeadlineSeconds")
        completions = spec.get("completions")
        done_indexes = {i for p in succeeded if (i := _index(p)) is not None}
        if indexed:
            complete = completions is not None and done_indexes >= set(range(completions))
        elif completions is not None:
            complete = status.get("succeeded", 0) >= completions
        else:
            complete = status.get("succeeded", 0) > 0 and not active
        reason = message = ""
        target = condition(job, "FailureTarget")
        if target is not None:
            # the failure is decided (syncJob turns an existing FailureTarget into the finished condition): the
            # Job only stops its pods and becomes Failed, however few failures its remaining pods now show
            reason, message = target.get("reason", ""), target.get("message", "")
        elif not complete and past_limit:
            reason, message = "BackoffLimitExceeded", BACKOFF_LIMIT_MESSAGE
        elif not complete and deadline is not None and now >= started + deadline:
            reason, message = "DeadlineExceeded", DEADLINE_MESSAGE
        if reason:
            for pod in active:
                self._delete_pod(ctx, job, pod, now)
            if not condition({"status": status}, "FailureTarget"):
                self._set_condition(status, "FailureTarget", reason, message, now)
                ctx.event(job, "Warning", reason, message, component=NAME, now=now)
            if not any(not _terminal(p) and not p["metadata"].get("deletionTimestamp") for p in active):
                self._set_condition(status, "Failed", reason, message, now)
            self._status(ctx, job, self._counts(job, owned(ctx, job, "Pod"), status), now)
            return DONE
        if complete:
            for pod in active:
                self._delete_pod(ctx, job, pod, now)
            self._set_condition(status, "SuccessCriteriaMet", "CompletionsReached", COMPLETIONS_MESSAGE, now)
            self._set_condition(status, "Complete", "CompletionsReached", COMPLETIONS_MESSAGE, now)
            status["completionTime"] = rfc3339(now)
            ctx.event(job, "Normal", "Completed", "Job completed", component=NAME, now=now)
            self._status(ctx, job, self._counts(job, owned(ctx, job, "Pod"), status), now)
            return DONE
        # new pods wait out the back-off that the latest failure started
        backoff_due = None
        if failed:
            due = max(_finished_at(p) for p in failed) + backoff_delay(status.get("failed", 0))
            backoff_due = due if due > now else None
        if backoff_due is None:
            self._create_pods(ctx, job=job, active=active, done_indexes=done_indexes, status=status, now=now)
        self._status(ctx, job, self._counts(job, owned(ctx, job, "Pod"), status), now)
        wake = [started + deadline if deadline is not None else None, backoff_due]
        upcoming = [w for w in wake if w is not None and w > now]
        return Result(requeue_after=min(upcoming) - now) if upcoming else DONE

    def _create_pods(
        self,
        ctx: Context,
        *,
        job: dict[str, Any],
        active: list[dict[str, Any]],
        done_indexes: set[int],
        status: dict[str, Any],
        now: float,
    ) -> None:
        spec = job["spec"]
        parallelism = spec.get("parallelism", 1)
        completions = spec.get("completions")
        if spec.get("completionMode") == "Indexed":
            running = {_index(p) for p in active}
            todo = [i for i in range(completions or 0) if i not in done_indexes and i not in running]
            wanted: list[int | None] = list(todo[: max(0, parallelism - len(active))])
        else:
            if completions is None:
                count = 0 if status.get("succeeded", 0) else parallelism - len(active)
            else:
                count = min(parallelism, completions - status.get("succeeded", 0)) - len(active)
            wanted = [None] * max(0, count)
        for index in wanted:
            pod = ctx.api.create(self._pod_for(job, index), namespace=job["metadata"]["namespace"], actor=NAME, now=now)
            ctx.event(
                job, "Normal", "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}", component=NAME, now=now
            )

    def _pod_for(self, job: dict[str, Any], index: int | None) -> dict[str, Any]:
        template = clone(job["spec"]["template"])
        meta = template.get("metadata") or {}
        name = job["metadata"]["name"]
        labels = dict(meta.get("labels") or {})
        uid = job["metadata"]["uid"]
        labels.setdefault(CONTROLLER_UID, uid)
        labels.setdefault(JOB_NAME, name)
        labels.setdefault(LEGACY_CONTROLLER_UID, uid)
        labels.setdefault(LEGACY_JOB_NAME, name)
        annotations = dict(meta.get("annotations") or {})
        pod_spec = template["spec"]
        generate = f"{name}-"
        if index is not None:
            annotations[INDEX] = str(index)
            labels[INDEX] = str(index)
            generate = f"{name}-{index}-"
            pod_spec.setdefault("hostname", f"{name}-{index}")
            for container in pod_spec.get("containers") or []:
                env = [e for e in container.get("env") or [] if e.get("name") != "JOB_COMPLETION_INDEX"]
                env.append(
                    {
                        "name": "JOB_COMPLETION_INDEX",
                        "valueFrom": {"fieldRef": {"fieldPath": f"metadata.annotations['{INDEX}']"}},
                    }
                )
                container["env"] = env
        metadata: dict[str, Any] = {"generateName": generate, "labels": labels}
        if annotations:
            metadata["annotations"] = annotations
        metadata["ownerReferences"] = [new_controller_ref(dict(job, apiVersion="batch/v1", kind="Job"))]
        return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": pod_spec}

    def _delete_pod(self, ctx: Context, job: dict[str, Any], pod: dict[str, Any], now: float) -> None:
        ctx.api.delete("Pod", pod["metadata"]["name"], namespace=pod["metadata"]["namespace"], actor=NAME, now=now)
        ctx.event(job, "Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}", component=NAME, now=now)

    def _counts(self, job: dict[str, Any], pods: list[dict[str, Any]], status: dict[str, Any]) -> dict[str, Any]:
        """active, ready, terminating, succeeded, failed (never decreasing), completedIndexes."""
        active = [p for p in pods if not _terminal(p) and not p["metadata"].get("deletionTimestamp")]
        status["active"] = len(active)
        status["ready"] = sum(1 for p in active if is_ready(p))
        status["terminating"] = sum(1 for p in pods if p["metadata"].get("deletionTimestamp") and not _terminal(p))
        succeeded = [p for p in pods if p.get("status", {}).get("phase") == "Succeeded"]
        if job["spec"].get("completionMode") == "Indexed":
            indexes = {i for p in succeeded if (i := _index(p)) is not None}
            previous = _parse_indexes(status.get("completedIndexes", ""))
            indexes |= previous
            status["completedIndexes"] = format_indexes(indexes)
            if not status["completedIndexes"]:
                status.pop("completedIndexes")
            status["succeeded"] = max(status.get("succeeded", 0), len(indexes))
        else:
            status["succeeded"] = max(status.get("succeeded", 0), len(succeeded))
        failing = condition(job, "FailureTarget") is not None or condition({"status": status}, "FailureTarget")
        # isPodFailed: a pod deleted before it succeeded counts as failed; here only once the Job is failing (the
        # pods it stops then, such as an OnFailure pod whose restarts went over the limit)
        failed = sum(1 for p in pods if p.get("status", {}).get("phase") == "Failed" or (
            failing and p["metadata"].get("deletionTimestamp") and p.get("status", {}).get("phase") != "Succeeded"))
        status["failed"] = max(status.get("failed", 0), failed)
        for key in ("active", "succeeded", "failed", "terminating"):
            if not status[key] and key != "terminating":
                status.pop(key)
        status["uncountedTerminatedPods"] = {}
        return status

    def _set_condition(
        self, status: dict[str, Any], kind: str, reason: str, message: str, now: float, *, value: str = "True"
    ) -> None:
        current = find_condition(status, kind)
        if current is not None and current["status"] == value:
            return  # an unchanged status leaves the condition as it was, times and words
        stamp = rfc3339(now)
        set_condition(
            status,
            {
                "type": kind,
                "status": value,
                "lastProbeTime": stamp,
                "lastTransitionTime": stamp,
                "reason": reason,
                "message": message,
            },
        )

    def _status(self, ctx: Context, job: dict[str, Any], status: dict[str, Any], now: float) -> None:
        if status == (job.get("status") or {}):
            return
        current = ctx.store.get("Job", job["metadata"]["namespace"], job["metadata"]["name"]) or job
        body = dict(clone(current), status=status)
        body.setdefault("apiVersion", "batch/v1")
        body.setdefault("kind", "Job")
        ctx.api.update_status(body, namespace=job["metadata"]["namespace"], actor=NAME, now=now)


def _terminal(pod: dict[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def _parse_indexes(text: str) -> set[int]:
    found: set[int] = set()
    for part in filter(None, text.split(",")):
        low, _, high = part.partition("-")
        found.update(range(int(low), int(high or low) + 1))
    return found


class TTLAfterFinishedController:
    """`ttl-after-finished-controller`: deletes a finished Job (and, in the background, its pods)
    `ttlSecondsAfterFinished` seconds after its Complete or Failed condition."""

    name = TTL_NAME
    kinds_watched = ("Job",)

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        if obj["spec"].get("ttlSecondsAfterFinished") is None or not finished(obj):
            return []
        return [f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"]

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        namespace, name = split_key(key)
        job = ctx.store.get("Job", namespace, name)
        if job is None or job["metadata"].get("deletionTimestamp"):
            return DONE
        ttl = job["spec"].get("ttlSecondsAfterFinished")
        done = finished(job)
        if ttl is None or done is None:
            return DONE
        expires = parse_rfc3339(done["lastTransitionTime"]) + ttl
        if now < expires:
            return Result(requeue_after=expires - now)
        try:
            ctx.api.delete(
                "Job",
                name,
                namespace=namespace,
                actor=TTL_NAME,
                now=now,
                propagation_policy="Background",
                preconditions={"uid": job["metadata"]["uid"]},
            )
        except Status:
            return DONE
        return DONE


CONTROLLER = JobController()
TTL_CONTROLLER = TTLAfterFinishedController()
