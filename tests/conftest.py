"""Fixtures shared by every Django-side test: real worker and server processes, users."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import processes


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> Iterator[None]:
    """pytest-django's test database, whose removal at the end no stopped server or worker may block: workers
    keep their connection between tasks, and PostgreSQL may not have ended a killed process's session yet."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(autouse=True)
def _forget_redis_keys() -> Iterator[None]:
    """Rate-limit and de-duplication keys must not leak from one test into the next."""
    yield
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = list(client.scan_iter(f"{settings.REDIS_KEY_PREFIX}:*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def celery_worker_process(transactional_db) -> Iterator:
    """A real `celery worker` process on this run's private queue, stopped by its pid afterwards."""
    from config.celery_app import ping

    worker = processes.start_worker()
    try:
        ping.apply_async(args=["warm-up"]).get(timeout=60)
        yield worker
    finally:
        processes.stop(worker)


@pytest.fixture
def asgi_server(transactional_db) -> Iterator[str]:
    """The real daphne server on a free port, serving the test database; yields its base URL."""
    port = processes.free_port()
    server = processes.start_asgi_server(port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        processes.stop(server)


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user(username="ada", password="correct-horse-battery-9")


@pytest.fixture
def other_learner(django_user_model):
    return django_user_model.objects.create_user(username="bob", password="correct-horse-battery-9")


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="grace", password="correct-horse-battery-9", is_staff=True, is_superuser=True)
