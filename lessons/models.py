"""Lessons: bilingual content loaded from `lessons/content/`, each with the scenario its sandboxes start from."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Lesson(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    body_en = models.TextField(_("text (English, Markdown)"), blank=True)
    body_ru = models.TextField(_("text (Russian, Markdown)"), blank=True)
    scenario = models.JSONField(_("scenario"), default=dict, blank=True,
                                help_text=_("The cluster every sandbox of this lesson starts from."))
    source_digest = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("order", "slug")
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_ru if (get_language() or "en").startswith("ru") else self.title_en

    @property
    def body(self) -> str:
        return self.body_ru if (get_language() or "en").startswith("ru") else self.body_en
