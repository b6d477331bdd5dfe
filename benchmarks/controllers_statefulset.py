"""Benchmark: CPU time for a 50-pod StatefulSet (OrderedReady, one claim per pod) to converge on the
lesson-sized cluster, from `kubectl apply` until every pod is Running and Ready. Its last line is one
JSON object; `benchmarks/controllers.py` may import `statefulset_50()`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cluster_engine.sim import scenario

REPLICAS = 50


def _manifest() -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db"},
        "spec": {
            "serviceName": "db",
            "replicas": REPLICAS,
            "selector": {"matchLabels": {"app": "db"}},
            "template": {
                "metadata": {"labels": {"app": "db"}},
                "spec": {
                    "containers": [
                        {
                            "name": "pause",
                            "image": "registry.k8s.io/pause:3.10",
                            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                        }
                    ]
                },
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
                }
            ],
        },
    }


def statefulset_50() -> dict:
    """{replicas, cpu_seconds, simulated_seconds}: CPU time of converging a 50-pod StatefulSet."""
    cluster = scenario.build(scenario.LESSON)
    cluster.api.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "db"},
            "spec": {"clusterIP": "None", "selector": {"app": "db"}, "ports": [{"port": 80}]},
        }
    )
    start_sim = cluster.now
    started = time.process_time()
    cluster.api.apply(_manifest())
    while True:
        status = cluster.api.get("statefulsets", "db").get("status") or {}
        if status.get("readyReplicas", 0) == REPLICAS:
            break
        due = cluster.next_wakeup()
        if due is None:
            raise RuntimeError(f"StatefulSet stalled at {status}")
        cluster.step(max(0.0, due - cluster.now))
    return {
        "replicas": REPLICAS,
        "cpu_seconds": round(time.process_time() - started, 3),
        "simulated_seconds": round(cluster.now - start_sim, 1),
    }


if __name__ == "__main__":
    print(json.dumps({"statefulset_50": statefulset_50()}))
