"""Parity (issue 6): the real kubectl 1.32 over TLS and the in-page kubectl print the same text for one state.

The script: the real kubectl applies a Deployment `web` (3 replicas) and a Service `web`; the sandbox runs at
x60 and is reconciled in-process until the three pods are Running and ready; then its clock is paused, so no
timer fires and no age moves between the two runs. Each case then runs one command with the real kubectl
(a subprocess against daphne) and, on the very same stored row, the in-page kubectl (`engine.load` of the
row, `run_command` with the same namespace), and compares stdout, stderr and the exit code.

Normalisation. Both kubectls see the same objects, so names (random suffixes included), IPs and nodes are
equal and stay unmasked. What legitimately differs is time: the real kubectl computes some ages itself
(`describe`'s event ages, `Age` of `get events`) from the *wall* clock against simulated timestamps, while the
in-page one uses the simulated clock. So every duration token (`5s`, `3m2s`, `2d4h`, `<invalid>`, `<unknown>`)
becomes `<age>`. A table pads its columns to the widest cell, so masking a token changes the padding of the
whole column; rather than re-aligning, we compare after collapsing every run of two or more spaces into a
single column break (`"  +"` -> `" | "`). That keeps the cell boundaries (a missing or extra empty column
still shows) while ignoring widths that only the masked ages decide. Leading indentation (describe's nested
sections) is kept as is. Durations inside prose that are not ages (`--timeout`, probe settings like
`delay=0s`) are rare in this script and masked alike: equal on both sides either way.
"""

from __future__ import annotations

import difflib
import re
import time
from typing import Any

import pytest

from cluster_engine import control, engine, services, wallclock
from cluster_engine.models import Sandbox
from cluster_engine.sim.kubectl.client import run_command
from tests.cluster_engine.kubeapi.conftest import Kube

pytestmark = [pytest.mark.django_db(transaction=True)]

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
"""

DURATION = re.compile(r"(?<![\w./:-])(?:<invalid>|<unknown>|(?:\d+[ywdhms])+)(?![\w./:-])")
COLUMNS = re.compile(r"(?<=\S) {2,}")


def normalise(text: str) -> str:
    lines = []
    for raw in text.splitlines():
        line = DURATION.sub("<age>", raw.rstrip())
        indent = len(line) - len(line.lstrip(" "))
        lines.append(line[:indent] + COLUMNS.sub(" | ", line[indent:]))
    return "\n".join(lines)


def _pods(sandbox_id: str) -> list[dict[str, Any]]:
    cluster = engine.load(Sandbox.objects.get(pk=sandbox_id).state)
    return engine.list_objects(cluster, "Pod", namespace="default")


def _all_ready(sandbox_id: str, replicas: int = 3) -> bool:
    pods = _pods(sandbox_id)
    return len(pods) == replicas and all(
        pod.get("status", {}).get("phase") == "Running"
        and all(c.get("ready") for c in pod.get("status", {}).get("containerStatuses") or [{}])
        for pod in pods)


def converge(kube: Kube, user, *, timeout: float = 30) -> None:
    """Reconcile in-process (no worker: nothing else touches the row) until the three pods are ready."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        services.sandbox_reconcile(sandbox_id=kube.sandbox_id)
        if _all_ready(kube.sandbox_id):
            return
        time.sleep(0.2)
    raise AssertionError(f"the pods did not become ready: {_pods(kube.sandbox_id)}")


@pytest.fixture
def session(kube, learner) -> Kube:
    assert "deployment.apps/web created" in kube("apply", "-f", "-", stdin=DEPLOYMENT)
    control.sandbox_control(sandbox_id=kube.sandbox_id, user=learner, request={"action": "speed", "value": 60})
    converge(kube, learner)
    control.sandbox_control(sandbox_id=kube.sandbox_id, user=learner, request={"action": "pause"})
    kube.learner = learner
    return kube


def in_page(kube: Kube, args: tuple[str, ...], namespace: str = "default") -> tuple[str, str, int]:
    sandbox = Sandbox.objects.get(pk=kube.sandbox_id)
    cluster = engine.load(sandbox.state)
    engine.sync_clock(cluster, wallclock.wall_now())
    line = " ".join(["kubectl", *args])
    result = run_command(cluster, line, actor=services.actor_for(kube.learner), namespace=namespace)
    return result.stdout, result.stderr, result.exit_code


def real(kube: Kube, args: tuple[str, ...]) -> tuple[str, str, int]:
    result = kube.run(*args, check=False)
    return result.stdout, result.stderr, result.returncode


def first_pod(kube: Kube) -> str:
    return sorted(pod["metadata"]["name"] for pod in _pods(kube.sandbox_id))[0]


def step(kube: Kube, seconds: float) -> None:
    control.sandbox_control(sandbox_id=kube.sandbox_id, user=kube.learner,
                             request={"action": "step", "seconds": seconds})


def set_image(kube: Kube) -> None:
    """The new image, written by the real kubectl; a step lets the controller create revision 2's ReplicaSet."""
    assert kube("set", "image", "deployment/web", "nginx=nginx:1.27.1").strip() == "deployment.apps/web image updated"
    step(kube, 120)


