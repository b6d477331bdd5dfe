"""kubectl's typed generators (`kubectl create deployment | namespace | configmap | secret | job | cronjob |
service ...`) POST protobuf bodies; the real kubectl 1.32 creates each object and reads it back as JSON."""

from __future__ import annotations

import base64
import json

import pytest

from cluster_engine.models import SandboxChange

pytestmark = [pytest.mark.django_db(transaction=True)]


def _get(kube, *args: str) -> dict:
    return json.loads(kube("get", *args, "-o", "json"))


def _only_container(obj: dict) -> dict:
    containers = obj["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def test_create_deployment(kube):
    assert kube("create", "deployment", "web", "--image=nginx", "--replicas=2").strip() == \
        "deployment.apps/web created"
    deployment = _get(kube, "deployment", "web")
    assert deployment["metadata"]["labels"] == {"app": "web"}
    assert deployment["spec"]["replicas"] == 2
    assert deployment["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    assert deployment["spec"]["template"]["metadata"]["labels"] == {"app": "web"}
    container = _only_container(deployment)
    assert (container["name"], container["image"]) == ("nginx", "nginx")
    assert SandboxChange.objects.filter(kind="Deployment", name="web", verb="create", actor="user:ada").exists()


def test_create_deployment_with_port_and_zero_replicas(kube):
    kube("create", "deployment", "idle", "--image=nginx:1.27", "--port=8080", "--replicas=0")
    deployment = _get(kube, "deployment", "idle")
    assert deployment["spec"]["replicas"] == 0  # a pointer field: zero on the wire is kept
    assert _only_container(deployment)["ports"][0]["containerPort"] == 8080


def test_create_namespace_and_objects_in_it(kube):
    assert kube("create", "namespace", "team").strip() == "namespace/team created"
    namespace = _get(kube, "namespace", "team")
    assert namespace["metadata"]["name"] == "team"
    assert namespace["status"]["phase"] == "Active"
    assert kube("create", "configmap", "cfg", "-n", "team", "--from-literal=a=b").strip() == "configmap/cfg created"
    assert _get(kube, "configmap", "cfg", "-n", "team")["data"] == {"a": "b"}


def test_create_configmap(kube):
    assert kube("create", "configmap", "cfg", "--from-literal=a=b", "--from-literal=empty=").strip() == \
        "configmap/cfg created"
    configmap = _get(kube, "configmap", "cfg")
    assert configmap["data"] == {"a": "b", "empty": ""}
    assert configmap["metadata"]["namespace"] == "default"


def test_create_secret_generic(kube):
    assert kube("create", "secret", "generic", "s", "--from-literal=p=q").strip() == "secret/s created"
    secret = _get(kube, "secret", "s")
    assert secret["type"] == "Opaque"
    assert base64.b64decode(secret["data"]["p"]) == b"q"


def test_create_job(kube):
    assert kube("create", "job", "once", "--image=busybox", "--", "echo", "hi").strip() == "job.batch/once created"
    job = _get(kube, "job", "once")
    container = _only_container(job)
    assert container["image"] == "busybox"
    assert container["command"] == ["echo", "hi"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_create_cronjob_and_a_job_from_it(kube):
    created = kube("create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--", "date")
    assert created.strip() == "cronjob.batch/tick created"
    cronjob = _get(kube, "cronjob", "tick")
    assert cronjob["spec"]["schedule"] == "*/5 * * * *"
    template = cronjob["spec"]["jobTemplate"]
    assert template["metadata"]["name"] == "tick"
    container = _only_container(template)
    assert (container["image"], container["command"]) == ("busybox", ["date"])
    assert template["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"

    assert kube("create", "job", "manual", "--from=cronjob/tick").strip() == "job.batch/manual created"
    job = _get(kube, "job", "manual")
    assert job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    owner = job["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("CronJob", "tick", True)
    assert _only_container(job)["command"] == ["date"]


def test_create_service_clusterip(kube):
    assert kube("create", "service", "clusterip", "web", "--tcp=80:8080").strip() == "service/web created"
    service = _get(kube, "service", "web")
    spec = service["spec"]
    assert spec["type"] == "ClusterIP"
    assert spec["selector"] == {"app": "web"}
    port = spec["ports"][0]
    assert (port["port"], port["targetPort"], port["protocol"], port["name"]) == (80, 8080, "TCP", "80-8080")
    assert spec["clusterIP"]


def test_create_dry_run_and_errors_read_like_upstream(kube):
    result = kube("create", "deployment", "dry", "--image=nginx", "--dry-run=server")
    assert result.strip() == "deployment.apps/dry created (server dry run)"
    assert "NotFound" in kube.run("get", "deployment", "dry", check=False).stderr
    kube("create", "configmap", "twice")
    again = kube.run("create", "configmap", "twice", check=False)
    assert again.returncode == 1
    assert again.stderr.strip() == 'error: failed to create configmap: configmaps "twice" already exists'
