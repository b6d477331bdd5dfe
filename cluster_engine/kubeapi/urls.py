"""Kubernetes API URLs (mounted at the site root): one API per sandbox, and the kubeconfig download."""

from django.urls import path, re_path

from cluster_engine.kubeapi import metrics, views

SANDBOX = r"^k8s/(?P<sandbox_id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"

urlpatterns = [
    path("api/sandboxes/<uuid:sandbox_id>/kubeconfig/", views.SandboxKubeconfigView.as_view(),
         name="sandbox-kubeconfig"),
    # the aggregated Metrics API (and the group list, which lists it while the sandbox runs metrics-server)
    re_path(SANDBOX + r"/apis/?$", metrics.apis_root, name="kube-api-groups"),
    re_path(SANDBOX + r"/apis/metrics\.k8s\.io(?P<rest>/.*)?$", metrics.metrics_api, name="kube-api-metrics"),
    re_path(SANDBOX + r"(?P<rest>/.*)?$", views.kube_api, name="kube-api"),
    # The same API at the site root for the sandbox the bearer token opens: kubectl 1.32's `get --raw PATH`
    # drops the path of the kubeconfig's server URL (docs/kubeapi.md). `api/sandboxes/` stays the REST API's.
    re_path(r"^(?P<rest>(api/?|api/v1(/.*)?|apis(/.*)?|openapi/v[23](/.*)?|version/?))$", views.kube_api_by_token,
            name="kube-api-by-token"),
]
