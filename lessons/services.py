"""Writes of the lessons layer: loading content, the learner's sandboxes for lessons and exercises, graded
attempts, quizzes, progress and live checks. `lessons` calls down into `cluster_engine`, never the reverse."""

from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.dispatch import Signal, receiver
from django.utils import timezone

from cluster_engine import engine, realtime, redis_pool
from cluster_engine import selectors as sandbox_selectors
from cluster_engine import services as sandbox_services
from cluster_engine.models import Sandbox
from cluster_engine.signals import sandbox_changed
from lessons import grader, loader
from lessons.grader.reading import Change, Command, Reading
from lessons.loader import LessonContentError
from lessons.models import Attempt, Exercise, ExerciseProgress, Lesson, QuizResult

logger = logging.getLogger(__name__)

CONTENT_DIR = Path(__file__).resolve().parent / "content"
FAILURES_PER_HINT = 2  # a hint is revealed after every second failed check in a row
LIVE_SECONDS = 600  # a page renews its live exercise well within this
ACTIVITY_GAP = timedelta(minutes=5)  # longer pauses do not count as time spent

# Sent after a graded attempt, an exercise opened (its progress started or touched) or a quiz is stored, once
# committed (the instructors' gradebook listens): learner, lesson, exercise (None for a quiz), attempt (or None).
progress_changed = Signal()

__all__ = ["LessonContentError", "lessons_load"]


# ------------------------------------------------------------------ loading content

@dataclass(frozen=True)
class LoadReport:
    created: list[str]
    updated: list[str]
    unchanged: list[str]


@transaction.atomic
def lessons_load(*, content_dir: Path = CONTENT_DIR) -> LoadReport:
    """Create or update a Lesson (and its Exercises) per folder of `content_dir`.

    Every folder is read and checked first: a malformed one raises LessonContentError and nothing is stored.
    A lesson whose files did not change is left alone; a changed one is rewritten, and exercises it no longer
    has are deleted with their attempts. Lessons without a folder are kept (instructors may have made them).
    """
    lessons = loader.read_all(content_dir)
    report = LoadReport([], [], [])
    for data in lessons:
        existing = Lesson.objects.filter(slug=data.fields["slug"]).first()
        if existing is not None and existing.source_digest == data.fields["source_digest"]:
            report.unchanged.append(existing.slug)
            continue
        if existing is None:
            lesson = Lesson.objects.create(**data.fields)
            report.created.append(lesson.slug)
        else:
            for name, value in data.fields.items():
                setattr(existing, name, value)
            existing.save()
            lesson = existing
            report.updated.append(lesson.slug)
        _sync_exercises(lesson, data.exercises)
    return report


def _sync_exercises(lesson: Lesson, exercises: list[dict[str, Any]]) -> None:
    kept = []
    for fields in exercises:
        exercise, _created = Exercise.objects.update_or_create(lesson=lesson, slug=fields["slug"], defaults=fields)
        kept.append(exercise.pk)
    Exercise.objects.filter(lesson=lesson).exclude(pk__in=kept).delete()


# ------------------------------------------------------------------ sandboxes for lessons and exercises

def scenario_for(scenario: dict[str, Any]) -> dict[str, Any] | None:
    """A lesson's or exercise's scenario as the engine builds it: the playground's nodes unless it names its own.
    None: the playground itself."""
    if not scenario:
        return None
    playground = engine.default_scenario()
    spec = {key: value for key, value in scenario.items() if key != "faults"}
    spec.setdefault("nodes", playground["nodes"])
    if scenario.get("faults"):
        spec["faults"] = scenario["faults"]
    return spec


def lesson_sandbox(*, learner: AbstractBaseUser, lesson: Lesson, exercise: Exercise | None = None) -> Sandbox:
    """The learner's sandbox for the exercise (its own when it has a scenario of its own, else the lesson's)."""
    if exercise is not None and exercise.has_own_sandbox:
        return sandbox_services.sandbox_get_or_create(owner=learner, key=exercise.sandbox_key,
                                                      scenario=scenario_for(exercise.scenario))
    return sandbox_services.sandbox_get_or_create(owner=learner, key=lesson.sandbox_key,
                                                  scenario=scenario_for(lesson.scenario))


