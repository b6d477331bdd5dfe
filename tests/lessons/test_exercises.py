"""Every exercise of the course, proven on real sandboxes (database, engine, the learner's own doors):
a fresh sandbox fails it, its reference solution passes every check, and each plausible wrong solution fails
with the check it names, whose message says what was expected and found, in both languages."""

from __future__ import annotations

import pytest

from lessons import loader, services, solutions
from lessons.models import Exercise

LESSONS = loader.read_all(services.CONTENT_DIR)
EXERCISES = [(data.fields["slug"], exercise["slug"]) for data in LESSONS for exercise in data.exercises]
WRONG = [(data.fields["slug"], exercise["slug"], index)
         for data in LESSONS for exercise in data.exercises
         for index, _wrong in enumerate(data.wrong_solutions[exercise["slug"]])]

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db):
    services.lessons_load()


def _exercise(lesson_slug: str, exercise_slug: str) -> Exercise:
    return Exercise.objects.select_related("lesson").get(lesson__slug=lesson_slug, slug=exercise_slug)


def _grade(learner, exercise: Exercise, steps: list[dict], *, strict: bool):
    sandbox = services.lesson_sandbox(learner=learner, lesson=exercise.lesson, exercise=exercise)
    run = solutions.run_steps(sandbox=sandbox, learner=learner, steps=steps, strict=strict)
    return services.attempt_grade(learner=learner, exercise=exercise), run


@pytest.mark.parametrize(("lesson_slug", "exercise_slug"), EXERCISES)
def test_a_fresh_sandbox_fails_and_the_reference_solution_passes(course, learner, lesson_slug, exercise_slug):
    exercise = _exercise(lesson_slug, exercise_slug)
    fresh = services.attempt_grade(learner=learner, exercise=exercise)
    assert not fresh.evaluation.passed, "a fresh sandbox already passes this exercise"
    graded, run = _grade(learner, exercise, exercise.solution["steps"], strict=True)
    failing = {r.id: r.message["en"] for r in graded.evaluation.results if not r.passed}
    assert graded.evaluation.passed, f"the reference solution fails {failing}\noutputs: {run.outputs}"
    assert graded.attempt.score == graded.attempt.max_score == exercise.max_score


@pytest.mark.parametrize(("lesson_slug", "exercise_slug", "index"), WRONG)
def test_a_plausible_wrong_solution_fails_the_check_it_names(course, learner, lesson_slug, exercise_slug, index):
    exercise = _exercise(lesson_slug, exercise_slug)
    data = next(d for d in LESSONS if d.fields["slug"] == lesson_slug)
    wrong = data.wrong_solutions[exercise_slug][index]
    graded, run = _grade(learner, exercise, wrong["steps"], strict=False)
    results = {result.id: result for result in graded.evaluation.results}
    named = results[wrong["fails"]]
    assert not named.passed, f"{wrong.get('note')}: check {wrong['fails']} passed\noutputs: {run.outputs}"
    assert named.message["en"]
    assert named.message["ru"]
    assert named.message["en"] != named.message["ru"]
    assert not graded.evaluation.passed


def test_every_exercise_has_a_wrong_solution():
    missing = [f"{data.fields['slug']}/{slug}" for data in LESSONS for slug, wrong in data.wrong_solutions.items()
               if not wrong]
    assert missing == []