def let_metrics_arrive(kube: Kube) -> None:
    """metrics-server reports a container once two scrapes (15 s apart) have seen it running."""
    step(kube, 60)


def stop_metrics_server(kube: Kube) -> None:
    """No ready metrics-server behind the APIService: every metrics read is the aggregator's 503."""
    assert kube("-n", "kube-system", "scale", "deployment/metrics-server", "--replicas=0").strip() == \
        "deployment.apps/metrics-server scaled"
    step(kube, 60)


def stop_kubelet(kube: Kube) -> None:
    """worker-2's kubelet stops: its Lease is not renewed, the node turns Unknown, metrics-server cannot scrape it."""
    control.sandbox_control(sandbox_id=kube.sandbox_id, user=kube.learner,
                             request={"action": "stop-component", "component": "kubelet/worker-2"})
    step(kube, 60)


def remove_metrics_server(kube: Kube) -> None:
    """Without the Service the APIService points at, discovery has no metrics.k8s.io."""
    assert kube("-n", "kube-system", "delete", "service", "metrics-server").strip() == \
        'service "metrics-server" deleted'


POLICY = """\
apiVersion: v1
kind: ResourceQuota
metadata: {name: mem-quota}
spec:
  hard: {requests.memory: 1Gi, limits.memory: 2Gi, pods: "10", count/deployments.apps: "4"}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: best-effort}
spec:
  hard: {pods: "5"}
  scopes: [BestEffort, NotTerminating]
---
apiVersion: v1
kind: LimitRange
metadata: {name: cpu-defaults}
spec:
  limits:
  - type: Container
    default: {cpu: 500m}
    defaultRequest: {cpu: 250m}
    max: {cpu: "1"}
  - type: Pod
    max: {memory: 2Gi}
  - type: PersistentVolumeClaim
    min: {storage: 1Gi}
"""

STORAGE = """\
apiVersion: v1
kind: PersistentVolume
metadata: {name: task-pv-volume, labels: {type: local}}
spec:
  storageClassName: manual
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /mnt/data}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: task-pv-claim}
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 3Gi}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: waiting}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: nginx:1.27
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
"""


def add_policy(kube: Kube) -> None:
    """Two quotas and a limit range in `default`; the quota controller fills in their status."""
    kube("apply", "-f", "-", stdin=POLICY)
    step(kube, 5)


def add_storage(kube: Kube) -> None:
    """A static volume bound to its claim, a claim waiting for its first consumer, and a StatefulSet whose claim
    the local-path provisioner makes once its pod is scheduled."""
    kube("apply", "-f", "-", stdin=STORAGE)
    step(kube, 60)


def db_volume(kube: Kube) -> str:
    cluster = engine.load(Sandbox.objects.get(pk=kube.sandbox_id).state)
    return cluster.store.get("PersistentVolumeClaim", "default", "data-db-0")["spec"]["volumeName"]


def without_note(text: str) -> str:
    """The in-page kubectl's explanatory note after an error (a line in parentheses) is Podlab's own."""
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("("))


def case(command: str, *, prepare=None, mask=None, write: bool = False, exact: bool = False, marks=(), id: str):
    """`exact`: compare the texts as printed, padding included (for output without ages, such as `top`'s
    CPU column, whose `45m` would otherwise be masked as an age)."""
    return pytest.param(prepare, tuple(command.split()), mask, write, exact, marks=marks, id=id)


