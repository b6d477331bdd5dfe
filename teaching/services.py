"""Writes of teaching: cohorts and memberships, deadlines and extensions, comments, an instructor's reset of a
learner's sandbox, bulk regrades, and the gradebook's live feed. `teaching` calls down into `lessons` and
`cluster_engine`; they learn about it only through the hooks `connect_hooks` registers."""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cluster_engine import access, engine, realtime
from cluster_engine import selectors as sandbox_selectors
from cluster_engine import services as sandbox_services
from cluster_engine.models import Sandbox, SandboxChange, SandboxCommand
from lessons import grader
from lessons import selectors as lesson_selectors
from lessons import services as lesson_services
from lessons.grader.reading import Command, Reading
from lessons.grader.vocabulary import EVERY_CHANGE
from lessons.models import Attempt, Exercise, ExerciseProgress, Lesson
from teaching import history, selectors
from teaching.models import AttemptComment, Cohort, Deadline, Extension, Membership, Regrade, new_invite_code

logger = logging.getLogger(__name__)

COHORT_TOPIC = "cohort"  # realtime.topic_group(COHORT_TOPIC, cohort id): a cohort's open gradebooks


# ------------------------------------------------------------------ hooks into the layers below

def _reads_sandbox(user: AbstractBaseUser, sandbox: Sandbox) -> bool:
    return selectors.teaches(user=user, learner_id=sandbox.owner_id)


def _lesson_order(learner: AbstractBaseUser) -> str | None:
    order = selectors.lesson_order_for(learner=learner)
    return {Cohort.LOCKED: lesson_selectors.LOCKED, Cohort.FREE: lesson_selectors.FREE}.get(order or "")


def connect_hooks() -> None:
    """Called once per process (TeachingConfig.ready): instructors read their cohorts' sandboxes (read-only),
    a cohort's lesson order overrides the lessons' own, and progress feeds the open gradebooks."""
    access.register_reader("teaching.instructors", _reads_sandbox)
    lesson_selectors.register_lesson_order_policy("teaching.cohorts", _lesson_order)
    lesson_services.progress_changed.connect(_progress_changed, dispatch_uid="teaching.gradebook")


# ------------------------------------------------------------------ cohorts

def cohort_create(*, owner: AbstractBaseUser, name: str, lesson_order: str = Cohort.COURSE) -> Cohort:
    """A new cohort run by `owner`, with a fresh invite code. Raises PermissionDenied unless `owner` teaches."""
    if not selectors.can_teach(owner):
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ValidationError(_("A cohort needs a name."))
    if lesson_order not in dict(Cohort.LESSON_ORDERS):
        raise ValidationError(_("Unknown lesson order."))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Cohort.objects.create(owner=owner, name=name[:200], lesson_order=lesson_order,
                                             invite_code=new_invite_code())
        except IntegrityError:
            continue  # the rare clash of two random codes: draw again
    raise ValidationError(_("Could not make an invite code; try again."))


def cohort_new_code(*, cohort: Cohort) -> Cohort:
    """Replace the invite code (the old link stops working; learners who joined stay)."""
    cohort.invite_code = new_invite_code()
    cohort.save(update_fields=["invite_code"])
    return cohort


def cohort_join(*, learner: AbstractBaseUser, code: str) -> tuple[Cohort, bool]:
    """Join the cohort whose invite code is `code` (case and spaces ignored). Returns it and whether the learner
    was new to it. Raises ValidationError for an unknown code."""
    cohort = selectors.cohort_by_code(code=code or "")
    if cohort is None:
        raise ValidationError(_("No cohort has this invite code. Check it with your instructor."))
    _membership, created = Membership.objects.get_or_create(cohort=cohort, learner=learner)
    return cohort, created


def cohort_leave(*, cohort: Cohort, learner: AbstractBaseUser) -> None:
    Membership.objects.filter(cohort=cohort, learner=learner).delete()


# ------------------------------------------------------------------ deadlines and extensions

def deadline_set(*, cohort: Cohort, lesson: Lesson, due_at: datetime | None) -> Deadline | None:
    """Set (or, with None, remove) the cohort's deadline for the lesson; extensions go with a removed one."""
    if due_at is None:
        Deadline.objects.filter(cohort=cohort, lesson=lesson).delete()
        return None
    deadline, _created = Deadline.objects.update_or_create(cohort=cohort, lesson=lesson,
                                                           defaults={"due_at": due_at})
    return deadline


