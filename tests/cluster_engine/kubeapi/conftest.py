"""Fixtures for the Kubernetes API: the real daphne with a TLS endpoint, a real worker, real kubectl."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import processes

KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"


@dataclass
class KubeServer:
    http_url: str
    https_url: str
    tls_dir: Path


@pytest.fixture(scope="module")
def kube_server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[KubeServer]:
    """daphne serving the test database on a plain and a TLS port (kept for the module: starting takes seconds)."""
    tls_dir = tmp_path_factory.mktemp("tls")
    with django_db_blocker.unblock():
        port, tls_port = processes.free_port(), processes.free_port()
        server = processes.start_asgi_server_with_tls(port, tls_port, tls_dir)
    try:
        yield KubeServer(f"http://127.0.0.1:{port}", f"https://127.0.0.1:{tls_port}", tls_dir)
    finally:
        processes.stop(server)


@pytest.fixture(scope="module")
def kube_worker(django_db_setup, django_db_blocker) -> Iterator[None]:
    """A real Celery worker for the module: kubelets, scheduler and controllers act in it."""
    from config.celery_app import ping

    with django_db_blocker.unblock():
        worker = processes.start_worker("worker-kubeapi")
    try:
        ping.apply_async(args=["warm-up"]).get(timeout=60)
        yield
    finally:
        processes.stop(worker)


@dataclass
class Kube:
    """kubectl against one sandbox (its own kubeconfig and cache directory)."""

    sandbox_id: str
    kubeconfig: Path
    home: Path
    server: KubeServer

    def run(self, *args: str, stdin: str | None = None, timeout: float = 60, check: bool = True) -> \
            subprocess.CompletedProcess[str]:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(self.home), "KUBECONFIG": str(self.kubeconfig)}
        result = subprocess.run([KUBECTL, *args], input=stdin, capture_output=True, text=True, timeout=timeout,
                                env=env, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n"
                                 f"{result.stderr}")
        return result

    def __call__(self, *args: str, **kwargs) -> str:
        return self.run(*args, **kwargs).stdout


def make_kube(user, server: KubeServer, directory: Path) -> Kube:
    from cluster_engine import services, tls, tokens

    sandbox = services.sandbox_get_or_create(owner=user)
    ca = tls.ensure_certificates(server.tls_dir).ca_pem()
    text = tokens.sandbox_kubeconfig(sandbox=sandbox, ca_pem=ca, base_url=server.https_url)
    directory.mkdir(parents=True, exist_ok=True)
    kubeconfig = directory / "kubeconfig"
    kubeconfig.write_text(text)
    return Kube(str(sandbox.pk), kubeconfig, directory, server)


@pytest.fixture
def kube(transactional_db, learner, kube_server, tmp_path) -> Kube:
    return make_kube(learner, kube_server, tmp_path / "ada")


def eventually(check: Callable[[], bool], *, timeout: float = 30, interval: float = 0.3) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise AssertionError("the condition did not become true in time")


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: nginx
    image: nginx:1.27
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: api}}}}
  template:
    metadata: {{labels: {{app: api}}}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
"""
