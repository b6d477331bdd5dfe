"""Teaching REST API URLs (mounted at /api/cohorts/)."""

from django.urls import path

from teaching import api

LEARNER = "<int:cohort_id>/learners/<int:user_id>/"

urlpatterns = [
    path("", api.CohortListView.as_view(), name="cohort-list-api"),
    path("join/", api.CohortJoinView.as_view(), name="cohort-join-api"),
    path("<int:cohort_id>/gradebook/", api.GradebookView.as_view(), name="cohort-gradebook-api"),
    path("<int:cohort_id>/statistics/", api.StatisticsView.as_view(), name="cohort-statistics-api"),
    path("<int:cohort_id>/stuck/", api.StuckView.as_view(), name="cohort-stuck-api"),
    path(LEARNER + "timeline/", api.LearnerTimelineView.as_view(), name="learner-timeline-api"),
    path(LEARNER + "sandboxes/<uuid:sandbox_id>/history/", api.SandboxHistoryView.as_view(),
         name="sandbox-history-api"),
]
