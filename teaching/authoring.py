"""Authoring lessons: the preview of a lesson or an exercise as learners see it in both languages, a reference
solution tried on a fresh sandbox, and a lesson exported to (or imported from) its folder of files
(`lesson.yaml`, `en.md`, `ru.md`: the format of docs/lessons.md, read back by `lessons.loader`)."""

from __future__ import annotations

import io
import re
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import translation

from cluster_engine import services as sandbox_services
from lessons import grader, loader, solutions
from lessons import services as lesson_services
from lessons.models import LANGUAGES, Lesson, in_language
from lessons.rendering import markdown_html

TRIAL_KEY = "authoring:trial"
IMPORT_FILE_LIMIT = 1_000_000  # bytes per file of an imported lesson folder
LESSON_FILES = ("lesson.yaml", "en.md", "ru.md")


# ------------------------------------------------------------------ preview

def _check_titles(checks: Any) -> list[dict[str, Any]]:
    return [{"id": str(check.get("id", "")), "title": in_language(check.get("title")) or str(check.get("id", "")),
             "points": int(check.get("points", 1)) if str(check.get("points", 1)).isdigit() else 1}
            for check in (checks if isinstance(checks, list) else []) if isinstance(check, dict)]


def preview_html(*, lesson: dict[str, Any], exercises: list[dict[str, Any]], language: str) -> str:
    """A lesson page's text column as a learner sees it in `language`, as a whole HTML document (the authoring
    admin shows one per language side by side). `lesson` holds the Lesson's fields (`title_en`, `body_ru`, ...,
    `quiz` as the model stores it), `exercises` the Exercise fields (`checks` as stored)."""
    with translation.override(language):
        items = []
        for index, exercise in enumerate(exercises):
            checks = _check_titles(exercise.get("checks"))
            items.append({
                "id": exercise.get("slug") or f"exercise-{index + 1}", "title": exercise.get(f"title_{language}", ""),
                "task_html": markdown_html(exercise.get(f"task_{language}", "") or ""), "status": "not-started",
                "current": index == 0, "here": True, "url": "#", "checks": checks, "score": 0,
                "max_score": sum(check["points"] for check in checks)})
        quiz = [{"id": question.get("id", ""), "question": in_language(question.get("question"), language),
                 "multiple": sum(bool(choice.get("correct")) for choice in question.get("choices", [])) > 1,
                 "choices": [{"id": choice.get("id", ""), "text": in_language(choice.get("text"), language)}
                             for choice in question.get("choices", []) if isinstance(choice, dict)]}
                for question in (lesson.get("quiz") or []) if isinstance(question, dict)]
        context = {"lesson": {"title": lesson.get(f"title_{language}", ""),
                              "summary": lesson.get(f"summary_{language}", ""),
                              "html": markdown_html(lesson.get(f"body_{language}", "") or ""),
                              "exercises": items, "quiz": quiz},
                   "language": language}
        return render_to_string("teaching/authoring/preview.html", context)


def preview_documents(*, lesson: dict[str, Any], exercises: list[dict[str, Any]]) -> dict[str, str]:
    return {language: preview_html(lesson=lesson, exercises=exercises, language=language) for language in LANGUAGES}


# ------------------------------------------------------------------ trying a reference solution

@dataclass
class Trial:
    """What a reference solution did on a fresh sandbox, and how the checks graded it."""

    results: list[grader.CheckResult] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    error: str = ""  # the step that failed, with its output

    @property
    def score(self) -> int:
        return sum(result.score for result in self.results)

    @property
    def max_score(self) -> int:
        return sum(result.points for result in self.results)

    @property
    def passed(self) -> bool:
        return not self.error and bool(self.results) and all(result.passed for result in self.results)

    def to_json(self, language: str) -> dict[str, Any]:
        return {"passed": self.passed, "score": self.score, "max_score": self.max_score, "error": self.error,
                "outputs": self.outputs,
                "checks": [{"id": result.id, "title": in_language(result.title, language), "passed": result.passed,
                            "points": result.points,
                            "message": in_language(result.message, language) if not result.passed else ""}
                           for result in self.results]}


def solution_try(*, scenario: dict[str, Any], checks: list[dict[str, Any]], steps: list[dict[str, Any]],
                 language: str = "en") -> Trial:
    """Run `steps` on a fresh sandbox built from `scenario` (the exercise's own, else its lesson's; empty: the
    playground) as a throwaway user, then grade `checks` on it. Nothing is recorded as anyone's attempt, and
    the user goes with its sandbox, change log and commands afterwards. A step that fails stops the run; the
    checks still grade what it left."""
    trial_user = get_user_model().objects.create_user(username=f"podlab-trial-{uuid.uuid4().hex[:12]}",
                                                      is_active=False)
    trial = Trial()
    try:
        sandbox = sandbox_services.sandbox_get_or_create(
            owner=trial_user, key=TRIAL_KEY,
            scenario=lesson_services.scenario_for(scenario) or sandbox_services.playground_scenario())
        try:
            run = solutions.run_steps(sandbox=sandbox, learner=trial_user, steps=steps, language=language)
            trial.outputs = run.outputs
        except solutions.SolutionStepError as error:
            trial.error = str(error)
        evaluation = grader.evaluate(checks, lesson_services.sandbox_reading(sandbox_id=sandbox.pk,
                                                                             learner=trial_user))
        trial.results = list(evaluation.results)
    finally:
        trial_user.delete()
    return trial


