"""The real kubectl 1.32 against the real daphne over TLS: every write lands in the sandbox as the page's do."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from cluster_engine.models import Sandbox, SandboxChange
from cluster_engine.sim import objects
from tests.cluster_engine.kubeapi.conftest import DEPLOYMENT, KUBECTL, POD, eventually

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def _phase(kube, name: str) -> str:
    return kube.run("get", "pod", name, "-o", "jsonpath={.status.phase}", check=False).stdout


def test_version_nodes_and_api_resources(kube):
    assert "Server Version: v1.32." in kube("version")
    nodes = kube("get", "nodes")
    assert nodes.splitlines()[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert "control-plane" in nodes
    resources = kube("api-resources")
    assert any(line.split()[:2] == ["pods", "po"] for line in resources.splitlines())
    assert "namespaces" in kube("api-resources", "--namespaced=false")


def test_get_raw_reaches_the_sandbox_its_token_opens(kube, kube_server, django_user_model, tmp_path):
    from tests.cluster_engine.kubeapi.conftest import make_kube

    kube("apply", "-f", "-", stdin=POD)
    # kubectl 1.32 sends `--raw` paths to the site root, not under the kubeconfig's /k8s/<id>
    pods = json.loads(kube("get", "--raw", "/api/v1/namespaces/default/pods"))
    assert [pod["metadata"]["name"] for pod in pods["items"]] == ["web"]
    assert json.loads(kube("get", "--raw", "/version"))["gitVersion"].startswith("v1.32.")
    assert json.loads(kube("get", "--raw", "/apis/apps/v1"))["groupVersion"] == "apps/v1"
    assert json.loads(kube("get", "--raw", f"/k8s/{kube.sandbox_id}/api/v1/namespaces/default/pods/web"))[
        "metadata"]["name"] == "web"
    other = make_kube(django_user_model.objects.create_user(username="bob", password="x-9-horse-battery"),
                      kube_server, tmp_path / "bob")
    assert json.loads(other("get", "--raw", "/api/v1/namespaces/default/pods"))["items"] == []  # bob's own
    missing = other.run("get", "--raw", f"/k8s/{kube.sandbox_id}/api/v1/namespaces/default/pods", check=False)
    assert missing.returncode != 0
    assert "Forbidden" in missing.stderr or "forbidden" in missing.stderr


def test_apply_describe_logs_watch_and_graceful_delete(kube, kube_worker):
    assert kube("apply", "-f", "-", stdin=POD).strip() == "pod/web created"
    assert kube("apply", "-f", "-", stdin=POD).strip() == "pod/web unchanged"
    eventually(lambda: _phase(kube, "web") == "Running")
    wide = kube("get", "pods", "-o", "wide").splitlines()
    assert wide[0].split()[:7] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"]
    assert wide[1].split()[:3] == ["web", "1/1", "Running"]
    described = kube("describe", "pod", "web")
    assert "Successfully assigned default/web to" in described
    assert "Started container nginx" in described
    assert "nginx" in kube("logs", "web")
    # The learner's diagram sees the same write: it is in the sandbox's change log, by the learner.
    assert SandboxChange.objects.filter(kind="Pod", name="web", actor="user:ada", verb="create").exists()

    watcher = subprocess.Popen([KUBECTL, "get", "pods", "-w", "--request-timeout=30s"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={"HOME": str(kube.home), "KUBECONFIG": str(kube.kubeconfig)})
    try:
        time.sleep(2)
        # kubectl waits for the pod to go: the kubelet ends it within its grace period (the timeout guards a hang)
        assert kube("delete", "pod", "web", timeout=60).strip() == 'pod "web" deleted'
        assert "NotFound" in kube.run("get", "pod", "web", check=False).stderr
    finally:
        watcher.terminate()
        output, _errors = watcher.communicate(timeout=10)
    lines = [line.split() for line in output.splitlines()]
    assert lines[0][:3] == ["NAME", "READY", "STATUS"]
    assert ["web", "1/1", "Terminating"] in [line[:3] for line in lines[1:]]


def test_deployment_apply_scale_and_server_side_apply(kube, kube_worker):
    if objects.lookup("Deployment") is None:
        pytest.skip("the Deployment kind is not registered in cluster_engine.sim yet")
    assert kube("apply", "-f", "-", stdin=DEPLOYMENT.format(replicas=2)).strip() == "deployment.apps/api created"
    assert kube("apply", "-f", "-", stdin=DEPLOYMENT.format(replicas=3)).strip() == "deployment.apps/api configured"
    assert kube("scale", "deployment", "api", "--replicas=1").strip() == "deployment.apps/api scaled"
    assert kube("get", "deploy", "api", "-o", "jsonpath={.spec.replicas}") == "1"
    applied = kube("apply", "--server-side", "-f", "-", stdin=POD.replace("name: web", "name: ssa"))
    assert applied.strip() == "pod/ssa serverside-applied"
    relabelled = POD.replace("name: web", "name: ssa").replace("{app: web}", "{app: web, tier: front}")
    kube("apply", "--server-side", "--field-manager=lesson", "-f", "-", stdin=relabelled)
    labels = json.loads(kube("get", "pod", "ssa", "-o", "json"))["metadata"]["labels"]
    assert labels == {"app": "web", "tier": "front"}


def test_strict_validation_and_errors_read_like_upstream(kube):
    bad = POD.replace("image: nginx", "imagex: nginx")
    result = kube.run("apply", "-f", "-", stdin=bad, check=False)
    assert result.returncode == 1
    assert ('Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field '
            '"spec.containers[0].imagex"') in result.stderr
    missing = kube.run("get", "pod", "nope", check=False)
    assert missing.stderr.strip() == 'Error from server (NotFound): pods "nope" not found'
    assert kube("apply", "--dry-run=server", "-f", "-", stdin=POD).strip() == "pod/web created (server dry run)"
    assert "NotFound" in kube.run("get", "pod", "web", check=False).stderr


def test_cordon_and_drain_evict_the_pods(kube, kube_worker):
    kube("apply", "-f", "-", stdin=POD)
    eventually(lambda: _phase(kube, "web") == "Running")
    node = kube("get", "pod", "web", "-o", "jsonpath={.spec.nodeName}")
    assert kube("cordon", node).strip() == f"node/{node} cordoned"
    assert kube("get", "node", node, "-o", "jsonpath={.spec.unschedulable}") == "true"
    drained = kube.run("drain", node, "--ignore-daemonsets", "--force", "--timeout=60s", timeout=90)
    assert "evicting pod default/web" in drained.stderr + drained.stdout
    assert f"node/{node} drained" in drained.stdout
    assert "NotFound" in kube.run("get", "pod", "web", check=False).stderr
    assert SandboxChange.objects.filter(kind="Pod", name="web", verb="delete", actor="user:ada").exists()


def test_logs_follow_streams_until_the_pod_goes(kube, kube_worker):
    kube("apply", "-f", "-", stdin=POD)
    eventually(lambda: _phase(kube, "web") == "Running")
    follower = subprocess.Popen([KUBECTL, "logs", "-f", "web"], stdout=subprocess.PIPE, text=True,
                                env={"HOME": str(kube.home), "KUBECONFIG": str(kube.kubeconfig)})
    try:
        time.sleep(2)
        assert follower.poll() is None  # still following
        kube("delete", "pod", "web", "--wait=false")
        output, _ = follower.communicate(timeout=30)
    finally:
        if follower.poll() is None:
            follower.kill()
    assert "nginx" in output


def test_a_write_is_stored_as_the_page_would_store_it(kube):
    before = Sandbox.objects.get(pk=kube.sandbox_id).resource_version
    kube("create", "-f", "-", stdin="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: dev}\n")
    after = Sandbox.objects.get(pk=kube.sandbox_id)
    assert after.resource_version > before
    change = SandboxChange.objects.get(sandbox=after, kind="ConfigMap", name="settings")
    assert (change.actor, change.verb, change.event_type) == ("user:ada", "create", "ADDED")
