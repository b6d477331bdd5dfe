"""The teaching REST API (DRF, `/api/cohorts/`): cohorts, joining one, the gradebook (JSON or CSV), statistics,
who is stuck, a learner's timeline and a sandbox's recorded session. Views translate HTTP into selector and
service calls; an instructor reaches only the cohorts they run (staff: all), a learner only joins."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import renderers, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cluster_engine.models import Sandbox
from teaching import selectors, services
from teaching.models import Cohort


class CohortSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=["instructor", "learner"],
                                   help_text="Whether the caller runs this cohort or joined it.")
    instructor = serializers.CharField()
    learners = serializers.IntegerField()
    lesson_order = serializers.ChoiceField(choices=[choice for choice, _label in Cohort.LESSON_ORDERS])
    invite_code = serializers.CharField(required=False, help_text="Instructors only.")
    invite_url = serializers.CharField(required=False, help_text="Instructors only: the link learners join with.")


class CohortCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    lesson_order = serializers.ChoiceField(choices=[choice for choice, _label in Cohort.LESSON_ORDERS],
                                           default=Cohort.COURSE)


class JoinSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32, help_text="The invite code the instructor gave.")


class CellSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["not-started", "working", "passed"])
    score = serializers.IntegerField()
    max_score = serializers.IntegerField()
    attempts = serializers.IntegerField()
    seconds_spent = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    first_passed_at = serializers.DateTimeField(allow_null=True)
    last_activity_at = serializers.DateTimeField(allow_null=True)
    checks = serializers.DictField(child=serializers.BooleanField(),
                                   help_text="The latest graded attempt: check id -> passed.")
    due_at = serializers.DateTimeField(allow_null=True, help_text="The learner's deadline (with an extension).")
    late = serializers.BooleanField(help_text="Passed after the deadline.")
    overdue = serializers.BooleanField(help_text="Not passed, and the deadline is past.")


class StuckSerializer(serializers.Serializer):
    lesson = serializers.CharField()
    exercise = serializers.CharField()
    key = serializers.CharField()
    kind = serializers.ChoiceField(choices=["idle", "repeated"])
    minutes = serializers.IntegerField()
    check = serializers.CharField()
    check_title = serializers.CharField()
    failures = serializers.IntegerField()


class GradebookLearnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    score = serializers.IntegerField()
    max_score = serializers.IntegerField()
    lessons_completed = serializers.ListField(child=serializers.CharField())
    stuck = StuckSerializer(many=True)
    cells = serializers.DictField(child=CellSerializer(), help_text="By `<lesson>/<exercise>`.")


class GradebookLessonSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    learners = serializers.IntegerField()
    completed = serializers.IntegerField()
    completion = serializers.FloatField(help_text="The share of the cohort that completed the lesson.")
    median_seconds = serializers.IntegerField(allow_null=True,
                                              help_text="Median time on its exercises of those who completed it.")
    exercises = serializers.ListField(child=inline_serializer("GradebookExercise", fields={
        "id": serializers.CharField(), "key": serializers.CharField(), "title": serializers.CharField(),
        "max_score": serializers.IntegerField(), "checks": serializers.ListField(child=serializers.CharField())}))


class GradebookSerializer(serializers.Serializer):
    cohort = inline_serializer("GradebookCohort", fields={"id": serializers.IntegerField(),
                                                          "name": serializers.CharField()})
    lessons = GradebookLessonSerializer(many=True)
    learners = GradebookLearnerSerializer(many=True)


class CheckStatisticsSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    attempts = serializers.IntegerField()
    failures = serializers.IntegerField()
    failure_rate = serializers.FloatField()
    learners_failed = serializers.IntegerField()


class ExerciseStatisticsSerializer(serializers.Serializer):
    lesson = serializers.CharField()
    exercise = serializers.CharField()
    key = serializers.CharField()
    title = serializers.CharField()
    learners = serializers.IntegerField()
    started = serializers.IntegerField()
    passed = serializers.IntegerField()
    pass_rate = serializers.FloatField()
    median_attempts_to_pass = serializers.FloatField(allow_null=True)
    median_seconds_to_pass = serializers.FloatField(allow_null=True)
    checks = CheckStatisticsSerializer(many=True, help_text="The most failed first.")


class TimelineEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["command", "apply", "api", "attempt"])
    at = serializers.DateTimeField()
    sandbox = serializers.CharField(allow_null=True)
    lesson = serializers.CharField(allow_null=True)
    text = serializers.CharField(required=False, help_text="Commands: the line, or the applied manifest.")
    exit_code = serializers.IntegerField(required=False, allow_null=True)
    resource_version = serializers.IntegerField(required=False, allow_null=True)
    attempt = serializers.IntegerField(required=False, help_text="Attempts: its id, then its result.")
    exercise = serializers.CharField(required=False)
    passed = serializers.BooleanField(required=False)
    score = serializers.IntegerField(required=False)
    max_score = serializers.IntegerField(required=False)
    checks = serializers.ListField(child=serializers.DictField(), required=False)
    comments = serializers.ListField(child=serializers.DictField(), required=False)


class CSVRenderer(renderers.BaseRenderer):
    """Lets `?format=csv` through DRF's content negotiation; the gradebook view writes the CSV itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return b"" if data is None else str(data).encode()


