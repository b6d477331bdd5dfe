"""Reads of teaching: who teaches whom, the gradebook, per-check statistics, who is stuck, a learner's timeline.

Every read for an instructor goes through `cohort_for_instructor`: an instructor sees only the cohorts they run
(and those cohorts' learners), staff see every cohort; a learner sees only the cohorts they joined.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from cluster_engine.models import Sandbox, SandboxCommand
from frontend.roles import is_instructor
from lessons.models import Attempt, Exercise, ExerciseProgress, Lesson, QuizResult, in_language
from lessons.selectors import ExerciseState, LessonProgress
from teaching.models import AttemptComment, Cohort, Deadline, Extension, Membership

ACTIVE_WINDOW = timedelta(hours=2)  # a learner idle for longer has left for now: not "stuck"
TIMELINE_LIMIT = 500


# ------------------------------------------------------------------ roles and access

def can_teach(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Instructors (the `instructors` group, settings.INSTRUCTOR_GROUP) and staff."""
    return bool(user.is_authenticated and (user.is_staff or is_instructor(user)))


def cohorts_taught(*, user: AbstractBaseUser) -> QuerySet[Cohort]:
    """The cohorts `user` runs (staff: every cohort), with `learner_count`."""
    cohorts = Cohort.objects.select_related("owner").annotate(learner_count=Count("memberships"))
    if user.is_staff:
        return cohorts
    if not can_teach(user):
        return cohorts.none()
    return cohorts.filter(owner=user)


def cohorts_joined(*, user: AbstractBaseUser) -> QuerySet[Cohort]:
    return (Cohort.objects.filter(memberships__learner=user).select_related("owner")
            .annotate(learner_count=Count("memberships")))


def cohort_for_instructor(*, user: AbstractBaseUser | AnonymousUser, cohort_id: Any) -> Cohort:
    """The cohort, if `user` runs it (or is staff).

    Raises PermissionDenied for anyone who teaches nothing (a learner, an anonymous visitor) and
    Cohort.DoesNotExist for an unknown id *and* for another instructor's cohort (ids leak nothing)."""
    if not can_teach(user):
        raise PermissionDenied
    return cohorts_taught(user=user).get(pk=cohort_id)


def cohort_learner(*, cohort: Cohort, learner_id: Any) -> AbstractBaseUser:
    """A learner of the cohort; the user model's DoesNotExist for anyone else."""
    return get_user_model().objects.get(pk=learner_id, memberships__cohort=cohort)


def cohort_by_code(*, code: str) -> Cohort | None:
    return Cohort.objects.select_related("owner").filter(invite_code=code.strip().upper()).first()


def teaches(*, user: AbstractBaseUser, learner_id: Any) -> bool:
    """Whether `user` may look over `learner_id`'s shoulder: staff, or the instructor of a cohort they joined."""
    if user.is_staff:
        return True
    return Membership.objects.filter(learner_id=learner_id, cohort__owner=user).exists() and can_teach(user)


def lesson_order_for(*, learner: AbstractBaseUser) -> str | None:
    """The lesson order the learner's cohorts set: locked if any locks it, else free if any frees it."""
    orders = set(Cohort.objects.filter(memberships__learner=learner).values_list("lesson_order", flat=True))
    if Cohort.LOCKED in orders:
        return Cohort.LOCKED
    return Cohort.FREE if Cohort.FREE in orders else None


# ------------------------------------------------------------------ the gradebook

@dataclass(frozen=True)
class Column:
    lesson: Lesson
    exercise: Exercise

    @property
    def key(self) -> str:
        return f"{self.lesson.slug}/{self.exercise.slug}"

    @property
    def check_ids(self) -> list[str]:
        return [check["id"] for check in self.exercise.checks]


@dataclass
class Cell:
    """One learner on one exercise."""

    status: str
    score: int
    max_score: int
    attempts: int
    seconds_spent: int
    started_at: datetime | None
    first_passed_at: datetime | None
    last_activity_at: datetime | None
    checks: dict[str, bool]  # the latest graded attempt's result per check id (empty: never checked)
    due_at: datetime | None
    late: bool  # passed after the (extended) deadline
    overdue: bool  # not passed, and the deadline is past

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "score": self.score, "max_score": self.max_score, "attempts": self.attempts,
                "seconds_spent": self.seconds_spent, "started_at": _iso(self.started_at),
                "first_passed_at": _iso(self.first_passed_at), "last_activity_at": _iso(self.last_activity_at),
                "checks": self.checks, "due_at": _iso(self.due_at), "late": self.late, "overdue": self.overdue}


