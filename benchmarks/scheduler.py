"""Scheduler throughput through the real queue, plugins, binding and events (like scheduler_perf).

Workloads: `basic` (cpu and memory requests only, as SchedulingBasic) and `mixed` (requests, a nodeSelector,
required node affinity, tolerations for tainted nodes, and pod anti-affinity on 10 % of the pods).
Usage: `python benchmarks/scheduler.py [--nodes 500,1000,5000] [--pods 10000] [--workloads basic,mixed]`.
The last line printed is one JSON object with a row per run.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cluster_engine.sim.scheduler import Scheduler

ZONES = ("zone-a", "zone-b", "zone-c")


class RecordingHost:
    """Plays the cluster: records bindings and events, and echoes each binding back as a MODIFIED pod."""

    def __init__(self, scheduler: Scheduler, pods: dict[str, dict[str, Any]]) -> None:
        self.scheduler = scheduler
        self.pods = pods
        self.bindings: dict[str, str] = {}
        self.events: list[tuple[str, str, str]] = []

    def bind(self, namespace: str, name: str, node_name: str, explanation: dict[str, Any]) -> None:
        pod = self.pods[name]
        bound = {**pod, "spec": {**pod["spec"], "nodeName": node_name}}
        self.pods[name] = bound
        self.bindings[name] = node_name
        self.events.append(("Scheduled", name, explanation["result"]["message"]))
        self.scheduler.observe("MODIFIED", bound)

    def mark_unschedulable(
        self, namespace: str, name: str, message: str, explanation: dict[str, Any]
    ) -> None:
        self.events.append(("FailedScheduling", name, message))

    def nominate(self, namespace: str, name: str, node_name: str) -> None:
        self.events.append(("Nominated", name, node_name))

    def evict_for_preemption(self, namespace: str, name: str, preemptor: str) -> None:
        self.events.append(("Preempted", name, preemptor))


def make_node(i: int, workload: str) -> dict[str, Any]:
    name = f"node-{i}"
    labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "topology.kubernetes.io/zone": ZONES[i % 3],
    }
    taints = []
    if workload == "mixed":
        labels["disktype"] = "ssd" if i % 2 else "hdd"
        if i % 5 == 0:
            taints.append({"key": "dedicated", "value": "batch", "effect": "NoSchedule"})
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": {"taints": taints},
        "status": {
            "allocatable": {"cpu": "4", "memory": "32Gi", "pods": "110"},
            "capacity": {"cpu": "4", "memory": "32Gi", "pods": "110"},
        },
    }


def make_pod(i: int, workload: str) -> dict[str, Any]:
    name = f"pod-{i}"
    group = i % 10
    container = {
        "name": "app",
        "image": "registry.k8s.io/pause:3.10",
        "resources": {"requests": {"cpu": "100m", "memory": "500Mi"}},
    }
    spec: dict[str, Any] = {"containers": [container], "schedulerName": "default-scheduler"}
    labels = {"app": f"app-{group}"}
    if workload == "mixed":
        spec["nodeSelector"] = {"kubernetes.io/os": "linux"}
        zones = [ZONES[group % 3], ZONES[(group + 1) % 3]]
        spec["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": "topology.kubernetes.io/zone", "operator": "In", "values": zones}
                            ]
                        }
                    ]
                }
            }
        }
        if group % 2:
            spec["tolerations"] = [
                {"key": "dedicated", "operator": "Equal", "value": "batch", "effect": "NoSchedule"}
            ]
        if group == 0:  # 10 % of the pods: one per node among their app
            labels = {"app": f"spread-{i % 100 // 10}"}
            spec["affinity"]["podAntiAffinity"] = {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": labels}, "topologyKey": "kubernetes.io/hostname"}
                ]
            }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{i}", "labels": labels},
        "spec": spec,
        "status": {"phase": "Pending"},
    }


def run(workload: str, nodes: int, pods: int, seed: int = 1) -> dict[str, Any]:
    scheduler = Scheduler()
    for i in range(nodes):
        scheduler.observe("ADDED", make_node(i, workload))
    pod_objects = {f"pod-{i}": make_pod(i, workload) for i in range(pods)}
    host = RecordingHost(scheduler, pod_objects)
    rng = random.Random(seed)
    started = time.perf_counter()
    for pod in list(pod_objects.values()):
        scheduler.observe("ADDED", pod)
    scheduler.run(host, now=0.0, rng=rng)
    elapsed = time.perf_counter() - started
    bound = len(host.bindings)
    return {
        "workload": workload,
        "nodes": nodes,
        "pods": pods,
        "bound": bound,
        "seconds": round(elapsed, 3),
        "pods_per_s": round(bound / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", default="500,1000,5000")
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--workloads", default="basic,mixed")
    args = parser.parse_args()
    rows = []
    for workload in args.workloads.split(","):
        for nodes in (int(n) for n in args.nodes.split(",")):
            row = run(workload, nodes, args.pods)
            print(
                f"{workload:6} {nodes:5} nodes {row['pods']} pods: {row['pods_per_s']} pods/s "
                f"({row['bound']} bound in {row['seconds']} s)",
                flush=True,
            )
            rows.append(row)
    print(json.dumps({"runs": rows}))


if __name__ == "__main__":
    main()
