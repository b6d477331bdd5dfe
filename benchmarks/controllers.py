"""Workload controller benchmark: CPU time (`time.process_time`) for the simulated cluster to converge
after a change: a lesson-sized 3-replica Deployment rollout on 4 nodes and a DaemonSet on the same
cluster (target < 20 ms each), a 100-replica Deployment rolling update on 20 nodes, a DaemonSet on 1,000
nodes and, when StatefulSet is served, a 50-pod StatefulSet. Convergence is measured with `step()` in 1 s
increments of simulated time, so it includes the scheduler and kubelets that the controllers' pods set to
work.

Run: `.venv/bin/python benchmarks/controllers.py` (from the repository root). The last line printed is
one JSON object with every figure.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cluster_engine.sim import scenario
from cluster_engine.sim.cluster import Cluster

LESSON_TARGET_MS = 20.0
MAX_SECONDS = 900


def _template(app: str, image: str) -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": app}},
        "spec": {"containers": [{"name": "app", "image": image, "resources": {"requests": {"cpu": "10m"}}}]},
    }


def _workload(kind: str, name: str, image: str = "nginx:1.27", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": name},
        "spec": {"selector": {"matchLabels": {"app": name}}, "template": _template(name, image), **spec},
    }


def _cluster(workers: int, pods_per_node: int = 110) -> Cluster:
    nodes = [{"name": "control-plane", "role": "control-plane", "cpu": "4", "memory": "8Gi"}]
    nodes += [{"name": f"worker-{i}", "cpu": "16", "memory": "64Gi", "pods": pods_per_node} for i in range(workers)]
    # the sandbox limits are for learners; the benchmark measures the engine beyond them
    return scenario.build({"seed": 3, "nodes": nodes, "age": False, "settle": 5, "limits": "unlimited"})


def _converge(cluster: Cluster, done: Callable[[], bool]) -> tuple[float, float]:
    """(CPU milliseconds, simulated seconds) until `done()` holds."""
    start_cpu, start_sim = time.process_time(), cluster.now
    cluster.run_until_idle()
    while not done() and cluster.now - start_sim < MAX_SECONDS:
        cluster.step(1.0)
    if not done():
        raise SystemExit(f"did not converge within {MAX_SECONDS} simulated seconds")
    return (time.process_time() - start_cpu) * 1000, cluster.now - start_sim


def _deployment_done(cluster: Cluster, name: str, replicas: int) -> Callable[[], bool]:
    def done() -> bool:
        d = cluster.store.get("Deployment", "default", name)
        status = (d or {}).get("status") or {}
        return (
            status.get("observedGeneration", 0) >= d["metadata"]["generation"]
            and status.get("updatedReplicas", 0) == replicas
            and status.get("replicas", 0) == replicas
            and status.get("availableReplicas", 0) == replicas
        )

    return done


def rollout(workers: int, replicas: int) -> dict[str, float]:
    """Create a Deployment, let it settle, then measure a rolling update to a new image."""
    cluster = _cluster(workers)
    cluster.api.apply(_workload("Deployment", "web", replicas=replicas))
    create_ms, create_s = _converge(cluster, _deployment_done(cluster, "web", replicas))
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.26"}]}}}}
    cluster.api.patch("deployments", "web", patch)
    update_ms, update_s = _converge(cluster, _deployment_done(cluster, "web", replicas))
    return {
        "create_cpu_ms": round(create_ms, 1),
        "create_sim_s": create_s,
        "rollout_cpu_ms": round(update_ms, 1),
        "rollout_sim_s": update_s,
    }


def daemonset(workers: int) -> dict[str, float]:
    cluster = _cluster(workers)

    def done() -> bool:
        status = (cluster.store.get("DaemonSet", "default", "agent") or {}).get("status") or {}
        return status.get("desiredNumberScheduled") == workers and status.get("numberAvailable") == workers

    cluster.api.apply(_workload("DaemonSet", "agent"))
    cpu_ms, sim_s = _converge(cluster, done)
    return {"cpu_ms": round(cpu_ms, 1), "sim_s": sim_s, "pods": workers}


def statefulset() -> dict[str, float] | None:
    """The other engineer's 50-pod StatefulSet case (`benchmarks/controllers_statefulset.py`), if present."""
    try:
        from controllers_statefulset import statefulset_50
    except ImportError:
        return None
    result = statefulset_50()
    return {"cpu_ms": round(result["cpu_seconds"] * 1000, 1), "sim_s": result["simulated_seconds"]}


def main() -> None:
    lesson = rollout(3, 3)
    print(
        f"lesson: 3-replica Deployment on 4 nodes: create {lesson['create_cpu_ms']} ms, "
        f"rollout {lesson['rollout_cpu_ms']} ms CPU (target < {LESSON_TARGET_MS} ms)"
    )
    large = rollout(20, 100)
    print(
        f"100-replica Deployment on 20 nodes: create {large['create_cpu_ms']} ms, "
        f"rolling update {large['rollout_cpu_ms']} ms CPU ({large['rollout_sim_s']} simulated s)"
    )
    lesson_ds = daemonset(3)
    print(f"lesson: DaemonSet on 3 workers: {lesson_ds['cpu_ms']} ms CPU (target < {LESSON_TARGET_MS} ms)")
    ds = daemonset(1000)
    print(f"DaemonSet on 1,000 nodes: {ds['cpu_ms']} ms CPU ({ds['sim_s']} simulated s)")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sts = statefulset()
    if sts is not None:
        print(f"50-pod StatefulSet: {sts['cpu_ms']} ms CPU ({sts['sim_s']} simulated s)")
    result = {
        "lesson_deployment_rollout_cpu_ms": lesson["rollout_cpu_ms"],
        "lesson_deployment_create_cpu_ms": lesson["create_cpu_ms"],
        "lesson_target_ms": LESSON_TARGET_MS,
        "lesson_daemonset_cpu_ms": lesson_ds["cpu_ms"],
        "lesson_ok": max(lesson["rollout_cpu_ms"], lesson["create_cpu_ms"], lesson_ds["cpu_ms"]) < LESSON_TARGET_MS,
        "deployment_100_on_20_nodes_create_cpu_ms": large["create_cpu_ms"],
        "deployment_100_on_20_nodes_rollout_cpu_ms": large["rollout_cpu_ms"],
        "daemonset_1000_nodes_cpu_ms": ds["cpu_ms"],
        "statefulset_50_cpu_ms": sts["cpu_ms"] if sts else None,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
