"""The sandbox REST API: each learner reaches only their own sandboxes; errors are Status bodies."""

import pytest

from cluster_engine.models import Sandbox
from tests.cluster_engine.conftest import POD_YAML

pytestmark = pytest.mark.django_db


def test_anonymous_users_get_nothing(client, playground):
    assert client.get("/api/sandboxes/").status_code == 403
    assert client.get(f"/api/sandboxes/{playground.pk}/").status_code == 403


def test_create_returns_the_playground_once(client, learner):
    client.force_login(learner)
    first = client.post("/api/sandboxes/", {}, content_type="application/json")
    second = client.post("/api/sandboxes/", {}, content_type="application/json")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["key"] == "playground"
    assert [s["id"] for s in client.get("/api/sandboxes/").json()] == [first.json()["id"]]


def test_another_learners_sandbox_is_404_everywhere(client, playground, other_learner):
    client.force_login(other_learner)
    base = f"/api/sandboxes/{playground.pk}"
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/events/").status_code == 404
    assert client.post(f"{base}/apply/", {"yaml": POD_YAML}, content_type="application/json").status_code == 404
    assert client.post(f"{base}/reset/").status_code == 404
    assert client.post(f"{base}/control/", {"action": "pause"}, content_type="application/json").status_code == 404
    assert client.get("/api/sandboxes/").json() == []


def test_apply_and_read_the_events(client, learner, playground):
    client.force_login(learner)
    response = client.post(f"/api/sandboxes/{playground.pk}/apply/", {"yaml": POD_YAML},
                           content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["output"] == "pod/web created"
    since = Sandbox.objects.get(pk=playground.pk).resource_version - 1
    events = client.get(f"/api/sandboxes/{playground.pk}/events/?since={since}").json()
    assert events["type"] == "batch"
    assert events["events"][0]["object"]["metadata"]["name"] == "web"


def test_invalid_manifest_answers_a_status_in_the_learners_language(client, learner, playground):
    client.force_login(learner)
    response = client.post(f"/api/sandboxes/{playground.pk}/apply/",
                           {"yaml": POD_YAML.replace("name: web\n", "name: Web\n")},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 422
    body = response.json()
    assert body["status"]["reason"] == "Invalid"
    assert body["status"]["message"].startswith('Pod "Web" is invalid: metadata.name: Invalid value: "Web"')
    assert body["error"].startswith("Объект некорректен")


def test_time_control(client, learner, playground):
    client.force_login(learner)
    url = f"/api/sandboxes/{playground.pk}/control/"
    assert client.post(url, {"action": "speed", "value": 10}, content_type="application/json").status_code == 200
    assert client.post(url, {"action": "pause"}, content_type="application/json").status_code == 200
    sandbox = Sandbox.objects.get(pk=playground.pk)
    assert (sandbox.speed, sandbox.paused) == (10, True)
    bad = client.post(url, {"action": "speed", "value": 500}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["status"]["message"] == "speed must be between 1 and 60 (got 500)"
    missing = client.post(url, {"action": "step"}, content_type="application/json")
    assert missing.status_code == 400
    assert missing.json()["status"]["message"] == "the action 'step' needs 'seconds'"
    assert Sandbox.objects.get(pk=playground.pk).speed == 10


def test_stopping_the_scheduler_is_shown_as_a_component_state(client, learner, playground):
    client.force_login(learner)
    url = f"/api/sandboxes/{playground.pk}/control/"
    response = client.post(url, {"action": "stop-component", "component": "kube-scheduler"},
                           content_type="application/json")
    assert response.status_code == 200
    sandbox = Sandbox.objects.get(pk=playground.pk)
    from cluster_engine import engine

    assert engine.components(engine.load(sandbox.state))["kube-scheduler"] is False
    unknown = client.post(url, {"action": "stop-component", "component": "etcd-operator"},
                          content_type="application/json")
    assert unknown.status_code == 400


def test_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/sandboxes/{sandbox_id}/apply/" in response.content


def test_in_page_cluster_info_names_the_sandboxs_own_api(client, learner, playground):
    client.force_login(learner)
    response = client.post(f"/api/sandboxes/{playground.pk}/commands/", {"command": "kubectl config view"},
                           content_type="application/json")
    assert response.status_code == 200, response.json()
    assert f"/k8s/{playground.pk}" in response.json()["output"]
    assert "podlab-playground" in response.json()["output"]


def test_in_page_kubectl_errors_are_printed_as_kubectl_prints_them(client, learner, playground):
    client.force_login(learner)
    response = client.post(f"/api/sandboxes/{playground.pk}/commands/", {"command": "kubectl get pods nope"},
                           content_type="application/json")
    assert response.status_code == 200
    assert response.json()["ok"] is False
    assert response.json()["output"].strip() == 'Error from server (NotFound): pods "nope" not found'
