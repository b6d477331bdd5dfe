"""End-to-end load: N learners on WebSockets, each applying a Deployment and scaling it every few seconds.

Starts the real ASGI server (daphne) and one Celery worker against a throwaway database, connects the
learners (at most 50 pages opening at once; the time to the snapshot is reported as `connect_*`), then
measures, for every write, the time from sending it to the first `batch` event for that object
(apply-to-first-event), plus errors and the worker's CPU time per reconcile. Run on its own:

    .venv/bin/python benchmarks/e2e.py [--learners 10 100 300] [--seconds 20] [--web-processes 2] [--live-checks]

With `--live-checks` every learner works in lesson 1's sandbox with its first exercise open, so each write and
each reconcile also re-evaluates that exercise's live checks and publishes them (docs/lessons.md).

PostgreSQL is used when `BENCH_DATABASE_URL` is set (or the local server accepts `createdb`), else SQLite.
The last line is one JSON object with a row per N.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(workdir: Path) -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    name = f"podlab_bench_{os.getpid()}"
    created = subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name],
                             capture_output=True, check=False)
    if created.returncode == 0:
        return f"postgres://postgres@127.0.0.1:5432/{name}"
    return f"sqlite:///{workdir / 'bench.sqlite3'}"


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its reaped children (utime+stime+cutime+cstime), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def servers_cpu(servers: list[subprocess.Popen]) -> float:
    return sum(cpu_seconds(server.pid) for server in servers)


def process_tree_cpu(pid: int) -> float:
    total = cpu_seconds(pid)
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        for child_pid in child.read_text().split():
            with contextlib.suppress(FileNotFoundError):
                total += process_tree_cpu(int(child_pid))
    return total


def services_cpu() -> dict[str, float]:
    """CPU seconds of every PostgreSQL and Redis process on the machine (they serve the platform's load too),
    counting backends that exited since the last reading only through their parent's cutime."""
    totals = {"postgres": 0.0, "redis": 0.0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            text = stat.read_text()
            name = text[text.index("(") + 1:text.rindex(")")]
            service = "postgres" if name.startswith("postgres") else "redis" if name.startswith("redis") else None
            if service:
                totals[service] += cpu_seconds(int(stat.parent.name))
    return totals


def wait_until_ready(port: int, servers: list[subprocess.Popen], worker_log: Path, timeout: float = 120.0) -> None:
    """Wait until the server answers HTTP, every server process has finished starting (its CPU is quiet) and
    the worker reports ready.

    The listening socket exists before the servers do (they inherit it), so a connection is accepted into
    its backlog while they are still importing: waiting for a connection alone measured their start-up."""
    deadline = time.monotonic() + timeout

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                pass
        except OSError:
            return False
        before = [cpu_seconds(server.pid) for server in servers]
        time.sleep(0.5)
        quiet = all(cpu_seconds(server.pid) - used < 0.1 for server, used in zip(servers, before, strict=True))
        return quiet and b" ready." in worker_log.read_bytes()

    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit("the server or the worker did not start")
        time.sleep(0.2)


def forget_redis_keys(prefix: str) -> None:
    """Delete what the run left in Redis under its prefix: the queue with wake-ups still waiting, rate
    limits, wake-up claims."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(f"{prefix}*", count=1000):
        client.delete(key)


def count_reconciles(log: Path) -> int:
    return len(re.findall(rb"reconcile\[[^\]]+\] succeeded", log.read_bytes()))


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def manifest(name: str, replicas: int, workload_kind: str) -> str:
    if workload_kind == "Deployment":
        return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n"
                f"  replicas: {replicas}\n  selector: {{matchLabels: {{app: {name}}}}}\n"
                f"  template:\n    metadata: {{labels: {{app: {name}}}}}\n"
                f"    spec: {{containers: [{{name: web, image: 'nginx:1.27'}}]}}\n")
    return (f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, labels: {{replicas: '{replicas}'}}}}\n"
            f"spec: {{containers: [{{name: web, image: 'nginx:1.27'}}]}}\n")


class Learner:
    def __init__(self, base_ws: str, sandbox_id: str, cookie: str, workload_kind: str) -> None:
        self.url = f"{base_ws}/ws/sandboxes/{sandbox_id}/"
        self.cookie = cookie
        self.kind = workload_kind
        self.latencies: list[float] = []
        self.reply_latencies: list[float] = []
        self.connect_latency: float | None = None
        self.errors: list[str] = []

    async def connect(self) -> websockets.ClientConnection | None:
        """Open the socket and wait for the snapshot; None (with the error noted) when that failed."""
        started = time.monotonic()
        try:
            socket_ = await websockets.connect(self.url, additional_headers={"Cookie": self.cookie,
                                                                             "Origin": "http://127.0.0.1"},
                                               max_size=None, open_timeout=60)
            snapshot = json.loads(await asyncio.wait_for(socket_.recv(), 60))
        except (OSError, websockets.WebSocketException, TimeoutError) as error:
            self.errors.append(f"connect: {type(error).__name__}: {error}")
            return None
        self.connect_latency = (time.monotonic() - started) * 1000
        if snapshot.get("type") != "snapshot":
            self.errors.append(f"first message was {snapshot.get('type')}")
        return socket_

    async def write_every(self, socket_: websockets.ClientConnection, start_delay: float, seconds: float,
                          period: float) -> None:
        try:
            await asyncio.sleep(start_delay)
            deadline = time.monotonic() + seconds
            replicas = 2
            while time.monotonic() < deadline:
                await self.one_write(socket_, replicas)
                replicas = 2 + (replicas - 1) % 3
                await asyncio.sleep(period)
        except (OSError, websockets.WebSocketException, TimeoutError) as error:
            self.errors.append(f"{type(error).__name__}: {error}")
        finally:
            await socket_.close()

    def shows_write(self, obj: dict, replicas: int) -> bool:
        """The event carries this write (not a controller's status update of an earlier one)."""
        if obj.get("kind") != self.kind or obj["metadata"]["name"] != "web":
            return False
        if self.kind == "Deployment":
            return obj.get("spec", {}).get("replicas") == replicas
        return obj["metadata"].get("labels", {}).get("replicas") == str(replicas)

    async def one_write(self, socket_: websockets.ClientConnection, replicas: int) -> None:
        request_id = uuid.uuid4().hex[:8]
        sent = time.monotonic()
        await socket_.send(json.dumps({"type": "apply", "id": request_id,
                                       "yaml": manifest("web", replicas, self.kind)}))
        first_event = None
        replied = False
        while first_event is None or not replied:
            try:
                message = json.loads(await asyncio.wait_for(socket_.recv(), 30))
            except TimeoutError:
                self.errors.append("no event within 30 s")
                return
            if message.get("type") == "reply" and message.get("id") == request_id:
                replied = True
                self.reply_latencies.append((time.monotonic() - sent) * 1000)
                if not message["ok"]:
                    self.errors.append(message.get("error") or "refused")
                    return
                if message.get("output", "").endswith("unchanged"):
                    return
            elif message.get("type") == "batch" and first_event is None and any(
                    self.shows_write(event["object"], replicas) for event in message.get("events", [])):
                first_event = time.monotonic() - sent
        self.latencies.append(first_event * 1000)


def prepare(learners: int, env: dict[str, str], *, live_checks: bool = False) -> tuple[list[tuple[str, str]], str]:
    """Create users, sessions and sandboxes in this process; return (sandbox id, cookie) pairs. With
    `live_checks`, each sandbox is the learner's for lesson 1 with its first exercise open (checks tick live)."""
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from cluster_engine import services
    from cluster_engine.sim import objects

    user_model = get_user_model()
    pairs = []
    exercise = None
    if live_checks:
        from lessons import services as lesson_services
        from lessons.models import Exercise

        lesson_services.lessons_load()
        exercise = Exercise.objects.select_related("lesson").filter(lesson__order=1).order_by("order").first()
    for index in range(learners):
        user, _ = user_model.objects.get_or_create(username=f"learner{index}")
        if exercise is not None:
            sandbox = lesson_services.lesson_sandbox(learner=user, lesson=exercise.lesson, exercise=exercise)
            lesson_services.exercise_open(learner=user, exercise=exercise)
        else:
            sandbox = services.sandbox_get_or_create(owner=user)
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        pairs.append((str(sandbox.pk), f"{settings.SESSION_COOKIE_NAME}={session.session_key}"))
    kind = "Deployment" if objects.lookup("deployments") is not None else "Pod"
    return pairs, kind


async def drive(pairs: list[tuple[str, str]], count: int, base_ws: str, kind: str, *, seconds: float,
                writes_begin: Callable[[], None]) -> list[Learner]:
    """Connect `count` learners, at most 50 opening at once (pages open over time, not in one instant);
    once all are in, each writes every period, their first writes spread over one period. Opening a page
    (a snapshot of the whole sandbox) is timed on its own, not mixed into the writes' latency."""
    learners = [Learner(base_ws, sandbox_id, cookie, kind) for sandbox_id, cookie in pairs[:count]]
    period = 3.0
    opening = asyncio.Semaphore(50)

    async def connect(learner: Learner) -> websockets.ClientConnection | None:
        async with opening:
            return await learner.connect()
    sockets = await asyncio.gather(*(connect(learner) for learner in learners))
    writes_begin()
    await asyncio.gather(*(learner.write_every(socket_, period * index / max(1, count), seconds, period)
                           for index, (learner, socket_) in enumerate(zip(learners, sockets, strict=True))
                           if socket_ is not None))
    return learners


def start_profilers(folder: Path | None, learners: int, seconds: float, server_pid: int,
                    worker_pid: int) -> list[subprocess.Popen]:
    """py-spy on the server (every thread, idle ones too) and the worker (with its pool processes)."""
    if folder is None:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    py_spy = Path(sys.executable).with_name("py-spy")
    common = [str(py_spy), "record", "--nonblocking", "-r", "50", "-f", "raw", "-d", str(max(1, int(seconds) - 2))]
    server_mode = ["--gil"] if os.environ.get("BENCH_PROFILE_GIL") else ["--threads", "--idle"]
    return [subprocess.Popen([*common, *server_mode, "-o", str(folder / f"server-{learners}.txt"),
                              "-p", str(server_pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
            subprocess.Popen([*common, "-s", "-o", str(folder / f"worker-{learners}.txt"), "-p", str(worker_pid)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[10, 100, 300])
    parser.add_argument("--web-processes", type=int, default=2,
                        help="ASGI server processes sharing one socket (platform/k8s/web.yaml runs 2 replicas)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--worker-pool", choices=["prefork", "solo", "threads"], default="prefork",
                        help="the Celery worker's pool (platform/k8s/worker.yaml: prefork, 2 processes)")
    parser.add_argument("--worker-concurrency", type=int, default=1,
                        help="the worker's pool processes. One here: the server, the worker, PostgreSQL and the "
                             "clients share this machine's 2 cores, and a second process gained no reconciles "
                             "(790 vs 758 at 300 learners) and slowed the server's answers (p99 698 vs 341 ms). "
                             "platform/k8s/worker.yaml runs 2 per pod")
    parser.add_argument("--live-checks", action="store_true",
                        help="every learner has lesson 1's first exercise open: its checks tick after each change")
    parser.add_argument("--profile-dir", type=Path, help="record py-spy profiles (raw stacks) of the server and "
                                                         "the worker during each run into this folder")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="podlab-e2e-"))
    prefix = f"podlab-bench-{os.getpid()}"
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": database_url(workdir),
        "REDIS_KEY_PREFIX": prefix,
        "CHANNEL_PREFIX": prefix,
        "CELERY_QUEUE": prefix,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }
    child_env = {**os.environ, **env}
    print(f"database: {env['DATABASE_URL']}", flush=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=child_env, check=True)
    pairs, kind = prepare(max(args.learners), env, live_checks=args.live_checks)
    gc.collect()
    gc.freeze()  # what setting up loaded stays: no collection walks it again
    print(f"{len(pairs)} learners with sandboxes; workload kind {kind}", flush=True)

    port = free_port()
    worker_log = (workdir / "worker.log").open("wb")
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config.celery_app", "worker", "--loglevel",
                               "INFO", "--pool", args.worker_pool, "--concurrency", str(args.worker_concurrency),
                               "--without-gossip", "--without-mingle", "-Q", prefix],
                              cwd=ROOT, env=child_env, stdout=worker_log, stderr=subprocess.STDOUT)
    # Several server processes share one listening socket, as the platform's web replicas share a Service.
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(1024)
    listener.set_inheritable(True)
    servers = [subprocess.Popen([sys.executable, "-m", "daphne", "--fd", str(listener.fileno()),
                                 "--websocket_connect_timeout", "30", "config.asgi:application"], cwd=ROOT,
                                env=child_env, pass_fds=(listener.fileno(),), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL) for _ in range(args.web_processes)]
    server = servers[0]
    rows = []
    try:
        wait_until_ready(port, servers, workdir / "worker.log")
        time.sleep(2)  # let the worker drain the sandboxes' first reconciles
        for count in args.learners:
            readings: dict[str, Any] = {}

            def writes_begin(count: int = count, readings: dict[str, Any] = readings) -> None:
                """Every learner is connected: from here on the machine's figures are the writes' own."""
                readings.update(worker=process_tree_cpu(worker.pid), servers=servers_cpu(servers),
                                wall=time.monotonic(), reconciles=count_reconciles(workdir / "worker.log"),
                                client=time.process_time(), services=services_cpu(),
                                profilers=start_profilers(args.profile_dir, count, args.seconds, server.pid,
                                                          worker.pid))
            # The measuring client must not pause: with Django loaded here (prepare), its full collections took
            # up to 170 ms, ten times a run, and every learner's timing in flight grew by as much. What it
            # allocates while driving (messages, parsed JSON) is freed by reference counting.
            gc.disable()
            try:
                learners = asyncio.run(drive(pairs, count, f"ws://127.0.0.1:{port}", kind, seconds=args.seconds,
                                             writes_begin=writes_begin))
            finally:
                gc.enable()
            client_cpu = time.process_time() - readings["client"]
            for profiler in readings["profilers"]:
                profiler.wait(timeout=60)
            time.sleep(2)
            reconciles = count_reconciles(workdir / "worker.log") - readings["reconciles"]
            cpu = process_tree_cpu(worker.pid) - readings["worker"]
            wall = time.monotonic() - readings["wall"]
            server_busy = (servers_cpu(servers) - readings["servers"]) / wall
            services_after, services_before = services_cpu(), readings["services"]
            latencies = [value for learner in learners for value in learner.latencies]
            errors = [error for learner in learners for error in learner.errors]
            replies = [value for learner in learners for value in learner.reply_latencies]
            connects = [learner.connect_latency for learner in learners if learner.connect_latency is not None]
            row = {"learners": count, "live_checks": args.live_checks, "writes": len(latencies),
                   "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
                   "p95_ms": round(percentile(latencies, 0.95), 1),
                   "p99_ms": round(percentile(latencies, 0.99), 1), "errors": len(errors),
                   "reply_p50_ms": round(percentile(replies, 0.5), 1),
                   "reply_p99_ms": round(percentile(replies, 0.99), 1),
                   "connect_p50_ms": round(percentile(connects, 0.5), 1),
                   "connect_p99_ms": round(percentile(connects, 0.99), 1),
                   "reconciles": reconciles,
                   "worker_cpu_ms_per_reconcile": round(cpu * 1000 / max(1, reconciles), 2),
                   "worker_cores_busy": round(cpu / wall, 2), "server_cores_busy": round(server_busy, 2),
                   "clients_cores_busy": round(client_cpu / wall, 2),
                   "postgres_cores_busy": round((services_after["postgres"] - services_before["postgres"]) / wall, 2),
                   "redis_cores_busy": round((services_after["redis"] - services_before["redis"]) / wall, 2)}
            rows.append(row)
            print(json.dumps(row), flush=True)
            for error in sorted(set(errors))[:5]:
                print(f"  error: {error}", flush=True)
    finally:
        for process in (*servers, worker):
            process.send_signal(signal.SIGTERM)
        for process in (*servers, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    forget_redis_keys(prefix)
    if env["DATABASE_URL"].startswith("postgres://") and not os.environ.get("BENCH_DATABASE_URL"):
        # --force: the stopped processes' sessions may not have ended yet, and plain dropdb then left the
        # database behind.
        subprocess.run(["dropdb", "--force", "-h", "127.0.0.1", "-U", "postgres",
                        env["DATABASE_URL"].rsplit("/", 1)[1]], capture_output=True, check=False)
    print(json.dumps({"runs": rows}))


if __name__ == "__main__":
    main()