def _cohort_json(cohort: Cohort, *, role: str, request: Request) -> dict[str, Any]:
    data = {"id": cohort.pk, "name": cohort.name, "role": role, "instructor": cohort.owner.get_username(),
            "learners": getattr(cohort, "learner_count", None) or cohort.memberships.count(),
            "lesson_order": cohort.lesson_order}
    if role == "instructor":
        data["invite_code"] = cohort.invite_code
        data["invite_url"] = request.build_absolute_uri(reverse("cohort-join", kwargs={"code": cohort.invite_code}))
    return data


def taught_cohort(request: Request, cohort_id: Any) -> Cohort:
    """The cohort for an instructor's request: 403 for someone who teaches nothing, 404 for another's."""
    try:
        return selectors.cohort_for_instructor(user=request.user, cohort_id=cohort_id)
    except DjangoPermissionDenied as refused:
        raise PermissionDenied(_("Only instructors see cohorts' work.")) from refused
    except Cohort.DoesNotExist as missing:
        raise NotFound from missing


def _learner(cohort: Cohort, user_id: Any) -> AbstractBaseUser:
    try:
        return selectors.cohort_learner(cohort=cohort, learner_id=user_id)
    except get_user_model().DoesNotExist as missing:
        raise NotFound from missing


class CohortListView(APIView):
    @extend_schema(responses=CohortSerializer(many=True),
                   description="The caller's cohorts: those they run (staff: every cohort), then those they joined.")
    def get(self, request: Request) -> Response:
        taught = list(selectors.cohorts_taught(user=request.user))
        joined = [cohort for cohort in selectors.cohorts_joined(user=request.user)
                  if cohort.pk not in {item.pk for item in taught}]
        return Response([_cohort_json(cohort, role="instructor", request=request) for cohort in taught]
                        + [_cohort_json(cohort, role="learner", request=request) for cohort in joined])

    @extend_schema(request=CohortCreateSerializer, responses={201: CohortSerializer},
                   description="Create a cohort (instructors and staff only); it gets an invite code and link.")
    def post(self, request: Request) -> Response:
        if not selectors.can_teach(request.user):
            raise PermissionDenied(_("Only instructors create cohorts."))
        serializer = CohortCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            cohort = services.cohort_create(owner=request.user, **serializer.validated_data)
        except ValidationError as error:
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_cohort_json(cohort, role="instructor", request=request), status=status.HTTP_201_CREATED)


