"""The ASGI entry point: Django for HTTP, Channels consumers for WebSockets (sessions authenticate both)."""

import os
import sys

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_asgi_app = get_asgi_application()  # before importing consumers: it sets Django up

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.core.handlers.asgi import ASGIHandler  # noqa: E402
from django.core.signals import request_finished  # noqa: E402
from django.db import connections  # noqa: E402

from cluster_engine import engine, wakeups  # noqa: E402
from config.websocket_urls import KUBE_PREFIX, kube_websocket_urlpatterns, websocket_urlpatterns  # noqa: E402

wakeups.warm_up_publishing()  # before the first learner's request, not during it
engine.warm_up()
# Request threads mostly wait on PostgreSQL and Redis; a thread whose answer has arrived gets the GIL back after
# at most 1 ms of another thread's decoding instead of the default 5 ms (its effect on a write's p99 under load:
# docs/performance.md).
sys.setswitchinterval(0.001)


def close_request_connections(**_kwargs: object) -> None:
    """Close an HTTP request's database connections when it ends. Django runs each ASGI request in a context of
    its own, so a connection kept for reuse (CONN_MAX_AGE) is never reused: it only waited for the garbage
    collector, which runs rarely here (engine.GC_THRESHOLDS), and PostgreSQL ran out of connections. WebSocket
    requests keep theirs: they run on the consumers' own threads (consumers.in_worker_thread)."""
    connections.close_all()


request_finished.connect(close_request_connections, sender=ASGIHandler)

page_websockets = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
kube_websockets = URLRouter(kube_websocket_urlpatterns)  # bearer tokens; kubectl sends no Origin


async def websockets(scope, receive, send):
    app = kube_websockets if scope["path"].startswith(KUBE_PREFIX) else page_websockets
    return await app(scope, receive, send)


application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": websockets})