def extension_grant(*, deadline: Deadline, learner: AbstractBaseUser, due_at: datetime,
                    granted_by: AbstractBaseUser) -> Extension:
    """Give one learner of the deadline's cohort a later deadline, recording who granted it and when (a new
    grant replaces the previous one). Raises ValidationError for someone outside the cohort or a date that is
    not later than the cohort's deadline."""
    if not Membership.objects.filter(cohort=deadline.cohort, learner=learner).exists():
        raise ValidationError(_("This learner is not in the cohort."))
    if due_at <= deadline.due_at:
        raise ValidationError(_("An extension ends after the cohort's deadline."))
    extension, _created = Extension.objects.update_or_create(
        deadline=deadline, learner=learner,
        defaults={"due_at": due_at, "granted_by": granted_by, "granted_at": timezone.now()})
    return extension


def extension_revoke(*, deadline: Deadline, learner: AbstractBaseUser) -> None:
    Extension.objects.filter(deadline=deadline, learner=learner).delete()


# ------------------------------------------------------------------ a learner's sandbox and attempts

def comment_add(*, attempt: Attempt, author: AbstractBaseUser, text: str) -> AttemptComment:
    """An instructor's comment on an attempt; the learner reads it on the lesson's page."""
    text = text.strip()
    if not text:
        raise ValidationError(_("Write something first."))
    return AttemptComment.objects.create(attempt=attempt, author=author, text=text[:4000])


def learner_sandbox_reset(*, sandbox: Sandbox) -> Sandbox:
    """Put a learner's sandbox back to its start for them: a lesson's or an exercise's scenario, or the
    playground. The learner's open pages see the reset as it happens."""
    slug = selectors.lesson_slug_of(sandbox.key)
    lesson = Lesson.objects.filter(slug=slug).first() if slug else None
    if lesson is not None:
        exercise_slug = sandbox.key.partition("/")[2]
        exercise = lesson.exercises.filter(slug=exercise_slug).first() if exercise_slug else None
        if exercise is not None:
            return lesson_services.exercise_reset(learner=sandbox.owner, exercise=exercise)
        return sandbox_services.sandbox_reset(sandbox=sandbox, scenario=lesson_services.scenario_for(lesson.scenario)
                                              or sandbox_services.playground_scenario())
    return sandbox_services.sandbox_reset(sandbox=sandbox)


def sandbox_history(*, sandbox: Sandbox) -> dict[str, Any]:
    """The recorded session of a sandbox for the replay page: where it starts (`base`), then its change log cut
    into steps (each a `batch` of docs/realtime.md), and the learner's commands with the resourceVersion each
    left. The last step ends at the sandbox's current resourceVersion."""
    current, cluster = sandbox_selectors.sandbox_with_engine(sandbox_id=sandbox.pk)
    log = _logged(current.pk)
    base = history.replay_base(_all_objects(cluster), log, history_from=current.history_from,
                               resource_version=current.resource_version)
    steps = []
    previous = base.resource_version
    for step in history.replay_steps(log):
        last = step[-1]
        steps.append({
            "previousResourceVersion": str(previous), "resourceVersion": str(last.resource_version),
            "time": engine.change_summary(0, last.sim_time, "", "", "", "", "", "", "")["time"],
            "events": [{"type": entry.type, "object": entry.object} for entry in step],
            "changes": [engine.change_summary(entry.resource_version, entry.sim_time, entry.type, entry.actor,
                                              entry.verb, entry.reason, entry.kind, entry.namespace, entry.name)
                        for entry in step]})
        previous = last.resource_version
    commands = [{"source": command.source, "text": command.text, "exit_code": command.exit_code,
                 "resource_version": command.resource_version, "at": command.created_at.isoformat()}
                for command in sandbox_selectors.sandbox_command_history(sandbox_id=current.pk)]
    return {"base": {"resourceVersion": str(base.resource_version), "objects": base.objects,
                     "time": steps[0]["time"] if steps else engine.sim_time_text(cluster), "exact": base.exact},
            "steps": steps, "resourceVersion": str(current.resource_version), "commands": commands}


def _all_objects(cluster: engine.Cluster) -> list[dict[str, Any]]:
    return engine.snapshot(cluster)["objects"]


def _logged(sandbox_id: Any) -> list[history.Logged]:
    return [history.Logged(row.resource_version, row.event_type, row.kind, row.namespace, row.name, row.sim_time,
                           row.actor, row.verb, row.reason, load_object=functools.partial(getattr, row, "object"))
            for row in SandboxChange.objects.filter(sandbox_id=sandbox_id).order_by("resource_version")]


# ------------------------------------------------------------------ regrading

# Checks that read what the change log does not record (components' state, simulated requests through
# kube-proxy, the scheduler's per-node verdicts): an attempt with any of them is regraded on the sandbox now.
def _reads_runtime(check: dict[str, Any]) -> bool:
    name = grader.check_type(check)
    spec = check.get(name) or {}
    return name in ("component", "http") or (name == "service" and bool(spec.get("reaches"))) or \
        (name == "trace" and "rejected" in spec)