class CohortJoinView(APIView):
    @extend_schema(request=JoinSerializer,
                   responses={200: CohortSerializer, 400: OpenApiResponse(description="No cohort has this code.")},
                   description="Join the cohort whose invite code this is (again: no change).")
    def post(self, request: Request) -> Response:
        serializer = JoinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            cohort, _created = services.cohort_join(learner=request.user, code=serializer.validated_data["code"])
        except ValidationError as error:
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_cohort_json(cohort, role="learner", request=request))


class GradebookView(APIView):
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"], required=False,
                                     description="`csv`: one row per learner and exercise, with every check's "
                                                 "result in the latest graded attempt.")],
        responses={200: GradebookSerializer, (200, "text/csv"): OpenApiTypes.STR},
        description="The cohort's learners x exercises: status, score, attempts, time, deadlines, the latest "
                    "attempt's checks; per lesson, completion and median time. Instructors of the cohort and staff.")
    def get(self, request: Request, cohort_id: int) -> Response | HttpResponse:
        cohort = taught_cohort(request, cohort_id)
        book = selectors.gradebook(cohort=cohort)
        if request.accepted_renderer.format == "csv":
            buffer = io.StringIO()
            csv.writer(buffer).writerows(selectors.gradebook_csv_rows(book))
            response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
            stamp = timezone.now().strftime("%Y%m%d-%H%M")
            response["Content-Disposition"] = f'attachment; filename="gradebook-{cohort.pk}-{stamp}.csv"'
            return response
        return Response(book.to_json())


class StatisticsView(APIView):
    @extend_schema(responses=ExerciseStatisticsSerializer(many=True),
                   description="Per exercise: pass rate, median attempts and time to pass, the most failed checks.")
    def get(self, request: Request, cohort_id: int) -> Response:
        cohort = taught_cohort(request, cohort_id)
        return Response([item.to_json() for item in selectors.exercise_statistics(cohort=cohort)])


class StuckView(APIView):
    @extend_schema(responses=inline_serializer("StuckLearner", fields={
        "id": serializers.IntegerField(), "username": serializers.CharField(), "reasons": StuckSerializer(many=True)},
        many=True), description="The cohort's learners stuck on their current exercise, now.")
    def get(self, request: Request, cohort_id: int) -> Response:
        cohort = taught_cohort(request, cohort_id)
        members = {member.pk: member for member in selectors.cohort_members(cohort)}
        stuck = selectors.stuck_reasons(cohort=cohort, learners=list(members.values()))
        return Response([{"id": learner_id, "username": members[learner_id].get_username(),
                          "reasons": [reason.to_json() for reason in reasons]}
                         for learner_id, reasons in sorted(stuck.items(),
                                                           key=lambda item: members[item[0]].get_username())])


class LearnerTimelineView(APIView):
    @extend_schema(responses=TimelineEntrySerializer(many=True),
                   description="What one learner of the cohort did, newest first: commands, applies, Kubernetes API "
                               "writes and graded attempts with each check's result and comments.")
    def get(self, request: Request, cohort_id: int, user_id: int) -> Response:
        cohort = taught_cohort(request, cohort_id)
        learner = _learner(cohort, user_id)
        return Response([{**entry, "at": entry["at"].isoformat(),
                          "comments": [{**comment, "at": comment["at"].isoformat()}
                                       for comment in entry.get("comments", [])]}
                         for entry in selectors.learner_timeline(learner=learner)])


class SandboxHistoryView(APIView):
    @extend_schema(responses=dict,
                   description="A learner's sandbox as recorded: a base snapshot and the change log in steps "
                               "(`batch` messages of docs/realtime.md), for the replay page.")
    def get(self, request: Request, cohort_id: int, user_id: int, sandbox_id: Any) -> Response:
        cohort = taught_cohort(request, cohort_id)
        learner = _learner(cohort, user_id)
        sandbox = Sandbox.objects.filter(pk=sandbox_id, owner=learner).first()
        if sandbox is None:
            raise NotFound
        return Response(services.sandbox_history(sandbox=sandbox))
