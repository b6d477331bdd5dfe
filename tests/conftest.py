"""Fixtures shared by every Django-side test: real worker and server processes, users."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import processes


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`--dist loadgroup`), tests that share a module-scoped fixture (a server, a worker that
    takes seconds to start) stay on one worker, so it starts once; every other test is handed out on its own."""
    for item in items:
        fixture_defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
        if any(d.scope == "module" for defs in fixture_defs.values() for d in defs):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


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


def _flush_retrying_on_deadlock() -> None:
    """A module's worker and server outlive each test, so the flush that ends a transactional test can meet one of
    them still finishing a task or a stream. PostgreSQL then reports a deadlock and aborts the TRUNCATE; the other
    side finishes within moments, so trying again is enough (the state they leave behind is flushed with the rest)."""
    import time

    from django.core.management.base import CommandError
    from django.test import TransactionTestCase

    flush = TransactionTestCase._fixture_teardown

    def fixture_teardown(self: TransactionTestCase) -> None:
        for attempt in range(5):
            try:
                flush(self)
                return
            except CommandError as error:
                if "deadlock" not in str(error.__cause__) or attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))

    TransactionTestCase._fixture_teardown = fixture_teardown


@pytest.fixture(scope="session", autouse=True)
def _flushes_survive_deadlocks() -> None:
    _flush_retrying_on_deadlock()


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


@pytest.fixture(scope="module")
def _module_worker(django_db_setup, django_db_blocker) -> Iterator:
    """One real `celery worker` process on this run's private queue for the module's tests: starting one takes
    seconds of CPU, and sandboxes have uuid keys, so a test never meets the previous test's engines."""
    with django_db_blocker.unblock():
        worker = processes.start_worker()
    try:
        yield worker
    finally:
        processes.stop(worker)


@pytest.fixture
def celery_worker_process(transactional_db, _module_worker) -> Iterator:
    """The module's real worker, answering before the test starts (a crashed one is started again)."""
    from config.celery_app import ping

    if _module_worker.poll() is not None:
        pytest.fail(
            f"the module's celery worker exited with {_module_worker.returncode}: see test-artifacts/worker.log"
        )
    ping.apply_async(args=["warm-up"]).get(timeout=60)
    return _module_worker


@pytest.fixture(scope="module")
def _module_asgi_server(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The real daphne server on a free port for the module's tests, serving the test database."""
    with django_db_blocker.unblock():
        port = processes.free_port()
        server = processes.start_asgi_server(port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        processes.stop(server)


@pytest.fixture
def asgi_server(transactional_db, _module_asgi_server) -> str:
    """The module's daphne server's base URL (the database is emptied between tests, the server stays)."""
    return _module_asgi_server


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
