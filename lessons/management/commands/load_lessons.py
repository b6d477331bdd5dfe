"""Load (or refresh) the lessons from `lessons/content/` into the database."""

from django.core.management.base import BaseCommand, CommandError

from lessons.services import LessonContentError, lessons_load


class Command(BaseCommand):
    help = "Load lesson content from lessons/content/ (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        try:
            report = lessons_load()
        except LessonContentError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"lessons: {len(report.created)} created, {len(report.updated)} updated, "
                          f"{len(report.unchanged)} unchanged")
