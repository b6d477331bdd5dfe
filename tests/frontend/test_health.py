"""Probes for the orchestrator."""

import json
import urllib.request

import pytest
from django.db import connection


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_and_redis(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_readyz_fails_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"] == "ok"
    assert "ConnectionError" in body["checks"]["redis"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="counts PostgreSQL's sessions")
def test_the_server_closes_each_http_requests_database_connection(asgi_server):
    """Under ASGI each request has a context of its own, so a kept connection would only pile up."""

    def sessions() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            return cursor.fetchone()[0]

    urllib.request.urlopen(f"{asgi_server}/readyz", timeout=30).read()
    before = sessions()
    for _ in range(30):
        assert json.loads(urllib.request.urlopen(f"{asgi_server}/readyz", timeout=30).read())["status"] == "ok"
    assert sessions() <= before + 2
