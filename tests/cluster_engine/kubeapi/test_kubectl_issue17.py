"""Issue 17 with the real kubectl 1.32: Podlab's own manifests, kinds the sandbox does not serve, disruption budgets
honoured by `kubectl drain`, `kubectl autoscale` and the autoscaler at work, NetworkPolicies on `kubectl exec ...
curl`, the autoscaling/v1 endpoint and RBAC's immutable roleRef. The sandbox is reconciled in-process (as the parity
tests do) and its clock stepped, so nothing waits for wall time."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from cluster_engine import control, engine, services
from cluster_engine.models import Sandbox
from tests.cluster_engine.kubeapi.conftest import Kube

pytestmark = [pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
WIDGET = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\n"


def app(name: str, replicas: int = 2, *, command: str = "", requests: str = "") -> str:
    container = "      - name: app\n        image: " + ("busybox" if command else "nginx:1.27") + "\n"
    if command:
        container += f"        command: {command}\n"
    if requests:
        container += f"        resources: {{requests: {{cpu: {requests}}}, limits: {{cpu: 500m}}}}\n"
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n"
            f"  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n"
            f"    spec:\n      containers:\n{container}")


def pods(kube: Kube, app_name: str) -> list[dict]:
    cluster = engine.load(Sandbox.objects.get(pk=kube.sandbox_id).state)
    return [p for p in engine.list_objects(cluster, "Pod", namespace="default")
            if (p["metadata"].get("labels") or {}).get("app") == app_name and not p["metadata"].get(
                "deletionTimestamp")]


def settle(kube: Kube, app_name: str, count: int, *, timeout: float = 30) -> list[dict]:
    """Reconcile in-process until `count` pods of the app run and are ready."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        services.sandbox_reconcile(sandbox_id=kube.sandbox_id)
        found = pods(kube, app_name)
        if len(found) == count and all(c.get("ready") for p in found
                                       for c in p.get("status", {}).get("containerStatuses") or [{}]):
            return found
        time.sleep(0.2)
    raise AssertionError(f"{app_name} did not settle: {pods(kube, app_name)}")


def step(kube: Kube, learner, seconds: float) -> None:
    control.sandbox_control(sandbox_id=kube.sandbox_id, user=learner, request={"action": "step", "seconds": seconds})


def test_podlabs_own_manifests_validate_and_apply(kube):
    result = kube.run("apply", "-k", str(ROOT / "platform" / "k8s"), check=False)
    assert result.returncode == 0, result.stderr  # the StatefulSet's claim mount too (kinds-a)
    assert "unable to respond with a content type" not in result.stderr
    assert "ingress.networking.k8s.io/web created" in result.stdout
    assert "poddisruptionbudget.policy/web created" in result.stdout
    assert "web" in kube("get", "pdb", "-n", "podlab", "-o", "name")


def test_a_kind_the_server_does_not_serve_is_answered_as_kube_apiserver_does(kube):
    applied = kube.run("apply", "-f", "-", stdin=WIDGET, check=False)
    assert applied.returncode == 1
    assert applied.stderr == ('error: resource mapping not found for name: "w1" namespace: "" from "STDIN": no matches '
                              'for kind "Widget" in version "example.com/v1"\nensure CRDs are installed first\n')
    listed = kube.run("get", "widgets", check=False)
    assert listed.stderr == 'error: the server doesn\'t have a resource type "widgets"\n'
    # a served group-version without that kind: kubectl lists the CRDs first (none here, as on a new cluster)
    in_apps = kube.run("apply", "-f", "-", stdin=WIDGET.replace("example.com/v1", "apps/v1"), check=False)
    assert in_apps.stderr == ('error: resource mapping not found for name: "w1" namespace: "" from "STDIN": no matches '
                              'for kind "Widget" in version "apps/v1"\nensure CRDs are installed first\n')
    assert kube.run("get", "crd").stderr == "No resources found\n"


