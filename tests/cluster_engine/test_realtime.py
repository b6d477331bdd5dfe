"""End to end through the real pieces: WebSocket -> web process -> Redis -> Celery worker -> channel layer."""

import asyncio
import json
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from cluster_engine import consumers, control, realtime, services
from config.asgi import application
from tests.cluster_engine.conftest import DEPLOYMENT_YAML, POD_YAML

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def connect(user, sandbox_id, query: str = "") -> WebsocketCommunicator:
    client = Client()
    await sync_to_async(client.force_login)(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    communicator = WebsocketCommunicator(
        application, f"/ws/sandboxes/{sandbox_id}/{query}",
        headers=[(b"origin", b"http://localhost"), (b"cookie", cookie.encode())])
    connected, code = await communicator.connect(timeout=10)
    assert connected, code
    return communicator


async def receive_until(communicator: WebsocketCommunicator, predicate, timeout: float = 45) -> list[dict]:
    seen = []
    async with asyncio.timeout(timeout):
        while True:
            message = await communicator.receive_json_from(timeout=timeout)
            seen.append(message)
            if predicate(message):
                return seen


def pod_phase(message: dict, name: str) -> str | None:
    for event in message.get("events", []):
        obj = event["object"]
        if obj.get("kind") == "Pod" and obj["metadata"]["name"] == name:
            return obj.get("status", {}).get("phase")
    return None


async def test_a_publish_from_a_thread_without_event_loop_reaches_the_group_subscribers():
    # Writers publish straight to Redis (realtime._send), not through group_send: the layer must still read it.
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(realtime.sandbox_group("sandbox-x"), channel)
    await sync_to_async(realtime.publish_batch, thread_sensitive=False)("sandbox-x", {"resourceVersion": "7"})
    message = await asyncio.wait_for(layer.receive(channel), 5)
    assert message["type"] == "sandbox.batch"
    assert json.loads(message["text"]) == {"type": "batch", "resourceVersion": "7"}
    await layer.group_discard(realtime.sandbox_group("sandbox-x"), channel)


async def test_sandbox_requests_run_on_a_small_pool_of_their_own():
    # More threads than a few only wait longer for the GIL (settings.SANDBOX_REQUEST_THREADS).
    names = await asyncio.gather(*(consumers.in_worker_thread(lambda: threading.current_thread().name)()
                                   for _ in range(2 * settings.SANDBOX_REQUEST_THREADS)))
    assert all(name.startswith("sandbox-request") for name in names)
    assert 1 <= len(set(names)) <= settings.SANDBOX_REQUEST_THREADS


@pytest.mark.worker
async def test_pod_applied_over_websocket_runs_via_the_worker(learner, celery_worker_process):
    sandbox = await sync_to_async(services.sandbox_get_or_create)(owner=learner)
    communicator = await connect(learner, sandbox.pk)
    snapshot = await communicator.receive_json_from(timeout=10)
    assert snapshot["type"] == "snapshot"
    assert any(obj["kind"] == "Node" for obj in snapshot["objects"])

    await communicator.send_json_to({"type": "control", "id": "fast", "action": "speed", "value": 60})
    await receive_until(communicator, lambda m: m.get("type") == "reply" and m["id"] == "fast")
    await communicator.send_json_to({"type": "apply", "id": "a1", "yaml": POD_YAML})
    messages = await receive_until(communicator, lambda m: m.get("type") == "reply" and m["id"] == "a1")
    assert messages[-1]["ok"], messages[-1]
    assert messages[-1]["output"] == "pod/web created"

    messages += await receive_until(communicator, lambda m: pod_phase(m, "web") == "Running")
    actors = {change["actor"] for m in messages for change in m.get("changes", [])}
    assert "user:ada" in actors
    assert "kube-scheduler" in actors  # bound by the scheduler in the worker
    assert any(actor.startswith("kubelet/") for actor in actors)  # started by a kubelet in the worker
    await communicator.disconnect()


def running_pods_of(messages: list[dict], prefix: str) -> set[str]:
    """Names of pods starting with `prefix` whose last event in `messages` shows them Running."""
    phases: dict[str, str | None] = {}
    for message in messages:
        for event in message.get("events", []):
            obj = event["object"]
            if obj.get("kind") == "Pod" and obj["metadata"]["name"].startswith(prefix):
                phases[obj["metadata"]["name"]] = None if event["type"] == "DELETED" else \
                    obj.get("status", {}).get("phase")
    return {name for name, phase in phases.items() if phase == "Running"}


@pytest.mark.worker
async def test_deployment_applied_over_websocket_gets_three_running_pods_from_the_worker(
        learner, celery_worker_process):
    sandbox = await sync_to_async(services.sandbox_get_or_create)(owner=learner)
    communicator = await connect(learner, sandbox.pk)
    await communicator.receive_json_from(timeout=10)
    await communicator.send_json_to({"type": "control", "id": "fast", "action": "speed", "value": 60})
    await receive_until(communicator, lambda m: m.get("type") == "reply" and m["id"] == "fast")
    await communicator.send_json_to({"type": "apply", "id": "d1", "yaml": DEPLOYMENT_YAML})
    messages = await receive_until(communicator, lambda m: m.get("type") == "reply" and m["id"] == "d1")
    assert messages[-1]["output"] == "deployment.apps/web created"
    seen = list(messages)

    def three_running(message: dict) -> bool:
        seen.append(message)
        return len(running_pods_of(seen, "web-")) == 3

    messages += await receive_until(communicator, three_running)
    added = [e["object"]["metadata"]["name"] for m in messages for e in m.get("events", [])
             if e["type"] == "ADDED" and e["object"]["kind"] == "Pod"]
    assert len(added) == 3
    actors = {change["actor"] for m in messages for change in m.get("changes", [])}
    assert {"deployment-controller", "replicaset-controller", "kube-scheduler"} <= actors
    await communicator.disconnect()


async def test_reconnect_with_resource_version_gets_only_what_was_missed(learner):
    sandbox = await sync_to_async(services.sandbox_get_or_create)(owner=learner)
    first = await connect(learner, sandbox.pk)
    snapshot = await first.receive_json_from(timeout=10)
    await first.disconnect()
    await sync_to_async(services.sandbox_apply_yaml)(sandbox_id=sandbox.pk, user=learner, text=POD_YAML)

    second = await connect(learner, sandbox.pk, f"?since={snapshot['resourceVersion']}")
    catch_up = await second.receive_json_from(timeout=10)
    assert catch_up["type"] == "batch"
    assert catch_up["previousResourceVersion"] == snapshot["resourceVersion"]
    # The pod's creation and then whatever the scheduler and kubelet did since (a worker may be running): nothing older.
    events = [(e["type"], e["object"]["kind"], e["object"]["metadata"]["name"]) for e in catch_up["events"]]
    assert events[0] == ("ADDED", "Pod", "web")
    assert {name for _, kind, name in events if kind == "Pod"} == {"web"}
    assert all(int(e["object"]["metadata"]["resourceVersion"]) > int(snapshot["resourceVersion"])
               for e in catch_up["events"])
    await second.disconnect()


async def test_a_snapshot_names_the_latest_changes_and_who_made_them(learner):
    sandbox = await sync_to_async(services.sandbox_get_or_create)(owner=learner)
    await sync_to_async(services.sandbox_apply_yaml)(sandbox_id=sandbox.pk, user=learner, text=POD_YAML)
    communicator = await connect(learner, sandbox.pk)
    snapshot = await communicator.receive_json_from(timeout=10)
    assert snapshot["recent"][-1]["resourceVersion"] == snapshot["resourceVersion"]
    # The module's worker may already have scheduled and started the pod: the learner's create is the latest of theirs.
    latest = [change for change in snapshot["recent"] if change["actor"].startswith("user:")][-1]
    assert (latest["actor"], latest["verb"], latest["kind"], latest["name"]) == (
        f"user:{learner.get_username()}", "create", "Pod", "web")
    versions = [int(change["resourceVersion"]) for change in snapshot["recent"]]
    assert versions == sorted(versions)
    await communicator.disconnect()


async def test_a_learner_cannot_open_another_learners_sandbox(learner, other_learner):
    sandbox = await sync_to_async(services.sandbox_get_or_create)(owner=learner)
    client = Client()
    await sync_to_async(client.force_login)(other_learner)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    communicator = WebsocketCommunicator(application, f"/ws/sandboxes/{sandbox.pk}/",
                                         headers=[(b"origin", b"http://localhost"), (b"cookie", cookie.encode())])
    connected, code = await communicator.connect(timeout=10)
    assert not connected
    assert code == 4403


async def test_anonymous_users_get_nothing(learner):
    sandbox = await sync_to_async(services.sandbox_get_or_create)(owner=learner)
    communicator = WebsocketCommunicator(application, f"/ws/sandboxes/{sandbox.pk}/",
                                         headers=[(b"origin", b"http://localhost")])
    connected, code = await communicator.connect(timeout=10)
    assert not connected
    assert code == 4401


async def test_a_pods_scheduling_explanation_is_sent_on_request(learner):
    sandbox = await sync_to_async(services.sandbox_get_or_create)(owner=learner)
    await sync_to_async(services.sandbox_apply_yaml)(sandbox_id=sandbox.pk, user=learner, text=POD_YAML)
    await sync_to_async(control.sandbox_control)(sandbox_id=sandbox.pk, user=learner,
                                                  request={"action": "step", "seconds": 5})
    communicator = await connect(learner, sandbox.pk)
    await communicator.receive_json_from(timeout=10)
    await communicator.send_json_to({"type": "explain", "id": "x", "namespace": "default", "name": "web"})
    messages = await receive_until(communicator, lambda m: m.get("type") == "reply" and m["id"] == "x")
    explanation = messages[-1]["explanation"]
    assert explanation["result"]["node"].startswith("worker-")
    rejected = {node["node"]: node for node in explanation["filter"]["nodes"] if not node["passed"]}
    assert rejected["control-plane"]["plugin"] == "TaintToleration"
    await communicator.disconnect()
