from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = _("Lessons")

    def ready(self) -> None:
        # Connects the live checks to `cluster_engine.signals.sandbox_changed` in every process (web and workers).
        from lessons import services  # noqa: F401
