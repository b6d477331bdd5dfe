"""The gradebook, the per-check statistics, who is stuck and the CSV, on fixtures whose answers are worked out
by hand: four learners on lesson 1, attempts at known minutes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from lessons.models import Attempt, Exercise, ExerciseProgress, Lesson, QuizResult
from teaching import selectors, services
from teaching.models import Cohort, Deadline

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LESSON = "what-is-kubernetes"


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def attempt(learner, exercise: Exercise, at: datetime, failed: set[str]) -> Attempt:
    results = [{"id": check["id"], "title": check["title"], "passed": check["id"] not in failed,
                "points": int(check.get("points", 1)), "message": {"en": "no", "ru": "нет"} if check["id"] in failed
                else {}} for check in exercise.checks]
    score = sum(result["points"] for result in results if result["passed"])
    made = Attempt.objects.create(learner=learner, exercise=exercise, passed=not failed, score=score,
                                  max_score=exercise.max_score, results=results, resource_version=1)
    Attempt.objects.filter(pk=made.pk).update(created_at=at)
    made.refresh_from_db()
    return made


def progress(learner, exercise: Exercise, *, started: datetime, attempts: list[Attempt], spent: int = 0,
             last: datetime | None = None) -> ExerciseProgress:
    passed = next((a.created_at for a in attempts if a.passed), None)
    return ExerciseProgress.objects.create(
        learner=learner, exercise=exercise, attempts=len(attempts), started_at=started, first_passed_at=passed,
        best_score=max((a.score for a in attempts), default=0), max_score=exercise.max_score, seconds_spent=spent,
        last_activity_at=last or (attempts[-1].created_at if attempts else started),
        failed_attempts_in_a_row=0)


@pytest.fixture
def klass(course, instructor, learner, other_learner, django_user_model):
    """ada passes desired-state on her 3rd attempt after 20 min, bob on his 2nd after 8, cy fails "image" three
    times, dan never starts. ada and bob then complete the whole lesson (quiz too): 600 s and 180 s on it."""
    cy = django_user_model.objects.create_user("cy", password="x")
    dan = django_user_model.objects.create_user("dan", password="x")
    cohort = services.cohort_create(owner=instructor, name="Known answers")
    for member in (learner, other_learner, cy, dan):
        services.cohort_join(learner=member, code=cohort.invite_code)
    lesson = Lesson.objects.get(slug=LESSON)
    desired, healing, scale = list(lesson.exercises.all())
    ada_tries = [attempt(learner, desired, minutes(5), {"image", "running"}),
                 attempt(learner, desired, minutes(10), {"running"}), attempt(learner, desired, minutes(20), set())]
    progress(learner, desired, started=T0, attempts=ada_tries, spent=100)
    bob_tries = [attempt(other_learner, desired, minutes(2), {"image", "applied", "running"}),
                 attempt(other_learner, desired, minutes(8), set())]
    progress(other_learner, desired, started=T0, attempts=bob_tries, spent=60)
    cy_tries = [attempt(cy, desired, minutes(n), {"image"}) for n in (1, 3, 4)]
    progress(cy, desired, started=T0, attempts=cy_tries)
    for who, spent in ((learner, (200, 300)), (other_learner, (60, 60))):
        for exercise, seconds in zip((healing, scale), spent, strict=True):
            tries = [attempt(who, exercise, minutes(25), set())]
            progress(who, exercise, started=minutes(21), attempts=tries, spent=seconds)
        QuizResult.objects.create(learner=who, lesson=lesson, score=len(lesson.quiz), max_score=len(lesson.quiz))
    return {"cohort": cohort, "lesson": lesson, "desired": desired, "cy": cy, "dan": dan}


def test_statistics_per_exercise(klass):
    found = {f"{item.lesson.slug}/{item.exercise.slug}": item
             for item in selectors.exercise_statistics(cohort=klass["cohort"])}
    desired = found[f"{LESSON}/desired-state"]
    assert (desired.learners, desired.started, desired.passed) == (4, 3, 2)
    assert desired.pass_rate == 0.5
    assert desired.median_attempts_to_pass == 2.5  # ada 3, bob 2
    assert desired.median_seconds_to_pass == 840.0  # 20 min and 8 min
    assert [(check.id, check.failures, check.attempts, check.learners_failed) for check in desired.checks] == [
        ("image", 5, 8, 3), ("running", 3, 8, 2), ("applied", 1, 8, 1), ("exists", 0, 8, 0), ("replicas", 0, 8, 0)]
    assert desired.checks[0].failure_rate == 0.625
    healing = found[f"{LESSON}/self-healing"]
    assert (healing.passed, healing.median_attempts_to_pass, healing.median_seconds_to_pass) == (2, 1.0, 240.0)
    untouched = found["pods/init-container"]
    assert (untouched.started, untouched.passed, untouched.median_attempts_to_pass) == (0, 0, None)


def test_who_is_stuck(klass, learner):
    stuck = selectors.stuck_reasons(cohort=klass["cohort"], now=minutes(30))
    assert set(stuck) == {klass["cy"].pk}  # ada and bob passed; dan never started
    idle, repeated = stuck[klass["cy"].pk]
    assert (idle.kind, idle.minutes, idle.exercise.slug) == ("idle", 29, "desired-state")  # last new pass at 1 min
    assert (repeated.kind, repeated.check_id, repeated.failures) == ("repeated", "image", 3)
    assert repeated.to_json()["check_title"] == "Its container runs nginx:1.27"
    # Below both thresholds: not stuck. Gone for longer than the active window: not "stuck" either.
    Cohort.objects.filter(pk=klass["cohort"].pk).update(stuck_minutes=45, stuck_failures=4)
    klass["cohort"].refresh_from_db()
    assert selectors.stuck_reasons(cohort=klass["cohort"], now=minutes(30)) == {}
    Cohort.objects.filter(pk=klass["cohort"].pk).update(stuck_minutes=20, stuck_failures=3)
    klass["cohort"].refresh_from_db()
    assert selectors.stuck_reasons(cohort=klass["cohort"], now=minutes(4 + 3 * 60)) == {}


def test_the_gradebook_grid_and_lesson_summaries(klass, learner):
    book = selectors.gradebook(cohort=klass["cohort"], now=minutes(30))
    assert [row.learner.get_username() for row in book.rows] == ["ada", "bob", "cy", "dan"]
    summary = next(item for item in book.lessons if item.lesson.slug == LESSON)
    assert (summary.learners, summary.completed, summary.completion) == (4, 2, 0.5)
    assert summary.median_seconds == 390  # ada 600 s, bob 180 s on the lesson's exercises
    ada = book.rows[0].cells[f"{LESSON}/desired-state"]
    assert (ada.status, ada.score, ada.max_score, ada.attempts) == ("passed", 6, 6, 3)
    assert ada.checks == {"exists": True, "replicas": True, "image": True, "applied": True, "running": True}
    cy = book.rows[2].cells[f"{LESSON}/desired-state"]
    assert (cy.status, cy.score, cy.attempts) == ("working", 5, 3)
    assert cy.checks["image"] is False
    assert book.rows[3].cells[f"{LESSON}/desired-state"].status == "not-started"
    assert book.rows[0].lessons_completed == [LESSON]
    assert [reason.kind for reason in book.rows[2].stuck] == ["idle", "repeated"]
    assert [row.stuck for row in book.rows if row.learner.get_username() != "cy"] == [[], [], []]


def test_deadlines_and_extensions_mark_late_and_overdue_work(klass, learner, instructor):
    deadline = services.deadline_set(cohort=klass["cohort"], lesson=klass["lesson"], due_at=minutes(9))
    book = selectors.gradebook(cohort=klass["cohort"], now=minutes(30))
    cell = {row.learner.get_username(): row.cells[f"{LESSON}/desired-state"] for row in book.rows}
    assert (cell["ada"].late, cell["bob"].late, cell["cy"].overdue, cell["dan"].overdue) == (True, False, True, True)
    extension = services.extension_grant(deadline=deadline, learner=learner, due_at=minutes(60), granted_by=instructor)
    assert extension.granted_by == instructor
    assert extension.granted_at is not None
    book = selectors.gradebook(cohort=klass["cohort"], now=minutes(30))
    ada = book.rows[0].cells[f"{LESSON}/desired-state"]
    assert (ada.late, ada.due_at) == (False, minutes(60))
    with pytest.raises(Exception, match="after the cohort"):
        services.extension_grant(deadline=deadline, learner=learner, due_at=minutes(5), granted_by=instructor)
    outsider = type(learner).objects.create_user("zed", password="x")
    with pytest.raises(Exception, match="not in the cohort"):
        services.extension_grant(deadline=deadline, learner=outsider, due_at=minutes(60), granted_by=instructor)
    mine = selectors.learner_deadlines(learner=learner)
    assert [(entry["lesson"].slug, entry["due_at"], entry["extended"]) for entry in mine] == [
        (LESSON, minutes(60), True)]
    assert Deadline.objects.count() == 1


def test_the_csv_has_a_row_per_learner_and_exercise_with_every_check(klass, instructor):
    client = Client()
    client.force_login(instructor)
    response = client.get(f"/api/cohorts/{klass['cohort'].pk}/gradebook/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    assert header[:12] == ["learner", "lesson", "exercise", "status", "score", "max_score", "attempts",
                           "time_spent_seconds", "started_at", "first_passed_at", "due_at", "late"]
    exercises = Exercise.objects.count()
    assert len(rows) == 1 + 4 * exercises
    by_key = {(row[0], row[2]): dict(zip(header, row, strict=True)) for row in rows[1:]}
    cy = by_key[("cy", "desired-state")]
    assert (cy["status"], cy["score"], cy["max_score"], cy["attempts"]) == ("working", "5", "6", "3")
    checks = {cy[f"check_{n}"]: cy[f"check_{n}_result"] for n in range(1, 6)}
    assert checks == {"exists": "passed", "replicas": "passed", "image": "failed", "applied": "passed",
                      "running": "passed"}
    dan = by_key[("dan", "desired-state")]
    assert dan["status"] == "not-started"
    assert dan["check_1"] == "exists"
    assert dan["check_1_result"] == "not checked"
    ada = by_key[("ada", "desired-state")]
    assert ada["first_passed_at"] == minutes(20).isoformat()
    assert ada["time_spent_seconds"] == "100"


def test_the_json_gradebook_matches(klass, instructor):
    client = Client()
    client.force_login(instructor)
    book = client.get(f"/api/cohorts/{klass['cohort'].pk}/gradebook/").json()
    assert book["cohort"]["name"] == "Known answers"
    lesson = next(item for item in book["lessons"] if item["slug"] == LESSON)
    assert (lesson["completion"], lesson["median_seconds"], lesson["completed"]) == (0.5, 390, 2)
    assert [exercise["id"] for exercise in lesson["exercises"]] == ["desired-state", "self-healing", "scale-in-place"]
    cy = next(item for item in book["learners"] if item["username"] == "cy")
    assert cy["cells"][f"{LESSON}/desired-state"]["checks"]["image"] is False
    statistics = client.get(f"/api/cohorts/{klass['cohort'].pk}/statistics/").json()
    desired = next(item for item in statistics if item["key"] == f"{LESSON}/desired-state")
    assert (desired["pass_rate"], desired["median_attempts_to_pass"]) == (0.5, 2.5)
    assert desired["checks"][0] == {"id": "image", "title": "Its container runs nginx:1.27", "attempts": 8,
                                    "failures": 5, "failure_rate": 0.625, "learners_failed": 3}


def test_the_gradebook_page_shows_the_grid_and_the_stuck(klass, instructor):
    client = Client()
    client.force_login(instructor)
    text = client.get(f"/ru/teaching/cohorts/{klass['cohort'].pk}/").content.decode()
    assert 'data-testid="row-cy"' in text
    assert 'data-testid="stuck-cy"' not in text  # cy left hours ago: away, not stuck
    assert "50% · 2 из 4 завершили" in text
    statistics = client.get(f"/en/teaching/cohorts/{klass['cohort'].pk}/statistics/").content.decode()
    assert "“Its container runs nginx:1.27” — failed attempts: 5 of 8, learners: 3" in statistics
