"""Who gets what: every teaching page and endpoint for an anonymous visitor, a learner, an instructor of another
cohort, the cohort's instructor and staff. Each gets only what it may, and ids of other cohorts reveal nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from cluster_engine.models import Sandbox
from lessons import services as lesson_services
from lessons.models import Attempt, Exercise
from teaching.models import AttemptComment, Cohort

pytestmark = pytest.mark.django_db

ANONYMOUS, LEARNER, OTHER, INSTRUCTOR, STAFF = "anonymous", "learner", "other", "instructor", "staff"


@pytest.fixture
def world(course, cohort, learner, other_instructor, instructor, staff_user):
    exercise = Exercise.objects.get(lesson__slug="what-is-kubernetes", slug="desired-state")
    graded = lesson_services.attempt_grade(learner=learner, exercise=exercise)
    sandbox = Sandbox.objects.get(owner=learner, key="lesson:what-is-kubernetes")
    return {"cohort": cohort, "learner": learner, "attempt": graded.attempt, "sandbox": sandbox, "exercise": exercise,
            "users": {LEARNER: learner, OTHER: other_instructor, INSTRUCTOR: instructor, STAFF: staff_user}}


def client_for(world, who: str) -> Client:
    client = Client()
    if who != ANONYMOUS:
        client.force_login(world["users"][who])
    return client


def page_urls(world) -> list[str]:
    base = f"/en/teaching/cohorts/{world['cohort'].pk}/"
    learner = f"{base}learners/{world['learner'].pk}/"
    return [base, base + "statistics/", base + "settings/", learner, f"{learner}sandboxes/{world['sandbox'].pk}/"]


def api_urls(world) -> list[str]:
    base = f"/api/cohorts/{world['cohort'].pk}/"
    learner = f"{base}learners/{world['learner'].pk}/"
    return [base + "gradebook/", base + "gradebook/?format=csv", base + "statistics/", base + "stuck/",
            learner + "timeline/", f"{learner}sandboxes/{world['sandbox'].pk}/history/"]


@pytest.mark.parametrize(("who", "expected"), [(ANONYMOUS, 302), (LEARNER, 403), (OTHER, 404), (INSTRUCTOR, 200),
                                               (STAFF, 200)])
def test_the_cohorts_pages(world, who, expected):
    client = client_for(world, who)
    for url in page_urls(world):
        response = client.get(url)
        assert response.status_code == expected, url
        if expected == 302:
            assert response.headers["Location"].startswith("/en/accounts/login/")


@pytest.mark.parametrize(("who", "expected"), [(ANONYMOUS, 403), (LEARNER, 403), (OTHER, 404), (INSTRUCTOR, 200),
                                               (STAFF, 200)])
def test_the_cohorts_api(world, who, expected):
    client = client_for(world, who)
    for url in api_urls(world):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize(("who", "expected"), [(ANONYMOUS, 302), (LEARNER, 403), (INSTRUCTOR, 200), (STAFF, 200)])
def test_the_teaching_home(world, who, expected):
    assert client_for(world, who).get("/ru/teaching/").status_code == expected


def test_an_instructor_lists_only_their_cohorts_and_staff_list_all(world, other_instructor, instructor, staff_user):
    from teaching import services

    services.cohort_create(owner=other_instructor, name="Olga's class")
    listed = {who: [c["name"] for c in client_for(world, who).get("/api/cohorts/").json()]
              for who in (LEARNER, OTHER, INSTRUCTOR, STAFF)}
    assert listed[INSTRUCTOR] == ["Spring class"]
    assert listed[OTHER] == ["Olga's class"]
    assert sorted(listed[STAFF]) == ["Olga's class", "Spring class"]
    assert listed[LEARNER] == ["Spring class"]
    as_learner = client_for(world, LEARNER).get("/api/cohorts/").json()[0]
    assert as_learner["role"] == "learner"
    assert "invite_code" not in as_learner  # learners never see the code
    as_instructor = client_for(world, INSTRUCTOR).get("/api/cohorts/").json()[0]
    assert as_instructor["invite_code"] == world["cohort"].invite_code
    assert as_instructor["invite_url"].endswith(f"/en/cohorts/join/{world['cohort'].invite_code}/")
    text = client_for(world, OTHER).get("/en/teaching/").content.decode()
    assert "Olga&#x27;s class" in text
    assert "Spring class" not in text


def test_only_instructors_create_cohorts(world):
    assert client_for(world, ANONYMOUS).post("/api/cohorts/", {"name": "x"}).status_code == 403
    refused = client_for(world, LEARNER).post("/api/cohorts/", {"name": "x"})
    assert refused.status_code == 403
    created = client_for(world, INSTRUCTOR).post("/api/cohorts/", {"name": "Autumn", "lesson_order": "locked"})
    assert created.status_code == 201
    assert created.json()["lesson_order"] == "locked"
    assert len(created.json()["invite_code"]) == 8
    assert client_for(world, INSTRUCTOR).post("/api/cohorts/", {"name": ""}).status_code == 400
    assert Cohort.objects.filter(name="x").count() == 0


def test_joining_with_a_code(world, other_learner):
    client = Client()
    assert client.post("/api/cohorts/join/", {"code": world["cohort"].invite_code}).status_code == 403
    client.force_login(other_learner)
    wrong = client.post("/api/cohorts/join/", {"code": "NOPE1234"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert wrong.status_code == 400
    assert wrong.json()["detail"] == "Нет группы с таким кодом приглашения. Уточните код у преподавателя."
    joined = client.post("/api/cohorts/join/", {"code": f" {world['cohort'].invite_code.lower()} "})
    assert joined.status_code == 200
    assert joined.json()["name"] == "Spring class"
    assert world["cohort"].memberships.filter(learner=other_learner).exists()


def test_the_invite_link_page_joins_after_confirmation(world, other_learner):
    url = f"/en/cohorts/join/{world['cohort'].invite_code}/"
    assert Client().get(url).status_code == 302  # to log in first
    client = Client()
    client.force_login(other_learner)
    page = client.get(url)
    assert page.status_code == 200
    assert "Spring class" in page.content.decode()
    assert not world["cohort"].memberships.filter(learner=other_learner).exists()  # a GET joins nobody
    assert client.post(url).status_code == 302
    assert world["cohort"].memberships.filter(learner=other_learner).exists()
    assert client.get("/en/cohorts/join/WRONGCODE/").status_code == 404


@pytest.mark.parametrize(("who", "expected"), [(ANONYMOUS, 302), (LEARNER, 403), (OTHER, 404), (INSTRUCTOR, 302),
                                               (STAFF, 302)])
def test_the_instructors_writes(world, who, expected):
    client = client_for(world, who)
    base = f"/en/teaching/cohorts/{world['cohort'].pk}/"
    learner = f"{base}learners/{world['learner'].pk}/"
    comment = client.post(f"{learner}attempts/{world['attempt'].pk}/comment/", {"text": f"from {who}"})
    assert comment.status_code == expected
    assert AttemptComment.objects.filter(text=f"from {who}").exists() == (expected == 302 and who != ANONYMOUS)
    before = Sandbox.objects.get(pk=world["sandbox"].pk).resource_version
    reset = client.post(f"{learner}sandboxes/{world['sandbox'].pk}/reset/")
    assert reset.status_code == expected
    after = Sandbox.objects.get(pk=world["sandbox"].pk).resource_version
    assert (after > before) == (expected == 302 and who != ANONYMOUS)
    regrade = client.post(base + "regrade/", {"exercise": world["exercise"].pk})
    assert regrade.status_code == expected
    settings_post = client.post(base + "settings/", {"action": "new-code"})
    assert settings_post.status_code == expected


def test_an_instructor_reaches_only_their_learners(world, other_learner, instructor):
    """A learner outside the cohort is not found, even through the cohort the instructor runs."""
    client = client_for(world, INSTRUCTOR)
    base = f"/api/cohorts/{world['cohort'].pk}/learners/{other_learner.pk}/"
    assert client.get(base + "timeline/").status_code == 404
    assert client.get(f"/en/teaching/cohorts/{world['cohort'].pk}/learners/{other_learner.pk}/").status_code == 404
    theirs = lesson_services.lesson_sandbox(learner=other_learner, lesson=world["exercise"].lesson)
    assert client.get(f"/api/sandboxes/{theirs.pk}/").status_code == 404
    # The sandbox of a learner of the cohort through another learner's address: not found either.
    assert client.get(f"{base}sandboxes/{world['sandbox'].pk}/history/").status_code == 404


def test_comments_show_on_the_learners_lesson_page_only(world, other_learner):
    attempt: Attempt = world["attempt"]
    AttemptComment.objects.create(attempt=attempt, author=world["users"][INSTRUCTOR], text="Look at the image tag")
    mine = client_for(world, LEARNER).get("/ru/lessons/what-is-kubernetes/").content.decode()
    assert "Заметки преподавателя" in mine
    assert "Look at the image tag" in mine
    client = Client()
    client.force_login(other_learner)
    theirs = client.get("/en/lessons/what-is-kubernetes/").content.decode()
    assert "Look at the image tag" not in theirs


def test_settings_set_deadlines_and_grant_extensions_that_the_learner_sees(world, instructor, learner):
    from teaching.models import Deadline, Extension

    client = client_for(world, INSTRUCTOR)
    url = f"/en/teaching/cohorts/{world['cohort'].pk}/settings/"
    lesson = world["exercise"].lesson
    response = client.post(url, {"action": "deadlines", f"lesson_{lesson.pk}": "2026-05-01T18:00"})
    assert response.status_code == 302
    deadline = Deadline.objects.get(cohort=world["cohort"], lesson=lesson)
    assert deadline.due_at.isoformat() == "2026-05-01T18:00:00+00:00"
    early = client.post(url, {"action": "extension", "learner": learner.pk, "deadline": deadline.pk,
                              "due_at": "2026-04-01T18:00"})
    assert early.status_code == 200
    assert "An extension ends after the cohort&#x27;s deadline." in early.content.decode()
    granted = client.post(url, {"action": "extension", "learner": learner.pk, "deadline": deadline.pk,
                                "due_at": "2026-05-08T18:00"})
    assert granted.status_code == 302
    extension = Extension.objects.get(deadline=deadline, learner=learner)
    assert extension.granted_by == instructor
    assert "ines" in client.get(url).content.decode()
    mine = client_for(world, LEARNER).get("/ru/cohorts/").content.decode()
    assert "продлён для вас" in mine
    assert "Spring class" in mine
    assert client.post(url, {"action": "cohort", "name": "Spring class B", "lesson_order": "free",
                             "stuck_minutes": 15, "stuck_failures": 2}).status_code == 302
    world["cohort"].refresh_from_db()
    assert (world["cohort"].name, world["cohort"].lesson_order, world["cohort"].stuck_minutes) == (
        "Spring class B", "free", 15)


def test_the_openapi_schema_documents_the_cohorts_api(world):
    schema = client_for(world, LEARNER).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for path in ("/api/cohorts/", "/api/cohorts/join/", "/api/cohorts/{cohort_id}/gradebook/",
                 "/api/cohorts/{cohort_id}/learners/{user_id}/timeline/"):
        assert path in paths, path
    assert set(paths["/api/cohorts/"]) >= {"get", "post"}
    gradebook = paths["/api/cohorts/{cohort_id}/gradebook/"]["get"]
    assert "text/csv" in gradebook["responses"]["200"]["content"]
    assert any(parameter["name"] == "format" for parameter in gradebook["parameters"])