CASES = [
    case("get pods", id="get-pods"),
    case("get pods -o wide", id="get-pods-wide"),
    case("get deploy,rs,svc", id="get-deploy-rs-svc"),
    case("get nodes -o wide", id="get-nodes-wide"),
    case("describe deployment web", id="describe-deployment"),
    case("describe pod {pod}", id="describe-pod"),
    case("describe node worker-1", id="describe-node-lease"),
    case("get leases -n kube-node-lease", id="get-leases"),
    case("top node", prepare=let_metrics_arrive, exact=True, id="top-node"),
    case("top node worker-1 --sort-by=cpu --show-capacity", prepare=let_metrics_arrive, exact=True,
         id="top-node-name"),
    case("top pod", prepare=let_metrics_arrive, exact=True, id="top-pod"),
    case("top pod -A --sort-by=memory", prepare=let_metrics_arrive, exact=True, id="top-pod-all"),
    case("top pod -l app=web --containers --sum", prepare=let_metrics_arrive, exact=True,
         id="top-pod-containers-sum"),
    case("top pod -n kube-system --no-headers --sum", prepare=let_metrics_arrive, exact=True,
         id="top-pod-no-headers-sum"),
    case("top pod nope", prepare=let_metrics_arrive, id="top-pod-missing"),
    case("top node", prepare=stop_kubelet, exact=True, id="top-node-unreachable"),
    case("describe node worker-2", prepare=stop_kubelet, id="describe-node-unreachable"),
    case("top node", prepare=stop_metrics_server, id="top-node-unavailable"),
    case("top pod", prepare=remove_metrics_server, mask=without_note, id="top-pod-no-metrics-api"),
    case("rollout history deployment/web", id="rollout-history"),
    case("set image deployment/web nginx=nginx:1.27.1", write=True, id="set-image"),
    case("rollout history deployment/web --revision=2", prepare=set_image, id="rollout-history-revision"),
    case("rollout history deployment/web", prepare=set_image, id="rollout-history-after-update"),
    case("describe deployment web", prepare=set_image, id="describe-deployment-after-update"),
    case("logs {pod}", id="logs"),
    case("get pods nope", id="get-missing-pod"),
    case("get foo", id="get-unknown-type"),
    case("describe deployment nope", id="describe-missing"),
    case("logs nope", id="logs-missing-pod"),
    case("logs {pod} -c other", id="logs-missing-container"),
    case("logs deploy/web", id="logs-deployment"),
    case("logs deploy/nope", id="logs-missing-deployment"),
    case("rollout history deployment/web --revision=7", id="rollout-history-missing-revision"),
    case("describe svc web", id="describe-svc"),
    case("get events --field-selector involvedObject.kind=Deployment", id="get-events-deployment"),
    case("api-resources", exact=True, id="api-resources"),
    case("get nodes.metrics.k8s.io", prepare=let_metrics_arrive, id="get-node-metrics"),
    case("get pods.metrics.k8s.io -A", prepare=let_metrics_arrive, id="get-pod-metrics-all"),
    case("get nodes.metrics.k8s.io", prepare=stop_metrics_server, id="get-node-metrics-unavailable"),
    case("describe lease -n kube-node-lease worker-1", id="describe-lease"),
    case("describe controllerrevisions -n kube-system", id="describe-controllerrevisions"),
    case("describe endpointslices", id="describe-endpointslices"),
    case("describe pod web", id="describe-pod-prefix"),
    case("get sa", id="get-serviceaccounts"),
    case("describe sa default", id="describe-serviceaccount"),
    case("get sa -n kube-system", id="get-serviceaccounts-kube-system"),
    case("get sc", id="get-storageclasses"),
    case("describe sc standard", id="describe-storageclass"),
    case("describe ns default", id="describe-namespace-without-policy"),
    case("get quota,limits", prepare=add_policy, id="get-quota-limits"),
    case("describe quota", prepare=add_policy, id="describe-quotas"),
    case("describe limits cpu-defaults", prepare=add_policy, id="describe-limitrange"),
    case("describe ns default", prepare=add_policy, id="describe-namespace-with-policy"),
    case("run hungry --image=nginx", prepare=add_policy, id="run-against-quota"),
    case("get pv,pvc", prepare=add_storage, id="get-pv-pvc"),
    case("get pv -o wide", prepare=add_storage, id="get-pv-wide"),
    case("describe pv task-pv-volume", prepare=add_storage, id="describe-pv"),
    case("describe pv {volume}", prepare=add_storage, id="describe-provisioned-pv"),
    case("describe pvc", prepare=add_storage, id="describe-pvcs"),
    case("create serviceaccount robot", id="create-serviceaccount"),
    case("create sa default", id="create-serviceaccount-exists"),
    case("create quota q --hard=pods=3,cpu=1.5,memory=1024Mi --scopes=NotBestEffort", id="create-quota"),
    case("create quota bad --hard=foo=1", id="create-quota-invalid"),
    case("create quota q -o yaml --dry-run=server --hard=pods=2", id="create-quota-server-dry-run"),
]


def diff(expected: str, got: str) -> str:
    return "\n".join(difflib.unified_diff(expected.splitlines(), got.splitlines(), "real kubectl", "in-page",
                                          lineterm=""))


@pytest.mark.parametrize(("prepare", "command", "mask", "write", "exact"), CASES)
def test_same_text(session, prepare, command, mask, write, exact):
    if prepare is not None:
        prepare(session)
    volume = db_volume(session) if any("{volume}" in arg for arg in command) else ""
    args = tuple(arg.format(pod=first_pod(session), volume=volume) for arg in command)
    # The in-page kubectl runs first: a write of its lands in a loaded copy that is never stored, so the real
    # kubectl then makes the same write on the same state.
    got = in_page(session, args)
    expected = real(session, args)
    assert expected[0] or expected[1], f"kubectl {' '.join(args)} printed nothing"
    mask = mask or (lambda text: text)
    for stream, real_raw, page_raw in (("stdout", expected[0], got[0]), ("stderr", expected[1], got[1])):
        real_text, page_text = mask(real_raw), mask(page_raw)
        if not exact:
            real_text, page_text = normalise(real_text), normalise(page_text)
        assert page_text == real_text, f"{stream} of kubectl {' '.join(args)} differs:\n{diff(real_text, page_text)}"
    assert got[2] == expected[2], f"exit code of kubectl {' '.join(args)}: real {expected[2]}, in-page {got[2]}"
    if write:
        assert in_page(session, args)[2] == 0
