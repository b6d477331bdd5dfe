"""Scheduler throughput through the real queue, plugins, binding and events (like scheduler_perf).

The pods and nodes live in a real simulated `Cluster` (its api-server, store and event recorder): each
binding is a `pods/binding` write with its `Scheduled` Event, as in the sandboxes. As scheduler_perf
measures only scheduling, the clock does not run, so no kubelet starts the pods.
The bar on a 2-core machine: basic at 5,000 nodes >= 3,400 pods/s, mixed at 5,000 nodes >= 680 pods/s.

Workloads: `basic` (cpu and memory requests only, as SchedulingBasic) and `mixed` (requests, a nodeSelector,
required node affinity, tolerations for tainted nodes, and pod anti-affinity on 10 % of the pods).
Usage: `python benchmarks/scheduler.py [--nodes 500,1000,5000] [--pods 10000] [--workloads basic,mixed]
[--repeat N] [--instructions]`. The last line printed is one JSON object with a row per run.

`--repeat N` schedules N fresh copies of each built cluster (`Cluster.from_json(to_json())`, the scheduler replayed
before the clock starts) and reports the best and the median run: on a shared machine one run can vary by 20 %,
and the best of several is the figure least disturbed by its neighbours (as `timeit` reports). `--instructions`
counts the CPU instructions of the scheduling instead of timing it, under valgrind's callgrind (instrumentation
switched on around the run only): repeatable to about 0.1 % where wall time is not, so it judges a change of a
few per cent. It takes about a minute per row.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cluster_engine.sim import scenario
from cluster_engine.sim.cluster import Cluster

ZONES = ("zone-a", "zone-b", "zone-c")
COUNTING = "PODLAB_COUNTING_INSTRUCTIONS"  # set by --instructions in the run it starts under callgrind


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
        "metadata": {"name": name, "namespace": "default", "labels": labels},
        "spec": spec,
        "status": {"phase": "Pending"},
    }


def node_spec(i: int, workload: str) -> dict[str, Any]:
    """`make_node` in the scenario's terms (its zone label and hostname come from the scenario)."""
    node = make_node(i, workload)
    labels = dict(node["metadata"]["labels"])
    zone = labels.pop("topology.kubernetes.io/zone")
    for builtin in ("kubernetes.io/hostname", "kubernetes.io/os"):
        labels.pop(builtin)
    return {"name": node["metadata"]["name"], "cpu": "4", "memory": "32Gi", "pods": "110", "zone": zone,
            "labels": labels, "taints": node["spec"]["taints"]}


def build(workload: str, nodes: int, pods: int) -> Cluster:
    cluster = scenario.build({"seed": 1, "limits": "unlimited", "coredns": False, "settle": 0, "age": False,
                              "nodes": [node_spec(i, workload) for i in range(nodes)]})
    for i in range(pods):
        cluster.api.create(make_pod(i, workload), actor="user:bench")  # queued for the scheduler by the cluster's watch
    return cluster


def schedule(cluster: Cluster) -> tuple[float, int]:
    """Schedule every pending pod of `cluster`: (seconds, pods bound)."""
    scheduler = cluster.scheduler_feed.ready()  # a loaded copy replays its informers here, before the clock
    # Start from a collected heap, so that a full collection owed to the set-up's garbage (10,000 pod
    # creations) does not land in the measurement; collections the scheduling itself causes still do.
    gc.collect()
    if os.environ.get(COUNTING):
        subprocess.run(["callgrind_control", "--instr=on", str(os.getpid())], check=True, capture_output=True)
    started = time.perf_counter()
    scheduler.run(cluster.scheduling, now=cluster.now, rng=cluster.draws.random())
    elapsed = time.perf_counter() - started
    if os.environ.get(COUNTING):
        subprocess.run(["callgrind_control", "--instr=off", str(os.getpid())], check=True, capture_output=True)
    bound = sum(1 for pod in cluster.store.items("Pod", "default") if pod["spec"].get("nodeName"))
    scheduled_events = sum(1 for event in cluster.store.items("Event", "default") if event["reason"] == "Scheduled")
    assert scheduled_events == bound, "every binding records its Scheduled event"
    return elapsed, bound


def run(workload: str, nodes: int, pods: int, repeat: int = 1) -> dict[str, Any]:
    cluster = build(workload, nodes, pods)
    if repeat == 1:
        elapsed, bound = schedule(cluster)
        runs = [elapsed]
    else:
        state = cluster.to_json()
        del cluster
        runs = []
        for _ in range(repeat):
            elapsed, bound = schedule(Cluster.from_json(state))
            runs.append(elapsed)
    best, median = min(runs), sorted(runs)[len(runs) // 2]
    row = {"workload": workload, "nodes": nodes, "pods": pods, "bound": bound, "seconds": round(best, 3),
           "pods_per_s": round(bound / best, 1)}
    if repeat > 1:
        row |= {"runs": repeat, "median_pods_per_s": round(bound / median, 1),
                "all_pods_per_s": [round(bound / seconds, 1) for seconds in runs]}
    return row


def count_instructions(workload: str, nodes: int, pods: int) -> dict[str, Any]:
    """This script for one row under callgrind, which counts only while `schedule` has switched it on."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        sys.exit("--instructions needs valgrind (apt-get install -y valgrind)")
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null",
         sys.executable, __file__, "--workloads", workload, "--nodes", str(nodes), "--pods", str(pods)],
        env={**os.environ, COUNTING: "1", "PYTHONHASHSEED": "0"}, capture_output=True, text=True, check=True,
    )
    collected = re.search(r"Collected : (\d+)", out.stderr)
    if collected is None:
        sys.exit(f"callgrind printed no count:\n{out.stderr[-2000:]}")
    bound = json.loads(out.stdout.strip().splitlines()[-1])["runs"][0]["bound"]
    instructions = int(collected.group(1))
    return {"workload": workload, "nodes": nodes, "pods": pods, "bound": bound, "instructions": instructions,
            "instructions_per_pod": round(instructions / bound)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", default="500,1000,5000")
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--workloads", default="basic,mixed")
    parser.add_argument("--repeat", type=int, default=1, help="runs per row; the best and the median are reported")
    parser.add_argument("--instructions", action="store_true", help="count instructions under callgrind instead")
    args = parser.parse_args()
    rows = []
    for workload in args.workloads.split(","):
        for nodes in (int(n) for n in args.nodes.split(",")):
            if args.instructions:
                row = count_instructions(workload, nodes, args.pods)
                print(f"{workload:6} {nodes:5} nodes {row['pods']} pods: {row['instructions']:,} instructions "
                      f"({row['instructions_per_pod']:,} per pod)", flush=True)
            else:
                row = run(workload, nodes, args.pods, max(1, args.repeat))
                print(
                    f"{workload:6} {nodes:5} nodes {row['pods']} pods: {row['pods_per_s']} pods/s "
                    f"({row['bound']} bound in {row['seconds']} s"
                    + (f"; median of {row['runs']}: {row['median_pods_per_s']} pods/s)" if "runs" in row else ")"),
                    flush=True,
                )
            rows.append(row)
    print(json.dumps({"runs": rows}))


if __name__ == "__main__":
    main()
