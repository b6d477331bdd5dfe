"""Teaching pages (mounted under /en/ and /ru/)."""

from django.urls import path

from teaching import views

COHORT = "teaching/cohorts/<int:cohort_id>/"
LEARNER = COHORT + "learners/<int:user_id>/"

urlpatterns = [
    path("teaching/", views.teaching_home, name="teaching"),
    path(COHORT, views.cohort_gradebook, name="teaching-gradebook"),
    path(COHORT + "statistics/", views.cohort_statistics, name="teaching-statistics"),
    path(COHORT + "settings/", views.cohort_settings, name="teaching-settings"),
    path(COHORT + "regrade/", views.cohort_regrade, name="teaching-regrade"),
    path(LEARNER, views.learner_detail, name="teaching-learner"),
    path(LEARNER + "attempts/<int:attempt_id>/comment/", views.learner_comment, name="teaching-comment"),
    path(LEARNER + "sandboxes/<uuid:sandbox_id>/", views.learner_sandbox_watch, name="teaching-watch"),
    path(LEARNER + "sandboxes/<uuid:sandbox_id>/reset/", views.learner_sandbox_reset, name="teaching-reset"),
    path("cohorts/", views.my_cohorts, name="my-cohorts"),
    path("cohorts/join/<str:code>/", views.cohort_join, name="cohort-join"),
]
