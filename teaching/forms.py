"""Forms of the teaching pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lessons.models import Lesson
from teaching.models import Cohort


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ("name", "lesson_order", "stuck_minutes", "stuck_failures")


class CohortCreateForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ("name", "lesson_order")


class JoinForm(forms.Form):
    code = forms.CharField(label=_("Invite code"), max_length=32,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DeadlinesForm(forms.Form):
    """One optional due date per lesson of the course."""

    def __init__(self, *args: Any, lessons: list[Lesson], initial_due: dict[int, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lessons = lessons
        for lesson in lessons:
            self.fields[f"lesson_{lesson.pk}"] = forms.DateTimeField(
                label=lesson.title, required=False, widget=DateTimeInput(),
                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], initial=initial_due.get(lesson.pk))

    def due_dates(self) -> dict[Lesson, Any]:
        return {lesson: self.cleaned_data.get(f"lesson_{lesson.pk}") for lesson in self.lessons}


class ExtensionForm(forms.Form):
    learner = forms.ModelChoiceField(queryset=None, label=_("Learner"))
    deadline = forms.ModelChoiceField(queryset=None, label=_("Lesson"))
    due_at = forms.DateTimeField(label=_("New deadline"), widget=DateTimeInput(),
                                 input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["learner"].queryset = get_user_model().objects.filter(memberships__cohort=cohort) \
            .order_by("username")
        self.fields["deadline"].queryset = cohort.deadlines.select_related("lesson")
        self.fields["deadline"].label_from_instance = lambda deadline: deadline.lesson.title


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