def exercise_reset(*, learner: AbstractBaseUser, exercise: Exercise) -> Sandbox:
    """Put the exercise's sandbox back to its start (the lesson's sandbox for an exercise without a scenario)."""
    sandbox = lesson_sandbox(learner=learner, lesson=exercise.lesson, exercise=exercise)
    scenario = exercise.scenario if exercise.has_own_sandbox else exercise.lesson.scenario
    return sandbox_services.sandbox_reset(sandbox=sandbox, scenario=scenario_for(scenario) or
                                          sandbox_services.playground_scenario())


# ------------------------------------------------------------------ readings and grading

def change_source(sandbox_id: Any) -> grader.reading.ChangeSource:
    """The grader's view of a sandbox's change log (`SandboxChange`), read on demand by kinds."""
    def read(kinds: frozenset[str], *, up_to: int | None = None) -> list[Change]:
        rows = sandbox_selectors.sandbox_changes_of_kinds(sandbox_id=sandbox_id, kinds=kinds,
                                                            up_to=up_to or 2**62)
        return [Change(row.resource_version, row.sim_time, row.event_type, row.actor, row.verb, row.reason, row.kind,
                       row.namespace, row.name, load_object=functools.partial(getattr, row, "object"))
                for row in rows]
    return read


def command_source(sandbox_id: Any) -> grader.reading.CommandSource:
    """The grader's view of a sandbox's command history (`SandboxCommand`), read on demand."""
    def read() -> list[Command]:
        return [Command(row.source, row.text, row.exit_code)
                for row in sandbox_selectors.sandbox_command_history(sandbox_id=sandbox_id)]
    return read


def learner_actor(learner: AbstractBaseUser) -> str:
    return sandbox_services.actor_for(learner)


def sandbox_reading(*, sandbox_id: Any, learner: AbstractBaseUser) -> Reading:
    """One consistent reading of a stored sandbox: objects, change log and commands up to one resourceVersion."""
    sandbox, cluster = sandbox_selectors.sandbox_with_engine(sandbox_id=sandbox_id)
    return Reading(cluster, learner=learner_actor(learner), resource_version=sandbox.resource_version,
                   changes_of=change_source(sandbox.pk), commands_of=command_source(sandbox.pk))


@dataclass
class GradedAttempt:
    attempt: Attempt
    evaluation: grader.Evaluation
    hints: list[dict[str, str]] = field(default_factory=list)  # revealed so far, oldest first


