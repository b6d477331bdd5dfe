"""Authoring in the admin: YAML fields checked as the loader checks them, with the error's line; the preview in
both languages as learners see it; a reference solution tried on a fresh sandbox without recording anyone's
attempt; lessons exported to their folder of files and imported back, unchanged."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from cluster_engine.models import Sandbox
from lessons import loader
from lessons.models import Attempt, Exercise, Lesson
from lessons.services import CONTENT_DIR
from teaching import authoring

pytestmark = pytest.mark.django_db

BAD_SELECTOR = """- id: pods
  title: {en: Pods, ru: Поды}
  pods: {selector: "app in (web", count: 3}
"""


@pytest.fixture
def admin_client(staff_user) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


def test_a_yaml_field_is_checked_as_the_loader_checks_it_with_the_line():
    with pytest.raises(loader.LessonContentError) as bad:
        loader.read_field(BAD_SELECTOR, field="checks")
    assert bad.value.line == 3
    assert str(bad.value).startswith("checks:3: checks[0].pods.selector: ")
    with pytest.raises(loader.LessonContentError) as syntax:
        loader.read_field("- id: a\n  title: {en: x\n", field="checks")
    assert syntax.value.line == 3
    with pytest.raises(loader.LessonContentError) as step:
        loader.read_field("steps:\n  - wait: 30\n  - run: ls -l\n", field="solution")
    assert (step.value.line, "solution.steps[1].run: a kubectl command line" in str(step.value)) == (3, True)
    assert loader.read_field("", field="hints") == []
    assert loader.read_field("", field="scenario") == {}


def test_the_validate_endpoint_answers_with_the_line(admin_client):
    url = "/admin/lessons/exercise/validate/"
    bad = admin_client.post(url, {"field": "checks", "text": BAD_SELECTOR}).json()
    assert (bad["ok"], bad["line"]) == (False, 3)
    assert bad["message"].startswith("checks[0].pods.selector: ")
    good = admin_client.post(url, {"field": "checks", "text": "- id: a\n  title: {en: A, ru: А}\n"
                                                              "  object: {kind: Pod, name: web}\n"}).json()
    assert good == {"ok": True, "message": "", "line": None}
    assert admin_client.post(url, {"field": "nope", "text": ""}).status_code == 400


def test_the_admin_refuses_a_save_with_the_errors_line(admin_client, course):
    exercise = Exercise.objects.get(lesson__slug="pods", slug="init-container")
    response = admin_client.post(f"/admin/lessons/exercise/{exercise.pk}/change/", {
        "lesson": exercise.lesson_id, "slug": exercise.slug, "order": exercise.order,
        "title_en": exercise.title_en, "title_ru": exercise.title_ru, "task_en": "Do it", "task_ru": "Сделайте",
        "hints": "", "checks": BAD_SELECTOR, "scenario": "", "solution": yaml.safe_dump(exercise.solution)})
    assert response.status_code == 200
    assert "checks:3: checks[0].pods.selector" in response.content.decode()
    exercise.refresh_from_db()
    assert exercise.task_en != "Do it"


def test_an_edit_in_the_admin_is_kept_and_marks_the_lesson_as_edited(admin_client, course):
    exercise = Exercise.objects.get(lesson__slug="pods", slug="init-container")
    page = admin_client.get(f"/admin/lessons/exercise/{exercise.pk}/change/").content.decode()
    assert "Try the reference solution" in page
    assert "- id: pod" in page  # checks shown as YAML, not JSON
    response = admin_client.post(f"/admin/lessons/exercise/{exercise.pk}/change/", {
        "lesson": exercise.lesson_id, "slug": exercise.slug, "order": exercise.order,
        "title_en": exercise.title_en, "title_ru": exercise.title_ru, "task_en": "Do it now",
        "task_ru": exercise.task_ru, "hints": authoring.yaml_text(exercise.hints),
        "checks": authoring.yaml_text(exercise.checks), "scenario": "",
        "solution": authoring.yaml_text(exercise.solution)})
    assert response.status_code == 302, response.content.decode()[:2000]
    exercise.refresh_from_db()
    assert exercise.task_en == "Do it now"
    assert Lesson.objects.get(slug="pods").source_digest == ""  # the next load of its folder rewrites it


def test_the_preview_renders_both_languages_as_learners_see_them(admin_client, course):
    lesson = Lesson.objects.get(slug="pods")
    documents = admin_client.post("/admin/lessons/lesson/preview/", {
        "object_id": lesson.pk, "title_en": "Pods!", "title_ru": "Поды!", "body_en": "## One\n\nA **pod**.",
        "body_ru": "## Один\n\n**Под**.", "summary_en": "", "summary_ru": "",
        "quiz": authoring.yaml_text(lesson.quiz)}).json()
    assert set(documents) == {"en", "ru"}
    assert "<strong>pod</strong>" in documents["en"]
    assert "<h1 id=\"lesson-title\">Pods!</h1>" in documents["en"]
    assert "<strong>Под</strong>" in documents["ru"]
    assert 'lang="ru"' in documents["ru"]
    assert "wait завершился до того, как стартовал web" in documents["ru"]  # an exercise's check, in Russian
    assert "Упражнения" in documents["ru"]
    assert "Exercises" in documents["en"]
    exercise = lesson.exercises.get(slug="init-container")
    one = admin_client.post("/admin/lessons/exercise/preview/", {
        "lesson": lesson.pk, "slug": exercise.slug, "title_en": "Init first", "title_ru": "Сначала init",
        "task_en": "Use `initContainers`.", "task_ru": "Используйте `initContainers`.",
        "checks": authoring.yaml_text(exercise.checks)}).json()
    assert "Сначала init" in one["ru"]
    assert "<code>initContainers</code>" in one["en"]


def test_the_reference_solution_is_tried_on_a_fresh_sandbox_and_records_nothing(admin_client, course):
    exercise = Exercise.objects.get(lesson__slug="what-is-kubernetes", slug="desired-state")
    users, sandboxes = get_user_model().objects.count(), Sandbox.objects.count()
    fields = {"lesson": exercise.lesson_id, "scenario": "", "checks": authoring.yaml_text(exercise.checks),
              "solution": authoring.yaml_text(exercise.solution)}
    passed = admin_client.post("/admin/lessons/exercise/try/", fields).json()
    assert (passed["ok"], passed["passed"], passed["score"], passed["max_score"]) == (True, True, 6, 6)
    wrong = authoring.yaml_text(exercise.solution).replace("nginx:1.27", "nginx:1.25")
    failed = admin_client.post("/admin/lessons/exercise/try/", {**fields, "solution": wrong},
                               HTTP_ACCEPT_LANGUAGE="ru").json()
    assert failed["passed"] is False
    assert [check["id"] for check in failed["checks"] if not check["passed"]] == ["image"]
    refused = admin_client.post("/admin/lessons/exercise/try/", {**fields, "checks": BAD_SELECTOR})
    assert refused.status_code == 400
    assert refused.json()["line"] == 3
    assert Attempt.objects.count() == 0
    assert (get_user_model().objects.count(), Sandbox.objects.count()) == (users, sandboxes)


def test_authoring_is_for_staff(client, learner, course):
    client.force_login(learner)
    for url in ("/admin/lessons/exercise/try/", "/admin/lessons/lesson/preview/", "/admin/lessons/exercise/validate/"):
        assert client.post(url, {}).status_code == 302  # to the admin's login


@pytest.mark.parametrize("folder", sorted(path.name for path in CONTENT_DIR.iterdir() if path.is_dir()))
def test_every_lesson_exports_to_files_that_load_back_the_same(course, tmp_path: Path, folder: str):
    original = loader.read_lesson(CONTENT_DIR / folder)
    lesson = Lesson.objects.get(slug=original.fields["slug"])
    written = authoring.lesson_write_folder(lesson, tmp_path)
    assert written.name == folder
    again = loader.read_lesson(written)
    skip = {"source_digest"}
    assert {k: v for k, v in again.fields.items() if k not in skip} == \
        {k: v for k, v in original.fields.items() if k not in skip}
    assert again.exercises == original.exercises


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_a_lesson_folder_is_imported_through_the_admin(admin_client, course):
    lesson = Lesson.objects.get(slug="pods")
    exported = admin_client.get(f"/admin/lessons/lesson/{lesson.pk}/export/")
    assert exported["Content-Type"] == "application/zip"
    files = {name: zipfile.ZipFile(io.BytesIO(exported.content)).read(name).decode()
             for name in zipfile.ZipFile(io.BytesIO(exported.content)).namelist()}
    assert set(files) == {"03-pods/lesson.yaml", "03-pods/en.md", "03-pods/ru.md"}
    files["03-pods/lesson.yaml"] = files["03-pods/lesson.yaml"].replace("en: Pods\n", "en: Pods, imported\n", 1)
    upload = io.BytesIO(_zip(files))
    upload.name = "03-pods.zip"
    response = admin_client.post("/admin/lessons/lesson/import/", {"folder": upload})
    assert response.status_code == 302
    assert Lesson.objects.get(slug="pods").title_en == "Pods, imported"

    broken = dict(files)
    broken["03-pods/lesson.yaml"] = files["03-pods/lesson.yaml"].replace("kind: Pod\n", "kind: Podd\n", 1)
    upload = io.BytesIO(_zip(broken))
    upload.name = "broken.zip"
    page = admin_client.post("/admin/lessons/lesson/import/", {"folder": upload}).content.decode()
    assert "broken.zip/lesson.yaml:" in page
    assert "unknown kind" in page
    evil = io.BytesIO(_zip({"../lesson.yaml": "x"}))
    evil.name = "evil.zip"
    assert "a lesson folder holds only" in admin_client.post("/admin/lessons/lesson/import/",
                                                             {"folder": evil}).content.decode()
    assert Lesson.objects.get(slug="pods").title_en == "Pods, imported"


def test_export_lessons_writes_the_folders(course, tmp_path: Path):
    call_command("export_lessons", "pods", "--into", str(tmp_path))
    assert sorted(path.name for path in (tmp_path / "03-pods").iterdir()) == ["en.md", "lesson.yaml", "ru.md"]
    assert (tmp_path / "03-pods" / "en.md").read_text() == (CONTENT_DIR / "03-pods" / "en.md").read_text()