@dataclass
class LessonSummary:
    lesson: Lesson
    columns: list[Column]
    due_at: datetime | None
    learners: int
    completed: int
    median_seconds: int | None  # of the learners who completed it: their time on its exercises

    @property
    def completion(self) -> float:
        return self.completed / self.learners if self.learners else 0.0

    @property
    def completion_percent(self) -> int:
        return round(100 * self.completion)

    def to_json(self) -> dict[str, Any]:
        return {"slug": self.lesson.slug, "title": self.lesson.title, "due_at": _iso(self.due_at),
                "learners": self.learners, "completed": self.completed, "completion": round(self.completion, 4),
                "median_seconds": self.median_seconds,
                "exercises": [{"id": column.exercise.slug, "key": column.key, "title": column.exercise.title,
                               "max_score": column.exercise.max_score, "checks": column.check_ids}
                              for column in self.columns]}


@dataclass
class Row:
    learner: AbstractBaseUser
    cells: dict[str, Cell]
    lessons_completed: list[str]
    stuck: list[StuckReason] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(cell.score for cell in self.cells.values())

    @property
    def max_score(self) -> int:
        return sum(cell.max_score for cell in self.cells.values())

    def to_json(self) -> dict[str, Any]:
        return {"id": self.learner.pk, "username": self.learner.get_username(), "score": self.score,
                "max_score": self.max_score, "lessons_completed": self.lessons_completed,
                "stuck": [reason.to_json() for reason in self.stuck],
                "cells": {key: cell.to_json() for key, cell in self.cells.items()}}


@dataclass
class Gradebook:
    cohort: Cohort
    lessons: list[LessonSummary]
    rows: list[Row]

    @property
    def columns(self) -> list[Column]:
        return [column for summary in self.lessons for column in summary.columns]

    def to_json(self) -> dict[str, Any]:
        return {"cohort": {"id": self.cohort.pk, "name": self.cohort.name},
                "lessons": [summary.to_json() for summary in self.lessons],
                "learners": [row.to_json() for row in self.rows]}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def cohort_members(cohort: Cohort) -> list[AbstractBaseUser]:
    return list(get_user_model().objects.filter(memberships__cohort=cohort).order_by("username"))


def _lessons() -> list[Lesson]:
    return list(Lesson.objects.prefetch_related("exercises"))


def due_dates(cohort: Cohort,
              learner_ids: Iterable[Any]) -> tuple[dict[int, datetime], dict[tuple[Any, int], datetime]]:
    """The cohort's deadline per lesson id, and the extended ones per (learner id, lesson id)."""
    deadlines = {deadline.lesson_id: deadline.due_at for deadline in Deadline.objects.filter(cohort=cohort)}
    extended = {(extension.learner_id, extension.deadline.lesson_id): extension.due_at
                for extension in Extension.objects.filter(deadline__cohort=cohort, learner_id__in=list(learner_ids))
                .select_related("deadline")}
    return deadlines, extended


def latest_attempts(learner_ids: list[Any], exercise_ids: list[int] | None = None) -> dict[tuple[Any, int], Attempt]:
    """Each learner's latest graded attempt per exercise."""
    attempts = Attempt.objects.filter(learner_id__in=learner_ids).only("learner_id", "exercise_id", "results",
                                                                        "created_at")
    if exercise_ids is not None:
        attempts = attempts.filter(exercise_id__in=exercise_ids)
    attempts = attempts.order_by("learner_id", "exercise_id", "-created_at", "-id")
    if connection.vendor == "postgresql":
        attempts = attempts.distinct("learner_id", "exercise_id")
    latest: dict[tuple[Any, int], Attempt] = {}
    for attempt in attempts:
        latest.setdefault((attempt.learner_id, attempt.exercise_id), attempt)
    return latest


