"""Engine state benchmark: JSON state size, load+save time and the CPU time of `run_until_idle()` after
one apply, for a lesson-sized cluster (4 nodes, 60 objects) and a large one (100 nodes, 3,000 pods).

Run: `.venv/bin/python benchmarks/engine_state.py` (from the repository root). The last line printed
is one JSON object with every figure; targets for the lesson cluster: state < 100 KB, load+save < 5 ms,
reconcile < 10 ms. `reconcile_ms` is measured on a freshly loaded state (as the Celery worker runs
it, including the scheduler's lazy rebuild); `reconcile_warm_ms` on a cluster that is already in memory.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cluster_engine.sim import scenario
from cluster_engine.sim.cluster import Cluster

TARGETS = {"state_kb": 100.0, "load_save_ms": 5.0, "reconcile_ms": 10.0}


def _pod(name: str, app: str, image: str = "nginx:1.27", cpu: str = "50m", memory: str = "64Mi") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "shop", "labels": {"app": app}},
        "spec": {
            "containers": [
                {
                    "name": app,
                    "image": image,
                    "ports": [{"containerPort": 80}],
                    "resources": {"requests": {"cpu": cpu, "memory": memory}},
                }
            ]
        },
    }


def lesson_spec() -> dict[str, Any]:
    """4 nodes; 22 system objects (namespaces, root CA config maps, kube-system pods) plus a shop
    namespace, 12 pods, 16 config maps and 9 secrets: 60 API objects."""
    objects: list[dict[str, Any]] = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}]
    objects += [_pod(f"web-{i}", "web") for i in range(8)]
    objects += [_pod(f"cache-{i}", "cache", image="redis:7") for i in range(4)]
    objects += [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"settings-{i}", "namespace": "shop"},
            "data": {"LOG_LEVEL": "info", "FEATURE": f"f{i}"},
        }
        for i in range(16)
    ]
    objects += [
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": f"token-{i}", "namespace": "shop"},
            "stringData": {"token": f"s3cr3t-{i}"},
        }
        for i in range(9)
    ]
    return dict(scenario.LESSON, objects=objects)


def large_spec() -> dict[str, Any]:
    nodes = [{"name": "control-plane", "role": "control-plane", "cpu": "8", "memory": "32Gi", "zone": "zone-a"}]
    nodes += [
        {"name": f"worker-{i}", "cpu": "16", "memory": "64Gi", "zone": f"zone-{'abc'[i % 3]}"} for i in range(1, 100)
    ]
    objects: list[dict[str, Any]] = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}]
    pods = 3000 - 2 - 4 - 100  # coredns, control plane and kube-proxy pods count too
    objects += [_pod(f"web-{i}", f"app-{i % 50}") for i in range(pods)]
    return {"seed": 3, "nodes": nodes, "objects": objects, "limits": "unlimited"}  # far past a sandbox's quota


def _count(cluster: Cluster) -> dict[str, int]:
    return {kind: len(bucket) for kind, bucket in cluster.store.objects.items() if bucket}


def measure(name: str, spec: dict[str, Any], repeat: int) -> dict[str, Any]:
    started = time.perf_counter()
    cluster = scenario.build(spec)
    build_s = time.perf_counter() - started
    text = cluster.dumps()
    load_save = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        copy = Cluster.loads(text)
        again = copy.dumps()
        load_save.append(time.perf_counter() - t0)
        assert again == text
    reconcile = []
    warm = []
    after = ""
    for index in range(repeat):
        trial = Cluster.loads(text)
        trial.api.apply(_pod(f"bench-{index}", "bench"))
        t0 = time.process_time()
        trial.run_until_idle()
        reconcile.append(time.process_time() - t0)
        after = trial.dumps()
        # the same again on the cluster still in memory (its scheduler already rebuilt)
        trial.api.apply(_pod(f"bench-{index}-again", "bench"))
        t0 = time.process_time()
        trial.run_until_idle()
        warm.append(time.process_time() - t0)
    counts = _count(cluster)
    return {
        "name": name,
        "nodes": counts.get("Node", 0),
        "pods": counts.get("Pod", 0),
        "objects": sum(counts.values()),
        "build_s": round(build_s, 3),
        "state_kb": round(len(text.encode()) / 1024, 1),
        "state_after_apply_kb": round(len(after.encode()) / 1024, 1),
        "load_save_ms": round(statistics.median(load_save) * 1000, 2),
        "reconcile_ms": round(statistics.median(reconcile) * 1000, 2),
        "reconcile_warm_ms": round(statistics.median(warm) * 1000, 2),
    }


def main() -> None:
    lesson = measure("lesson", lesson_spec(), repeat=21)
    large = measure("large", large_spec(), repeat=3)
    for row in (lesson, large):
        print(
            f"{row['name']:>7}: {row['nodes']} nodes, {row['objects']} objects ({row['pods']} pods); "
            f"state {row['state_kb']} KB ({row['state_after_apply_kb']} KB after one apply); "
            f"load+save {row['load_save_ms']} ms; reconcile after one apply {row['reconcile_ms']} ms CPU "
            f"({row['reconcile_warm_ms']} ms in a cluster already in memory); "
            f"built in {row['build_s']} s"
        )
    met = {key: lesson[key] < target for key, target in TARGETS.items()}
    print(
        json.dumps(
            {"lesson": lesson, "large": large, "targets": TARGETS, "lesson_meets_targets": met},
            separators=(",", ":"),
        )
    )


if __name__ == "__main__":
    main()
