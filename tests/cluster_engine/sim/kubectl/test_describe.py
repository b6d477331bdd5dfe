"""`kubectl describe` over the fake client: the generic describer for a kind without its own, and a pod's
terminated state and repeated events."""

from __future__ import annotations

from typing import Any

from kubectl_fakes import NOW, FakeClient

from cluster_engine.sim.kubectl import describe
from cluster_engine.sim.kubectl.commands import run
from cluster_engine.sim.kubectl.context import Session
from cluster_engine.sim.util import rfc3339


def _out(line: str, client: FakeClient, language: str = "en") -> str:
    result = run(line, client, Session(language=language))
    return result.stdout + result.stderr


def test_describe_of_a_kind_without_a_describer_prints_the_generic_description(client: FakeClient) -> None:
    client.objects.append({
        "kind": "Lease", "apiVersion": "coordination.k8s.io/v1",
        "metadata": {"name": "lock", "namespace": "default", "uid": "u-1", "resourceVersion": "7",
                     "labels": {"app": "web"}, "managedFields": [{"manager": "x"}]},
        "spec": {"holderIdentity": "web-1", "leaseDurationSeconds": 15, "ownerRefs": [{"podIPs": "10.0.0.1"}],
                 "preferredHolder": None, "strategy": ["a", ["b", 1.5]]},
    })
    assert _out("kubectl describe lease lock", client) == (
        "Name:         lock\n"
        "Namespace:    default\n"
        "Labels:       app=web\n"
        "Annotations:  <none>\n"
        "API Version:  coordination.k8s.io/v1\n"
        "Kind:         Lease\n"
        "Metadata:\n"
        "  Resource Version:  7\n"
        "  UID:               u-1\n"
        "Spec:\n"
        "  Holder Identity:         web-1\n"
        "  Lease Duration Seconds:  15\n"
        "  Owner Refs:\n"
        "    Pod I Ps:        10.0.0.1\n"
        "  Preferred Holder:  <nil>\n"
        "  Strategy:\n"
        "    a\n"
        "    [b 1.5]\n"
        "Events:  <none>\n"
    )


def _event(reason: str, message: str, first: float, last: float, count: int, rv: int) -> dict[str, Any]:
    return {
        "kind": "Event",
        "metadata": {"name": f"p.{rv}", "namespace": "default", "resourceVersion": str(rv)},
        "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default", "uid": "u1"},
        "reason": reason,
        "message": message,
        "type": "Warning" if reason == "BackOff" else "Normal",
        "source": {"component": "kubelet", "host": "n1"},
        "firstTimestamp": rfc3339(first),
        "lastTimestamp": rfc3339(last),
        "count": count,
    }


def test_describe_pod_shows_terminated_state_and_repeated_events() -> None:
    pod = {
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default", "uid": "u1", "annotations": {"a": "b"}},
        "spec": {
            "nodeName": "n1",
            "containers": [
                {
                    "name": "app",
                    "image": "busybox",
                    "command": ["sh", "-c", "exit 1"],
                    "resources": {"limits": {"cpu": "500m", "memory": "64Mi"}},
                }
            ],
        },
        "status": {
            "phase": "Running",
            "hostIP": "10.0.0.1",
            "containerStatuses": [
                {
                    "name": "app",
                    "ready": False,
                    "restartCount": 3,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {
                        "terminated": {
                            "exitCode": 1,
                            "reason": "Error",
                            "startedAt": rfc3339(NOW - 40),
                            "finishedAt": rfc3339(NOW - 39),
                        }
                    },
                }
            ],
        },
    }
    events = [
        _event("BackOff", "Back-off restarting failed container app", NOW - 90, NOW - 5, 4, 9),
        _event("Pulled", "Container image already present", NOW - 100, NOW - 100, 1, 3),
    ]
    text = describe.describe_pod(pod, describe.events_for(events, pod), NOW)
    assert "    State:          Waiting\n      Reason:       CrashLoopBackOff\n" in text
    assert "    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    1\n" in text
    assert "Annotations:  a: b\n" in text
    assert "Node:         n1/10.0.0.1\n" in text
    assert "QoS Class:        Guaranteed\n" in text  # limits alone: requests default to them
    assert text.endswith(
        "Events:\n"
        "  Type     Reason   Age               From     Message\n"
        "  ----     ------   ----              ----     -------\n"
        "  Normal   Pulled   100s              kubelet  Container image already present\n"
        "  Warning  BackOff  5s (x4 over 90s)  kubelet  Back-off restarting failed container app\n"
    )
