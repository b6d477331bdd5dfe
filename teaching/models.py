"""Teaching: cohorts of learners with their instructor, invite codes, deadlines with per-learner extensions,
instructors' comments on attempts, and the record of bulk regrades. Progress itself lives in `lessons`."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lessons.models import Attempt, Exercise, Lesson

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed
INVITE_LENGTH = 8


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


class Cohort(models.Model):
    """A class an instructor runs: its learners join with the invite code (or link)."""

    COURSE, LOCKED, FREE = "course", "locked", "free"
    LESSON_ORDERS = ((COURSE, _("as each lesson says")),
                     (LOCKED, _("in order: each lesson opens once the one before it is complete")),
                     (FREE, _("in any order")))

    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="taught_cohorts",
                              verbose_name=_("instructor"))
    invite_code = models.CharField(_("invite code"), max_length=16, unique=True, default=new_invite_code)
    lesson_order = models.CharField(_("lesson order"), max_length=8, choices=LESSON_ORDERS, default=COURSE)
    stuck_minutes = models.PositiveSmallIntegerField(
        _("stuck after (minutes)"), default=20,
        help_text=_("A learner working on an exercise without passing a new check for this long is shown as stuck."))
    stuck_failures = models.PositiveSmallIntegerField(
        _("stuck after failures"), default=3,
        help_text=_("A learner whose latest graded attempts all failed the same check this many times is shown "
                    "as stuck."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    learners = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="cohorts",
                                      verbose_name=_("learners"))

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["cohort", "learner"], name="one_membership_per_cohort")]

    def __str__(self) -> str:
        return f"{self.learner} in {self.cohort}"


class Deadline(models.Model):
    """When a cohort's learners should have completed a lesson."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="deadlines")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("lesson"))
    due_at = models.DateTimeField(_("due"))

    class Meta:
        ordering = ("due_at",)
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [models.UniqueConstraint(fields=["cohort", "lesson"], name="one_deadline_per_lesson")]

    def __str__(self) -> str:
        return f"{self.cohort}: {self.lesson.slug} {self.due_at:%Y-%m-%d %H:%M}"


class Extension(models.Model):
    """One learner's later deadline for a lesson, with who granted it and when."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="extensions")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extensions")
    due_at = models.DateTimeField(_("due"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="extensions_granted", verbose_name=_("granted by"))
    granted_at = models.DateTimeField(_("granted"))

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [models.UniqueConstraint(fields=["deadline", "learner"], name="one_extension_per_learner")]

    def __str__(self) -> str:
        return f"{self.learner}: {self.deadline.lesson.slug} {self.due_at:%Y-%m-%d %H:%M}"


class AttemptComment(models.Model):
    """An instructor's note on a graded attempt; the learner reads it on the lesson's page."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="attempt_comments")
    text = models.TextField(_("comment"), max_length=4000)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.author} on attempt {self.attempt_id}: {self.text[:60]}"


class Regrade(models.Model):
    """One bulk regrade of an exercise's stored attempts (after its checks changed): what it found, per attempt."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="regrades")
    cohort = models.ForeignKey(Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="regrades")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    at_version = models.PositiveIntegerField(
        default=0, help_text=_("Attempts re-evaluated on their sandbox as it was at their resourceVersion."))
    on_current = models.PositiveIntegerField(
        default=0, help_text=_("Attempts re-evaluated on the sandbox as it is now (its history was gone)."))
    skipped = models.PositiveIntegerField(default=0, help_text=_("Attempts whose sandbox no longer exists."))
    details = models.JSONField(default=list)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("regrade")
        verbose_name_plural = _("regrades")

    def __str__(self) -> str:
        return f"{self.exercise} regraded {self.created_at:%Y-%m-%d %H:%M}: {self.changed}/{self.attempts} changed"
