"""The lessons REST API (DRF): lessons with the caller's progress, graded checks, quizzes. Views translate HTTP
into service calls; texts come in the request's language (`Accept-Language`, or the page's)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lessons import selectors, services
from lessons.grader import CheckResult, Evaluation
from lessons.models import Exercise, Lesson, current_language, in_language
from lessons.rendering import markdown_html


class ProgressSerializer(serializers.Serializer):
    exercises_passed = serializers.IntegerField()
    exercises = serializers.IntegerField()
    score = serializers.IntegerField()
    max_score = serializers.IntegerField()
    percent = serializers.IntegerField()
    quiz_best = serializers.IntegerField(allow_null=True)
    quiz_passed = serializers.BooleanField()
    completed = serializers.BooleanField()


class LessonSummarySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    order = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    exercises = serializers.IntegerField(help_text="How many graded exercises the lesson has.")
    open = serializers.BooleanField(help_text="False while the lesson waits for the one before it.")
    progress = ProgressSerializer()


class CheckSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField(help_text="What the check looks for, in the request's language.")
    points = serializers.IntegerField()


class ExerciseSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    task = serializers.CharField(help_text="Markdown.")
    task_html = serializers.CharField()
    points = serializers.IntegerField()
    own_sandbox = serializers.BooleanField(help_text="True when the exercise starts from a cluster of its own.")
    checks = CheckSerializer(many=True)
    status = serializers.ChoiceField(choices=["not-started", "working", "passed"])
    score = serializers.IntegerField()
    attempts = serializers.IntegerField()


class ChoiceSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    id = serializers.CharField()
    question = serializers.CharField()
    multiple = serializers.BooleanField(help_text="More than one choice is correct.")
    choices = ChoiceSerializer(many=True)


class LessonDetailSerializer(LessonSummarySerializer):
    text = serializers.CharField(help_text="Markdown, in sections.")
    html = serializers.CharField()
    exercises = ExerciseSerializer(many=True)  # type: ignore[assignment]
    quiz = QuestionSerializer(many=True)


class CheckResultSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    passed = serializers.BooleanField()
    points = serializers.IntegerField()
    message = serializers.CharField(help_text="For a failed check: what was expected and what was found.")


class GradeSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    score = serializers.IntegerField()
    max_score = serializers.IntegerField()
    checks = CheckResultSerializer(many=True)
    hint = serializers.CharField(allow_null=True, help_text="The latest hint revealed by repeated failures.")
    hints = serializers.ListField(child=serializers.CharField())
    attempt = serializers.IntegerField(allow_null=True)
    resource_version = serializers.CharField()


class QuizAnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(child=serializers.ListField(child=serializers.CharField(max_length=64),
                                                                max_length=20),
                                    help_text='{"question id": ["choice id", ...]}')


class QuizResultSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    max_score = serializers.IntegerField()
    passed = serializers.BooleanField()
    questions = serializers.ListField(child=inline_serializer("QuizAnswer", fields={
        "id": serializers.CharField(), "correct": serializers.BooleanField(),
        "chosen": serializers.ListField(child=serializers.CharField()),
        "correct_choices": serializers.ListField(child=serializers.CharField()),
        "explanation": serializers.CharField()}))


def _progress_json(item: selectors.LessonProgress) -> dict[str, Any]:
    return item.to_json()


def _summary(item: selectors.LessonProgress, lessons: list[selectors.LessonProgress]) -> dict[str, Any]:
    lesson = item.lesson
    return {"slug": lesson.slug, "order": lesson.order, "title": lesson.title, "summary": lesson.summary,
            "exercises": len(item.exercises), "open": selectors.lesson_is_open(lessons=lessons, lesson=lesson),
            "progress": _progress_json(item)}


def check_result_json(result: CheckResult, language: str) -> dict[str, Any]:
    return {"id": result.id, "title": in_language(result.title, language), "passed": result.passed,
            "points": result.points, "message": in_language(result.message, language) if not result.passed else ""}


def grade_json(evaluation: Evaluation, *, hints: list[dict[str, str]], attempt: int | None,
               language: str) -> dict[str, Any]:
    texts = [in_language(hint, language) for hint in hints]
    return {"passed": evaluation.passed, "score": evaluation.score, "max_score": evaluation.max_score,
            "checks": [check_result_json(result, language) for result in evaluation.results],
            "hint": texts[-1] if texts else None, "hints": texts, "attempt": attempt,
            "resource_version": str(evaluation.resource_version)}


def exercise_json(state: selectors.ExerciseState) -> dict[str, Any]:
    exercise = state.exercise
    return {"id": exercise.slug, "title": exercise.title, "task": exercise.task,
            "task_html": markdown_html(exercise.task),
            "points": exercise.max_score, "own_sandbox": exercise.has_own_sandbox,
            "checks": [{"id": check["id"], "title": in_language(check["title"]), "points": int(check.get("points", 1))}
                       for check in exercise.checks],
            "status": state.status, "score": state.score, "attempts": state.attempts}


def question_json(question: dict[str, Any]) -> dict[str, Any]:
    """A quiz question as learners see it: never which choices are correct."""
    return {"id": question["id"], "question": in_language(question["question"]), "multiple": question["multiple"],
            "choices": [{"id": choice["id"], "text": in_language(choice["text"])} for choice in question["choices"]]}


def _open_lesson(request: Request, slug: str) -> tuple[Lesson, list[selectors.LessonProgress]]:
    lesson = get_object_or_404(Lesson, slug=slug)
    lessons = selectors.lessons_with_progress(learner=request.user)
    if not selectors.lesson_is_open(lessons=lessons, lesson=lesson):
        raise PermissionDenied(_("This lesson opens once you have completed the one before it."))
    return lesson, lessons


def _exercise(lesson: Lesson, exercise_id: str) -> Exercise:
    return get_object_or_404(Exercise, lesson=lesson, slug=exercise_id)


class LessonListView(APIView):
    @extend_schema(responses=LessonSummarySerializer(many=True),
                   description="The course's lessons in order, with the caller's progress, in the request's language.")
    def get(self, request: Request) -> Response:
        lessons = selectors.lessons_with_progress(learner=request.user)
        return Response([_summary(item, lessons) for item in lessons])


class LessonDetailView(APIView):
    @extend_schema(responses=LessonDetailSerializer,
                   description="A lesson's text, exercises (with their checks' names) and quiz questions without "
                               "their answers.")
    def get(self, request: Request, slug: str) -> Response:
        lesson, lessons = _open_lesson(request, slug)
        item = next(entry for entry in lessons if entry.lesson.pk == lesson.pk)
        return Response({**_summary(item, lessons), "text": lesson.body, "html": markdown_html(lesson.body),
                         "exercises": [exercise_json(state) for state in item.exercises],
                         "quiz": [question_json(question) for question in lesson.quiz]})


class ExerciseCheckView(APIView):
    @extend_schema(request=None, responses=GradeSerializer,
                   description="Grade the caller's sandbox for this exercise against one stored state and record "
                               "the attempt. The client only asks: the checks run on the server.")
    def post(self, request: Request, slug: str, exercise_id: str) -> Response:
        lesson, _lessons = _open_lesson(request, slug)
        graded = services.attempt_grade(learner=request.user, exercise=_exercise(lesson, exercise_id))
        return Response(grade_json(graded.evaluation, hints=graded.hints, attempt=graded.attempt.pk,
                                   language=current_language()))


class ExerciseOpenView(APIView):
    @extend_schema(request=None, responses=GradeSerializer,
                   description="The caller opened this exercise: its checks now tick live on their sandbox (WebSocket "
                               "`checks` messages) and its current state is returned. Records no attempt.")
    def post(self, request: Request, slug: str, exercise_id: str) -> Response:
        lesson, _lessons = _open_lesson(request, slug)
        evaluation = services.exercise_open(learner=request.user, exercise=_exercise(lesson, exercise_id))
        return Response(grade_json(evaluation, hints=[], attempt=None, language=current_language()))


class ExerciseResetView(APIView):
    @extend_schema(request=None,
                   responses=inline_serializer("ResetResult", fields={"sandbox": serializers.UUIDField()}),
                   description="Put the exercise's sandbox back to its starting cluster.")
    def post(self, request: Request, slug: str, exercise_id: str) -> Response:
        lesson, _lessons = _open_lesson(request, slug)
        sandbox = services.exercise_reset(learner=request.user, exercise=_exercise(lesson, exercise_id))
        return Response({"sandbox": str(sandbox.pk)})


class QuizView(APIView):
    @extend_schema(request=QuizAnswersSerializer, responses=QuizResultSerializer,
                   description="Grade quiz answers on the server.")
    def post(self, request: Request, slug: str) -> Response:
        lesson, _lessons = _open_lesson(request, slug)
        serializer = QuizAnswersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.quiz_grade(learner=request.user, lesson=lesson, answers=serializer.validated_data["answers"])
        language = current_language()
        progress = selectors.lesson_with_progress(learner=request.user, lesson=lesson)
        return Response({"score": outcome.result.score, "max_score": outcome.result.max_score,
                         "passed": progress.quiz_passed,
                         "questions": [{**entry, "explanation": in_language(entry["explanation"], language)}
                                       for entry in outcome.answers]},
                        status=status.HTTP_200_OK)
