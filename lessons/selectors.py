"""Reads of lessons and of a learner's progress (only their own: every function takes the learner)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Max

from lessons.models import Exercise, ExerciseProgress, Lesson, QuizResult

QUIZ_PASS_SHARE = 2 / 3  # a lesson is complete with every exercise passed and two thirds of its quiz right


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
    """Every lesson in course order with the learner's progress (none for an anonymous visitor). Three queries."""
    lessons = list(Lesson.objects.prefetch_related("exercises"))
    progress: dict[int, ExerciseProgress] = {}
    quiz: dict[int, int] = {}
    if learner is not None and learner.is_authenticated:
        progress = {row.exercise_id: row for row in ExerciseProgress.objects.filter(learner=learner)}
        quiz = dict(QuizResult.objects.filter(learner=learner).values("lesson").annotate(best=Max("score"))
                    .values_list("lesson", "best"))
    return [LessonProgress(lesson, [ExerciseState(exercise, progress.get(exercise.pk))
                                    for exercise in lesson.exercises.all()], quiz.get(lesson.pk))
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
    """A lesson that requires the previous one opens once that one is complete; others are always open."""
    if not lesson.requires_previous:
        return True
    ordered = [item for item in lessons if item.lesson.order < lesson.order]
    return not ordered or ordered[-1].completed
