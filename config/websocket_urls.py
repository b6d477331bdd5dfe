"""WebSocket routes, kept apart from `asgi.py` so tests can build the router without the HTTP app."""

from django.urls import path

from cluster_engine.consumers import SandboxConsumer
from frontend.consumers import HealthConsumer

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
    path("ws/sandboxes/<uuid:sandbox_id>/", SandboxConsumer.as_asgi()),
]