def test_drain_retries_while_the_disruption_budget_refuses(kube, learner):
    kube("apply", "-f", "-", stdin=app("web", 2))
    found = settle(kube, "web", 2)
    kube("create", "pdb", "web", "--selector=app=web", "--min-available=2")
    services.sandbox_reconcile(sandbox_id=kube.sandbox_id)
    assert kube("get", "pdb", "web", "-o", "jsonpath={.status.disruptionsAllowed}") == "0"
    node = found[0]["spec"]["nodeName"]
    result = kube.run("drain", node, "--ignore-daemonsets", "--timeout=7s", check=False)
    assert result.returncode == 1
    pod = next(p["metadata"]["name"] for p in found if p["spec"]["nodeName"] == node)
    assert (f'error when evicting pods/"{pod}" -n "default" (will retry after 5s): Cannot evict pod as it would '
            "violate the pod's disruption budget.") in result.stderr
    assert f"evicting pod default/{pod}\n" in result.stdout
    assert pod in [p["metadata"]["name"] for p in pods(kube, "web")]  # still running


def test_autoscale_creates_a_v1_autoscaler_that_scales_on_cpu(kube, learner):
    kube("apply", "-f", "-", stdin=app("busy", 1, command='["stress", "--cpu", "1"]', requests="200m"))
    settle(kube, "busy", 1)
    step(kube, learner, 40)
    assert kube("autoscale", "deployment", "busy", "--cpu-percent=50", "--min=1", "--max=5") == \
        "horizontalpodautoscaler.autoscaling/busy autoscaled\n"
    services.sandbox_reconcile(sandbox_id=kube.sandbox_id)
    step(kube, learner, 1)
    table = kube("get", "hpa", "busy")
    assert "cpu: 250%/50%" in table
    assert kube("get", "deployment", "busy", "-o", "jsonpath={.spec.replicas}") == "4"
    described = kube("describe", "hpa", "busy")
    assert "New size: 4; reason: cpu resource utilization (percentage of request) above target" in described
    assert re.search(r"ScalingActive\s+True\s+ValidMetricFound", described)
    v1 = json.loads(kube("get", "--raw", f"/k8s/{kube.sandbox_id}/apis/autoscaling/v1/namespaces/default/"
                                         "horizontalpodautoscalers/busy"))
    assert v1["apiVersion"] == "autoscaling/v1"
    assert v1["spec"]["targetCPUUtilizationPercentage"] == 50
    assert v1["status"]["currentCPUUtilizationPercentage"] == 250


def test_network_policy_drops_what_it_does_not_allow(kube, learner, kube_worker):
    kube("apply", "-f", "-", stdin=app("web", 1) + "---\n" + app("client", 1))
    kube("expose", "deployment", "web", "--port=80")
    settle(kube, "web", 1)
    client = settle(kube, "client", 1)[0]["metadata"]["name"]
    assert "Welcome to nginx!" in kube("exec", client, "--", "curl", "-s", "web")
    kube("apply", "-f", "-", stdin="apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n"
                                    "spec:\n  podSelector: {matchLabels: {app: web}}\n")
    blocked = kube.run("exec", client, "--", "curl", "-m", "3", "web", check=False)
    assert blocked.returncode == 28
    assert "curl: (28) Connection timed out after 3001 milliseconds" in blocked.stderr
    assert "Policy Types: Ingress" in kube("describe", "netpol", "deny")


def test_role_binding_role_ref_cannot_change(kube):
    kube("create", "rolebinding", "rb", "--clusterrole=view", "--user=jane")
    changed = kube.run("create", "rolebinding", "rb", "--clusterrole=edit", "--user=jane", "--dry-run=server",
                       "-o", "yaml", check=False)
    assert changed.returncode == 1  # AlreadyExists for create; the update path is apply's
    manifest = ("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\nroleRef:\n"
                "  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: edit\n")
    refused = kube.run("apply", "-f", "-", stdin=manifest, check=False)
    assert 'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", ' \
           'Name:"edit"}: cannot change roleRef' in refused.stderr
    assert "cluster-admin" in kube("get", "clusterroles", "-o", "name")
