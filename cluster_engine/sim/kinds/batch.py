"""The batch/v1 kinds Job and CronJob: registration, defaulting (`pkg/apis/batch/v1/defaults.go`),
validation (`pkg/apis/batch/validation`) and the Job strategy's generated selector."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from cluster_engine.sim.errors import Cause
from cluster_engine.sim.objects import Kind, register
from cluster_engine.sim.selectors import selector_from_object
from cluster_engine.sim.util import Draws
from cluster_engine.sim.validation import (
    dns1123_subdomain,
    forbidden,
    invalid,
    not_supported,
    required,
    validate_labels,
    validate_metadata,
    validate_metadata_update,
    validate_pod,
)

from .apps import default_pod_template, go_label_selector

DEFAULT_BACKOFF_LIMIT = 6
CONTROLLER_UID = "batch.kubernetes.io/controller-uid"
JOB_NAME = "batch.kubernetes.io/job-name"
LEGACY_CONTROLLER_UID = "controller-uid"
LEGACY_JOB_NAME = "job-name"
COMPLETION_MODES = ["NonIndexed", "Indexed"]
CONCURRENCY_POLICIES = ["Allow", "Forbid", "Replace"]
JOB_RESTART_POLICIES = ["OnFailure", "Never"]
# a CronJob's Jobs are `<name>-<8+ digits>`: the name leaves room for the suffix within 63 characters
CRONJOB_NAME_MAX = 52
DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


class _Raw:
    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


# --- cron schedules -------------------------------------------------------------------------------------
def schedule_error(schedule: str) -> str | None:
    """Why a CronJob schedule does not parse (robfig/cron's standard parser wording), or None."""
    text = schedule.strip()
    if re.match(r"^\s*(CRON_)?TZ=", schedule):
        return "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
    if text.startswith("@"):
        return None if text in DESCRIPTORS else f"unrecognized descriptor: {text}"
    fields = text.split()
    if len(fields) != 5:
        return f"Expected exactly 5 fields, found {len(fields)}: {text}"
    if not croniter.is_valid(text):
        return f"failed to parse schedule: {text}"
    return None


def zone_of(name: str | None) -> ZoneInfo | None:
    """The time zone of `spec.timeZone` (None means the controller manager's, which is UTC here)."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def next_run(schedule: str, after: float, zone: ZoneInfo | None) -> float:
    """The first scheduled time strictly after `after` (seconds since the epoch)."""
    expression = {"@annually": "@yearly", "@midnight": "@daily"}.get(schedule.strip(), schedule.strip())
    start = datetime.fromtimestamp(after, tz=zone or UTC)
    return float(croniter(expression, start).get_next(float))


# --- Job -------------------------------------------------------------------------------------------------
def default_job_spec(spec: dict[str, Any]) -> None:
    default_pod_template(spec.setdefault("template", {}))


def default_job(obj: dict[str, Any]) -> None:
    """SetDefaults_Job: completions and parallelism 1 when both are unset, backoffLimit 6, NonIndexed,
    not suspended, pods replaced once terminating or failed, no manual selector."""
    spec = obj.setdefault("spec", {})
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", DEFAULT_BACKOFF_LIMIT)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "Failed" if spec.get("podFailurePolicy") else "TerminatingOrFailed")
    spec.setdefault("manualSelector", False)
    default_job_spec(spec)


def _validate_job_spec(spec: dict[str, Any], namespace: str, path: str) -> list[Cause]:
    causes: list[Cause] = []
    for key in ("parallelism", "completions", "backoffLimit", "ttlSecondsAfterFinished"):
        value = spec.get(key)
        if isinstance(value, int) and value < 0:
            causes.append(invalid(f"{path}.{key}", value, "must be greater than or equal to 0"))
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and deadline <= 0:
        causes.append(invalid(f"{path}.activeDeadlineSeconds", deadline, "must be greater than 0"))
    mode = spec.get("completionMode", "NonIndexed")
    if mode not in COMPLETION_MODES:
        causes.append(not_supported(f"{path}.completionMode", mode, COMPLETION_MODES))
    elif mode == "Indexed" and spec.get("completions") is None:
        causes.append(required(f"{path}.completions", "when completion mode is Indexed"))
    template = spec.get("template") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    shell = {"metadata": {"name": "template", "namespace": namespace or "default", "labels": labels}, "spec": {}}
    shell["spec"] = template.get("spec") or {}
    for cause in validate_pod(shell, None):
        if cause.field.startswith(("metadata.labels", "spec")):
            causes.append(Cause(cause.reason, cause.message, f"{path}.template.{cause.field}"))
    policy = (template.get("spec") or {}).get("restartPolicy", "Always")
    if policy not in JOB_RESTART_POLICIES:
        causes.append(not_supported(f"{path}.template.spec.restartPolicy", policy, JOB_RESTART_POLICIES))
    return causes


def validate_job(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateJob / ValidateJobUpdate (the selector itself is checked once generated, in `admit_job`)."""
    causes = validate_metadata(obj, dns1123_subdomain, True)
    spec = obj.get("spec") or {}
    causes += _validate_job_spec(spec, obj["metadata"].get("namespace", ""), "spec")
    if spec.get("manualSelector") and not spec.get("selector"):
        causes.append(required("spec.selector"))
    if old is not None:
        causes += validate_metadata_update(obj, old)
        old_spec = old.get("spec") or {}
        for key in ("completions", "completionMode", "podFailurePolicy", "backoffLimitPerIndex"):
            if spec.get(key) != old_spec.get(key):
                causes.append(invalid(f"spec.{key}", spec.get(key), "field is immutable"))
        if spec.get("selector") is not None and spec.get("selector") != old_spec.get("selector"):
            causes.append(invalid("spec.selector", _Raw(go_label_selector(spec.get("selector"))), "field is immutable"))
        template, old_template = spec.get("template") or {}, old_spec.get("template") or {}
        if template != old_template and not old_spec.get("suspend"):
            causes.append(invalid("spec.template", _Raw("core.PodTemplateSpec{...}"), "field is immutable"))
    return causes


def admit_job(obj: dict[str, Any], old: dict[str, Any] | None, _store: Any, _draws: Draws) -> list[Cause]:
    """The Job strategy's `generateSelector`: unless `manualSelector`, the selector is the Job's uid and
    the template carries the uid and name labels; then the selector must match the template labels."""
    spec = obj["spec"]
    meta = obj["metadata"]
    template_meta = spec.setdefault("template", {}).setdefault("metadata", {})
    if old is not None:
        old_spec = old.get("spec") or {}
        if spec.get("selector") is None and old_spec.get("selector") is not None:
            spec["selector"] = old_spec["selector"]
        old_labels = (old_spec.get("template") or {}).get("metadata", {}).get("labels") or {}
        if not spec.get("manualSelector"):
            labels = template_meta.setdefault("labels", {})
            for key in (CONTROLLER_UID, JOB_NAME, LEGACY_CONTROLLER_UID, LEGACY_JOB_NAME):
                if key in old_labels:
                    labels.setdefault(key, old_labels[key])
    elif not spec.get("manualSelector"):
        uid, name = meta["uid"], meta["name"]
        labels = template_meta.setdefault("labels", {})
        labels.update({CONTROLLER_UID: uid, JOB_NAME: name, LEGACY_CONTROLLER_UID: uid, LEGACY_JOB_NAME: name})
        spec["selector"] = {"matchLabels": {CONTROLLER_UID: uid}}
    selector = spec.get("selector")
    causes = validate_labels((selector or {}).get("matchLabels"), "spec.selector.matchLabels")
    if selector is not None and not causes:
        labels = template_meta.get("labels") or {}
        if not selector_from_object(selector).matches(labels):
            causes.append(
                invalid(
                    "spec.template.metadata.labels", _Raw(repr(labels)), "`selector` does not match template `labels`"
                )
            )
    return causes


# --- CronJob ----------------------------------------------------------------------------------------------
def default_cronjob(obj: dict[str, Any]) -> None:
    """SetDefaults_CronJob: Allow, not suspended, keep 3 successful and 1 failed Job."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    default_job_spec(spec.setdefault("jobTemplate", {}).setdefault("spec", {}))


def validate_cronjob(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateCronJobCreate / Update: name length, schedule, time zone, policy, limits, job template."""
    causes = validate_metadata(obj, dns1123_subdomain, True)
    name = obj["metadata"].get("name", "")
    if len(name) > CRONJOB_NAME_MAX:
        causes.append(invalid("metadata.name", name, f"must be no more than {CRONJOB_NAME_MAX} characters"))
    spec = obj.get("spec") or {}
    schedule = spec.get("schedule", "")
    if not schedule:
        causes.append(required("spec.schedule"))
    else:
        problem = schedule_error(schedule)
        if problem:
            causes.append(invalid("spec.schedule", schedule, problem))
    zone = spec.get("timeZone")
    if zone is not None and (zone_of(zone) is None or zone.strip() != zone or zone == ""):
        causes.append(invalid("spec.timeZone", zone, f"unknown time zone {zone}"))
    policy = spec.get("concurrencyPolicy", "Allow")
    if policy not in CONCURRENCY_POLICIES:
        causes.append(not_supported("spec.concurrencyPolicy", policy, CONCURRENCY_POLICIES))
    for key in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        value = spec.get(key)
        if isinstance(value, int) and value < 0:
            causes.append(invalid(f"spec.{key}", value, "must be greater than or equal to 0"))
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    causes += _validate_job_spec(job_spec, obj["metadata"].get("namespace", ""), "spec.jobTemplate.spec")
    if job_spec.get("manualSelector") and not job_spec.get("selector"):
        causes.append(required("spec.jobTemplate.spec.selector"))
    if job_spec.get("selector") is not None and not job_spec.get("manualSelector"):
        causes.append(forbidden("spec.jobTemplate.spec.selector", "`selector` will be auto-generated"))
    if old is not None:
        causes += validate_metadata_update(obj, old)
    return causes


# --- registration -------------------------------------------------------------------------------------
JOB = register(
    Kind(
        "Job",
        "jobs",
        "job",
        group="batch",
        categories=("all",),
        validate=validate_job,
        default=default_job,
        admit=admit_job,
        tracks_generation=True,
    )
)
CRONJOB = register(
    Kind(
        "CronJob",
        "cronjobs",
        "cronjob",
        group="batch",
        short_names=("cj",),
        categories=("all",),
        validate=validate_cronjob,
        default=default_cronjob,
        tracks_generation=True,
    )
)
