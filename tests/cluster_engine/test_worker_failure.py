"""A worker killed in the middle of a reconcile loses nothing: the task comes back and the sandbox converges."""

import os
import re
import signal
import time

import pytest

from cluster_engine import control, engine, replies, services
from cluster_engine.models import Sandbox
from tests import processes

MANY_PODS = "".join(
    f"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: web-{i}, labels: {{app: web}}}}\n"
    f"spec: {{containers: [{{name: nginx, image: 'nginx:1.27'}}]}}\n" for i in range(120))


def wait_for(predicate, timeout: float, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"not true within {timeout} s")


def running_pods(sandbox_id) -> int:
    state = Sandbox.objects.get(pk=sandbox_id).state
    pods = engine.list_objects(engine.load(state), "Pod", namespace="default")
    return sum(1 for pod in pods if pod.get("status", {}).get("phase") == "Running")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_sigkill_mid_reconcile_then_a_new_worker_converges(learner):
    sandbox = services.sandbox_get_or_create(owner=learner)
    log_path = processes.ARTIFACTS / "worker-killed.log"
    log_path.unlink(missing_ok=True)
    first = processes.start_worker(log_name="worker-killed")
    try:
        # Let the creation's reconcile finish so the next one is the apply's.
        wait_for(lambda: "succeeded" in log_path.read_text(errors="replace") if log_path.exists() else False, 60)
        control.sandbox_control(sandbox_id=sandbox.pk, user=learner, request={"action": "speed", "value": 60})
        before_apply = Sandbox.objects.get(pk=sandbox.pk).resource_version
        task_id = None
        for attempt in range(5):
            # Each attempt's apply changes the pods, so it enqueues a reconcile with real work to do.
            seen = len(re.findall(r"reconcile\[[0-9a-f-]+\] received", log_path.read_text()))
            services.sandbox_apply_yaml(sandbox_id=sandbox.pk, user=learner,
                                        text=MANY_PODS.replace("app: web", f"app: web, attempt: '{attempt}'"))

            def received_task(seen: int = seen) -> str | None:
                received = re.findall(r"reconcile\[([0-9a-f-]+)\] received", log_path.read_text())
                return received[-1] if len(received) > seen else None

            candidate = wait_for(received_task, 30, interval=0.002)
            os.kill(first.pid, signal.SIGSTOP)  # freeze it where it stands, then look
            if f"reconcile[{candidate}] succeeded" not in log_path.read_text():
                task_id = candidate
                break
            os.kill(first.pid, signal.SIGCONT)  # it finished too fast: let it go and try again
        assert task_id is not None, "never caught the worker in the middle of a reconcile"
        processes.stop(first, kill=True)  # SIGKILL, by pid, in the middle of reconciling 120 pods
    finally:
        processes.stop(first, kill=True)

    second = processes.start_worker(log_name="worker-after-kill")
    try:
        # The unacknowledged task is redelivered (visibility timeout) and the pods come up.
        # Another reconcile (a countdown re-enqueue) may converge the pods first, so wait for both.
        second_log = processes.ARTIFACTS / "worker-after-kill.log"

        def redelivered() -> bool:
            return second_log.exists() and f"reconcile[{task_id}] received" in second_log.read_text(errors="replace")

        try:
            wait_for(redelivered, 120, interval=0.5)
        except TimeoutError:
            raise AssertionError("the killed task was not delivered again") from None
        wait_for(lambda: running_pods(sandbox.pk) == 120, 120, interval=0.5)
    finally:
        processes.stop(second)

    sandbox.refresh_from_db()
    catch_up = replies.sandbox_catch_up(sandbox_id=sandbox.pk, since=before_apply, read_only=False)
    assert catch_up["type"] == "batch"
    versions = [int(change["resourceVersion"]) for change in catch_up["changes"]]
    assert versions == list(range(before_apply + 1, sandbox.resource_version + 1))  # nothing missing
    engine.load(sandbox.state).run_until_idle()  # the stored state loads and runs
