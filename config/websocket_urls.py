"""WebSocket routes, kept apart from `asgi.py` so tests can build the router without the HTTP app.

`websocket_urlpatterns` are the page's sockets (session cookies; `asgi.py` checks their Origin).
`kube_websocket_urlpatterns` are the Kubernetes API's streams under `/k8s/<id>/` (bearer tokens, as the HTTP
API; kubectl sends no Origin, and a browser cannot set the `Authorization` header a socket would need).
"""

from django.urls import path

from cluster_engine.consumers import SandboxConsumer
from cluster_engine.kubeapi.exec import PodAttachConsumer, PodExecConsumer
from cluster_engine.kubeapi.portforward import PodPortForwardConsumer
from frontend.consumers import HealthConsumer
from teaching.consumers import CohortConsumer

KUBE_PREFIX = "/k8s/"

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
    path("ws/sandboxes/<uuid:sandbox_id>/", SandboxConsumer.as_asgi()),
    path("ws/cohorts/<int:cohort_id>/", CohortConsumer.as_asgi()),
]

kube_websocket_urlpatterns = [
    path("k8s/<uuid:sandbox_id>/api/v1/namespaces/<str:namespace>/pods/<str:name>/exec", PodExecConsumer.as_asgi()),
    path("k8s/<uuid:sandbox_id>/api/v1/namespaces/<str:namespace>/pods/<str:name>/attach",
         PodAttachConsumer.as_asgi()),
    path("k8s/<uuid:sandbox_id>/api/v1/namespaces/<str:namespace>/pods/<str:name>/portforward",
         PodPortForwardConsumer.as_asgi()),
]
