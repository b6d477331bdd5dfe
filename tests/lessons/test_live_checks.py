"""Live checks through the real pieces: an exercise opened on the page ticks its checks as the learner works,
from the web process after a write and from the Celery worker after a reconcile, over the Redis channel layer,
each page in its own language."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.test import Client

from cluster_engine import realtime
from cluster_engine.models import Sandbox
from lessons import services
from lessons.models import Exercise
from tests.cluster_engine.test_realtime import connect, receive_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

INIT_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  initContainers:
    - name: wait
      image: busybox:1.36
      command: ["sh", "-c", "sleep 3"]
  containers:
    - name: web
      image: nginx:1.27
"""


def _open(user, language: str) -> dict:
    client = Client()
    client.force_login(user)
    response = client.post("/api/lessons/pods/exercises/init-container/open/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content
    return response.json()


def _checks(message: dict) -> dict[str, dict]:
    return {result["id"]: result for result in message.get("results", ())}


@pytest.mark.worker
async def test_checks_tick_live_from_the_write_and_the_worker_in_the_pages_language(learner, celery_worker_process):
    await sync_to_async(services.lessons_load)()
    opened = await sync_to_async(_open)(learner, "ru")
    assert opened["passed"] is False
    assert opened["checks"][0]["message"] == "Объект Pod «web» в пространстве имён default не найден."
    sandbox = await sync_to_async(Sandbox.objects.get)(owner=learner, key="lesson:pods")
    assert sandbox.live_key == "pods/init-container"
    communicator = await connect(learner, sandbox.pk, "?lang=ru")
    assert (await communicator.receive_json_from(timeout=10))["type"] == "snapshot"
    await communicator.send_json_to({"type": "control", "id": "fast", "action": "speed", "value": 10})
    await communicator.send_json_to({"type": "apply", "id": "a", "yaml": INIT_POD, "dryRun": False})

    seen: dict[str, dict] = {}

    def collect(message: dict) -> bool:
        if message.get("type") == "checks":
            assert message["exercise"] == "pods/init-container"
            seen.update(_checks(message))
        return bool(seen.get("ready", {}).get("passed"))

    messages = await receive_until(communicator, collect, timeout=60)
    live = [m for m in messages if m.get("type") == "checks"]
    # The write only noted what it changed; the reconcile it woke evaluated the checks in the worker. The pod
    # check flipped first; the trace check ticked once the worker had run the init container and then the pod.
    first = {result["id"]: result["passed"] for result in live[0]["results"]}
    assert first["pod"] is True
    assert seen["init-first"]["passed"] is True
    # Only news is published: no check is sent twice in a row with the same result and message.
    last = {result["id"]: (result["passed"], result["message"]) for result in opened["checks"]}
    for message in live:
        for result in message["results"]:
            shown = (result["passed"], result["message"])
            assert shown != last[result["id"]], f"{result['id']} sent again unchanged"
            last[result["id"]] = shown
    assert all(result["title"] and isinstance(result["title"], str) for m in live for result in m["results"])
    assert any("не" in result["message"] for m in live for result in m["results"] if not result["passed"])
    await communicator.disconnect()


async def test_a_sandbox_without_an_open_exercise_publishes_no_checks(learner):
    await sync_to_async(services.lessons_load)()
    exercise = await sync_to_async(Exercise.objects.select_related("lesson").get)(lesson__slug="pods",
                                                                                 slug="first-pod")
    sandbox = await sync_to_async(services.lesson_sandbox)(learner=learner, lesson=exercise.lesson)
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(realtime.sandbox_group(sandbox.pk), channel)
    from cluster_engine import replies

    await sync_to_async(replies.sandbox_command_reply)(
        sandbox_id=sandbox.pk, user=learner, command="kubectl run hello --image=busybox:1.36 -- sleep 3600",
        request_id=None, language="en")
    message = await asyncio.wait_for(layer.receive(channel), 5)
    assert message["type"] == "sandbox.batch"  # the write's batch
    # Then the module's worker may reconcile and publish its own batches (scheduled, started): never checks.
    received = []
    with contextlib.suppress(TimeoutError):
        while True:
            received.append(await asyncio.wait_for(layer.receive(channel), 1.5))
    assert {m["type"] for m in received} <= {"sandbox.batch"}, f"unexpected messages {json.dumps(received)[:300]}"
    await layer.group_discard(realtime.sandbox_group(sandbox.pk), channel)
