"""Sandbox REST API URLs (mounted at /api/)."""

from django.urls import path

from cluster_engine import api

urlpatterns = [
    path("sandboxes/", api.SandboxListView.as_view(), name="sandbox-list"),
    path("sandboxes/<uuid:sandbox_id>/", api.SandboxDetailView.as_view(), name="sandbox-detail"),
    path("sandboxes/<uuid:sandbox_id>/reset/", api.SandboxResetView.as_view(), name="sandbox-reset"),
    path("sandboxes/<uuid:sandbox_id>/commands/", api.SandboxCommandView.as_view(), name="sandbox-command"),
    path("sandboxes/<uuid:sandbox_id>/apply/", api.SandboxApplyView.as_view(), name="sandbox-apply"),
    path("sandboxes/<uuid:sandbox_id>/control/", api.SandboxControlView.as_view(), name="sandbox-control"),
    path("sandboxes/<uuid:sandbox_id>/events/", api.SandboxEventsView.as_view(), name="sandbox-events"),
    path("sandboxes/<uuid:sandbox_id>/history/", api.SandboxHistoryView.as_view(), name="sandbox-history"),
]
