"""The instructor's side end to end (real daphne, worker, Redis, Chromium): the gradebook updating live while a
learner opens and passes an exercise in another browser, the read-only look at that learner's sandbox with its
replay and their terminal, and the authoring preview in both languages with a YAML error's line and a reference
solution tried on a fresh sandbox."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_playground import PASSWORD, SETTLE_MS, shot, terminal_run

LESSON, EXERCISE = "what-is-kubernetes", "desired-state"
KEY = f"{LESSON}/{EXERCISE}"


@pytest.fixture
def course(transactional_db):
    from lessons import services

    services.lessons_load()


@pytest.fixture
def classroom(course, learner, django_user_model):
    from teaching import services

    teacher = django_user_model.objects.create_user(username="ines", password=PASSWORD)
    teacher.groups.add(Group.objects.get_or_create(name=settings.INSTRUCTOR_GROUP)[0])
    cohort = services.cohort_create(owner=teacher, name="Spring class")
    services.cohort_join(learner=learner, code=cohort.invite_code)
    return cohort


def sign_in(page: Page, base_url: str, username: str, next_url: str) -> None:
    page.goto(f"{base_url}/en/accounts/login/?next={next_url}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(f"{base_url}{next_url}")


def cell(page: Page, username: str):
    return page.get_by_test_id(f"row-{username}").locator(f'td[data-key="{KEY}"]')


@pytest.mark.django_db(transaction=True)
def test_the_gradebook_follows_a_learner_live_and_the_instructor_watches_read_only(
        page: Page, browser: Browser, classroom, learner, celery_worker_process, asgi_server: str,
        screenshot_dir: Path):
    from lessons import solutions
    from lessons.models import Exercise
    from lessons.services import lesson_sandbox

    gradebook = f"/en/teaching/cohorts/{classroom.pk}/"
    sign_in(page, asgi_server, "ines", gradebook)
    expect(page.locator("#gradebook-live")).to_have_attribute("data-state", "open", timeout=SETTLE_MS)
    expect(cell(page, "ada")).to_have_attribute("data-status", "not-started")
    shot(page, screenshot_dir, "1-gradebook-before")

    # The learner, in a browser of their own, opens the lesson: the exercise opens, the cell turns "working".
    learner_context = browser.new_context()
    learner_page = learner_context.new_page()
    sign_in(learner_page, asgi_server, "ada", f"/en/lessons/{LESSON}/")
    expect(learner_page.locator("body.podlab-ready")).to_have_count(1, timeout=SETTLE_MS)
    expect(cell(page, "ada")).to_have_attribute("data-status", "working", timeout=SETTLE_MS)
    expect(cell(page, "ada")).to_contain_text("×0")

    # A first check fails: one attempt, no points yet.
    exercise_item = learner_page.get_by_test_id(f"exercise-{EXERCISE}")
    exercise_item.locator("[data-action=check]").click()
    expect(exercise_item.locator("[data-result]")).to_have_attribute("data-ok", "false", timeout=SETTLE_MS)
    expect(cell(page, "ada")).to_contain_text("×1", timeout=SETTLE_MS)
    expect(cell(page, "ada").locator(".cell-score")).to_have_text("0/6")
    shot(page, screenshot_dir, "2-gradebook-working")

    # The learner does the work (the reference solution, through the doors their page uses), then checks again.
    exercise = Exercise.objects.get(lesson__slug=LESSON, slug=EXERCISE)
    sandbox = lesson_sandbox(learner=learner, lesson=exercise.lesson, exercise=exercise)
    solutions.run_steps(sandbox=sandbox, learner=learner, steps=exercise.solution["steps"])
    exercise_item.locator("[data-action=check]").click()
    expect(exercise_item.locator("[data-result]")).to_have_attribute("data-ok", "true", timeout=SETTLE_MS)
    shot(learner_page, screenshot_dir, "3-learner-passed")
    expect(cell(page, "ada")).to_have_attribute("data-status", "passed", timeout=SETTLE_MS)
    expect(cell(page, "ada").locator(".cell-score")).to_have_text("6/6")
    expect(cell(page, "ada")).to_contain_text("×2")
    expect(page.get_by_test_id("row-ada").locator("[data-total]")).to_have_attribute("data-total", "6")
    shot(page, screenshot_dir, "4-gradebook-passed-live")

    # Sorting and filtering keep working on the updated grid.
    page.get_by_test_id("filter-name").fill("zzz")
    expect(page.get_by_test_id("row-ada")).to_be_hidden()
    page.get_by_test_id("filter-name").fill("ad")
    expect(page.get_by_test_id("row-ada")).to_be_visible()

    # The statistics of the cohort, as charts and as a table.
    page.goto(f"{asgi_server}/en/teaching/cohorts/{classroom.pk}/statistics/")
    expect(page.locator("body.podlab-ready")).to_have_count(1, timeout=SETTLE_MS)
    assert page.evaluate("Object.keys(window.podlabCharts).sort()") == ["failingChecks", "passRate", "toPass"]
    assert page.evaluate("window.podlabCharts.passRate.data.datasets[0].data[0]") == 100
    row = page.get_by_test_id("statistics").locator(f'tr[data-key="{KEY}"]')
    expect(row.locator("[data-pass-rate]")).to_have_text("100%")
    expect(row).to_contain_text("failed attempts: 1 of 2, learners: 1")
    shot(page, screenshot_dir, "5-statistics")
    page.goto(f"{asgi_server}{gradebook}")

    # Over the learner's shoulder: their timeline, then their sandbox read-only, live, with its replay.
    page.get_by_test_id("row-ada").locator("th a").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("kubectl apply -f -")
    expect(page.get_by_test_id("timeline")).to_contain_text("6 of 6")
    page.get_by_test_id(f"watch-lesson:{LESSON}").click()
    expect(page.locator("body.podlab-ready")).to_have_count(1, timeout=SETTLE_MS)
    expect(page.locator("#connection")).to_have_attribute("data-state", "open", timeout=SETTLE_MS)
    expect(page.get_by_test_id("read-only")).to_be_visible()
    expect(page.locator('#diagram g.pod:not(.pod--deleted)[aria-label^="hello-"]')).to_have_count(3,
                                                                                                 timeout=SETTLE_MS)
    expect(page.locator("#time-pause")).to_be_disabled()
    replay = page.get_by_test_id("replay")
    steps = int(replay.get_attribute("max"))
    assert steps > 3
    shot(page, screenshot_dir, "6-watch-live")
    replay.fill("0")  # back to before the learner's first change: no pods of hello yet
    expect(page.locator('#diagram g.pod:not(.pod--deleted)[aria-label^="hello-"]')).to_have_count(0)
    expect(page.locator("#timeline-position")).to_contain_text("Past")
    shot(page, screenshot_dir, "7-watch-replayed-to-the-start")
    page.locator("#timeline-live").click()
    expect(page.locator('#diagram g.pod:not(.pod--deleted)[aria-label^="hello-"]')).to_have_count(3)

    # What the learner types shows up on the instructor's page with its output.
    terminal_run(learner_page, "kubectl get deployments", "hello")
    expect(page.get_by_test_id("watch-terminal")).to_contain_text("kubectl get deployments", timeout=SETTLE_MS)
    expect(page.get_by_test_id("watch-terminal")).to_contain_text("3/3")
    shot(page, screenshot_dir, "8-watch-terminal")
    learner_context.close()


@pytest.mark.django_db(transaction=True)
def test_authoring_previews_both_languages_checks_yaml_and_tries_the_solution(
        page: Page, course, staff_user, asgi_server: str, screenshot_dir: Path):
    from lessons.models import Exercise, Lesson

    lesson = Lesson.objects.get(slug="pods")
    page.goto(f"{asgi_server}/admin/login/?next=/admin/lessons/lesson/{lesson.pk}/change/")
    page.locator("#id_username").fill("grace")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("body.podlab-ready")).to_have_count(1, timeout=SETTLE_MS)
    russian = page.frame_locator('iframe[data-preview-frame="ru"]')
    english = page.frame_locator('iframe[data-preview-frame="en"]')
    expect(russian.locator("#lesson-title")).to_have_text("Поды", timeout=SETTLE_MS)
    expect(english.locator("#lesson-title")).to_have_text("Pods")
    expect(russian.locator('[data-exercise="init-container"] .check-title').nth(2)).to_have_text(
        "wait завершился до того, как стартовал web")
    body = page.locator("#id_body_ru")
    body.fill("## Что такое под\n\nПод — это **группа контейнеров** на одном узле.\n\n```\nkubectl get pods\n```\n")
    # The Russian column follows the typing (one section now); the English one keeps its own text.
    expect(russian.locator(".lesson-text h2")).to_have_count(1, timeout=SETTLE_MS)
    expect(russian.locator(".lesson-text h2")).to_have_text("Что такое под")
    expect(russian.locator(".lesson-text strong")).to_have_text("группа контейнеров")
    expect(english.locator(".lesson-text")).not_to_contain_text("Что такое под")
    expect(english.locator(".lesson-text h2").first).to_have_text(re.compile(r"\w"))
    shot(page, screenshot_dir, "1-lesson-preview-side-by-side")

    exercise = Exercise.objects.get(lesson=lesson, slug="init-container")
    page.goto(f"{asgi_server}/admin/lessons/exercise/{exercise.pk}/change/")
    expect(page.locator("body.podlab-ready")).to_have_count(1, timeout=SETTLE_MS)
    checks = page.locator("#id_checks")
    original = checks.input_value()
    checks.fill(original.replace("kind: Pod", "kind: Podd", 1))
    problem = page.locator('[data-yaml-problem="checks"]')
    expect(problem).to_contain_text(re.compile(r"Line \d+: checks\[\d+\]\.\w+\.kind: unknown kind 'Podd'"),
                                    timeout=SETTLE_MS)
    problem.get_by_role("button", name="Go to the line").click()
    shot(page, screenshot_dir, "2-checks-yaml-error-with-its-line")
    checks.fill(original)
    expect(problem).to_be_empty(timeout=SETTLE_MS)
    page.locator("#id_title_ru").fill("Init-контейнер первым")
    expect(page.frame_locator('iframe[data-preview-frame="ru"]').locator(".exercise-title")).to_have_text(
        "Init-контейнер первым", timeout=SETTLE_MS)
    page.locator("[data-try-button]").click()
    result = page.locator("[data-try-result]")
    expect(result).to_have_attribute("data-ok", "true", timeout=60_000)
    expect(result).to_contain_text("The solution passes every check: 5 of 5 points.")
    expect(page.locator("[data-try-checks] .check--passed")).to_have_count(4)
    shot(page, screenshot_dir, "3-reference-solution-tried")
