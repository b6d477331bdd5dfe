"""The lessons API: lessons with the caller's own progress, graded checks, quizzes, in the request's language;
anonymous callers get nothing and nobody reads another learner's results."""

from __future__ import annotations

import pytest

from cluster_engine.models import Sandbox
from lessons import services, solutions
from lessons.models import Attempt, Exercise, ExerciseProgress, QuizResult

pytestmark = pytest.mark.django_db

PODS = "/api/lessons/pods/"
CHECK = PODS + "exercises/init-container/check/"


@pytest.fixture(autouse=True)
def course(db):
    services.lessons_load()


def test_anonymous_callers_get_nothing(client):
    for method, url in [("get", "/api/lessons/"), ("get", PODS), ("post", CHECK), ("post", PODS + "quiz/"),
                        ("post", PODS + "exercises/init-container/open/"),
                        ("post", PODS + "exercises/init-container/reset/")]:
        assert getattr(client, method)(url).status_code in (401, 403), url
    assert Sandbox.objects.count() == 0


def test_the_list_is_in_course_order_in_the_requests_language(client, learner):
    client.force_login(learner)
    english = client.get("/api/lessons/", HTTP_ACCEPT_LANGUAGE="en").json()
    russian = client.get("/api/lessons/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert [item["slug"] for item in english][:4] == ["what-is-kubernetes", "architecture", "pods", "api-access"]
    assert english[2]["title"] == "Pods"
    assert russian[2]["title"] == "Поды"
    assert english[2]["exercises"] == 4
    assert english[2]["progress"] == {"exercises_passed": 0, "exercises": 4, "score": 0,
                                      "max_score": english[2]["progress"]["max_score"], "percent": 0,
                                      "quiz_best": None, "quiz_passed": False, "completed": False}
    assert english[2]["open"] is True


def test_a_lesson_names_its_checks_and_hides_the_quiz_answers(client, learner):
    client.force_login(learner)
    lesson = client.get(PODS, HTTP_ACCEPT_LANGUAGE="ru").json()
    assert lesson["text"].startswith("## ")
    assert "<h2>" in lesson["html"]
    exercise = next(item for item in lesson["exercises"] if item["id"] == "init-container")
    assert [check["id"] for check in exercise["checks"]] == ["pod", "init-defined", "init-first", "ready"]
    assert exercise["checks"][2]["title"] == "wait завершился до того, как стартовал web"
    assert exercise["points"] == 5
    assert exercise["status"] == "not-started"
    assert "correct" not in str(lesson["quiz"])
    assert client.get("/api/lessons/nope/").status_code == 404


def test_a_check_grades_the_callers_sandbox_and_names_every_check(client, learner):
    client.force_login(learner)
    failed = client.post(CHECK, HTTP_ACCEPT_LANGUAGE="en").json()
    assert failed["passed"] is False
    assert failed["score"] == 0
    assert failed["max_score"] == 5
    assert [check["id"] for check in failed["checks"]] == ["pod", "init-defined", "init-first", "ready"]
    assert failed["checks"][0]["message"] == "Pod web does not exist in namespace default."
    assert failed["hint"] is None
    russian = client.post(CHECK, HTTP_ACCEPT_LANGUAGE="ru").json()
    assert russian["checks"][0]["message"] == "Объект Pod «web» в пространстве имён default не найден."
    assert russian["hint"] == "Init-контейнер описывается в spec.initContainers, а не в spec.containers."
    exercise = Exercise.objects.get(lesson__slug="pods", slug="init-container")
    sandbox = services.lesson_sandbox(learner=learner, lesson=exercise.lesson, exercise=exercise)
    solutions.run_steps(sandbox=sandbox, learner=learner, steps=exercise.solution["steps"])
    passed = client.post(CHECK).json()
    assert passed["passed"] is True
    assert passed["score"] == 5
    assert passed["hint"] is None
    progress = ExerciseProgress.objects.get(learner=learner, exercise=exercise)
    assert (progress.attempts, progress.best_score, progress.failed_attempts_in_a_row) == (3, 5, 0)
    assert progress.first_passed_at is not None
    attempt = Attempt.objects.filter(learner=learner).first()
    assert attempt.passed
    assert attempt.resource_version == int(passed["resource_version"])
    summary = next(item for item in client.get("/api/lessons/").json() if item["slug"] == "pods")
    assert summary["progress"]["exercises_passed"] == 1
    assert summary["progress"]["score"] == 5


def test_nobody_sees_another_learners_results(client, learner, other_learner):
    client.force_login(learner)
    assert client.post(CHECK).status_code == 200
    client.force_login(other_learner)
    summary = next(item for item in client.get("/api/lessons/").json() if item["slug"] == "pods")
    assert summary["progress"]["score"] == 0
    exercise = next(item for item in client.get(PODS).json()["exercises"] if item["id"] == "init-container")
    assert exercise["attempts"] == 0
    assert exercise["status"] == "not-started"
    # Grading bob grades bob's own sandbox, never ada's.
    client.post(CHECK)
    assert set(Attempt.objects.values_list("learner__username", "sandbox_id")) == {
        ("ada", Sandbox.objects.get(owner__username="ada", key="lesson:pods").pk),
        ("bob", Sandbox.objects.get(owner__username="bob", key="lesson:pods").pk)}


def test_the_quiz_is_graded_on_the_server(client, learner):
    client.force_login(learner)
    lesson = client.get(PODS).json()
    answers = {"shared": ["a"], "init": ["b"], "phase": ["a"], "logs": ["b"]}
    result = client.post(PODS + "quiz/", {"answers": answers}, content_type="application/json",
                         HTTP_ACCEPT_LANGUAGE="ru").json()
    assert (result["score"], result["max_score"], result["passed"]) == (3, 4, True)
    wrong = next(question for question in result["questions"] if question["id"] == "logs")
    assert wrong["correct"] is False
    assert wrong["correct_choices"] == ["a"]
    assert "kubectl logs" in wrong["explanation"]
    assert "спрашивает" in wrong["explanation"]
    junk = client.post(PODS + "quiz/", {"answers": {"shared": ["zzz"], "nope": ["a"]}},
                       content_type="application/json").json()
    assert junk["score"] == 0
    bad = client.post(PODS + "quiz/", {"answers": "all of them"}, content_type="application/json")
    assert bad.status_code == 400
    assert QuizResult.objects.filter(learner=learner).count() == 2
    assert len(lesson["quiz"]) == 4


def test_reset_puts_the_exercise_sandbox_back_to_its_start(client, learner):
    client.force_login(learner)
    exercise = Exercise.objects.get(lesson__slug="pods", slug="first-pod")
    sandbox = services.lesson_sandbox(learner=learner, lesson=exercise.lesson, exercise=exercise)
    solutions.run_steps(sandbox=sandbox, learner=learner, steps=exercise.solution["steps"])
    assert client.post(PODS + "exercises/first-pod/check/").json()["passed"]
    response = client.post(PODS + "exercises/first-pod/reset/")
    assert response.status_code == 200
    assert response.json()["sandbox"] == str(sandbox.pk)
    assert client.post(PODS + "exercises/first-pod/check/").json()["passed"] is False


def test_a_lesson_that_requires_the_previous_one_waits_for_it(client, learner):
    from lessons.models import Lesson

    Lesson.objects.filter(slug="architecture").update(requires_previous=True)
    client.force_login(learner)
    listed = {item["slug"]: item["open"] for item in client.get("/api/lessons/").json()}
    assert listed["architecture"] is False
    assert listed["pods"] is True
    response = client.get("/api/lessons/architecture/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "opens once you have completed" in response.json()["detail"]
    assert client.get("/en/lessons/architecture/").status_code == 404


def test_the_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/lessons/", "/api/lessons/{slug}/", "/api/lessons/{slug}/exercises/{exercise_id}/check/",
                 "/api/lessons/{slug}/quiz/"):
        assert path in schema["paths"], path
    check = schema["paths"]["/api/lessons/{slug}/exercises/{exercise_id}/check/"]["post"]
    assert "Grade" in str(check["responses"]["200"])
