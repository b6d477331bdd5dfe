"""`make run`: serve the ASGI app with daphne and run one Celery worker beside it; Ctrl-C stops both."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from urllib.parse import urlparse

import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cluster_engine import tls

REDIS_HELP = (
    "Redis is not reachable at {url} and no redis-server is installed.\n"
    "Install one (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis),\n"
    "or start the whole stack with `docker compose up`, or point REDIS_URL at a running Redis."
)


def redis_answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


class Command(BaseCommand):
    help = "Serve Podlab (daphne, ASGI) and one Celery worker; start a private Redis if none answers."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-worker", action="store_true", help="serve only; run a worker elsewhere")
        parser.add_argument("--kube-port", type=int, default=int(os.environ.get("KUBE_API_PORT", "6443")),
                            help="HTTPS port of the Kubernetes API for kubectl (0: none)")

    def handle(self, *args: object, **options: object) -> None:
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.stopping = False
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        try:
            self._ensure_redis()
            if not options["no_worker"]:
                self._start("worker", [sys.executable, "-m", "celery", "-A", "config.celery_app", "worker",
                                       "--loglevel", "INFO", "--concurrency", "2", "--without-gossip",
                                       "--without-mingle"])
            # A WebSocket handshake authenticates in the thread pool, where under load it can wait behind
            # learners' commands for longer than daphne's 5 s default: new pages were dropped at 300 learners.
            web = [sys.executable, "-m", "daphne", "-b", str(options["host"]), "-p", str(options["port"]),
                   "--websocket_connect_timeout", "30"]
            kube_port = int(options["kube_port"])
            if kube_port:
                # kubectl sends tokens only over TLS: the same app also listens with the local CA's certificate.
                files = tls.ensure_certificates(hosts=(str(options["host"]),))
                web += ["-e", tls.daphne_endpoint(files, port=kube_port, interface=str(options["host"]))]
            self._start("web", [*web, "config.asgi:application"])
            self.stdout.write(self.style.SUCCESS(
                f"Podlab is up: http://{options['host']}:{options['port']}/  (Ctrl-C stops it)"))
            if kube_port:
                self.stdout.write(f"Kubernetes API for kubectl: https://{options['host']}:{kube_port}/k8s/<sandbox-id> "
                                  "(python manage.py sandbox_kubeconfig --user <name> prints a kubeconfig)")
            self._wait()
        finally:
            self._stop_all()

    def _on_signal(self, signum: int, frame: object) -> None:
        self.stopping = True

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        # Children ignore the terminal's Ctrl-C; we stop them ourselves, in order, so both end cleanly.
        process = subprocess.Popen(command, env=os.environ.copy(), start_new_session=True)  # noqa: S603
        self.children.append((name, process))
        return process

    def _ensure_redis(self) -> None:
        url = settings.REDIS_URL
        if redis_answers(url):
            return
        server = shutil.which("redis-server")
        if not server:
            raise CommandError(REDIS_HELP.format(url=url))
        parsed = urlparse(url)
        host, port = parsed.hostname or "127.0.0.1", parsed.port or 6379
        self.stdout.write(f"Redis does not answer at {url}; starting a private redis-server on {host}:{port}.")
        self._start("redis", [server, "--bind", host, "--port", str(port), "--save", "", "--appendonly", "no"])
        deadline = time.monotonic() + 10
        while not redis_answers(url):
            if time.monotonic() > deadline:
                raise CommandError(f"The private redis-server did not answer at {url} within 10 s.")
            time.sleep(0.1)

    def _wait(self) -> None:
        while not self.stopping:
            for name, process in self.children:
                if process.poll() is not None:
                    raise CommandError(f"{name} exited with code {process.returncode}; stopping.")
            time.sleep(0.2)

    def _stop_all(self) -> None:
        # Web first (no new work), then the worker (finishes its task), Redis last.
        for _name, process in reversed(self.children):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.children.clear()