# ------------------------------------------------------------------ a lesson as its folder of files

class _Dumper(yaml.SafeDumper):
    """Block scalars for text of several lines, so the exported files read (and diff) like hand-written ones."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _text)


def yaml_text(value: Any) -> str:
    """A value as the YAML an author writes: keys in their order, text of several lines as blocks."""
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)


def _bilingual(model: Any, name: str) -> dict[str, str]:
    return {language: getattr(model, f"{name}_{language}") for language in LANGUAGES}


def folder_name(lesson: Lesson) -> str:
    return f"{lesson.order:02d}-{lesson.slug}"


def lesson_files(lesson: Lesson) -> dict[str, str]:
    """The lesson as `lesson.yaml`, `en.md` and `ru.md`, which `lessons.loader` reads back into the same lesson
    (plausible wrong solutions live only in the files, for tests: they are not stored, so not exported)."""
    meta: dict[str, Any] = {"slug": lesson.slug, "order": lesson.order, "title": _bilingual(lesson, "title"),
                            "summary": _bilingual(lesson, "summary")}
    if lesson.requires_previous:
        meta["requires_previous"] = True
    meta["scenario"] = lesson.scenario or "playground"
    exercises = []
    for exercise in lesson.exercises.all():
        item: dict[str, Any] = {"id": exercise.slug, "title": _bilingual(exercise, "title"),
                                "task": _bilingual(exercise, "task")}
        if exercise.scenario:
            item["scenario"] = exercise.scenario
        if exercise.hints:
            item["hints"] = exercise.hints
        item["checks"] = exercise.checks
        item["solution"] = exercise.solution
        exercises.append(item)
    meta["exercises"] = exercises
    meta["quiz"] = [{"id": question["id"], "question": question["question"],
                     "choices": [{"id": choice["id"], "text": choice["text"], **({"correct": True}
                                                                                 if choice["correct"] else {})}
                                 for choice in question["choices"]],
                     "explanation": question["explanation"]} for question in lesson.quiz]
    return {"lesson.yaml": yaml_text(meta), "en.md": lesson.body_en, "ru.md": lesson.body_ru}


def lesson_write_folder(lesson: Lesson, parent: Path) -> Path:
    """Write the lesson's folder (`<nn>-<slug>/`) under `parent`; returns it."""
    folder = parent / folder_name(lesson)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in lesson_files(lesson).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def lesson_zip(lesson: Lesson) -> bytes:
    """The lesson's folder as a zip archive (`<nn>-<slug>/lesson.yaml`, ...)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in lesson_files(lesson).items():
            archive.writestr(f"{folder_name(lesson)}/{name}", text.encode("utf-8"))
    return buffer.getvalue()


def lesson_import_zip(data: bytes, *, name: str = "lesson.zip") -> lesson_services.LoadReport:
    """Load a lesson from a zip of its folder (the three files at the top or in one folder), checked exactly as
    `manage.py load_lessons` checks the repository's: a malformed one raises LessonContentError naming the file
    (`<name>/lesson.yaml:42: ...`) and changes nothing."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise loader.LessonContentError(f"{name}: not a zip archive") from error
    files: dict[str, bytes] = {}
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            path = PurePosixPath(info.filename)
            if path.is_absolute() or ".." in path.parts or len(path.parts) > 2 or path.name not in LESSON_FILES:
                raise loader.LessonContentError(f"{name}: {info.filename}: a lesson folder holds only "
                                                f"{', '.join(LESSON_FILES)}")
            if info.file_size > IMPORT_FILE_LIMIT or path.name in files:
                raise loader.LessonContentError(f"{name}: {info.filename}: too large, or given twice")
            files[path.name] = archive.read(info)
    if "lesson.yaml" not in files:
        raise loader.LessonContentError(f"{name}: lesson.yaml is missing")
    try:
        meta = yaml.safe_load(files["lesson.yaml"].decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        meta = None
    slug = meta.get("slug") if isinstance(meta, dict) else None
    folder_slug = slug if isinstance(slug, str) and loader.SLUG.match(slug) else "lesson"
    with tempfile.TemporaryDirectory(prefix="podlab-import-") as scratch:
        folder = Path(scratch) / f"00-{folder_slug}"
        folder.mkdir()
        for file_name, content in files.items():
            (folder / file_name).write_bytes(content)
        try:
            return lesson_services.lessons_load(content_dir=Path(scratch))
        except loader.LessonContentError as error:
            message = re.sub(re.escape(str(folder)), name, str(error))
            raise loader.LessonContentError(message, line=error.line) from error
