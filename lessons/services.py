"""Writes of lesson content."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction

from lessons.models import Lesson

CONTENT_DIR = Path(__file__).resolve().parent / "content"


class LessonContentError(ValueError):
    """A lesson folder is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class LoadReport:
    created: list[str]
    updated: list[str]
    unchanged: list[str]


def _read_lesson(folder: Path) -> dict:
    meta_path = folder / "lesson.yaml"
    try:
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise LessonContentError(f"{meta_path}: {error}") from error
    for key in ("slug", "title"):
        if key not in meta:
            raise LessonContentError(f"{meta_path}: missing '{key}'")
    if set(meta["title"]) != {"en", "ru"}:
        raise LessonContentError(f"{meta_path}: 'title' needs exactly 'en' and 'ru'")
    bodies = {}
    for language in ("en", "ru"):
        body_path = folder / f"{language}.md"
        if not body_path.exists():
            raise LessonContentError(f"{body_path}: missing (every lesson is written in both languages)")
        bodies[language] = body_path.read_text(encoding="utf-8")
    digest_source = meta_path.read_bytes() + bodies["en"].encode() + bodies["ru"].encode()
    return {
        "slug": meta["slug"],
        "order": int(meta.get("order", 0)),
        "title_en": meta["title"]["en"],
        "title_ru": meta["title"]["ru"],
        "body_en": bodies["en"],
        "body_ru": bodies["ru"],
        "scenario": meta.get("scenario") or {},
        "source_digest": hashlib.sha256(digest_source).hexdigest(),
    }


@transaction.atomic
def lessons_load(*, content_dir: Path = CONTENT_DIR) -> LoadReport:
    """Create or update a Lesson per folder of `content_dir` holding a `lesson.yaml`.

    A lesson whose files did not change since the last load is left alone. Raises LessonContentError
    (and loads nothing) if any folder is malformed.
    """
    folders = sorted(path.parent for path in content_dir.glob("*/lesson.yaml")) if content_dir.exists() else []
    lessons = [_read_lesson(folder) for folder in folders]
    report = LoadReport([], [], [])
    for fields in lessons:
        existing = Lesson.objects.filter(slug=fields["slug"]).first()
        if existing is None:
            Lesson.objects.create(**fields)
            report.created.append(fields["slug"])
        elif existing.source_digest != fields["source_digest"]:
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
            report.updated.append(fields["slug"])
        else:
            report.unchanged.append(fields["slug"])
    return report
