"""Latency of the real kubectl against the Kubernetes-compatible API over TLS.

Starts daphne (plain HTTP plus a TLS endpoint, as `make run` does) and one Celery worker on free ports against a
throwaway SQLite database, creates a user, their playground sandbox and a kubeconfig (token + local CA), then
times 200 runs each of `kubectl get pods` and of `kubectl apply -f` (alternating two manifests, so every apply
changes the object). Each run is a whole kubectl process (discovery from its cache, TLS handshake, request).

    .venv/bin/python benchmarks/kubeapi.py [--runs 200]

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KUBECTL = "/usr/bin/kubectl"
MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: bench
data:
  round: "{value}"
---
apiVersion: v1
kind: Pod
metadata:
  name: bench
  labels: {{app: bench, round: "{value}"}}
spec:
  containers:
  - name: web
    image: nginx:1.27
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited early with code {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on port {port} within {timeout} s")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(command: list[str], env: dict[str, str], stdin: str | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, check=False)
    elapsed = (time.perf_counter() - started) * 1000
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="podlab-kubeapi-"))
    tag = f"bench-kubeapi-{uuid.uuid4().hex[:8]}"
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.local", "DEBUG": "false", "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}", "KUBE_API_TLS_DIR": str(work / "tls"),
        "CELERY_QUEUE": tag, "REDIS_KEY_PREFIX": tag, "CHANNEL_PREFIX": tag, "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "shell", "-c",
                    "from django.contrib.auth.models import User; User.objects.create_user('bench', password=None)"],
                   env=env, check=True, cwd=ROOT, capture_output=True)
    port, tls_port = free_port(), free_port()
    kubeconfig = work / "kubeconfig"
    kubeconfig.write_text(subprocess.run(
        [*manage, "sandbox_kubeconfig", "--user", "bench", "--server", f"https://127.0.0.1:{tls_port}"],
        env=env, check=True, cwd=ROOT, capture_output=True, text=True).stdout)
    sys.path.insert(0, str(ROOT))
    from cluster_engine.tls import TlsFiles, daphne_endpoint

    tls_dir = work / "tls"
    files = TlsFiles(tls_dir / "ca.crt", tls_dir / "server.crt", tls_dir / "server.key")
    log = (work / "server.log").open("ab")
    server = subprocess.Popen(
        [python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "-e", daphne_endpoint(files, port=tls_port),
         "config.asgi:application"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    worker = subprocess.Popen(
        [python, "-m", "celery", "-A", "config.celery_app", "worker", "--pool", "solo", "--loglevel", "WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", tag, "-n", f"{tag}@%h"],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    kube_env = {"PATH": os.environ.get("PATH", ""), "HOME": str(work), "KUBECONFIG": str(kubeconfig)}
    try:
        wait_for_port(tls_port, server)
        for value in range(5):  # warm-up: discovery cache, OpenAPI documents, imports
            timed([KUBECTL, "get", "pods"], kube_env)
            timed([KUBECTL, "apply", "-f", "-"], kube_env, MANIFEST.format(value=value % 2))
        gets = [timed([KUBECTL, "get", "pods"], kube_env) for _ in range(args.runs)]
        applies = [timed([KUBECTL, "apply", "-f", "-"], kube_env, MANIFEST.format(value=run % 2))
                   for run in range(args.runs)]
    finally:
        for process in (server, worker):
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
    result = {"benchmark": "kubeapi", "runs": args.runs, "kubectl": "1.32",
              "get_pods_ms": {"p50": round(statistics.median(gets), 1), "p99": round(percentile(gets, 0.99), 1)},
              "apply_ms": {"p50": round(statistics.median(applies), 1), "p99": round(percentile(applies, 0.99), 1),
                           "objects_per_apply": 2}}
    for label, key in (("kubectl get pods", "get_pods_ms"), ("kubectl apply -f (2 objects)", "apply_ms")):
        print(f"{label:30} p50 {result[key]['p50']:7.1f} ms   p99 {result[key]['p99']:7.1f} ms")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
