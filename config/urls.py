"""URLs: pages under /en/ and /ru/; the API, health probes and the admin (/admin/) outside the language prefix."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView

from frontend import health, views

urlpatterns = [
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("cluster_engine.kubeapi.urls")),  # /k8s/<sandbox-id>/ and the kubeconfig download
    path("api/", include("cluster_engine.urls")),
    path("api/lessons/", include("lessons.urls")),
    path("api/cohorts/", include("teaching.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("frontend.urls")),
    path("", include("teaching.urls")),
    prefix_default_language=True,
)
