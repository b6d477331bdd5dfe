"""Reading lesson folders (`lessons/content/<nn>-<slug>/`: `lesson.yaml`, `en.md`, `ru.md`) into plain data.

Everything is checked before anything is stored: a malformed lesson is refused with its file, the key path and
the line (`lessons/content/03-pods/lesson.yaml:42: exercises[0].checks[1].pods.selector: ...`). The format is
documented in docs/lessons.md.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cluster_engine import engine
from lessons import grader
from lessons.models import LANGUAGES, bilingual

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LESSON_KEYS = {"slug", "order", "title", "summary", "scenario", "exercises", "quiz", "requires_previous"}
EXERCISE_KEYS = {"id", "title", "task", "scenario", "hints", "checks", "solution", "wrong"}
QUESTION_KEYS = {"id", "question", "choices", "explanation"}
STEP_KEYS = {"run", "apply", "wait", "request", "control", "note"}
SCENARIO_KEYS = {"nodes", "objects", "limits", "preload", "settle", "age", "coredns", "metricsServer", "start",
                 "kubernetesVersion", "faults"}


class LessonContentError(ValueError):
    """A lesson folder is malformed; the message names the file, the place in it and the problem (`line`, when
    known, is that place's 1-based line)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class LessonData:
    folder: Path
    fields: dict[str, Any]  # Lesson model fields
    exercises: list[dict[str, Any]]  # Exercise model fields (without `lesson`)
    wrong_solutions: dict[str, list[dict[str, Any]]]  # exercise id -> plausible wrong solutions (tests only)


def _lines(text: str) -> dict[str, int]:
    """Key path (`exercises[0].checks[1].pods`) -> 1-based line of that value in the YAML text."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, path: str) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{path}.{key.value}" if path else str(key.value)
                lines[child] = key.start_mark.line + 1
                walk(value, child)
                lines[child] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, f"{path}[{index}]")

    if root is not None:
        walk(root, "")
    return lines


class _Checker:
    """Collects the first problem with its path; `line_of` finds the nearest known line for it."""

    def __init__(self, path: Path, text: str, *, root: str = "") -> None:
        self.path = path
        self.lines = _lines(text)
        self.root = root  # the key path of the text's own root (a field of a form holds part of a lesson.yaml)

    def line_of(self, key_path: str) -> int | None:
        probe = key_path.removeprefix(self.root).removeprefix(".") if self.root else key_path
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", probe)
        return None

    def fail(self, key_path: str, message: str) -> LessonContentError:
        line = self.line_of(key_path)
        where = f"{self.path}:{line}" if line else str(self.path)
        return LessonContentError(f"{where}: {key_path + ': ' if key_path else ''}{message}", line=line)


def _require_bilingual(check: _Checker, value: Any, path: str) -> dict[str, str]:
    if not bilingual(value):
        raise check.fail(path, "needs text in both languages: {en: ..., ru: ...}")
    extra = set(value) - set(LANGUAGES)
    if extra:
        raise check.fail(path, f"only en and ru are allowed (found {', '.join(sorted(extra))})")
    return {language: value[language].strip() for language in LANGUAGES}


def _scenario(check: _Checker, value: Any, path: str) -> dict[str, Any]:
    if value in (None, "playground"):
        return {}
    if not isinstance(value, dict):
        raise check.fail(path, "a scenario is a mapping (nodes, objects, limits, ...) or 'playground'")
    unknown = sorted(set(value) - SCENARIO_KEYS)
    if unknown:
        raise check.fail(f"{path}.{unknown[0]}",
                         f"unknown scenario key; expected one of {', '.join(sorted(SCENARIO_KEYS))}")
    if "objects" in value and not isinstance(value["objects"], list):
        raise check.fail(f"{path}.objects", "a list of manifests")
    for index, manifest in enumerate(value.get("objects") or ()):
        if not isinstance(manifest, dict) or not {"apiVersion", "kind", "metadata"} <= set(manifest):
            raise check.fail(f"{path}.objects[{index}]", "a manifest with apiVersion, kind and metadata")
    if not isinstance(value.get("faults", []), list):
        raise check.fail(f"{path}.faults", "a list of faults")
    for index, fault in enumerate(value.get("faults") or ()):
        problem = engine.fault_problem(fault)
        if problem:
            raise check.fail(f"{path}.faults[{index}]", problem)
    return value


def _steps(check: _Checker, value: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise check.fail(path, "a list of steps: {run: kubectl ...}, {apply: <manifest>}, {wait: seconds}, "
                               "{request: {...}}, {control: {...}}")
    for index, step in enumerate(value):
        where = f"{path}[{index}]"
        if not isinstance(step, dict) or len(set(step) - {"note"}) != 1 or not set(step) <= STEP_KEYS:
            raise check.fail(where, f"one of {', '.join(sorted(STEP_KEYS - {'note'}))} (plus an optional note)")
        if "run" in step and not str(step["run"]).startswith("kubectl "):
            raise check.fail(f"{where}.run", "a kubectl command line")
        if "apply" in step and not isinstance(step["apply"], str):
            raise check.fail(f"{where}.apply", "a manifest as YAML text (use a | block)")
        if "wait" in step and not (isinstance(step["wait"], (int, float)) and 0 < step["wait"] <= 3600):
            raise check.fail(f"{where}.wait", "seconds of simulated time, up to 3600")
        if "request" in step:
            request = step["request"]
            if not isinstance(request, dict) or not {"method", "path"} <= set(request):
                raise check.fail(f"{where}.request", "method, path and optionally body, user_agent")
    return value


def _exercise(check: _Checker, value: Any, path: str, order: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if not isinstance(value, dict):
        raise check.fail(path, "an exercise is a mapping")
    unknown = sorted(set(value) - EXERCISE_KEYS)
    if unknown:
        raise check.fail(f"{path}.{unknown[0]}", f"unknown key; expected one of {', '.join(sorted(EXERCISE_KEYS))}")
    identifier = value.get("id")
    if not isinstance(identifier, str) or not SLUG.match(identifier):
        raise check.fail(f"{path}.id", "a slug-like id (lower-case letters, digits, dashes)")
    title = _require_bilingual(check, value.get("title"), f"{path}.title")
    task = _require_bilingual(check, value.get("task"), f"{path}.task")
    hints = value.get("hints") or []
    if not isinstance(hints, list):
        raise check.fail(f"{path}.hints", "a list of hints, each {en: ..., ru: ...}")
    hints = [_require_bilingual(check, hint, f"{path}.hints[{index}]") for index, hint in enumerate(hints)]
    try:
        grader.validate_checks(value.get("checks"), f"{path}.checks")
    except grader.CheckSpecError as error:
        raise check.fail(error.path, str(error).removeprefix(f"{error.path}: ")) from error
    solution = value.get("solution")
    if not isinstance(solution, dict) or set(solution) != {"steps"}:
        raise check.fail(f"{path}.solution", "the reference solution: {steps: [...]}")
    _steps(check, solution["steps"], f"{path}.solution.steps")
    wrong = value.get("wrong") or []
    if not isinstance(wrong, list):
        raise check.fail(f"{path}.wrong", "a list of plausible wrong solutions")
    check_ids = {c["id"] for c in value["checks"]}
    for index, attempt in enumerate(wrong):
        where = f"{path}.wrong[{index}]"
        if not isinstance(attempt, dict) or set(attempt) - {"steps", "fails", "note"} or "fails" not in attempt:
            raise check.fail(where, "{steps: [...], fails: <check id>, note: ...}")
        _steps(check, attempt["steps"], f"{where}.steps")
        if attempt["fails"] not in check_ids:
            raise check.fail(f"{where}.fails", f"no check {attempt['fails']!r} in this exercise")
    fields = {
        "slug": identifier, "order": order, "title_en": title["en"], "title_ru": title["ru"],
        "task_en": task["en"], "task_ru": task["ru"], "hints": hints, "checks": value["checks"],
        "scenario": _scenario(check, value.get("scenario"), f"{path}.scenario"), "solution": solution,
    }
    return fields, wrong


def _quiz(check: _Checker, value: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not 3 <= len(value) <= 5:
        raise check.fail(path, "a quiz of 3 to 5 questions")
    seen: set[str] = set()
    questions = []
    for index, question in enumerate(value):
        where = f"{path}[{index}]"
        if not isinstance(question, dict) or set(question) - QUESTION_KEYS:
            raise check.fail(where, f"a question has {', '.join(sorted(QUESTION_KEYS))}")
        identifier = question.get("id")
        if not isinstance(identifier, str) or not SLUG.match(identifier) or identifier in seen:
            raise check.fail(f"{where}.id", "a unique slug-like id")
        seen.add(identifier)
        choices = question.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            raise check.fail(f"{where}.choices", "at least two choices")
        parsed_choices, choice_ids = [], set()
        for number, choice in enumerate(choices):
            spot = f"{where}.choices[{number}]"
            if not isinstance(choice, dict) or not isinstance(choice.get("id"), str) or choice["id"] in choice_ids:
                raise check.fail(spot, "a choice has a unique id, a text {en, ru} and optionally correct: true")
            choice_ids.add(choice["id"])
            text = _require_bilingual(check, choice.get("text"), f"{spot}.text")
            parsed_choices.append({"id": choice["id"], "text": text, "correct": bool(choice.get("correct"))})
        if not any(choice["correct"] for choice in parsed_choices):
            raise check.fail(f"{where}.choices", "at least one choice must be correct: true")
        questions.append({
            "id": identifier,
            "question": _require_bilingual(check, question.get("question"), f"{where}.question"),
            "choices": parsed_choices,
            "multiple": sum(choice["correct"] for choice in parsed_choices) > 1,
            "explanation": _require_bilingual(check, question.get("explanation"), f"{where}.explanation"),
        })
    return questions


def _sections(check: _Checker, body: str, path: Path) -> None:
    """Every `##` section has text under it, and the text has at least one section."""
    headings = [match.start() for match in re.finditer(r"^## ", body, re.MULTILINE)]
    if not headings:
        raise LessonContentError(f"{path}: a lesson is written in sections: at least one '## ' heading")
    bounds = [*headings, len(body)]
    for start, end in itertools.pairwise(bounds):
        section = body[start:end].split("\n", 1)
        if len(section) < 2 or not section[1].strip():
            line = body[:start].count("\n") + 1
            raise LessonContentError(f"{path}:{line}: the section {section[0].strip()!r} is empty")


FIELDS = ("checks", "solution", "scenario", "hints", "quiz")


def read_field(text: str, *, field: str) -> Any:
    """One YAML field of a lesson.yaml edited on its own (the authoring admin): `checks`, `solution`, `scenario`,
    `hints` or `quiz`, parsed and checked exactly as the loader checks it inside a lesson. Returns the value as the
    Exercise model stores it; raises LessonContentError naming the field, the line in `text` and the key path
    (`checks:7: checks[1].pods.selector: ...`)."""
    if field not in FIELDS:
        raise ValueError(f"unknown field {field!r}")
    check = _Checker(Path(field), text, root=field)
    try:
        value = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise LessonContentError(f"{field}:{line}: {problem}" if line else f"{field}: {problem}",
                                 line=line) from error
    if field == "checks":
        try:
            grader.validate_checks(value, "checks")
        except grader.CheckSpecError as error:
            raise check.fail(error.path, str(error).removeprefix(f"{error.path}: ")) from error
        return value
    if field == "solution":
        if not isinstance(value, dict) or set(value) != {"steps"}:
            raise check.fail("solution", "the reference solution: {steps: [...]}")
        _steps(check, value["steps"], "solution.steps")
        return value
    if field == "scenario":
        return _scenario(check, value, "scenario")
    if field == "quiz":
        return _quiz(check, value, "quiz")
    if value is None:
        return []
    if not isinstance(value, list):
        raise check.fail("hints", "a list of hints, each {en: ..., ru: ...}")
    return [_require_bilingual(check, hint, f"hints[{index}]") for index, hint in enumerate(value)]


def read_lesson(folder: Path) -> LessonData:
    """Read and check one lesson folder. Raises LessonContentError naming the file, path and line."""
    meta_path = folder / "lesson.yaml"
    text = meta_path.read_text(encoding="utf-8")
    check = _Checker(meta_path, text)
    try:
        meta = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise LessonContentError(f"{meta_path}: {error}") from error
    if not isinstance(meta, dict):
        raise check.fail("", "lesson.yaml holds a mapping: slug, order, title, summary, exercises, quiz")
    unknown = sorted(set(meta) - LESSON_KEYS)
    if unknown:
        raise check.fail(unknown[0], f"unknown key; expected one of {', '.join(sorted(LESSON_KEYS))}")
    slug = meta.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise check.fail("slug", "a slug (lower-case letters, digits, dashes)")
    if not folder.name.endswith(f"-{slug}"):
        raise check.fail("slug", f"the folder {folder.name!r} should be named <nn>-{slug}")
    order = meta.get("order")
    if not isinstance(order, int) or order < 1:
        raise check.fail("order", "the lesson's position in the course, 1 or more")
    title = _require_bilingual(check, meta.get("title"), "title")
    summary = _require_bilingual(check, meta.get("summary"), "summary")
    exercises_raw = meta.get("exercises")
    if not isinstance(exercises_raw, list) or len(exercises_raw) < 2:
        raise check.fail("exercises", "a lesson has at least two graded exercises")
    exercises, wrong_solutions, ids = [], {}, set()
    for index, raw in enumerate(exercises_raw):
        fields, wrong = _exercise(check, raw, f"exercises[{index}]", index + 1)
        if fields["slug"] in ids:
            raise check.fail(f"exercises[{index}].id", f"the id {fields['slug']!r} is used twice in this lesson")
        ids.add(fields["slug"])
        exercises.append(fields)
        wrong_solutions[fields["slug"]] = wrong
    quiz = _quiz(check, meta.get("quiz"), "quiz")
    bodies = {}
    for language in LANGUAGES:
        body_path = folder / f"{language}.md"
        if not body_path.exists():
            raise LessonContentError(f"{body_path}: missing (every lesson is written in both languages)")
        bodies[language] = body_path.read_text(encoding="utf-8")
        _sections(check, bodies[language], body_path)
    en_sections = len(re.findall(r"^## ", bodies["en"], re.MULTILINE))
    ru_sections = len(re.findall(r"^## ", bodies["ru"], re.MULTILINE))
    if en_sections != ru_sections:
        raise LessonContentError(f"{folder}: en.md has {en_sections} sections and ru.md {ru_sections}: "
                                 "both languages cover the same ground")
    digest = hashlib.sha256(text.encode() + bodies["en"].encode() + bodies["ru"].encode()).hexdigest()
    fields = {
        "slug": slug, "order": order, "title_en": title["en"], "title_ru": title["ru"],
        "summary_en": summary["en"], "summary_ru": summary["ru"], "body_en": bodies["en"], "body_ru": bodies["ru"],
        "scenario": _scenario(check, meta.get("scenario"), "scenario"), "quiz": quiz,
        "requires_previous": bool(meta.get("requires_previous", False)), "source_digest": digest,
    }
    return LessonData(folder, fields, exercises, wrong_solutions)


def read_all(content_dir: Path) -> list[LessonData]:
    """Every lesson folder under `content_dir`, checked, in course order. Slugs and orders are unique."""
    folders = sorted(path.parent for path in content_dir.glob("*/lesson.yaml")) if content_dir.exists() else []
    lessons = [read_lesson(folder) for folder in folders]
    for attribute in ("slug", "order"):
        seen: dict[Any, Path] = {}
        for lesson in lessons:
            value = lesson.fields[attribute]
            if value in seen:
                raise LessonContentError(f"{lesson.folder / 'lesson.yaml'}: {attribute} {value!r} is also used by "
                                         f"{seen[value] / 'lesson.yaml'}")
            seen[value] = lesson.folder
    return sorted(lessons, key=lambda lesson: lesson.fields["order"])
