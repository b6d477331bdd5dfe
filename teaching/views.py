"""Teaching pages (under the language prefix): an instructor's cohorts, the live gradebook, statistics, settings
(deadlines, extensions, lesson order), a learner's drill-down and the read-only look at their sandbox; a
learner's cohorts and the invite link. Views translate HTTP into selector and service calls."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cluster_engine.models import Sandbox
from frontend.assets import import_map_json
from lessons.models import Attempt, Exercise, Lesson
from teaching import selectors, services
from teaching.forms import CohortCreateForm, CohortForm, CommentForm, DeadlinesForm, ExtensionForm, JoinForm
from teaching.models import Cohort, Deadline


def _import_map() -> str:
    return import_map_json()


def instructor_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page about one cohort: signed-in instructors of it and staff only (403 for someone who teaches
    nothing, 404 for another instructor's cohort). The view receives the cohort instead of its id."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, cohort_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            cohort = selectors.cohort_for_instructor(user=request.user, cohort_id=cohort_id)
        except Cohort.DoesNotExist as missing:
            raise Http404 from missing
        return view(request, cohort, *args, **kwargs)

    return wrapped


def _learner_or_404(cohort: Cohort, user_id: int) -> AbstractBaseUser:
    try:
        return selectors.cohort_learner(cohort=cohort, learner_id=user_id)
    except (get_user_model().DoesNotExist, ValueError) as missing:
        raise Http404 from missing


def _invite_url(request: HttpRequest, cohort: Cohort) -> str:
    return request.build_absolute_uri(reverse("cohort-join", kwargs={"code": cohort.invite_code}))


# ------------------------------------------------------------------ an instructor's pages

@login_required
@require_http_methods(["GET", "POST"])
def teaching_home(request: HttpRequest) -> HttpResponse:
    """The cohorts the instructor runs (staff: all), and a form to create one."""
    if not selectors.can_teach(request.user):
        raise PermissionDenied
    form = CohortCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cohort = services.cohort_create(owner=request.user, **form.cleaned_data)
        messages.success(request, _("Cohort “%(name)s” created. Share its invite link with your learners.")
                         % {"name": cohort.name})
        return redirect("teaching-gradebook", cohort_id=cohort.pk)
    cohorts = list(selectors.cohorts_taught(user=request.user))
    return render(request, "teaching/home.html", {"cohorts": cohorts, "form": form})


@instructor_view
def cohort_gradebook(request: HttpRequest, cohort: Cohort) -> HttpResponse:
    """The gradebook: learners x exercises, updating live as they work; who is stuck; completion per lesson."""
    book = selectors.gradebook(cohort=cohort)
    stuck = [(row.learner, row.stuck) for row in book.rows if row.stuck]
    config = {"wsPath": f"/ws/cohorts/{cohort.pk}/", "language": get_language(),
              "api": reverse("cohort-gradebook-api", kwargs={"cohort_id": cohort.pk}),
              "stuckApi": reverse("cohort-stuck-api", kwargs={"cohort_id": cohort.pk}),
              "learnerUrl": reverse("teaching-learner", kwargs={"cohort_id": cohort.pk, "user_id": 0})}
    return render(request, "teaching/gradebook.html", {
        "cohort": cohort, "book": book, "stuck": stuck, "config": config, "invite_url": _invite_url(request, cohort),
        "csv_url": reverse("cohort-gradebook-api", kwargs={"cohort_id": cohort.pk}) + "?format=csv"})


@instructor_view
def cohort_statistics(request: HttpRequest, cohort: Cohort) -> HttpResponse:
    """Per exercise: pass rate, median attempts and time to pass, and the checks that fail most, as charts with
    a table beside them (the charts' text alternative)."""
    found = selectors.exercise_statistics(cohort=cohort)
    chart = {"exercises": [item.to_json() for item in found]}
    return render(request, "teaching/statistics.html", {
        "cohort": cohort, "statistics": found, "chart": chart, "import_map": _import_map(),
        "regrades": cohort.regrades.select_related("exercise__lesson", "by")[:10]})


@instructor_view
@require_POST
def cohort_regrade(request: HttpRequest, cohort: Cohort) -> HttpResponse:
    """Regrade the cohort's stored attempts of one exercise with its checks as they are now."""
    exercise = get_object_or_404(Exercise, pk=request.POST.get("exercise") or 0)
    regrade = services.attempts_regrade(exercise=exercise, by=request.user, cohort=cohort)
    messages.success(request, services.regrade_summary(regrade))
    return redirect("teaching-statistics", cohort_id=cohort.pk)


@instructor_view
@require_http_methods(["GET", "POST"])
def cohort_settings(request: HttpRequest, cohort: Cohort) -> HttpResponse:
    """The cohort's name, lesson order and stuck thresholds; deadlines per lesson; extensions; its invite code."""
    lessons = list(Lesson.objects.all())
    deadlines = selectors.cohort_deadlines(cohort=cohort)
    action = request.POST.get("action", "")
    data = request.POST if request.method == "POST" else None
    form = CohortForm(data if action == "cohort" else None, instance=cohort)
    deadlines_form = DeadlinesForm(data if action == "deadlines" else None, lessons=lessons,
                                   initial_due={deadline.lesson_id: deadline.due_at for deadline in deadlines})
    extension_form = ExtensionForm(data if action == "extension" else None, cohort=cohort)
    if action == "cohort" and form.is_valid():
        form.save()
        messages.success(request, _("Settings saved."))
        return redirect("teaching-settings", cohort_id=cohort.pk)
    if action == "deadlines" and deadlines_form.is_valid():
        for lesson, due_at in deadlines_form.due_dates().items():
            services.deadline_set(cohort=cohort, lesson=lesson, due_at=due_at)
        messages.success(request, _("Deadlines saved."))
        return redirect("teaching-settings", cohort_id=cohort.pk)
    if action == "extension" and extension_form.is_valid():
        try:
            services.extension_grant(deadline=extension_form.cleaned_data["deadline"],
                                     learner=extension_form.cleaned_data["learner"],
                                     due_at=extension_form.cleaned_data["due_at"], granted_by=request.user)
        except ValidationError as error:
            extension_form.add_error(None, error)
        else:
            messages.success(request, _("Extension granted."))
            return redirect("teaching-settings", cohort_id=cohort.pk)
    if action == "revoke-extension":
        deadline = get_object_or_404(Deadline, pk=request.POST.get("deadline") or 0, cohort=cohort)
        services.extension_revoke(deadline=deadline, learner=_learner_or_404(cohort, request.POST.get("learner")
                                                                             or 0))
        messages.success(request, _("Extension withdrawn."))
        return redirect("teaching-settings", cohort_id=cohort.pk)
    if action == "new-code":
        services.cohort_new_code(cohort=cohort)
        messages.success(request, _("A new invite code is ready; the old link no longer works."))
        return redirect("teaching-settings", cohort_id=cohort.pk)
    return render(request, "teaching/settings.html", {
        "cohort": cohort, "form": form, "deadlines_form": deadlines_form, "extension_form": extension_form,
        "deadlines": deadlines, "invite_url": _invite_url(request, cohort),
        "members": selectors.cohort_members(cohort)})


@instructor_view
def learner_detail(request: HttpRequest, cohort: Cohort, user_id: int) -> HttpResponse:
    """One learner: their row of the gradebook, their sandboxes (watch live, replay, reset) and their timeline
    of commands, applies and graded attempts with each check's result, where comments are written."""
    learner = _learner_or_404(cohort, user_id)
    book = selectors.gradebook(cohort=cohort, learners=[learner])
    row = book.rows[0]
    return render(request, "teaching/learner.html", {
        "cohort": cohort, "learner": learner, "book": book, "row": row,
        "sandboxes": selectors.learner_sandboxes(learner=learner),
        "timeline": selectors.learner_timeline(learner=learner), "comment_form": CommentForm()})


@instructor_view
@require_POST
def learner_comment(request: HttpRequest, cohort: Cohort, user_id: int, attempt_id: int) -> HttpResponse:
    learner = _learner_or_404(cohort, user_id)
    attempt = get_object_or_404(Attempt, pk=attempt_id, learner=learner)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.comment_add(attempt=attempt, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Comment saved: the learner sees it on the lesson's page."))
    else:
        messages.error(request, _("Write something first."))
    return redirect(reverse("teaching-learner", kwargs={"cohort_id": cohort.pk, "user_id": learner.pk})
                    + f"#attempt-{attempt.pk}")


@instructor_view
@require_POST
def learner_sandbox_reset(request: HttpRequest, cohort: Cohort, user_id: int, sandbox_id: Any) -> HttpResponse:
    learner = _learner_or_404(cohort, user_id)
    sandbox = get_object_or_404(Sandbox, pk=sandbox_id, owner=learner)
    services.learner_sandbox_reset(sandbox=sandbox)
    messages.success(request, _("The sandbox is back at its start."))
    return redirect(request.POST.get("next") or reverse("teaching-learner", kwargs={"cohort_id": cohort.pk,
                                                                                    "user_id": learner.pk}))


@instructor_view
def learner_sandbox_watch(request: HttpRequest, cohort: Cohort, user_id: int, sandbox_id: Any) -> HttpResponse:
    """The learner's sandbox read-only and live: the diagram, what they type and are answered, and its recorded
    session to scrub back through. Nothing on this page can write to it."""
    learner = _learner_or_404(cohort, user_id)
    sandbox = get_object_or_404(Sandbox, pk=sandbox_id, owner=learner)
    config = {"wsPath": f"/ws/sandboxes/{sandbox.pk}/", "sandboxId": str(sandbox.pk), "language": get_language(),
              "historyUrl": reverse("sandbox-history-api", kwargs={"cohort_id": cohort.pk, "user_id": learner.pk,
                                                                   "sandbox_id": sandbox.pk})}
    return render(request, "teaching/watch.html", {
        "cohort": cohort, "learner": learner, "sandbox": sandbox, "config": config, "import_map": _import_map(),
        "lesson_slug": selectors.lesson_slug_of(sandbox.key)})


# ------------------------------------------------------------------ a learner's pages

@login_required
@require_http_methods(["GET", "POST"])
def my_cohorts(request: HttpRequest) -> HttpResponse:
    """The cohorts the learner joined with their deadlines, and a form to join one with a code."""
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort, created = services.cohort_join(learner=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            _said_joined(request, cohort, created=created)
            return redirect("my-cohorts")
    return render(request, "teaching/my_cohorts.html", {
        "form": form, "cohorts": list(selectors.cohorts_joined(user=request.user)),
        "deadlines": selectors.learner_deadlines(learner=request.user)})


def _said_joined(request: HttpRequest, cohort: Cohort, *, created: bool) -> None:
    if created:
        messages.success(request, _("You joined “%(name)s”.") % {"name": cohort.name})
    else:
        messages.info(request, _("You are already in “%(name)s”.") % {"name": cohort.name})


@login_required
@require_http_methods(["GET", "POST"])
def cohort_join(request: HttpRequest, code: str) -> HttpResponse:
    """The invite link: shows the cohort and joins it on confirmation."""
    cohort = selectors.cohort_by_code(code=code)
    if cohort is None:
        raise Http404(_("No cohort has this invite code. Check it with your instructor."))
    if request.method == "POST":
        cohort, created = services.cohort_join(learner=request.user, code=code)
        _said_joined(request, cohort, created=created)
        return redirect("my-cohorts")
    return render(request, "teaching/join.html", {
        "cohort": cohort, "member": cohort.memberships.filter(learner=request.user).exists()})