class _PastReading(Reading):
    """A reading of a sandbox as it stood at an earlier resourceVersion: the objects rebuilt from the change log
    (`history.objects_at`), the change log and the commands up to that moment."""

    def __init__(self, cluster: engine.Cluster, objects: dict[history.Key, dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(cluster, **kwargs)
        self._past: dict[str, list[dict[str, Any]]] = {}
        for (kind, _namespace, _name), obj in sorted(objects.items()):
            self._past.setdefault(kind, []).append(obj)

    def objects(self, kind: str, namespace: str | None = None) -> list[dict[str, Any]]:
        return [obj for obj in self._past.get(kind, ())
                if namespace is None or (obj.get("metadata") or {}).get("namespace", "") == namespace]

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        scope = namespace if engine.kind_is_namespaced(kind) else ""
        return next((obj for obj in self._past.get(kind, ()) if (obj.get("metadata") or {}).get("name") == name
                     and ((obj.get("metadata") or {}).get("namespace") or "") == scope), None)


def _past_reading(*, attempt: Attempt, sandbox: Sandbox, cluster: engine.Cluster, log: list[history.Logged],
                  checks: list[dict[str, Any]]) -> Reading | None:
    """The reading `attempt` had, rebuilt, or None when it cannot be (see `history.objects_at`)."""
    if any(_reads_runtime(check) for check in checks):
        return None
    kinds = grader.kinds_read_by([check for check in checks if grader.check_type(check) != "command"])
    objects = history.objects_at(_all_objects(cluster), log, attempt.resource_version,
                                 history_from=sandbox.history_from,
                                 kinds=None if EVERY_CHANGE in kinds else kinds)
    if objects is None:
        return None
    changes_of = lesson_services.change_source(sandbox.pk)

    def commands_of() -> list[Command]:
        rows = SandboxCommand.objects.filter(sandbox_id=sandbox.pk, created_at__lte=attempt.created_at).order_by("id")
        return [Command(row.source, row.text, row.exit_code) for row in rows]

    return _PastReading(cluster, objects, learner=lesson_services.learner_actor(sandbox.owner),
                        resource_version=attempt.resource_version, changes_of=changes_of, commands_of=commands_of)


AT_VERSION, ON_CURRENT, SKIPPED = "at-version", "current", "skipped"


@transaction.atomic
def attempts_regrade(*, exercise: Exercise, by: AbstractBaseUser | None, cohort: Cohort | None = None) -> Regrade:
    """Re-evaluate the exercise's stored attempts (of the cohort's learners, or of everyone) with its checks as
    they are now, and update each attempt and its learner's progress (best score, first pass, failures in a row).

    Each attempt is evaluated on its sandbox as it stood at the attempt's recorded resourceVersion when that can
    be rebuilt from the change log (`history.objects_at`: nothing reset or pruned since, every later change
    undoable, and no check reading runtime state the log does not keep); otherwise on the sandbox as it is now.
    Attempts whose sandbox is gone are left as they were. The regrade is recorded with, per attempt, the basis
    and the score before and after."""
    attempts = Attempt.objects.filter(exercise=exercise).select_related("learner").order_by("created_at", "id")
    if cohort is not None:
        attempts = attempts.filter(learner__memberships__cohort=cohort)
    attempts = list(attempts)
    checks = exercise.checks
    regrade = Regrade(exercise=exercise, cohort=cohort, by=by, attempts=len(attempts))
    loaded: dict[Any, tuple[Sandbox, engine.Cluster, list[history.Logged]] | None] = {}
    details = []
    for attempt in attempts:
        if attempt.sandbox_id not in loaded:
            try:
                sandbox, cluster = sandbox_selectors.sandbox_with_engine(sandbox_id=attempt.sandbox_id)
                loaded[attempt.sandbox_id] = (sandbox, cluster, _logged(sandbox.pk))
            except Sandbox.DoesNotExist:
                loaded[attempt.sandbox_id] = None
        found = loaded[attempt.sandbox_id]
        if found is None:
            regrade.skipped += 1
            details.append({"attempt": attempt.pk, "basis": SKIPPED})
            continue
        sandbox, cluster, log = found
        reading = _past_reading(attempt=attempt, sandbox=sandbox, cluster=cluster, log=log, checks=checks)
        basis = AT_VERSION if reading is not None else ON_CURRENT
        if reading is None:
            reading = Reading(cluster, learner=lesson_services.learner_actor(sandbox.owner),
                              resource_version=sandbox.resource_version,
                              changes_of=lesson_services.change_source(sandbox.pk),
                              commands_of=lesson_services.command_source(sandbox.pk))
        evaluation = grader.evaluate(checks, reading)
        before = {"score": attempt.score, "max_score": attempt.max_score, "passed": attempt.passed}
        after = {"score": evaluation.score, "max_score": evaluation.max_score, "passed": evaluation.passed}
        results = [result.to_json() for result in evaluation.results]
        changed = before != after or [(r["id"], r["passed"]) for r in attempt.results] != \
            [(r["id"], r["passed"]) for r in results]
        if changed:
            regrade.changed += 1
            Attempt.objects.filter(pk=attempt.pk).update(score=evaluation.score, max_score=evaluation.max_score,
                                                         passed=evaluation.passed, results=results)
        if basis == AT_VERSION:
            regrade.at_version += 1
        else:
            regrade.on_current += 1
        details.append({"attempt": attempt.pk, "learner": attempt.learner.get_username(), "basis": basis,
                        "before": before, "after": after, "changed": changed})
    regrade.details = details
    regrade.save()
    learners = {attempt.learner_id: attempt.learner for attempt in attempts}
    for learner in learners.values():
        progress_recompute(learner=learner, exercise=exercise)
    transaction.on_commit(lambda: [lesson_services.progress_changed.send(
        sender=Regrade, learner=learner, lesson=exercise.lesson, exercise=exercise, attempt=None)
        for learner in learners.values()])
    return regrade


def regrade_summary(regrade: Regrade) -> str:
    """The regrade in one sentence of the active language."""
    return _("%(exercise)s regraded. Attempts: %(attempts)s, changed: %(changed)s (at their own version: "
             "%(at_version)s, on the sandbox as it is now: %(on_current)s, without a sandbox: %(skipped)s).") % {
        "exercise": regrade.exercise, "attempts": regrade.attempts, "changed": regrade.changed,
        "at_version": regrade.at_version, "on_current": regrade.on_current, "skipped": regrade.skipped}


def progress_recompute(*, learner: AbstractBaseUser, exercise: Exercise) -> None:
    """The learner's progress on the exercise from their stored attempts (after a regrade): best score, maximum,
    the first passing attempt's time and the failures in a row at the end. Time spent and the attempt count
    are kept."""
    attempts = list(Attempt.objects.filter(learner=learner, exercise=exercise).order_by("created_at", "id")
                    .only("passed", "score", "created_at"))
    progress = ExerciseProgress.objects.select_for_update().filter(learner=learner, exercise=exercise).first()
    if progress is None:
        return
    progress.best_score = max((attempt.score for attempt in attempts), default=0)
    progress.max_score = exercise.max_score
    progress.first_passed_at = next((attempt.created_at for attempt in attempts if attempt.passed), None)
    in_a_row = 0
    for attempt in reversed(attempts):
        if attempt.passed:
            break
        in_a_row += 1
    progress.failed_attempts_in_a_row = in_a_row
    progress.save(update_fields=["best_score", "max_score", "first_passed_at", "failed_attempts_in_a_row"])


# ------------------------------------------------------------------ the gradebook's live feed

def _progress_changed(sender: Any, *, learner: AbstractBaseUser, lesson: Lesson, exercise: Exercise | None,
                      **_kwargs: Any) -> None:
    """After a graded attempt, an opened exercise, a quiz or a regrade: send the learner's new row and the
    lesson's summary to each of their cohorts' open gradebooks. One query for a learner in no cohort."""
    try:
        cohorts = list(Cohort.objects.filter(memberships__learner=learner))
        for cohort in cohorts:
            realtime.publish_to_topic(COHORT_TOPIC, cohort.pk, {"type": "cohort.progress",
                                                                "progress": progress_message(cohort=cohort,
                                                                                             learner=learner,
                                                                                             lesson=lesson)})
    except Exception:
        # The learner's own request must not fail because a gradebook could not be told.
        logger.exception("could not publish progress of %s to their cohorts", learner)


def progress_message(*, cohort: Cohort, learner: AbstractBaseUser, lesson: Lesson) -> dict[str, Any]:
    """The gradebook's `progress` message (docs/teaching.md): one learner's row, and the summary of the lesson
    that moved. Texts in both languages are not needed: it carries numbers and ids only."""
    book = selectors.gradebook(cohort=cohort, learners=[learner])
    row = book.rows[0].to_json() if book.rows else None
    summary = next((item.to_json() for item in book.lessons if item.lesson.pk == lesson.pk), None)
    if summary is not None:
        summary.pop("exercises")
        summary.pop("title")
    return {"learner": row, "lesson": summary}
