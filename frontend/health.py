"""Probes: `/healthz` says the process answers, `/readyz` that the database and Redis answer too."""

import time

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


def _check_redis() -> str | None:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        return f"{type(error).__name__}: {error}"
    finally:
        client.close()
    return None


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    failures = {name: error for name, error in (("database", _check_database()), ("redis", _check_redis())) if error}
    body = {
        "status": "fail" if failures else "ok",
        "checks": {name: failures.get(name, "ok") for name in ("database", "redis")},
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    return JsonResponse(body, status=503 if failures else 200)
