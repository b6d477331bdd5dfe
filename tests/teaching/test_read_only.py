"""An instructor's look at a learner's sandbox is read-only on every path: the WebSocket (every request type but
reads), the REST API, the Kubernetes API and the services beneath them. Nothing they send changes the sandbox or
its history; the learner's own writes still work, and the watcher sees them live with what the learner typed."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from cluster_engine import control, replies, services
from cluster_engine.models import Sandbox, SandboxChange, SandboxCommand, SandboxToken
from cluster_engine.sim.errors import Status
from config.asgi import application
from tests.cluster_engine.conftest import DEPLOYMENT_YAML, POD_YAML

pytestmark = pytest.mark.django_db(transaction=True)


def _cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def connect(user, sandbox_id) -> tuple[WebsocketCommunicator, bool, int | None]:
    cookie = await sync_to_async(_cookie)(user)
    communicator = WebsocketCommunicator(application, f"/ws/sandboxes/{sandbox_id}/?lang=en",
                                         headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)])
    connected, code = await communicator.connect(timeout=10)
    return communicator, connected, code


async def reply_to(communicator, request_id: str) -> dict:
    async with asyncio.timeout(20):
        while True:
            message = await communicator.receive_json_from(timeout=20)
            if message.get("type") == "reply" and message.get("id") == request_id:
                return message


def fingerprint(sandbox_id) -> tuple:
    sandbox = Sandbox.objects.get(pk=sandbox_id)
    return (sandbox.resource_version, sandbox.version, SandboxChange.objects.filter(sandbox_id=sandbox_id).count(),
            SandboxCommand.objects.filter(sandbox_id=sandbox_id).count())


@pytest.fixture
def sandbox(cohort, learner):
    sandbox = services.sandbox_get_or_create(owner=learner)
    services.sandbox_apply_yaml(sandbox_id=sandbox.pk, user=learner, text=DEPLOYMENT_YAML)
    return sandbox


@pytest.mark.asyncio
async def test_the_instructor_reads_the_stream_and_every_write_over_the_websocket_is_refused(sandbox, instructor):
    communicator, connected, code = await connect(instructor, sandbox.pk)
    assert connected, code
    snapshot = await communicator.receive_json_from(timeout=10)
    assert snapshot["type"] == "snapshot"
    assert snapshot["sandbox"]["readOnly"] is True
    assert any(obj["kind"] == "Deployment" for obj in snapshot["objects"])
    before = await sync_to_async(fingerprint)(sandbox.pk)
    writes = [
        {"type": "command", "id": "c1", "command": "kubectl delete deployment web"},
        {"type": "command", "id": "c2", "command": "kubectl get pods"},  # even a read: it is the owner's terminal
        {"type": "apply", "id": "a1", "yaml": POD_YAML},
        {"type": "apply", "id": "a2", "yaml": POD_YAML, "dryRun": True},
        {"type": "control", "id": "t1", "action": "pause"},
        {"type": "control", "id": "t2", "action": "step", "seconds": 30},
        {"type": "control", "id": "t3", "action": "stop-component", "component": "kube-scheduler"},
        {"type": "control", "id": "t4", "action": "delete-pod", "name": "web"},
    ]
    for message in writes:
        await communicator.send_json_to(message)
        reply = await reply_to(communicator, message["id"])
        assert reply["ok"] is False, message
        assert reply["status"]["code"] == 403
        assert reply["status"]["reason"] == "Forbidden"
    assert await sync_to_async(fingerprint)(sandbox.pk) == before
    # Reads stay open: the scheduler's explanation, a resync.
    await communicator.send_json_to({"type": "explain", "id": "e1", "namespace": "default", "name": "nothing"})
    assert (await reply_to(communicator, "e1"))["ok"] is True
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_the_watcher_sees_the_learners_terminal_and_the_learner_does_not_get_it_twice(sandbox, learner,
                                                                                            instructor):
    watcher, connected, _code = await connect(instructor, sandbox.pk)
    assert connected
    await watcher.receive_json_from(timeout=10)
    own, connected, _code = await connect(learner, sandbox.pk)
    assert connected
    await own.receive_json_from(timeout=10)
    # The watcher's connection marked the sandbox watched (renewed while it stays open).
    assert await sync_to_async(lambda: Sandbox.objects.get(pk=sandbox.pk).watched_until is not None)()
    await own.send_json_to({"type": "command", "id": "k1", "command": "kubectl get deployments"})
    reply = await reply_to(own, "k1")
    assert reply["ok"] is True
    async with asyncio.timeout(20):
        while True:
            message = await watcher.receive_json_from(timeout=20)
            if message.get("type") == "terminal":
                break
    assert message["command"] == "kubectl get deployments"
    assert message["source"] == "terminal"
    assert "web" in message["output"]
    await own.send_json_to({"type": "apply", "id": "k2", "yaml": POD_YAML})
    assert (await reply_to(own, "k2"))["ok"] is True
    async with asyncio.timeout(20):
        while True:
            message = await watcher.receive_json_from(timeout=20)
            if message.get("type") == "terminal":
                break
    assert message["source"] == "editor"
    assert message["output"] == "pod/web created"
    # The learner's own page received no `terminal` message.
    seen = []
    while not await own.receive_nothing(timeout=1):
        seen.append(await own.receive_json_from())
    assert "terminal" not in {message["type"] for message in seen}
    await watcher.disconnect()
    await own.disconnect()


@pytest.mark.asyncio
async def test_someone_who_does_not_teach_the_learner_cannot_even_watch(sandbox, other_instructor, other_learner,
                                                                        staff_user):
    for user, expected in ((other_instructor, 4403), (other_learner, 4403)):
        _communicator, connected, code = await connect(user, sandbox.pk)
        assert not connected
        assert code == expected
    staff, connected, _code = await connect(staff_user, sandbox.pk)
    assert connected
    assert (await staff.receive_json_from(timeout=10))["sandbox"]["readOnly"] is True
    await staff.disconnect()


def test_every_rest_write_is_refused_with_a_status_and_reads_work(sandbox, instructor, learner):
    client = Client()
    client.force_login(instructor)
    base = f"/api/sandboxes/{sandbox.pk}/"
    before = fingerprint(sandbox.pk)
    for url, body in [(base + "commands/", {"command": "kubectl delete deployment web"}),
                      (base + "apply/", {"yaml": POD_YAML}), (base + "apply/", {"yaml": POD_YAML, "dryRun": True}),
                      (base + "control/", {"action": "pause"}), (base + "reset/", {})]:
        response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 403, url
        assert response.json()["kind"] == "Status"
        assert response.json()["reason"] == "Forbidden"
        assert "may only read" in response.json()["message"]
    assert fingerprint(sandbox.pk) == before
    assert client.get(base).json()["id"] == str(sandbox.pk)
    assert client.get(base + "events/?since=0").status_code == 200
    # Someone the rules do not admit gets 404 for reads and writes alike.
    stranger = Client()
    stranger.force_login(type(learner).objects.create_user("eve", password="x"))
    assert stranger.get(base).status_code == 404
    assert stranger.post(base + "commands/", {"command": "kubectl get pods"}).status_code == 404


def test_no_kubeconfig_and_no_kubernetes_api_for_the_watcher(sandbox, instructor, learner):
    owner = Client()
    owner.force_login(learner)
    kubeconfig = owner.get(f"/api/sandboxes/{sandbox.pk}/kubeconfig/").content.decode()
    token = next(line.split(":", 1)[1].strip() for line in kubeconfig.splitlines() if "token:" in line)
    tokens = SandboxToken.objects.count()
    client = Client()
    client.force_login(instructor)
    # A kubeconfig would carry a token that writes (and making one would revoke the learner's): none.
    assert client.get(f"/api/sandboxes/{sandbox.pk}/kubeconfig/").status_code == 404
    assert SandboxToken.objects.count() == tokens
    before = fingerprint(sandbox.pk)
    # The session is no credential for the Kubernetes API: every verb is 401 Unauthorized, as a Status.
    pods = f"/k8s/{sandbox.pk}/api/v1/namespaces/default/pods"
    for method, url, body in [("post", pods, POD_YAML), ("delete", f"/k8s/{sandbox.pk}/apis/apps/v1/namespaces/"
                                                                   "default/deployments/web", ""),
                              ("get", pods, "")]:
        response = getattr(client, method)(url, body, content_type="application/yaml")
        assert response.status_code == 401, (method, url)
        assert response.json()["reason"] == "Unauthorized"
    assert fingerprint(sandbox.pk) == before
    # The learner's token still works: nothing the instructor did revoked it.
    listed = Client().get(pods, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert listed.status_code == 200


def test_the_services_refuse_a_writer_who_is_not_the_owner(sandbox, instructor):
    before = fingerprint(sandbox.pk)
    with pytest.raises(Status) as refused:
        services.sandbox_apply_yaml(sandbox_id=sandbox.pk, user=instructor, text=POD_YAML)
    assert refused.value.code == 403
    with pytest.raises(Status):
        control.sandbox_control(sandbox_id=sandbox.pk, user=instructor, request={"action": "pause"})
    reply = replies.sandbox_command_reply(sandbox_id=sandbox.pk, user=instructor, command="kubectl get pods",
                                           request_id=1, language="en")
    assert reply["status"]["code"] == 403
    assert fingerprint(sandbox.pk) == before  # nor is anything written to the learner's command history


def test_the_owners_own_403_still_joins_their_history(sandbox, learner):
    """A quota refusal is a 403 as well: it stays in the owner's history, unlike a reader's refused write."""
    too_many = DEPLOYMENT_YAML.replace("replicas: 3", "replicas: 101")
    assert too_many != DEPLOYMENT_YAML
    commands = SandboxCommand.objects.filter(sandbox=sandbox).count()
    reply = replies.sandbox_apply_reply(sandbox_id=sandbox.pk, user=learner, text=too_many, dry_run=False,
                                         request_id=1, language="en")
    assert reply["status"]["code"] == 403
    assert SandboxCommand.objects.filter(sandbox=sandbox).count() == commands + 1
