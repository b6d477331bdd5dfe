"""`kubectl logs` of a workload: the pod kubectl picks (its ActivePods order) and the note saying which."""

from __future__ import annotations

from typing import Any

from kubectl_fakes import FakeClient

from cluster_engine.sim.kubectl.commands import run


def _pod(name: str, *, ready_since: str, created: str, restarts: int = 0) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}, "creationTimestamp": created},
        "spec": {"nodeName": "node-1", "containers": [{"name": "web", "image": "nginx"}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": ready_since}],
            "containerStatuses": [{"name": "web", "restartCount": restarts}],
        },
    }


def _deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}},
    }


def test_logs_of_a_deployment_read_the_pod_ready_the_longest() -> None:
    client = FakeClient([
        _deployment(),
        _pod("web-a", ready_since="2026-11-26T11:00:00Z", created="2026-11-26T10:00:00Z"),
        _pod("web-b", ready_since="2026-11-26T10:30:00.500000Z", created="2026-11-26T10:20:00Z"),
    ])
    result = run("kubectl logs deploy/web --tail=1", client)
    assert (result.stdout, result.stderr, result.exit_code) == (
        "log line 3 of web-b\n", "Found 2 pods, using pod/web-b\n", 0
    )


def test_logs_of_a_deployment_prefer_the_older_pod_when_readiness_ties() -> None:
    client = FakeClient([
        _deployment(),
        _pod("web-a", ready_since="2026-11-26T11:00:00Z", created="2026-11-26T10:10:00Z"),
        _pod("web-b", ready_since="2026-11-26T11:00:00Z", created="2026-11-26T10:05:00+00:00"),
    ])
    assert run("kubectl logs deploy/web --tail=1", client).stderr == "Found 2 pods, using pod/web-b\n"
