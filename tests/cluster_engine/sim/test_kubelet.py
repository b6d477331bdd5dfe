"""The kubelet: images and node caches, commands, restart policy, logs, IPs, events."""

from __future__ import annotations

import pytest
from sim_helpers import container_state, pod, reasons

from cluster_engine.sim.errors import Status


def test_server_image_reaches_running_and_ready(cluster):
    cluster.api.create(pod("web"))
    cluster.step(10)
    status = cluster.api.get("pods", "web")["status"]
    assert status["phase"] == "Running"
    assert status["podIP"].startswith("10.244.1.")
    assert status["hostIP"] == "172.18.0.3"
    assert container_state(cluster, "web")["ready"] is True
    assert reasons(cluster, "web") == ["Pulling", "Pulled", "Created", "Started"]


def test_second_pod_finds_the_image_cached(cluster):
    cluster.api.create(pod("a"))
    cluster.step(10)
    node = cluster.api.get("nodes", "worker-1")
    assert any("docker.io/library/nginx:1.27" in i["names"] for i in node["status"]["images"])
    cluster.api.create(pod("b"))
    cluster.step(2)
    events = cluster.api.list("events", field_selector="involvedObject.name=b,reason=Pulled")["items"]
    assert events[0]["message"] == 'Container image "nginx:1.27" already present on machine'


def test_pull_policy_never_without_the_image(cluster):
    body = pod("never", image="redis:7")
    body["spec"]["containers"][0]["imagePullPolicy"] = "Never"
    cluster.api.create(body)
    cluster.step(3)
    assert container_state(cluster, "never")["state"]["waiting"]["reason"] == "ErrImageNeverPull"


def test_restart_policy_never_fails_the_pod(cluster):
    cluster.api.create(pod("fail", image="busybox", command=["sh", "-c", "exit 3"], restartPolicy="Never"))
    cluster.step(5)
    current = cluster.api.get("pods", "fail")
    assert current["status"]["phase"] == "Failed"
    assert container_state(cluster, "fail")["state"]["terminated"]["exitCode"] == 3


def test_on_failure_does_not_restart_a_success(cluster):
    cluster.api.create(pod("ok", image="busybox", command=["sh", "-c", "echo done"], restartPolicy="OnFailure"))
    cluster.step(5)
    assert cluster.api.get("pods", "ok")["status"]["phase"] == "Succeeded"


def test_default_shell_image_crash_loops(cluster):
    cluster.api.create(pod("shell", image="alpine:3.20"))
    cluster.step(30)
    state = container_state(cluster, "shell")
    assert state["restartCount"] >= 2
    assert state["lastState"]["terminated"]["reason"] == "Completed"


def test_logs_of_current_and_previous_container(cluster):
    cluster.api.create(
        pod(
            "talk",
            image="busybox",
            command=["sh", "-c", "echo hello; echo $GREETING; exit 1"],
            env=[{"name": "GREETING", "value": "bonjour"}],
        )
    )
    cluster.step(3)
    assert cluster.logs("talk", previous=True) == "hello\nbonjour\n"
    with pytest.raises(Status) as error:
        cluster.logs("talk", container="nope")
    assert error.value.message == "container nope is not valid for pod talk"


def test_logs_follow_a_loop(cluster):
    cluster.api.create(
        pod("loop", image="busybox", command=["sh", "-c", "while true; do echo tick; sleep 5; done"])
    )
    cluster.step(2)
    first = cluster.logs("loop").count("tick")
    cluster.step(20)
    assert cluster.logs("loop").count("tick") == first + 4
    assert cluster.logs("loop", tail=2) == "tick\ntick\n"


def test_logs_of_a_waiting_container(cluster):
    cluster.api.create(pod("bad", image="nginx:0.0.1"))
    cluster.step(3)
    with pytest.raises(Status) as error:
        cluster.logs("bad")
    assert (
        error.value.message
        == 'container "app" in pod "bad" is waiting to start: trying and failing to pull image'
    )


def test_image_update_restarts_the_container(cluster):
    cluster.api.create(pod("web"))
    cluster.step(5)
    cluster.api.patch("pods", "web", {"spec": {"containers": [{"name": "app", "image": "nginx:1.26"}]}})
    cluster.step(10)
    state = container_state(cluster, "web")
    assert state["image"] == "nginx:1.26"
    assert state["restartCount"] == 1
    assert "running" in state["state"]


def test_a_new_image_ends_the_pull_back_off_at_once(cluster):
    cluster.api.create(pod("typo", image="nginx:1.72"))
    cluster.step(60)  # failed pulls: the next retry is tens of seconds away
    assert container_state(cluster, "typo")["state"]["waiting"]["reason"] == "ImagePullBackOff"
    cluster.api.patch("pods", "typo", {"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}})
    cluster.step(5)  # the back-off belonged to the old image: the new one is pulled now
    state = container_state(cluster, "typo")
    assert state["image"] == "nginx:1.27"
    assert "running" in state["state"]
    assert state["restartCount"] == 0
    pulling = cluster.api.list("events", field_selector="involvedObject.name=typo,reason=Pulling")["items"]
    assert 'Pulling image "nginx:1.27"' in {event["message"] for event in pulling}


def test_a_failing_readiness_probe_records_unhealthy_for_every_failure_without_a_restart(cluster):
    script = "touch /tmp/ready; sleep 30; rm /tmp/ready; sleep 20; touch /tmp/ready; sleep 3600"
    cluster.api.create(pod("warm", image="busybox", command=["sh", "-c", script],
                       readinessProbe={"exec": {"command": ["cat", "/tmp/ready"]}, "periodSeconds": 5}))
    cluster.step(25)
    assert container_state(cluster, "warm")["ready"] is True
    assert "Unhealthy" not in reasons(cluster, "warm")
    cluster.step(20)  # the file went at 30 s: probes at 30, 35 and 40 s failed
    state = container_state(cluster, "warm")
    assert state["ready"] is False
    assert state["restartCount"] == 0
    cluster.step(30)  # the file is back at 50 s
    state = container_state(cluster, "warm")
    assert state["ready"] is True
    assert state["restartCount"] == 0
    [event] = cluster.api.list("events", field_selector="involvedObject.name=warm,reason=Unhealthy")["items"]
    assert event["message"] == "Readiness probe failed: cat: can't open '/tmp/ready': No such file or directory"
    assert event["count"] == 4  # the probes at 30, 35, 40 and 45 s


def test_pod_on_unknown_node_stays_pending_until_podgc_deletes_it(cluster):
    cluster.api.create(pod("lost", node="worker-9"))
    cluster.step(30)
    assert cluster.api.get("pods", "lost")["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    cluster.step(30)  # past PodGC's 40 s quarantine of a node that does not exist
    assert not cluster.api.list("pods", field_selector="metadata.name=lost")["items"]
    assert any(c["actor"] == "pod-garbage-collector" and c["name"] == "lost" for c in cluster.changes())


def test_container_ids_carry_the_node_runtime(cluster):
    cluster.api.create(pod("crio", node="worker-2"))
    cluster.step(10)
    assert container_state(cluster, "crio")["containerID"].startswith("cri-o://")


def test_logs_of_a_crash_looping_container_show_its_last_run(cluster):
    from cluster_engine.sim.kubectl.client import run_command

    cluster.api.create(pod("loop", image="busybox", command=["sh", "-c", "echo attempt; exit 1"]))
    cluster.step(30)
    state = container_state(cluster, "loop")
    assert state["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    result = run_command(cluster, "kubectl logs loop", actor="user:admin")
    assert result.exit_code == 0
    assert result.stdout == "attempt\n"
