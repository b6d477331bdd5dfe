"""The gradebook's live feed: a learner's graded attempt, an opened exercise or a quiz reaches the open gradebooks
of their cohorts over the real channel layer, and only those; and a cohort's lesson order rules which lessons its
learners may open."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from lessons import selectors as lesson_selectors
from lessons import services as lesson_services
from lessons import solutions
from lessons.models import Exercise, Lesson
from teaching import services
from teaching.models import Cohort

pytestmark = pytest.mark.django_db(transaction=True)


def _cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def gradebook_socket(user, cohort_id) -> tuple[WebsocketCommunicator, bool, int | None]:
    cookie = await sync_to_async(_cookie)(user)
    communicator = WebsocketCommunicator(application, f"/ws/cohorts/{cohort_id}/",
                                         headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)])
    connected, code = await communicator.connect(timeout=10)
    return communicator, connected, code


async def next_progress(communicator) -> dict:
    async with asyncio.timeout(20):
        while True:
            message = await communicator.receive_json_from(timeout=20)
            if message["type"] == "progress":
                return message


@pytest.mark.asyncio
async def test_the_gradebook_hears_a_learner_open_and_pass_an_exercise(course, cohort, learner, instructor):
    socket, connected, code = await gradebook_socket(instructor, cohort.pk)
    assert connected, code
    exercise = await sync_to_async(Exercise.objects.select_related("lesson").get)(
        lesson__slug="what-is-kubernetes", slug="desired-state")
    key = "what-is-kubernetes/desired-state"

    await sync_to_async(lesson_services.exercise_open)(learner=learner, exercise=exercise)
    opened = await next_progress(socket)
    assert opened["learner"]["username"] == "ada"
    assert opened["learner"]["cells"][key]["status"] == "working"
    assert opened["lesson"]["slug"] == "what-is-kubernetes"

    def solve_and_check():
        sandbox = lesson_services.lesson_sandbox(learner=learner, lesson=exercise.lesson, exercise=exercise)
        solutions.run_steps(sandbox=sandbox, learner=learner, steps=exercise.solution["steps"])
        return lesson_services.attempt_grade(learner=learner, exercise=exercise)

    graded = await sync_to_async(solve_and_check)()
    assert graded.attempt.passed
    passed = await next_progress(socket)
    cell = passed["learner"]["cells"][key]
    assert (cell["status"], cell["score"], cell["attempts"]) == ("passed", 6, 1)
    assert all(cell["checks"].values())
    assert passed["learner"]["score"] == 6
    await socket.disconnect()


@pytest.mark.asyncio
async def test_only_the_cohorts_instructor_and_staff_may_listen(course, cohort, learner, other_instructor,
                                                                staff_user):
    for user, expected in ((learner, 4403), (other_instructor, 4403)):
        _socket, connected, code = await gradebook_socket(user, cohort.pk)
        assert (connected, code) == (False, expected)
    communicator = WebsocketCommunicator(application, f"/ws/cohorts/{cohort.pk}/",
                                         headers=[(b"origin", b"http://localhost")])
    assert await communicator.connect(timeout=10) == (False, 4401)
    staff, connected, _code = await gradebook_socket(staff_user, cohort.pk)
    assert connected
    await staff.disconnect()


@pytest.mark.asyncio
async def test_a_learner_in_no_cohort_is_heard_by_no_gradebook(course, cohort, other_learner, instructor):
    socket, connected, _code = await gradebook_socket(instructor, cohort.pk)
    assert connected
    exercise = await sync_to_async(Exercise.objects.select_related("lesson").get)(
        lesson__slug="what-is-kubernetes", slug="desired-state")
    await sync_to_async(lesson_services.attempt_grade)(learner=other_learner, exercise=exercise)
    assert await socket.receive_nothing(timeout=2)
    await socket.disconnect()


def test_a_cohorts_lesson_order_rules_its_learners(course, instructor, learner, other_learner):
    architecture = Lesson.objects.get(slug="architecture")
    Lesson.objects.filter(pk=architecture.pk).update(requires_previous=True)
    architecture.refresh_from_db()

    def open_for(who) -> bool:
        lessons = lesson_selectors.lessons_with_progress(learner=who)
        return lesson_selectors.lesson_is_open(lessons=lessons, lesson=architecture)

    assert not open_for(learner)  # the lesson's own setting
    cohort = services.cohort_create(owner=instructor, name="Free", lesson_order=Cohort.FREE)
    services.cohort_join(learner=learner, code=cohort.invite_code)
    assert open_for(learner)
    assert not open_for(other_learner)  # not in the cohort: the lesson decides
    client = Client()
    client.force_login(learner)
    assert client.get("/api/lessons/architecture/").status_code == 200
    Cohort.objects.filter(pk=cohort.pk).update(lesson_order=Cohort.LOCKED)
    Lesson.objects.filter(pk=architecture.pk).update(requires_previous=False)
    assert not open_for(learner)  # locked by the cohort although the lesson itself is free
    assert client.get("/api/lessons/architecture/").status_code == 403
    assert client.get("/en/lessons/architecture/").status_code == 404
    assert open_for(other_learner)
    # The first lesson of a locked course is open.
    first = Lesson.objects.order_by("order").first()
    lessons = lesson_selectors.lessons_with_progress(learner=learner)
    assert lesson_selectors.lesson_is_open(lessons=lessons, lesson=first)
