from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClusterEngineConfig(AppConfig):
    name = "cluster_engine"
    verbose_name = _("Sandboxes")
