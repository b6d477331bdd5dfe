"""Lessons REST API URLs (mounted at /api/lessons/)."""

from django.urls import path

from lessons import api

urlpatterns = [
    path("", api.LessonListView.as_view(), name="lesson-list"),
    path("<slug:slug>/", api.LessonDetailView.as_view(), name="lesson-detail"),
    path("<slug:slug>/exercises/<slug:exercise_id>/check/", api.ExerciseCheckView.as_view(), name="exercise-check"),
    path("<slug:slug>/exercises/<slug:exercise_id>/open/", api.ExerciseOpenView.as_view(), name="exercise-open"),
    path("<slug:slug>/exercises/<slug:exercise_id>/reset/", api.ExerciseResetView.as_view(), name="exercise-reset"),
    path("<slug:slug>/quiz/", api.QuizView.as_view(), name="lesson-quiz"),
]
