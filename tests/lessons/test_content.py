"""Lesson content as files: every lesson of the course is complete in both languages, and a malformed lesson is
refused with its file, line and key, with nothing half-loaded."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from lessons import loader, services
from lessons.models import Exercise, Lesson

LESSONS = loader.read_all(services.CONTENT_DIR)
COURSE = ["what-is-kubernetes", "architecture", "pods", "api-access", "nodes", "scheduling", "services",
          "replicasets", "deployments", "statefulsets", "daemonsets", "jobs", "self-healing", "troubleshooting",
          "capstone"]


def test_lessons_follow_the_course_order():
    slugs = [lesson.fields["slug"] for lesson in LESSONS]
    assert slugs == [slug for slug in COURSE if slug in slugs]
    assert [lesson.fields["order"] for lesson in LESSONS] == sorted(lesson.fields["order"] for lesson in LESSONS)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.fields["slug"])
def test_each_lesson_is_complete_in_both_languages(lesson):
    fields = lesson.fields
    for language in ("en", "ru"):
        body = fields[f"body_{language}"]
        sections = re.split(r"^## .*$", body, flags=re.MULTILINE)[1:]
        assert sections, f"no sections in {language}.md"
        assert all(section.strip() for section in sections), f"an empty section in {language}.md"
        assert "kubectl " in body, "no command to try"
        assert fields[f"title_{language}"]
        assert fields[f"summary_{language}"]
    assert len(re.findall(r"^## ", fields["body_en"], re.MULTILINE)) == \
        len(re.findall(r"^## ", fields["body_ru"], re.MULTILINE))
    assert fields["body_en"] != fields["body_ru"]
    assert re.search(r"[а-яё]", fields["body_ru"])
    assert not re.search(r"[а-яё]", fields["body_en"])
    assert len(lesson.exercises) >= 2
    assert 3 <= len(fields["quiz"]) <= 5
    for exercise in lesson.exercises:
        for key in ("title", "task"):
            assert exercise[f"{key}_en"] != exercise[f"{key}_ru"]
            assert re.search(r"[а-яё]", exercise[f"{key}_ru"])
        for check in exercise["checks"]:
            assert check["title"]["en"] != check["title"]["ru"], check["id"]
        for hint in exercise["hints"]:
            assert set(hint) == {"en", "ru"}
    for question in fields["quiz"]:
        assert question["question"]["en"] != question["question"]["ru"]
        assert any(choice["correct"] for choice in question["choices"])
        assert all(set(choice["text"]) == {"en", "ru"} for choice in question["choices"])


def test_the_notes_are_sources_of_facts_not_of_sentences():
    """No sentence of the seed notes appears in a lesson (lessons are written, not copied)."""
    seed = Path(__file__).resolve().parents[3] / "shared" / "seed"
    notes = " ".join(path.read_text(encoding="utf-8") for path in seed.glob("*.txt")) if seed.exists() else ""
    if not notes:
        pytest.skip("the seed notes are not beside this checkout")
    sentences = {s.strip() for s in re.split(r"[.!?\n]", notes) if len(s.strip()) > 40}
    texts = " ".join(lesson.fields["body_ru"] + lesson.fields["body_en"] for lesson in LESSONS)
    assert [s for s in sentences if s in texts] == []


# ------------------------------------------------------------------ malformed content

def _copy_course(tmp_path: Path, slug: str = "pods") -> Path:
    content = tmp_path / "content"
    shutil.copytree(services.CONTENT_DIR / "01-what-is-kubernetes", content / "01-what-is-kubernetes")
    source = next(path for path in services.CONTENT_DIR.iterdir() if path.name.endswith(f"-{slug}"))
    shutil.copytree(source, content / source.name)
    return content


@pytest.mark.django_db
@pytest.mark.parametrize(("edit", "expected"), [
    (lambda text: text.replace("pods: {name: web, phase: Running, ready: true, count: 1}",
                               "pods: {name: web, phase: Runing, count: 1}"),
     r"lesson\.yaml:\d+: exercises\[2\]\.checks\[3\]\.pods\.phase: one of Pending"),
    (lambda text: text.replace("  - id: run-once", "  - id: init-container"),
     r"lesson\.yaml:\d+: exercises\[3\]\.id: the id 'init-container' is used twice"),
    (lambda text: text.replace("title:\n  en: Pods\n  ru: Поды", "title:\n  en: Pods"),
     r"lesson\.yaml:\d+: title: needs text in both languages"),
    (lambda text: text.replace("        fails: init-first", "        fails: no-such-check"),
     r"exercises\[2\]\.wrong\[1\]\.fails: no check 'no-such-check'"),
    (lambda text: text.replace("scenario: playground", "scenario:\n  faults: [{explode: now}]"),
     r"lesson\.yaml:\d+: scenario\.faults\[0\]: name exactly one of"),
])
def test_a_malformed_lesson_is_refused_naming_file_line_and_key_and_nothing_is_loaded(tmp_path, edit, expected):
    content = _copy_course(tmp_path)
    path = next(content.glob("*-pods/lesson.yaml"))
    edited = edit(path.read_text(encoding="utf-8"))
    assert edited != path.read_text(encoding="utf-8")
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(loader.LessonContentError, match=expected):
        services.lessons_load(content_dir=content)
    assert Lesson.objects.count() == 0  # not even the valid lesson beside it
    assert Exercise.objects.count() == 0


@pytest.mark.django_db
def test_an_empty_section_or_a_missing_language_is_refused(tmp_path):
    content = _copy_course(tmp_path)
    folder = next(content.glob("*-pods"))
    (folder / "ru.md").write_text((folder / "ru.md").read_text() + "\n## Пустой раздел\n\n", encoding="utf-8")
    with pytest.raises(loader.LessonContentError, match=r"ru\.md:\d+: the section '## Пустой раздел' is empty"):
        services.lessons_load(content_dir=content)
    (folder / "ru.md").unlink()
    with pytest.raises(loader.LessonContentError, match=r"ru\.md: missing"):
        services.lessons_load(content_dir=content)


@pytest.mark.django_db
def test_loading_is_idempotent_and_a_changed_lesson_drops_exercises_it_no_longer_has(tmp_path):
    content = _copy_course(tmp_path)
    first = services.lessons_load(content_dir=content)
    assert sorted(first.created) == ["pods", "what-is-kubernetes"]
    again = services.lessons_load(content_dir=content)
    assert again.created == again.updated == []
    path = next(content.glob("*-pods/lesson.yaml"))
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: run-once")
    path.write_text(text[:start] + text[text.index("quiz:"):], encoding="utf-8")
    changed = services.lessons_load(content_dir=content)
    assert changed.updated == ["pods"]
    assert list(Exercise.objects.filter(lesson__slug="pods").values_list("slug", flat=True)) == [
        "first-pod", "two-containers", "init-container"]
