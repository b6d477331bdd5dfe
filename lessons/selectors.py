"""Reads of lessons and of a learner's progress (only their own: every function takes the learner)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Max

from lessons.models import Exercise, ExerciseProgress, Lesson, QuizResult

QUIZ_PASS_SHARE = 2 / 3  # a lesson is complete with every exercise passed and two thirds of its quiz right

# The order in which a learner may take lessons, as a layer above decides it (teaching: a cohort's setting).
LOCKED, FREE = "locked", "free"
LessonOrderPolicy = Callable[[AbstractBaseUser], str | None]
_order_policies: dict[str, LessonOrderPolicy] = {}


def register_lesson_order_policy(name: str, policy: LessonOrderPolicy) -> None:
    """Add (or replace, by `name`) a rule `policy(learner) -> "locked" | "free" | None` that overrides the
    lessons' own `requires_previous` for that learner: "locked" (every lesson waits for the one before it),
    "free" (any order), None (no opinion: the lessons decide). The first rule with an opinion wins. A rule
    costs at most one query: it runs once per listing of the course."""
    _order_policies[name] = policy


def lesson_order_for(learner: AbstractBaseUser | None) -> str | None:
    if learner is None or not learner.is_authenticated:
        return None
    for policy in list(_order_policies.values()):
        order = policy(learner)
        if order in (LOCKED, FREE):
            return order
    return None


@dataclass
class ExerciseState:
    exercise: Exercise
    progress: ExerciseProgress | None

    @property
    def status(self) -> str:
        return self.progress.status if self.progress else ExerciseProgress.NOT_STARTED

    @property
    def score(self) -> int:
        return self.progress.best_score if self.progress else 0

    @property
    def attempts(self) -> int:
        return self.progress.attempts if self.progress else 0


@dataclass
class LessonProgress:
    lesson: Lesson
    exercises: list[ExerciseState] = field(default_factory=list)
    quiz_best: int | None = None  # None: not answered yet
    order: str | None = None  # LOCKED / FREE from a lesson order policy; None: the lesson's own setting

    @property
    def requires_previous(self) -> bool:
        return self.lesson.requires_previous if self.order is None else self.order == LOCKED

    @property
    def exercises_passed(self) -> int:
        return sum(state.status == ExerciseProgress.PASSED for state in self.exercises)

    @property
    def score(self) -> int:
        return sum(state.score for state in self.exercises) + (self.quiz_best or 0)

    @property
    def max_score(self) -> int:
        return sum(state.exercise.max_score for state in self.exercises) + len(self.lesson.quiz)

    @property
    def percent(self) -> int:
        return math.floor(100 * self.score / self.max_score) if self.max_score else 0

    @property
    def quiz_passed(self) -> bool:
        return self.quiz_best is not None and self.quiz_best >= math.ceil(QUIZ_PASS_SHARE * len(self.lesson.quiz))

    @property
    def completed(self) -> bool:
        return self.exercises_passed == len(self.exercises) and self.quiz_passed

    @property
    def started(self) -> bool:
        return self.quiz_best is not None or any(state.progress for state in self.exercises)

    def to_json(self) -> dict[str, Any]:
        return {"exercises_passed": self.exercises_passed, "exercises": len(self.exercises), "score": self.score,
                "max_score": self.max_score, "percent": self.percent, "quiz_best": self.quiz_best,
                "quiz_passed": self.quiz_passed, "completed": self.completed}


def lessons_with_progress(*, learner: AbstractBaseUser | None) -> list[LessonProgress]:
    """Every lesson in course order with the learner's progress (none for an anonymous visitor). Three queries,
    and whatever the lesson order policies ask."""
    lessons = list(Lesson.objects.prefetch_related("exercises"))
    order = lesson_order_for(learner)
    progress: dict[int, ExerciseProgress] = {}
    quiz: dict[int, int] = {}
    if learner is not None and learner.is_authenticated:
        progress = {row.exercise_id: row for row in ExerciseProgress.objects.filter(learner=learner)}
        quiz = dict(QuizResult.objects.filter(learner=learner).values("lesson").annotate(best=Max("score"))
                    .values_list("lesson", "best"))
    return [LessonProgress(lesson, [ExerciseState(exercise, progress.get(exercise.pk))
                                    for exercise in lesson.exercises.all()], quiz.get(lesson.pk), order)
            for lesson in lessons]


def lesson_with_progress(*, learner: AbstractBaseUser, lesson: Lesson) -> LessonProgress:
    progress = {row.exercise_id: row for row in ExerciseProgress.objects.filter(learner=learner,
                                                                               exercise__lesson=lesson)}
    best = QuizResult.objects.filter(learner=learner, lesson=lesson).aggregate(best=Max("score"))["best"]
    return LessonProgress(lesson, [ExerciseState(exercise, progress.get(exercise.pk))
                                   for exercise in lesson.exercises.all()], best)


@dataclass(frozen=True)
class CourseProgress:
    lessons: int
    completed: int
    score: int
    max_score: int

    @property
    def percent(self) -> int:
        return math.floor(100 * self.score / self.max_score) if self.max_score else 0


def course_progress(lessons: list[LessonProgress]) -> CourseProgress:
    return CourseProgress(len(lessons), sum(item.completed for item in lessons), sum(item.score for item in lessons),
                          sum(item.max_score for item in lessons))


def lesson_is_open(*, lessons: list[LessonProgress], lesson: Lesson) -> bool:
    """A lesson that requires the previous one opens once that one is complete; others are always open.
    Whether it requires it is the lesson's own setting unless a lesson order policy decided for the learner
    whose `lessons` these are (`lessons_with_progress`)."""
    item = next((entry for entry in lessons if entry.lesson.pk == lesson.pk), None)
    if not (item.requires_previous if item is not None else lesson.requires_previous):
        return True
    ordered = [item for item in lessons if item.lesson.order < lesson.order]
    return not ordered or ordered[-1].completed
