"""One long session in one sandbox with the real kubectl, as a learner works: state accumulates (a pod that
never fits, a cordon, finished rollouts), and every later workload must still run. Fresh sandboxes per test
hid the scheduling stall of issue 15 for a long time."""

from __future__ import annotations

import json
import time

import pytest

from tests.cluster_engine.kubeapi.conftest import eventually

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

HUGE = json.dumps({"spec": {"containers": [{"name": "huge", "image": "nginx",
                                            "resources": {"requests": {"cpu": "64"}}}]}})

STATEFULSET = """\
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 6379}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - {name: redis, image: "redis:7", ports: [{containerPort: 6379}]}
"""

DAEMONSET = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - {name: agent, image: busybox, command: [sh, -c, "sleep 3600"]}
"""


def _json(kube, *args: str) -> dict:
    return json.loads(kube(*args, "-o", "json"))


def _node_of(kube, pod: str) -> str:
    return kube.run("get", "pod", pod, "-o", "jsonpath={.spec.nodeName}", check=False).stdout


def _timed(check) -> float:
    started = time.monotonic()
    eventually(check, timeout=30, interval=0.1)
    return time.monotonic() - started


def test_a_long_session_keeps_scheduling_whatever_waits(kube, kube_worker, capsys):
    # The sequence of issue 15: a pending pod must not hold up the pods created after it.
    kube("run", "a1", "--image=nginx")
    _timed(lambda: _node_of(kube, "a1") != "")
    kube("run", "huge", "--image=nginx", f"--overrides={HUGE}")
    eventually(lambda: "FailedScheduling" in kube("get", "events", "--field-selector", "involvedObject.name=huge"))
    kube("run", "a2", "--image=nginx")
    a2_bound = _timed(lambda: _node_of(kube, "a2") != "")
    kube("create", "job", "count", "--image=busybox", "--", "sh", "-c", "sleep 2")
    job_pod_bound = _timed(lambda: any(
        p["spec"].get("nodeName") for p in _json(kube, "get", "pods", "-l", "job-name=count")["items"]))
    with capsys.disabled():
        print(f"\nwall seconds to bind after creation: a2 {a2_bound:.2f}, the Job's pod {job_pod_bound:.2f}")
    _timed(lambda: _json(kube, "get", "job", "count").get("status", {}).get("succeeded") == 1)
    assert _node_of(kube, "huge") == ""  # still waiting: nothing about it changed

    # A Deployment, scaled and rolled out, while `huge` keeps backing off.
    kube("create", "deployment", "web", "--image=nginx:1.25", "--replicas=3")
    kube("rollout", "status", "deployment/web", "--timeout=30s", timeout=45)
    kube("set", "image", "deployment/web", "nginx=nginx:1.27")
    kube("rollout", "status", "deployment/web", "--timeout=30s", timeout=45)
    images = {c["image"] for p in _json(kube, "get", "pods", "-l", "app=web")["items"]
              for c in p["spec"]["containers"] if not p["metadata"].get("deletionTimestamp")}
    assert images == {"nginx:1.27"}

    # Cordon every worker: new pods wait, with the scheduler's reason. Uncordon one: they run.
    workers = [n["metadata"]["name"] for n in _json(kube, "get", "nodes")["items"]
               if "node-role.kubernetes.io/control-plane" not in n["metadata"].get("labels", {})]
    for node in workers:
        kube("cordon", node)
    kube("run", "waits", "--image=nginx")
    eventually(lambda: "unschedulable" in kube("describe", "pod", "waits"))
    assert _node_of(kube, "waits") == ""
    kube("uncordon", workers[0])
    _timed(lambda: _node_of(kube, "waits") == workers[0])
    for node in workers[1:]:
        kube("uncordon", node)

    # The pod that never fits is deleted: it leaves the scheduler's queue, and nothing is left waiting for it.
    kube("delete", "pod", "huge", "--wait=false")

    # Then a StatefulSet, a DaemonSet and another Job: each runs or completes within 30 seconds of wall time.
    kube("apply", "-f", "-", stdin=STATEFULSET)
    kube("apply", "-f", "-", stdin=DAEMONSET)
    kube("create", "job", "again", "--image=busybox", "--", "sh", "-c", "sleep 1")
    _timed(lambda: _json(kube, "get", "statefulset", "db").get("status", {}).get("readyReplicas") == 3)
    nodes = len(_json(kube, "get", "nodes")["items"])
    _timed(lambda: _json(kube, "get", "daemonset", "agent").get("status", {}).get("numberReady") == nodes - 1)
    _timed(lambda: _json(kube, "get", "job", "again").get("status", {}).get("succeeded") == 1)
    assert [p["metadata"]["name"] for p in _json(kube, "get", "pods", "-l", "app=db")["items"]] == \
        ["db-0", "db-1", "db-2"]
    pending = [p["metadata"]["name"] for p in _json(kube, "get", "pods", "-A")["items"]
               if p.get("status", {}).get("phase") == "Pending"]
    assert pending == []
