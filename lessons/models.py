"""Lessons and their exercises (loaded from `lessons/content/`, in both languages), and each learner's progress:
graded attempts, per-exercise progress and quiz results."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("en", "ru")


def current_language() -> str:
    """`ru` or `en`: the active Django language reduced to the two lessons are written in."""
    return "ru" if (get_language() or "en").startswith("ru") else "en"


def in_language(texts: dict[str, str] | None, language: str | None = None) -> str:
    """The text of a bilingual `{en, ru}` mapping in `language` (default: the active one)."""
    texts = texts or {}
    return texts.get(language or current_language()) or texts.get("en", "")


class Lesson(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_ru = models.TextField(_("summary (Russian)"), blank=True)
    body_en = models.TextField(_("text (English, Markdown)"), blank=True)
    body_ru = models.TextField(_("text (Russian, Markdown)"), blank=True)
    scenario = models.JSONField(_("scenario"), default=dict, blank=True,
                                help_text=_("The cluster every sandbox of this lesson starts from."))
    quiz = models.JSONField(_("quiz"), default=list, blank=True,
                            help_text=_("Questions with their choices; the correct ones never leave the server."))
    requires_previous = models.BooleanField(
        _("requires the previous lesson"), default=False,
        help_text=_("Open only once the lesson before it is complete. Off: lessons are open in any order."))
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
        return self.title_ru if current_language() == "ru" else self.title_en

    @property
    def summary(self) -> str:
        return self.summary_ru if current_language() == "ru" else self.summary_en

    @property
    def body(self) -> str:
        return self.body_ru if current_language() == "ru" else self.body_en

    @property
    def sandbox_key(self) -> str:
        return f"lesson:{self.slug}"


class Exercise(models.Model):
    """A graded task: its checks are data (the vocabulary of `lessons/grader`), evaluated on the server."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="exercises", verbose_name=_("lesson"))
    slug = models.SlugField(_("id"), help_text=_("Stable within its lesson: progress and attempts refer to it."))
    order = models.PositiveIntegerField(_("order"), default=0)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    task_en = models.TextField(_("task (English, Markdown)"))
    task_ru = models.TextField(_("task (Russian, Markdown)"))
    hints = models.JSONField(_("hints"), default=list, blank=True,
                             help_text=_("In both languages, shown one by one after repeated failed checks."))
    checks = models.JSONField(_("checks"), default=list)
    scenario = models.JSONField(_("scenario"), default=dict, blank=True,
                                help_text=_("Its own starting cluster; empty: it uses the lesson's sandbox."))
    solution = models.JSONField(_("reference solution"), default=dict, blank=True,
                                help_text=_("kubectl commands and manifests that pass every check."))

    class Meta:
        ordering = ("lesson", "order")
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        constraints = [models.UniqueConstraint(fields=["lesson", "slug"], name="exercise_id_unique_in_lesson")]

    def __str__(self) -> str:
        return f"{self.lesson.slug}/{self.slug}"

    @property
    def title(self) -> str:
        return self.title_ru if current_language() == "ru" else self.title_en

    @property
    def task(self) -> str:
        return self.task_ru if current_language() == "ru" else self.task_en

    @property
    def max_score(self) -> int:
        return sum(int(check.get("points", 1)) for check in self.checks)

    @property
    def has_own_sandbox(self) -> bool:
        return bool(self.scenario)

    @property
    def sandbox_key(self) -> str:
        return f"{self.lesson.sandbox_key}/{self.slug}" if self.has_own_sandbox else self.lesson.sandbox_key

    @property
    def live_key(self) -> str:
        """What the sandbox row holds while this exercise is open (`Sandbox.live_key`)."""
        return f"{self.lesson.slug}/{self.slug}"


class Attempt(models.Model):
    """One graded check of a learner's sandbox ("Check"): every check's result, at one resourceVersion."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="attempts")
    created_at = models.DateTimeField(auto_now_add=True)
    passed = models.BooleanField(default=False)
    score = models.PositiveIntegerField(default=0)
    max_score = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=list, help_text=_("Each check: id, passed, points, and its message in "
                                                         "both languages."))
    resource_version = models.PositiveBigIntegerField(default=0)
    sandbox_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["learner", "exercise", "-created_at"], name="attempt_latest")]

    def __str__(self) -> str:
        return f"{self.learner} {self.exercise} {self.score}/{self.max_score}"

    def failed_check_ids(self) -> list[str]:
        return [result["id"] for result in self.results if not result["passed"]]


class ExerciseProgress(models.Model):
    """Where a learner stands on an exercise: attempts, best score, time spent, when it first passed."""

    NOT_STARTED, WORKING, PASSED = "not-started", "working", "passed"

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_progress")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="progress")
    attempts = models.PositiveIntegerField(default=0)
    failed_attempts_in_a_row = models.PositiveIntegerField(default=0)
    best_score = models.PositiveIntegerField(default=0)
    max_score = models.PositiveIntegerField(default=0)
    first_passed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    seconds_spent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "exercise"], name="one_progress_per_exercise")]

    def __str__(self) -> str:
        return f"{self.learner} {self.exercise}: {self.status}"

    @property
    def status(self) -> str:
        if self.first_passed_at is not None:
            return self.PASSED
        return self.WORKING if self.started_at is not None else self.NOT_STARTED


class QuizResult(models.Model):
    """A learner's answers to a lesson's quiz, graded on the server; the best and the latest are kept."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_results")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="quiz_results")
    created_at = models.DateTimeField(auto_now_add=True)
    answers = models.JSONField(default=dict)
    score = models.PositiveIntegerField(default=0)
    max_score = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["learner", "lesson", "-score"], name="quiz_best")]

    def __str__(self) -> str:
        return f"{self.learner} {self.lesson.slug} quiz {self.score}/{self.max_score}"


def bilingual(value: Any) -> bool:
    """Whether `value` is a `{en, ru}` mapping with text in both."""
    return isinstance(value, dict) and all(isinstance(value.get(lang), str) and value[lang].strip()
                                           for lang in LANGUAGES)