def revealed_hints(exercise: Exercise, failures_in_a_row: int) -> list[dict[str, str]]:
    return list(exercise.hints[: min(len(exercise.hints), failures_in_a_row // FAILURES_PER_HINT)])


def attempt_grade(*, learner: AbstractBaseUser, exercise: Exercise) -> GradedAttempt:
    """Grade the learner's sandbox for `exercise` and record the attempt and their progress.

    The checks read one stored state of the sandbox (never a half-done write); the client only asks.
    """
    sandbox = lesson_sandbox(learner=learner, lesson=exercise.lesson, exercise=exercise)
    evaluation = grader.evaluate(exercise.checks, sandbox_reading(sandbox_id=sandbox.pk, learner=learner))
    now = timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.create(
            learner=learner, exercise=exercise, passed=evaluation.passed, score=evaluation.score,
            max_score=evaluation.max_score, results=[result.to_json() for result in evaluation.results],
            resource_version=evaluation.resource_version, sandbox_id=sandbox.pk)
        progress, _created = ExerciseProgress.objects.select_for_update().get_or_create(
            learner=learner, exercise=exercise)
        _touch(progress, now)
        progress.attempts += 1
        progress.max_score = evaluation.max_score
        progress.best_score = max(progress.best_score, evaluation.score)
        if evaluation.passed:
            progress.failed_attempts_in_a_row = 0
            progress.first_passed_at = progress.first_passed_at or now
        else:
            progress.failed_attempts_in_a_row += 1
        progress.save()
        hints = revealed_hints(exercise, progress.failed_attempts_in_a_row) if not evaluation.passed else []
        transaction.on_commit(lambda: progress_changed.send(sender=Attempt, learner=learner, lesson=exercise.lesson,
                                                            exercise=exercise, attempt=attempt))
    return GradedAttempt(attempt, evaluation, hints)


def _touch(progress: ExerciseProgress, now: datetime) -> None:
    """Count the time since the learner's last activity on the exercise, unless they paused for long."""
    if progress.started_at is None:
        progress.started_at = now
    if progress.last_activity_at is not None and now - progress.last_activity_at <= ACTIVITY_GAP:
        progress.seconds_spent += int((now - progress.last_activity_at).total_seconds())
    progress.last_activity_at = now


def exercise_open(*, learner: AbstractBaseUser, exercise: Exercise) -> grader.Evaluation:
    """The learner opened the exercise: its checks tick live on their sandbox from now on (for LIVE_SECONDS,
    renewed by the page), and its current state is returned."""
    sandbox = lesson_sandbox(learner=learner, lesson=exercise.lesson, exercise=exercise)
    sandbox_services.sandbox_set_live(sandbox=sandbox, key=exercise.live_key, seconds=LIVE_SECONDS)
    with transaction.atomic():
        progress, _created = ExerciseProgress.objects.select_for_update().get_or_create(
            learner=learner, exercise=exercise, defaults={"max_score": exercise.max_score})
        _touch(progress, timezone.now())
        progress.save()
        transaction.on_commit(lambda: progress_changed.send(sender=ExerciseProgress, learner=learner,
                                                            lesson=exercise.lesson, exercise=exercise, attempt=None))
    evaluation = grader.evaluate(exercise.checks, sandbox_reading(sandbox_id=sandbox.pk, learner=learner))
    live_results_shown(sandbox_id=sandbox.pk, evaluation=evaluation)
    return evaluation


# ------------------------------------------------------------------ quizzes

@dataclass(frozen=True)
class QuizOutcome:
    result: QuizResult
    answers: list[dict[str, Any]]  # per question: id, correct, chosen, correct_choices, explanation


def quiz_grade(*, learner: AbstractBaseUser, lesson: Lesson, answers: dict[str, list[str]]) -> QuizOutcome:
    """Grade answers (`{question id: [choice ids]}`) on the server; a question scores only when exactly its
    correct choices are chosen. Unknown question or choice ids count as wrong answers, never as errors."""
    graded = []
    for question in lesson.quiz:
        chosen = sorted({str(choice) for choice in answers.get(question["id"], []) or []})
        correct = sorted(choice["id"] for choice in question["choices"] if choice["correct"])
        graded.append({"id": question["id"], "correct": chosen == correct, "chosen": chosen,
                       "correct_choices": correct, "explanation": question["explanation"]})
    score = sum(entry["correct"] for entry in graded)
    result = QuizResult.objects.create(learner=learner, lesson=lesson, score=score, max_score=len(graded),
                                       answers={entry["id"]: entry["chosen"] for entry in graded})
    transaction.on_commit(lambda: progress_changed.send(sender=QuizResult, learner=learner, lesson=lesson,
                                                        exercise=None, attempt=None))
    return QuizOutcome(result, graded)


# ------------------------------------------------------------------ live checks

@dataclass(frozen=True)
class _LiveExercise:
    exercise_id: int
    checks: list[dict[str, Any]]
    kinds: set[str]
    learner: str
    loaded_at: float


_LIVE_CACHE_SECONDS = 30.0
_live_cache: dict[tuple[Any, str], _LiveExercise] = {}
_live_lock = threading.Lock()


def _live_exercise(sandbox: Sandbox) -> _LiveExercise | None:
    """The open exercise of a sandbox, cached per process for a few seconds (a burst of changes costs one
    query, and an edited exercise is picked up soon)."""
    key = (sandbox.pk, sandbox.live_key)
    now = time.monotonic()
    with _live_lock:
        cached = _live_cache.get(key)
    if cached is not None and now - cached.loaded_at < _LIVE_CACHE_SECONDS:
        return cached
    lesson_slug, _, exercise_slug = sandbox.live_key.partition("/")
    exercise = (Exercise.objects.filter(lesson__slug=lesson_slug, slug=exercise_slug)
                .only("id", "checks").first())
    if exercise is None:
        return None
    owner = get_user_model().objects.only("username").get(pk=sandbox.owner_id)
    live = _LiveExercise(exercise.pk, exercise.checks, grader.kinds_read_by(exercise.checks), learner_actor(owner),
                         now)
    with _live_lock:
        if len(_live_cache) > 4096:
            _live_cache.clear()
        _live_cache[key] = live
    return live


def live_results(*, live: _LiveExercise, reading: Reading, changed_kinds: set[str]) -> list[grader.CheckResult]:
    """The checks of the open exercise that the changed kinds can affect, evaluated on `reading`."""
    return [grader.evaluate_one(check, reading) for check in live.checks
            if grader.changes_touch(grader.kinds_read_by([check]), changed_kinds)]


def _live_keys(sandbox_id: Any) -> tuple[str, str]:
    """Redis keys of a sandbox's live checks: kinds that writes changed since the last evaluation, and the
    results last published (check id -> passed and message), which every worker process compares against."""
    prefix = f"{settings.REDIS_KEY_PREFIX}:live:{sandbox_id}"
    return f"{prefix}:kinds", f"{prefix}:shown"


def _shown_form(result: grader.CheckResult) -> str:
    return orjson.dumps([result.passed, result.message.get("en", "")]).decode()


def live_results_shown(*, sandbox_id: Any, evaluation: grader.Evaluation) -> None:
    """Record what a page was just given (an exercise opened), so later ticks publish only what differs."""
    _kinds, shown = _live_keys(sandbox_id)
    pipeline = redis_pool.connection().pipeline(transaction=False)
    pipeline.delete(shown)
    pipeline.hset(shown, mapping={r.id: _shown_form(r) for r in evaluation.results})
    pipeline.expire(shown, LIVE_SECONDS).execute()


@receiver(sandbox_changed, dispatch_uid="lessons.live_checks")
def _evaluate_live_checks(sender: Any, *, sandbox: Sandbox, cluster: engine.Cluster, changes: list[dict[str, Any]],
                          source: str, **_kwargs: Any) -> None:
    """Live checks, costing nothing for a sandbox without an open exercise.

    After a learner's write: only note the kinds it changed (one Redis round trip); the reconcile the write wakes
    evaluates them, in a worker at low priority, so a learner's request never waits for checks. After a
    reconcile: evaluate the checks that those kinds and the reconcile's own changes can affect, on the engine in
    memory, and publish only the results that differ from what the page was last shown."""
    if not sandbox.live_key or sandbox.live_until is None or sandbox.live_until < timezone.now():
        return
    pending, shown = _live_keys(sandbox.pk)
    client = redis_pool.connection()
    changed_kinds = {change["kind"] for change in changes}
    if source == "write":
        if changed_kinds:
            client.pipeline(transaction=False).sadd(pending, *changed_kinds).expire(pending, LIVE_SECONDS).execute()
        return
    live = _live_exercise(sandbox)
    if live is None:
        return
    written, _deleted, last_shown = (client.pipeline(transaction=False).smembers(pending).delete(pending)
                                     .hgetall(shown).execute())
    changed_kinds |= {kind.decode() for kind in written}
    if not grader.changes_touch(live.kinds, changed_kinds):
        return
    rv = engine.resource_version(cluster)
    reading = Reading(cluster, learner=live.learner, resource_version=rv,
                      changes_of=change_source(sandbox.pk), commands_of=command_source(sandbox.pk))
    results = [result for result in live_results(live=live, reading=reading, changed_kinds=changed_kinds)
               if last_shown.get(result.id.encode()) != _shown_form(result).encode()]
    if not results:
        return
    client.pipeline(transaction=False).hset(shown, mapping={r.id: _shown_form(r) for r in results}) \
        .expire(shown, LIVE_SECONDS).execute()
    realtime.publish_checks(sandbox.pk, {"exercise": sandbox.live_key, "resourceVersion": str(rv),
                                         "partial": True, "results": [r.to_json() for r in results]})
