"""A lesson end to end in Russian: lesson 3's `init-container` exercise from a failed check to a passed one, with
the checks ticking live while the learner works (real daphne, worker, Redis, Chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import screenshot_folder, shots
from tests.browser.test_playground import PASSWORD, SETTLE_MS, speed_up

WRONG = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
    - name: wait
      image: busybox:1.36
      command: ["sh", "-c", "sleep 5"]
"""


@pytest.fixture
def course(transactional_db):
    from lessons import services

    services.lessons_load()


def replace_editor_text(page: Page, text: str) -> None:
    page.locator("#editor .cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


@pytest.mark.django_db(transaction=True)
def test_the_init_container_exercise_from_a_failed_check_to_a_passed_one_in_russian(
        page: Page, course, learner, celery_worker_process, asgi_server: str, request: pytest.FixtureRequest):
    folder = screenshot_folder(request.node.name)

    def shot(_page: Page, _folder: Path, stage: str) -> None:
        exercise.scroll_into_view_if_needed()
        shots(page, folder, stage, language="ru")

    page.set_viewport_size({"width": 1440, "height": 900})
    page.set_extra_http_headers({"Accept-Language": "ru"})
    page.goto(f"{asgi_server}/ru/accounts/login/?next=/ru/lessons/pods/")
    page.locator("#id_username").fill("ada")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(f"{asgi_server}/ru/lessons/pods/")
    expect(page.locator("body.podlab-ready")).to_have_count(1, timeout=SETTLE_MS)
    expect(page.locator("#connection")).to_have_attribute("data-state", "open", timeout=SETTLE_MS)
    expect(page.locator("#lesson-title")).to_have_text("Поды")
    speed_up(page)

    exercise = page.get_by_test_id("exercise-init-container")
    exercise.locator("summary").click()
    checks = exercise.locator(".check")
    expect(checks).to_have_count(4)
    expect(exercise.locator('[data-check="init-first"] .check-title')).to_have_text(
        "wait завершился до того, как стартовал web")
    # Opening the exercise evaluates it at once: nothing is there yet.
    expect(exercise.locator('[data-check="pod"]')).to_have_class(re.compile(r"\bcheck--failed\b"), timeout=SETTLE_MS)
    shot(page, folder, "1-opened")

    # A first, wrong try: wait as a regular container. "Check" records a failed attempt, in Russian.
    replace_editor_text(page, WRONG)
    page.locator("#editor-apply").click()
    expect(page.locator("#editor-result")).to_have_text("pod/web created", timeout=SETTLE_MS)
    exercise.locator("[data-action=check]").click()
    result = exercise.locator("[data-result]")
    expect(result).to_have_attribute("data-ok", "false", timeout=SETTLE_MS)
    expect(result).to_contain_text("Исправьте то, что отмечено ✗")
    init_defined = exercise.locator('[data-check="init-defined"]')
    expect(init_defined).to_have_class(re.compile(r"\bcheck--failed\b"))
    expect(init_defined.locator(".check-message")).to_contain_text("spec.initContainers")
    expect(exercise.locator('[data-check="pod"]')).to_have_class(re.compile(r"\bcheck--passed\b"))
    expect(exercise).to_have_attribute("data-status", "working")
    shot(page, folder, "2-failed-check")

    # Start over, then take the lesson's own manifest with "Open in editor" and apply it.
    page.once("dialog", lambda dialog: dialog.accept())
    exercise.locator("[data-action=reset]").click()
    expect(result).to_contain_text("Кластер возвращён к началу", timeout=SETTLE_MS)
    block = page.locator(".lesson-text pre", has_text="initContainers")
    block.locator("xpath=following-sibling::div[1]").get_by_role("button", name="Открыть в редакторе").click()
    expect(page.locator("#editor .cm-content")).to_contain_text("initContainers")
    page.locator("#editor-apply").click()
    expect(page.locator("#editor-result")).to_have_text("pod/web created", timeout=SETTLE_MS)
    # The checks tick live as the worker runs the init container, then the pod: no click needed.
    for check in ("pod", "init-defined", "init-first", "ready"):
        expect(exercise.locator(f'[data-check="{check}"]')).to_have_class(re.compile(r"\bcheck--passed\b"),
                                                                         timeout=SETTLE_MS)
    shot(page, folder, "3-checks-ticked-live")

    exercise.locator("[data-action=check]").click()
    expect(result).to_have_attribute("data-ok", "true", timeout=SETTLE_MS)
    expect(result).to_contain_text("Все проверки пройдены: 5 из 5 баллов.")
    expect(exercise).to_have_attribute("data-status", "passed")
    expect(exercise.locator("[data-status-label]")).to_have_text("Выполнено")
    shot(page, folder, "4-passed")

    # The progress shows on the lesson list.
    page.goto(f"{asgi_server}/ru/lessons/")
    card = page.locator('.lesson-card[data-lesson="pods"]')
    expect(card).to_contain_text("Выполнено упражнений: 1 из 4")
    shots(page, folder, "5-lesson-list", language="ru")