def gradebook(*, cohort: Cohort, learners: list[AbstractBaseUser] | None = None,
              now: datetime | None = None) -> Gradebook:
    """The cohort's learners x every exercise of the course, with each lesson's completion and median time.

    `learners` narrows the rows (the live feed sends one learner's); the lessons' summaries always cover the
    whole cohort. A fixed number of queries, whatever the cohort's size."""
    now = now or timezone.now()
    members = cohort_members(cohort)
    rows_for = members if learners is None else [member for member in members
                                                 if member.pk in {learner.pk for learner in learners}]
    lessons = _lessons()
    member_ids = [member.pk for member in members]
    progress = {(row.learner_id, row.exercise_id): row
                for row in ExerciseProgress.objects.filter(learner_id__in=member_ids)}
    quiz = {(entry["learner"], entry["lesson"]): entry["best"]
            for entry in QuizResult.objects.filter(learner_id__in=member_ids).values("learner", "lesson")
            .annotate(best=Max("score"))}
    deadlines, extended = due_dates(cohort, member_ids)
    latest = latest_attempts([member.pk for member in rows_for])
    stuck = stuck_reasons(cohort=cohort, learners=rows_for, now=now)

    summaries = []
    completed_by: dict[Any, list[str]] = defaultdict(list)
    for lesson in lessons:
        exercises = list(lesson.exercises.all())
        columns = [Column(lesson, exercise) for exercise in exercises]
        times = []
        for member in members:
            item = LessonProgress(lesson, [ExerciseState(exercise, progress.get((member.pk, exercise.pk)))
                                           for exercise in exercises], quiz.get((member.pk, lesson.pk)))
            if item.completed:
                completed_by[member.pk].append(lesson.slug)
                times.append(sum(state.progress.seconds_spent for state in item.exercises if state.progress))
        summaries.append(LessonSummary(lesson, columns, deadlines.get(lesson.pk), len(members), len(times),
                                       round(statistics.median(times)) if times else None))
    rows = []
    for member in rows_for:
        cells = {}
        for summary in summaries:
            lesson = summary.lesson
            due = extended.get((member.pk, lesson.pk), deadlines.get(lesson.pk))
            for column in summary.columns:
                cells[column.key] = _cell(progress.get((member.pk, column.exercise.pk)), column.exercise,
                                          latest.get((member.pk, column.exercise.pk)), due, now)
        rows.append(Row(member, cells, completed_by.get(member.pk, []), stuck.get(member.pk, [])))
    return Gradebook(cohort, summaries, rows)


def _cell(progress: ExerciseProgress | None, exercise: Exercise, latest: Attempt | None, due: datetime | None,
          now: datetime) -> Cell:
    status = progress.status if progress else ExerciseProgress.NOT_STARTED
    passed_at = progress.first_passed_at if progress else None
    return Cell(
        status=status, score=progress.best_score if progress else 0, max_score=exercise.max_score,
        attempts=progress.attempts if progress else 0, seconds_spent=progress.seconds_spent if progress else 0,
        started_at=progress.started_at if progress else None, first_passed_at=passed_at,
        last_activity_at=progress.last_activity_at if progress else None,
        checks={result["id"]: bool(result["passed"]) for result in latest.results} if latest else {},
        due_at=due, late=bool(due and passed_at and passed_at > due),
        overdue=bool(due and passed_at is None and now > due))


CSV_FIXED = ["learner", "lesson", "exercise", "status", "score", "max_score", "attempts", "time_spent_seconds",
             "started_at", "first_passed_at", "due_at", "late"]


def gradebook_csv_rows(book: Gradebook) -> list[list[Any]]:
    """The gradebook as CSV rows: a header, then one row per learner and exercise, with each check of the
    exercise as a pair of columns (its id, and `passed` / `failed` in the latest graded attempt, or `not
    checked`). Exercises have different numbers of checks: the pairs run up to the largest."""
    width = max((len(column.check_ids) for column in book.columns), default=0)
    header = [*CSV_FIXED]
    for number in range(1, width + 1):
        header += [f"check_{number}", f"check_{number}_result"]
    rows: list[list[Any]] = [header]
    for row in book.rows:
        for column in book.columns:
            cell = row.cells[column.key]
            line: list[Any] = [row.learner.get_username(), column.lesson.slug, column.exercise.slug, cell.status,
                               cell.score, cell.max_score, cell.attempts, cell.seconds_spent,
                               _iso(cell.started_at) or "", _iso(cell.first_passed_at) or "",
                               _iso(cell.due_at) or "", "yes" if cell.late else ""]
            for check_id in column.check_ids:
                result = cell.checks.get(check_id)
                line += [check_id, "not checked" if result is None else ("passed" if result else "failed")]
            line += [""] * (len(header) - len(line))
            rows.append(line)
    return rows


