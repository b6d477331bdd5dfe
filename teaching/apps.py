from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeachingConfig(AppConfig):
    name = "teaching"
    verbose_name = _("Teaching")

    def ready(self) -> None:
        # The hooks of the layers below (they never import teaching): who may read a learner's sandbox, the
        # lesson order a cohort sets, and the gradebook's live feed from `lessons.services.progress_changed`.
        from teaching import services

        services.connect_hooks()
