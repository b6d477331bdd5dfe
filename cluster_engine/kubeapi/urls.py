"""Kubernetes API URLs (mounted at the site root): one API per sandbox, and the kubeconfig download."""

from django.urls import path, re_path

from cluster_engine.kubeapi import views

urlpatterns = [
    path("api/sandboxes/<uuid:sandbox_id>/kubeconfig/", views.SandboxKubeconfigView.as_view(),
         name="sandbox-kubeconfig"),
    re_path(r"^k8s/(?P<sandbox_id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?P<rest>/.*)?$",
            views.kube_api, name="kube-api"),
]
