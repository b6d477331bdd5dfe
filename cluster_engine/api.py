"""The sandbox REST API (DRF): views translate HTTP into service calls; errors are Kubernetes `Status` bodies."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cluster_engine import control, replies, selectors, services
from cluster_engine.engine import Status
from cluster_engine.models import Sandbox


class SandboxSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sandbox
        fields = ("id", "key", "speed", "paused", "hibernating", "resource_version", "created_at",
                  "last_active_at")


class CommandSerializer(serializers.Serializer):
    command = serializers.CharField(max_length=4096)


class ApplySerializer(serializers.Serializer):
    yaml = serializers.CharField(max_length=300_000, trim_whitespace=False)
    dryRun = serializers.BooleanField(default=False)  # noqa: N815 - the wire name, as in docs/realtime.md


class ControlSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(control.CONTROL_ACTIONS))
    value = serializers.FloatField(required=False)
    seconds = serializers.FloatField(required=False)
    component = serializers.CharField(required=False, max_length=200)
    node = serializers.CharField(required=False, max_length=253)
    namespace = serializers.CharField(required=False, max_length=253)
    name = serializers.CharField(required=False, max_length=253)


def status_response(error: Status) -> Response:
    return Response(error.to_dict(), status=error.code)


def reply_response(message: dict[str, Any]) -> Response:
    """200 when the request ran (a kubectl command that printed an error still ran), else the Status code."""
    refused = message["status"]
    return Response(message, status=refused["code"] if refused else status.HTTP_200_OK)


def _viewed(request: Request, sandbox_id: Any) -> Sandbox:
    """A sandbox the requester may read (their own, or a learner's they teach); 404 for unknown and foreign
    ids alike, so ids reveal nothing."""
    return _viewed_with_access(request, sandbox_id)[0]


def _viewed_with_access(request: Request, sandbox_id: Any) -> tuple[Sandbox, bool]:
    try:
        return selectors.sandbox_for_viewer(sandbox_id=sandbox_id, user=request.user)
    except Sandbox.DoesNotExist as missing:
        raise NotFound from missing


def _owned(request: Request, sandbox_id: Any) -> Sandbox:
    """The requester's own sandbox, for a write: 404 as `_viewed`, and a 403 `Status` (services.ReadOnly) for a
    sandbox they may only read."""
    sandbox, read_only = _viewed_with_access(request, sandbox_id)
    if read_only:
        raise services.read_only_status(request.user)
    return sandbox


class SandboxWriteView(APIView):
    """A write to one sandbox: only its owner's; a reader gets the 403 Status, never a write."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, services.ReadOnly):
            return status_response(exc)
        return super().handle_exception(exc)


def _language(request: Request) -> str:
    return "ru" if (getattr(request, "LANGUAGE_CODE", "") or "").startswith("ru") else "en"


class SandboxListView(APIView):
    @extend_schema(responses=SandboxSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(SandboxSerializer(selectors.sandbox_list(user=request.user), many=True).data)

    @extend_schema(request=None, responses=SandboxSerializer,
                   description="The caller's playground, created if needed. A lesson's sandbox is opened with "
                               "POST /api/lessons/<slug>/sandbox/.")
    def post(self, request: Request) -> Response:
        sandbox = services.sandbox_get_or_create(owner=request.user)
        return Response(SandboxSerializer(sandbox).data, status=status.HTTP_201_CREATED)


class SandboxDetailView(APIView):
    @extend_schema(responses=SandboxSerializer)
    def get(self, request: Request, sandbox_id: Any) -> Response:
        return Response(SandboxSerializer(_viewed(request, sandbox_id)).data)


class SandboxResetView(SandboxWriteView):
    @extend_schema(request=None, responses=SandboxSerializer)
    def post(self, request: Request, sandbox_id: Any) -> Response:
        sandbox = services.sandbox_reset(sandbox=_owned(request, sandbox_id))
        return Response(SandboxSerializer(sandbox).data)


class SandboxCommandView(SandboxWriteView):
    @extend_schema(request=CommandSerializer, responses=dict)
    def post(self, request: Request, sandbox_id: Any) -> Response:
        sandbox = _owned(request, sandbox_id)
        serializer = CommandSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return reply_response(replies.sandbox_command_reply(
            sandbox_id=sandbox.pk, user=request.user, command=serializer.validated_data["command"],
            request_id=None, language=_language(request)))


class SandboxApplyView(SandboxWriteView):
    @extend_schema(request=ApplySerializer, responses=dict)
    def post(self, request: Request, sandbox_id: Any) -> Response:
        sandbox = _owned(request, sandbox_id)
        serializer = ApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return reply_response(replies.sandbox_apply_reply(
            sandbox_id=sandbox.pk, user=request.user, text=serializer.validated_data["yaml"],
            dry_run=serializer.validated_data["dryRun"], request_id=None, language=_language(request)))


class SandboxControlView(SandboxWriteView):
    """Time control (pause, resume, speed, step) and fault injection (components, nodes, pods)."""

    @extend_schema(request=ControlSerializer, responses=dict)
    def post(self, request: Request, sandbox_id: Any) -> Response:
        sandbox = _owned(request, sandbox_id)
        serializer = ControlSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return reply_response(replies.sandbox_control_reply(
            sandbox_id=sandbox.pk, user=request.user, request=serializer.validated_data, request_id=None,
            language=_language(request)))


class SandboxEventsView(APIView):
    """The change log: every change after `since` (or a snapshot when the log no longer reaches back)."""

    @extend_schema(parameters=[OpenApiParameter("since", int, required=False)], responses=dict)
    def get(self, request: Request, sandbox_id: Any) -> Response:
        sandbox, read_only = _viewed_with_access(request, sandbox_id)
        since = request.query_params.get("since")
        return Response(replies.sandbox_catch_up(sandbox_id=sandbox.pk,
                                                  since=int(since) if since and since.isdigit() else 0,
                                                  read_only=read_only))


class SandboxHistoryView(APIView):
    """The whole recorded history, a page at a time: every change after `after` (and up to `until`), oldest first."""

    @extend_schema(parameters=[OpenApiParameter("after", int, required=False),
                               OpenApiParameter("until", int, required=False)], responses=dict)
    def get(self, request: Request, sandbox_id: Any) -> Response:
        sandbox, _read_only = _viewed_with_access(request, sandbox_id)  # a read: an instructor may replay it too
        after, until = request.query_params.get("after", ""), request.query_params.get("until", "")
        return Response(replies.sandbox_history(sandbox_id=sandbox.pk, after=int(after) if after.isdigit() else 0,
                                                 until=int(until) if until.isdigit() else None))