# ------------------------------------------------------------------ who is stuck

@dataclass(frozen=True)
class StuckReason:
    exercise: Exercise
    kind: str  # "idle": no new check passed for `minutes`; "repeated": the same check failed `failures` times
    minutes: int = 0
    check_id: str = ""
    failures: int = 0

    def check_title(self) -> str:
        check = next((check for check in self.exercise.checks if check["id"] == self.check_id), None)
        return in_language(check["title"]) if check else self.check_id

    def to_json(self) -> dict[str, Any]:
        return {"lesson": self.exercise.lesson.slug, "exercise": self.exercise.slug,
                "key": f"{self.exercise.lesson.slug}/{self.exercise.slug}", "kind": self.kind,
                "minutes": self.minutes, "check": self.check_id, "check_title": self.check_title() if self.check_id
                else "", "failures": self.failures}


def stuck_reasons(*, cohort: Cohort, learners: list[AbstractBaseUser] | None = None,
                  now: datetime | None = None) -> dict[Any, list[StuckReason]]:
    """Learners of the cohort stuck on their current exercise (the one not yet passed they worked on last,
    within ACTIVE_WINDOW), by learner id:

    - "idle": no graded attempt passed a check that their earlier attempts had not for `cohort.stuck_minutes`
      (counted from their first opening of the exercise when none ever did);
    - "repeated": their latest `cohort.stuck_failures` attempts all failed the same check.
    """
    now = now or timezone.now()
    learners = cohort_members(cohort) if learners is None else learners
    ids = [learner.pk for learner in learners]
    current: dict[Any, ExerciseProgress] = {}
    for row in (ExerciseProgress.objects.filter(learner_id__in=ids, first_passed_at__isnull=True,
                                                last_activity_at__gte=now - ACTIVE_WINDOW)
                .select_related("exercise__lesson").order_by("learner_id", "-last_activity_at")):
        current.setdefault(row.learner_id, row)
    if not current:
        return {}
    attempts: dict[tuple[Any, int], list[Attempt]] = defaultdict(list)
    wanted = Q()
    for row in current.values():
        wanted |= Q(learner_id=row.learner_id, exercise_id=row.exercise_id)
    for attempt in Attempt.objects.filter(wanted).only("learner_id", "exercise_id", "results", "created_at") \
            .order_by("created_at", "id"):
        attempts[(attempt.learner_id, attempt.exercise_id)].append(attempt)
    found: dict[Any, list[StuckReason]] = {}
    for learner_id, row in current.items():
        history = attempts.get((learner_id, row.exercise_id), [])
        reasons = []
        progress_at = _last_new_pass(history) or row.started_at
        if progress_at is not None:
            idle = now - progress_at
            if idle >= timedelta(minutes=cohort.stuck_minutes):
                reasons.append(StuckReason(row.exercise, "idle", minutes=int(idle.total_seconds() // 60)))
        repeated = _repeated_failure(history, row.exercise, cohort.stuck_failures)
        if repeated is not None:
            reasons.append(StuckReason(row.exercise, "repeated", check_id=repeated[0], failures=repeated[1]))
        if reasons:
            found[learner_id] = reasons
    return found


def _last_new_pass(history: list[Attempt]) -> datetime | None:
    """When an attempt last passed a check that no earlier attempt had passed."""
    seen: set[str] = set()
    moment = None
    for attempt in history:
        passed = {result["id"] for result in attempt.results if result["passed"]}
        if passed - seen:
            moment = attempt.created_at
        seen |= passed
    return moment


def _repeated_failure(history: list[Attempt], exercise: Exercise, threshold: int) -> tuple[str, int] | None:
    """(check id, failures in a row) when the latest `threshold` attempts all failed one check (the first such
    check in the exercise's order)."""
    if threshold < 1 or len(history) < threshold:
        return None
    for check in exercise.checks:
        run = 0
        for attempt in reversed(history):
            if check["id"] in attempt.failed_check_ids():
                run += 1
            else:
                break
        if run >= threshold:
            return check["id"], run
    return None


# ------------------------------------------------------------------ per-check statistics

@dataclass(frozen=True)
class CheckStatistics:
    id: str
    title: str
    attempts: int  # graded attempts that evaluated it
    failures: int  # of those, how many failed it
    learners_failed: int

    @property
    def failure_rate(self) -> float:
        return self.failures / self.attempts if self.attempts else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "attempts": self.attempts, "failures": self.failures,
                "failure_rate": round(self.failure_rate, 4), "learners_failed": self.learners_failed}


@dataclass(frozen=True)
class ExerciseStatistics:
    lesson: Lesson
    exercise: Exercise
    learners: int
    started: int
    passed: int
    median_attempts_to_pass: float | None
    median_seconds_to_pass: float | None
    checks: list[CheckStatistics]  # most failed first

    @property
    def pass_rate(self) -> float:
        return self.passed / self.learners if self.learners else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"lesson": self.lesson.slug, "exercise": self.exercise.slug,
                "key": f"{self.lesson.slug}/{self.exercise.slug}", "title": self.exercise.title,
                "learners": self.learners, "started": self.started, "passed": self.passed,
                "pass_rate": round(self.pass_rate, 4), "median_attempts_to_pass": self.median_attempts_to_pass,
                "median_seconds_to_pass": self.median_seconds_to_pass,
                "checks": [check.to_json() for check in self.checks]}


def exercise_statistics(*, cohort: Cohort) -> list[ExerciseStatistics]:
    """For every exercise, over the cohort's learners: the share who passed it, the median number of graded
    attempts up to and including their first passing one, the median wall time from first opening it to that
    attempt, and each check's failures (in how many graded attempts it failed, by how many learners), the
    most failed first. Medians are over the learners who passed (None when nobody has)."""
    member_ids = [member.pk for member in cohort_members(cohort)]
    progress = {(row.learner_id, row.exercise_id): row
                for row in ExerciseProgress.objects.filter(learner_id__in=member_ids)}
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in (Attempt.objects.filter(learner_id__in=member_ids).only("learner_id", "exercise_id", "passed",
                                                                           "results", "created_at")
                    .order_by("created_at", "id")):
        attempts[attempt.exercise_id].append(attempt)
    found = []
    for lesson in _lessons():
        for exercise in lesson.exercises.all():
            rows = [progress[(learner, exercise.pk)] for learner in member_ids if (learner, exercise.pk) in progress]
            passers = [row for row in rows if row.first_passed_at is not None]
            tries = []
            per_learner: dict[Any, list[Attempt]] = defaultdict(list)
            for attempt in attempts.get(exercise.pk, []):
                per_learner[attempt.learner_id].append(attempt)
            for learner, history in per_learner.items():
                first = next((number for number, attempt in enumerate(history, 1) if attempt.passed), None)
                if first is not None and (learner, exercise.pk) in progress:
                    tries.append(first)
            times = [(row.first_passed_at - row.started_at).total_seconds() for row in passers
                     if row.started_at is not None]
            found.append(ExerciseStatistics(
                lesson, exercise, len(member_ids), len(rows), len(passers),
                float(statistics.median(tries)) if tries else None,
                float(statistics.median(times)) if times else None,
                _check_statistics(exercise, attempts.get(exercise.pk, []))))
    return found


def _check_statistics(exercise: Exercise, attempts: list[Attempt]) -> list[CheckStatistics]:
    counts: dict[str, list[int]] = {check["id"]: [0, 0] for check in exercise.checks}
    failed_by: dict[str, set[Any]] = defaultdict(set)
    for attempt in attempts:
        for result in attempt.results:
            if result["id"] not in counts:
                continue  # a check the exercise no longer has
            counts[result["id"]][0] += 1
            if not result["passed"]:
                counts[result["id"]][1] += 1
                failed_by[result["id"]].add(attempt.learner_id)
    found = [CheckStatistics(check["id"], in_language(check["title"]), *counts[check["id"]],
                             len(failed_by[check["id"]])) for check in exercise.checks]
    order = {check["id"]: index for index, check in enumerate(exercise.checks)}
    return sorted(found, key=lambda stat: (-stat.failures, order[stat.id]))


# ------------------------------------------------------------------ a learner's drill-down

def lesson_slug_of(sandbox_key: str) -> str | None:
    """`pods` for `lesson:pods` and `lesson:pods/own-cluster`; None for the playground."""
    if not sandbox_key.startswith("lesson:"):
        return None
    return sandbox_key.removeprefix("lesson:").partition("/")[0]


COMMAND_KINDS = {SandboxCommand.TERMINAL: "command", SandboxCommand.EDITOR: "apply", SandboxCommand.KUBE_API: "api"}


def learner_sandboxes(*, learner: AbstractBaseUser) -> list[Sandbox]:
    return list(Sandbox.objects.filter(owner=learner).only("id", "key", "resource_version", "last_active_at",
                                                           "created_at").order_by("key"))


def learner_timeline(*, learner: AbstractBaseUser, limit: int = TIMELINE_LIMIT) -> list[dict[str, Any]]:
    """What the learner did, newest first: their commands (terminal lines, editor applies, Kubernetes API writes)
    in every sandbox and their graded attempts with each check's result (in the active language) and the
    instructors' comments. At most `limit` of each."""
    sandboxes = {sandbox.pk: sandbox for sandbox in learner_sandboxes(learner=learner)}
    entries: list[dict[str, Any]] = []
    commands = SandboxCommand.objects.filter(sandbox_id__in=list(sandboxes)).order_by("-id")[:limit]
    for command in commands:
        sandbox = sandboxes[command.sandbox_id]
        entries.append({"kind": COMMAND_KINDS.get(command.source, "command"), "at": command.created_at,
                        "sandbox": str(sandbox.pk), "sandbox_key": sandbox.key, "lesson": lesson_slug_of(sandbox.key),
                        "source": command.source, "text": command.text, "exit_code": command.exit_code,
                        "ok": command.exit_code == 0, "resource_version": command.resource_version})
    attempts = (Attempt.objects.filter(learner=learner).select_related("exercise__lesson")
                .prefetch_related("comments__author").order_by("-created_at", "-id")[:limit])
    for attempt in attempts:
        entries.append({"kind": "attempt", "at": attempt.created_at, **attempt_json(attempt)})
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries


def attempt_json(attempt: Attempt) -> dict[str, Any]:
    exercise = attempt.exercise
    return {"attempt": attempt.pk, "sandbox": str(attempt.sandbox_id) if attempt.sandbox_id else None,
            "lesson": exercise.lesson.slug, "exercise": exercise.slug, "exercise_title": exercise.title,
            "passed": attempt.passed, "score": attempt.score, "max_score": attempt.max_score,
            "resource_version": attempt.resource_version,
            "checks": [{"id": result["id"], "title": in_language(result.get("title")), "passed": result["passed"],
                        "message": in_language(result.get("message")) if not result["passed"] else ""}
                       for result in attempt.results],
            "comments": [comment_json(comment) for comment in attempt.comments.all()]}


def comment_json(comment: AttemptComment) -> dict[str, Any]:
    return {"id": comment.pk, "author": comment.author.get_username() if comment.author else "",
            "text": comment.text, "at": comment.created_at}


def learner_comments(*, learner: AbstractBaseUser, lesson: Lesson) -> list[AttemptComment]:
    """The instructors' comments on the learner's attempts in a lesson, oldest first (their lesson page)."""
    return list(AttemptComment.objects.filter(attempt__learner=learner, attempt__exercise__lesson=lesson)
                .select_related("author", "attempt__exercise").order_by("created_at", "id"))


def learner_deadlines(*, learner: AbstractBaseUser) -> list[dict[str, Any]]:
    """The learner's deadlines in their cohorts, soonest first, with their own extensions applied."""
    extensions = {extension.deadline_id: extension for extension in Extension.objects.filter(learner=learner)}
    found = []
    for deadline in (Deadline.objects.filter(cohort__memberships__learner=learner)
                     .select_related("lesson", "cohort")):
        extension = extensions.get(deadline.pk)
        found.append({"cohort": deadline.cohort, "lesson": deadline.lesson,
                      "due_at": extension.due_at if extension else deadline.due_at,
                      "extended": extension is not None})
    return sorted(found, key=lambda entry: entry["due_at"])


def cohort_deadlines(*, cohort: Cohort) -> list[Deadline]:
    return list(Deadline.objects.filter(cohort=cohort).select_related("lesson")
                .prefetch_related("extensions__learner", "extensions__granted_by"))
