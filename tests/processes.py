"""Real processes for tests: a Celery worker and the daphne ASGI server, both on the test database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


def test_database_url() -> str:
    """The URL of the database the tests are using right now (after pytest-django created it)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def child_environment(**extra: str) -> dict[str, str]:
    env = os.environ.copy()
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=test_database_url(),
        CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
        CHANNEL_PREFIX=settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
        REDIS_KEY_PREFIX=settings.REDIS_KEY_PREFIX,
        CELERY_VISIBILITY_TIMEOUT=str(settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited early with code {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listened on port {port} within {timeout} s")


def start_worker(log_name: str = "worker") -> subprocess.Popen:
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / f"{log_name}.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config.celery_app", "worker", "--pool", "solo",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-n", f"{log_name}-{os.getpid()}@%h"],
        cwd=ROOT, env=child_environment(), stdout=log, stderr=subprocess.STDOUT,
    )


def start_asgi_server(port: int, log_name: str = "daphne", **extra_env: str) -> subprocess.Popen:
    """daphne on `port` with the test settings (and `extra_env` on top)."""
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / f"{log_name}.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT, env=child_environment(**extra_env), stdout=log, stderr=subprocess.STDOUT,
    )
    wait_for_port(port, process)
    return process


def stop(process: subprocess.Popen, *, kill: bool = False) -> None:
    """End a child by its pid: SIGTERM (or SIGKILL), then wait."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


def start_asgi_server_with_tls(port: int, tls_port: int, tls_dir: Path,
                               log_name: str = "daphne-tls") -> subprocess.Popen:
    """daphne with two endpoints, as `make run` starts it: plain HTTP on `port` and HTTPS on `tls_port` with a
    certificate from the CA in `tls_dir` (made there if missing)."""
    from cluster_engine import tls

    files = tls.ensure_certificates(tls_dir)
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / f"{log_name}.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "-e", tls.daphne_endpoint(files, port=tls_port), "config.asgi:application"],
        cwd=ROOT, env=child_environment(), stdout=log, stderr=subprocess.STDOUT,
    )
    wait_for_port(port, process, timeout=60)
    wait_for_port(tls_port, process, timeout=60)
    return process
