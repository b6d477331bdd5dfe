"""The write path's own cost: CPU per learner write and per reconcile in the service layer, without queues.

`e2e.py` measures latency under load, where every process competes for the same cores; this measures what one
write and one reconcile cost by themselves (the real database, Redis and Celery publishing, no worker), so a
change to the path can be judged in seconds. Run on its own:

    .venv/bin/python benchmarks/write_path.py [--sandboxes 20] [--rounds 6]

Each round scales every sandbox's Deployment (2, 3, 4 replicas in turn), reconciles each at once, waits for
the kubelets' timers and reconciles again. PostgreSQL is used when `BENCH_DATABASE_URL` is set (or the local
server accepts `createdb`), else SQLite. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from e2e import database_url, forget_redis_keys, manifest, services_cpu  # noqa: E402 - after the path is set


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sandboxes", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="podlab-write-path-"))
    prefix = f"podlab-bench-{os.getpid()}"
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.local", "DEBUG": "false",
           "DATABASE_URL": database_url(workdir), "REDIS_KEY_PREFIX": prefix, "CHANNEL_PREFIX": prefix,
           "CELERY_QUEUE": prefix, "LOG_LEVEL": "WARNING"}
    print(f"database: {env['DATABASE_URL']}", flush=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT,
                   env={**os.environ, **env}, check=True)
    os.environ.update(env)
    import django

    django.setup()
    import orjson
    from django.contrib.auth import get_user_model

    from cluster_engine import engine, services
    from cluster_engine.fields import CompressedJSONField
    from cluster_engine.models import Sandbox

    engine.warm_up()
    users = [get_user_model().objects.create(username=f"writer{index}") for index in range(args.sandboxes)]
    sandboxes = [services.sandbox_get_or_create(owner=user) for user in users]
    for sandbox in sandboxes:
        services.sandbox_reconcile(sandbox_id=sandbox.pk)

    import gc

    full_collections: list[float] = []

    def time_full_collections(phase: str, info: dict) -> None:
        if info["generation"] == 2:
            full_collections.append(time.process_time() if phase == "start" else
                                    time.process_time() - full_collections.pop())
    gc.callbacks.append(time_full_collections)
    write_cpu: list[float] = []
    reconcile_cpu: list[float] = []
    services_before = services_cpu()
    wall_before = time.monotonic()
    try:
        for round_index in range(args.rounds):
            replicas = 2 + round_index % 3
            for user, sandbox in zip(users, sandboxes, strict=True):
                started = time.process_time()
                services.sandbox_apply_yaml(sandbox_id=sandbox.pk, user=user,
                                            text=manifest("web", replicas, "Deployment"))
                write_cpu.append(time.process_time() - started)
            for _pass in range(2):  # at once (controllers, scheduler), then once the kubelets' timers are due
                for sandbox in sandboxes:
                    started = time.process_time()
                    services.sandbox_reconcile(sandbox_id=sandbox.pk)
                    reconcile_cpu.append(time.process_time() - started)
                time.sleep(1.0)
        stored = Sandbox.objects.filter(pk=sandboxes[0].pk).values_list("state", flat=True).get()
        state_kb = {"json": round(len(orjson.dumps(stored)) / 1024, 1),
                    "stored": round(len(CompressedJSONField.encode(stored)) / 1024, 1)}
    finally:
        wall = time.monotonic() - wall_before
        services_after = services_cpu()
        forget_redis_keys(prefix)
        from django.db import connections

        connections.close_all()
        if env["DATABASE_URL"].startswith("postgres://") and not os.environ.get("BENCH_DATABASE_URL"):
            with contextlib.suppress(OSError):
                subprocess.run(["dropdb", "--force", "-h", "127.0.0.1", "-U", "postgres",
                                env["DATABASE_URL"].rsplit("/", 1)[1]], capture_output=True, check=False)
    writes, reconciles = len(write_cpu), len(reconcile_cpu)
    print(json.dumps({
        "sandboxes": args.sandboxes, "writes": writes, "reconciles": reconciles,
        "write_cpu_ms_p50": round(statistics.median(write_cpu) * 1000, 2),
        "write_cpu_ms_mean": round(statistics.fmean(write_cpu) * 1000, 2),
        "reconcile_cpu_ms_p50": round(statistics.median(reconcile_cpu) * 1000, 2),
        "reconcile_cpu_ms_mean": round(statistics.fmean(reconcile_cpu) * 1000, 2),
        "postgres_cpu_ms_per_operation": round((services_after["postgres"] - services_before["postgres"])
                                               * 1000 / (writes + reconciles), 2),
        "redis_cpu_ms_per_operation": round((services_after["redis"] - services_before["redis"])
                                            * 1000 / (writes + reconciles), 2),
        "state_kb": state_kb,
        "full_collections": len(full_collections),
        "full_collections_cpu_ms": round(sum(full_collections) * 1000, 1),
        "wall_s": round(wall, 1),
    }))


if __name__ == "__main__":
    main()
