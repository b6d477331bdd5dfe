"""Write lessons from the database back to their folders (`<nn>-<slug>/lesson.yaml`, `en.md`, `ru.md`), so that
what instructors edited in the admin can be committed: courses live in git."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lessons.models import Lesson
from lessons.services import CONTENT_DIR
from teaching import authoring


class Command(BaseCommand):
    help = "Export lessons (all, or the slugs given) as folders under --into (default: lessons/content)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="lessons to export (default: every lesson)")
        parser.add_argument("--into", type=Path, default=CONTENT_DIR, help="the folder that holds lesson folders")

    def handle(self, *args: Any, **options: Any) -> None:
        lessons = Lesson.objects.prefetch_related("exercises")
        if options["slugs"]:
            lessons = lessons.filter(slug__in=options["slugs"])
            missing = set(options["slugs"]) - {lesson.slug for lesson in lessons}
            if missing:
                raise CommandError(f"no such lesson: {', '.join(sorted(missing))}")
        for lesson in lessons:
            folder = authoring.lesson_write_folder(lesson, options["into"])
            self.stdout.write(f"wrote {folder}")
