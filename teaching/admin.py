"""The admin: cohorts for staff, and authoring lessons and exercises (YAML fields checked as the loader checks
them, with the error's line; a side-by-side Russian and English preview as learners see it; a reference solution
tried on a fresh sandbox; a lesson exported to or imported from its folder of files; bulk regrades)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import yaml
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lessons import loader
from lessons.models import Attempt, Exercise, Lesson, current_language
from teaching import authoring, services
from teaching.models import AttemptComment, Cohort, Deadline, Extension, Membership, Regrade

# ------------------------------------------------------------------ YAML fields

class YAMLTextarea(forms.Textarea):
    """A JSON model value shown and edited as YAML."""

    def __init__(self, field: str) -> None:
        super().__init__(attrs={"rows": 16, "class": "vLargeTextField podlab-yaml", "spellcheck": "false",
                                "data-yaml-field": field})

    def format_value(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                return value  # the author's text as typed, shown again with its error
        if value in ({}, []):
            return ""
        return authoring.yaml_text(value)


class YAMLField(forms.Field):
    """Parsed and checked with `lessons.loader.read_field`: the error names the line and the key path."""

    def __init__(self, field: str, **kwargs: Any) -> None:
        kwargs.setdefault("required", field in ("checks", "solution"))
        super().__init__(widget=YAMLTextarea(field), **kwargs)
        self.yaml_field = field

    def prepare_value(self, value: Any) -> Any:
        return value

    def to_python(self, value: Any) -> Any:
        if isinstance(value, (dict, list)):
            return value
        try:
            return loader.read_field(value or "", field=self.yaml_field)
        except loader.LessonContentError as error:
            raise ValidationError(str(error), code="invalid") from error

    def validate(self, value: Any) -> None:
        if self.required and value in (None, "", [], {}):
            raise ValidationError(self.error_messages["required"], code="required")


class LessonForm(forms.ModelForm):
    scenario = YAMLField("scenario", label=capfirst(gettext_lazy("scenario")),
                         help_text=gettext_lazy("YAML: nodes, objects, limits, faults (docs/lessons.md); empty: the "
                                                "playground."))
    quiz = YAMLField("quiz", label=capfirst(gettext_lazy("quiz")), required=True,
                     help_text=gettext_lazy("YAML: three to five questions, each with id, question, choices and "
                                            "explanation."))

    class Meta:
        model = Lesson
        fields = ("slug", "order", "title_en", "title_ru", "summary_en", "summary_ru", "body_en", "body_ru",
                  "requires_previous", "scenario", "quiz")
        widgets = {"body_en": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField"}),
                   "body_ru": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField"})}


class ExerciseForm(forms.ModelForm):
    hints = YAMLField("hints", label=capfirst(gettext_lazy("hints")),
                      help_text=gettext_lazy("YAML: a list of {en: ..., ru: ...}."))
    checks = YAMLField("checks", label=capfirst(gettext_lazy("checks")),
                       help_text=gettext_lazy("YAML: the check vocabulary of docs/lessons.md."))
    scenario = YAMLField("scenario", label=capfirst(gettext_lazy("scenario")),
                         help_text=gettext_lazy("YAML; empty: the exercise uses its lesson's sandbox."))
    solution = YAMLField("solution", label=capfirst(gettext_lazy("reference solution")),
                         help_text=gettext_lazy("YAML: {steps: [{run: kubectl ...}, {apply: ...}, {wait: 30}]}."))

    class Meta:
        model = Exercise
        fields = ("lesson", "slug", "order", "title_en", "title_ru", "task_en", "task_ru", "hints", "checks",
                  "scenario", "solution")


# ------------------------------------------------------------------ authoring views (JSON for the change forms)

def _form_lesson_fields(data: Any) -> dict[str, Any]:
    fields = {name: data.get(name, "") for name in ("title_en", "title_ru", "summary_en", "summary_ru", "body_en",
                                                     "body_ru")}
    try:
        quiz = yaml.safe_load(data.get("quiz") or "") or []
    except yaml.YAMLError:
        quiz = []
    fields["quiz"] = quiz if isinstance(quiz, list) else []
    return fields


def _form_exercise_fields(data: Any) -> dict[str, Any]:
    try:
        checks = yaml.safe_load(data.get("checks") or "") or []
    except yaml.YAMLError:
        checks = []
    return {"slug": data.get("slug", ""), "checks": checks,
            **{name: data.get(name, "") for name in ("title_en", "title_ru", "task_en", "task_ru")}}


def _problem_json(error: loader.LessonContentError) -> dict[str, Any]:
    """The error for the form: its line apart, the message without the `field:line:` it starts with."""
    return {"ok": False, "message": re.sub(r"^\w+(:\d+)?: ", "", str(error)), "line": error.line}


class ExerciseInline(admin.TabularInline):
    """The lesson's exercises, each edited on its own page (its checks and solution are long YAML)."""

    model = Exercise
    fields = ("order", "slug", "title_en", "title_ru")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    form = LessonForm
    inlines = (ExerciseInline,)
    list_display = ("order", "slug", "title_en", "title_ru", "updated_at")
    list_display_links = ("slug",)
    search_fields = ("slug", "title_en", "title_ru")
    change_form_template = "teaching/admin/lesson_change_form.html"
    change_list_template = "teaching/admin/lesson_change_list.html"
    actions = ("export_folders",)

    def get_urls(self) -> list[Any]:
        return [
            path("preview/", self.admin_site.admin_view(self.preview_view), name="lessons_lesson_preview"),
            path("import/", self.admin_site.admin_view(self.import_view), name="lessons_lesson_import"),
            path("<int:lesson_id>/export/", self.admin_site.admin_view(self.export_view),
                 name="lessons_lesson_export"),
            *super().get_urls(),
        ]

    def save_model(self, request: HttpRequest, obj: Lesson, form: forms.ModelForm, change: bool) -> None:
        obj.source_digest = ""  # edited here: the next `load_lessons` of its folder rewrites it, changed or not
        super().save_model(request, obj, form, change)

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """POST the change form's fields: the lesson's text column as learners see it, in both languages."""
        if request.method != "POST" or not self.has_view_permission(request):
            return JsonResponse({"detail": _("Send the form's fields with POST.")}, status=405)
        lesson = Lesson.objects.filter(pk=request.POST.get("object_id") or 0).first()
        exercises = [{"slug": exercise.slug, "checks": exercise.checks,
                      **{name: getattr(exercise, name) for name in ("title_en", "title_ru", "task_en", "task_ru")}}
                     for exercise in (lesson.exercises.all() if lesson else [])]
        return JsonResponse(authoring.preview_documents(lesson=_form_lesson_fields(request.POST), exercises=exercises))

    def export_view(self, request: HttpRequest, lesson_id: int) -> HttpResponse:
        lesson = Lesson.objects.filter(pk=lesson_id).first()
        if lesson is None or not self.has_view_permission(request, lesson):
            return redirect("admin:lessons_lesson_changelist")
        response = HttpResponse(authoring.lesson_zip(lesson), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{authoring.folder_name(lesson)}.zip"'
        return response

    @admin.action(description=gettext_lazy("Export as lesson folders (zip)"))
    def export_folders(self, request: HttpRequest, queryset: QuerySet[Lesson]) -> HttpResponse:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for lesson in queryset:
                for name, text in authoring.lesson_files(lesson).items():
                    archive.writestr(f"{authoring.folder_name(lesson)}/{name}", text.encode("utf-8"))
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="lessons.zip"'
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a lesson folder as a zip: checked as `load_lessons` checks files, then created or updated."""
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return redirect("admin:lessons_lesson_changelist")
        error = ""
        if request.method == "POST" and request.FILES.get("folder"):
            upload = request.FILES["folder"]
            try:
                report = authoring.lesson_import_zip(upload.read(), name=upload.name)
            except loader.LessonContentError as problem:
                error = str(problem)
            else:
                messages.success(request, _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s "
                                            "unchanged.") % {"created": ", ".join(report.created) or "-",
                                                             "updated": ", ".join(report.updated) or "-",
                                                             "unchanged": ", ".join(report.unchanged) or "-"})
                return redirect("admin:lessons_lesson_changelist")
        return render(request, "teaching/admin/lesson_import.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "error": error,
            "title": _("Import a lesson folder")})


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    form = ExerciseForm
    list_display = ("lesson", "order", "slug", "title_en", "title_ru")
    list_filter = ("lesson",)
    search_fields = ("slug", "title_en", "title_ru")
    ordering = ("lesson__order", "order")
    change_form_template = "teaching/admin/exercise_change_form.html"
    actions = ("regrade",)

    def get_urls(self) -> list[Any]:
        return [
            path("preview/", self.admin_site.admin_view(self.preview_view), name="lessons_exercise_preview"),
            path("validate/", self.admin_site.admin_view(self.validate_view), name="lessons_exercise_validate"),
            path("try/", self.admin_site.admin_view(self.try_view), name="lessons_exercise_try"),
            *super().get_urls(),
        ]

    def save_model(self, request: HttpRequest, obj: Exercise, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        Lesson.objects.filter(pk=obj.lesson_id).update(source_digest="")

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or not self.has_view_permission(request):
            return JsonResponse({"detail": _("Send the form's fields with POST.")}, status=405)
        lesson = Lesson.objects.filter(pk=request.POST.get("lesson") or 0).first()
        fields = {name: getattr(lesson, name) if lesson else "" for name in ("title_en", "title_ru")}
        return JsonResponse(authoring.preview_documents(lesson=fields,
                                                        exercises=[_form_exercise_fields(request.POST)]))

    def validate_view(self, request: HttpRequest) -> HttpResponse:
        """POST {field, text}: the field's YAML checked as the loader checks it, with the error's line."""
        field = request.POST.get("field", "")
        if request.method != "POST" or field not in loader.FIELDS:
            return JsonResponse({"detail": _("Send a field and its text with POST.")}, status=400)
        try:
            loader.read_field(request.POST.get("text", ""), field=field)
        except loader.LessonContentError as error:
            return JsonResponse(_problem_json(error))
        return JsonResponse({"ok": True, "message": "", "line": None})

    @staticmethod
    def _steps_and_checks(data: Any) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        scenario = loader.read_field(data.get("scenario", ""), field="scenario") or {}
        checks = loader.read_field(data.get("checks", ""), field="checks")
        solution = loader.read_field(data.get("solution", ""), field="solution")
        if not scenario:
            lesson = Lesson.objects.filter(pk=data.get("lesson") or 0).first()
            scenario = lesson.scenario if lesson else {}
        return scenario, checks, solution["steps"]

    def try_view(self, request: HttpRequest) -> HttpResponse:
        """POST the form's scenario, checks and solution: the solution run on a fresh sandbox of a throwaway user,
        then graded. Records no attempt."""
        if request.method != "POST" or not self.has_change_permission(request):
            return JsonResponse({"detail": _("Send the form's fields with POST.")}, status=405)
        try:
            scenario, checks, steps = self._steps_and_checks(request.POST)
        except loader.LessonContentError as error:
            return JsonResponse(_problem_json(error), status=400)
        language = current_language()
        trial = authoring.solution_try(scenario=scenario, checks=checks, steps=steps, language=language)
        return JsonResponse({"ok": True, **trial.to_json(language)})

    @admin.action(description=gettext_lazy("Regrade the stored attempts with the current checks"))
    def regrade(self, request: HttpRequest, queryset: QuerySet[Exercise]) -> None:
        for exercise in queryset:
            regrade = services.attempts_regrade(exercise=exercise, by=request.user)
            messages.info(request, services.regrade_summary(regrade))


# ------------------------------------------------------------------ cohorts

class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("learner",)
    readonly_fields = ("joined_at",)


class DeadlineInline(admin.TabularInline):
    model = Deadline
    extra = 0


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "invite_code", "lesson_order", "created_at")
    search_fields = ("name", "owner__username", "invite_code")
    raw_id_fields = ("owner",)
    inlines = (MembershipInline, DeadlineInline)

    def view_on_site(self, obj: Cohort) -> str:
        return reverse("teaching-gradebook", kwargs={"cohort_id": obj.pk})


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ("learner", "deadline", "due_at", "granted_by", "granted_at")
    raw_id_fields = ("learner", "granted_by")


@admin.register(AttemptComment)
class AttemptCommentAdmin(admin.ModelAdmin):
    list_display = ("attempt", "author", "created_at", "text")
    raw_id_fields = ("attempt", "author")


@admin.register(Regrade)
class RegradeAdmin(admin.ModelAdmin):
    list_display = ("exercise", "cohort", "by", "created_at", "attempts", "changed", "at_version", "on_current",
                    "skipped")
    readonly_fields = [field.name for field in Regrade._meta.get_fields()]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("learner", "exercise", "created_at", "score", "max_score", "passed", "resource_version")
    list_filter = ("passed", "exercise__lesson")
    search_fields = ("learner__username",)
    readonly_fields = [field.name for field in Attempt._meta.get_fields() if not field.is_relation
                       or field.many_to_one]
