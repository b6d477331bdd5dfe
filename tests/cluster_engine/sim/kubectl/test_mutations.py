"""kubectl commands that patch objects (scale, set image, label, cordon) and describe, over the fake
client: the patch kubectl would send and the words it prints, for kinds the simulated cluster does not
serve yet (Deployment, ReplicaSet, Service)."""

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


def test_scale_patches_spec_replicas_of_a_deployment(client: FakeClient) -> None:
    assert _out("kubectl scale deployment web --replicas=5", client) == "deployment.apps/web scaled\n"
    assert client.patches == [("Deployment", "default", "web", {"spec": {"replicas": 5}}, "merge")]
    assert _out("kubectl get deploy web -o jsonpath={.spec.replicas}", client) == "5"


def test_scale_checks_current_replicas_first(client: FakeClient) -> None:
    assert _out("kubectl scale rs/web-7d4b9c8f6d --replicas=1 --current-replicas=2", client) == (
        "error: Expected replicas to be 2, was 3\n"
    )
    assert _out("kubectl scale rs/web-7d4b9c8f6d --replicas=1 --current-replicas=3", client) == (
        "replicaset.apps/web-7d4b9c8f6d scaled\n"
    )


def test_scale_refuses_kinds_without_a_scale_subresource(client: FakeClient) -> None:
    result = run("kubectl scale pod/web-7d4b9c8f6d-abcde --replicas=2", client)
    assert result.exit_code == 1
    assert "could not find the requested resource" in result.stderr or "not found" in result.stderr
    assert client.patches == []


def test_scale_requires_replicas_and_prints_dry_runs(client: FakeClient) -> None:
    assert _out("kubectl scale deploy/web", client) == 'error: required flag(s) "replicas" not set\n'
    assert _out("kubectl scale deploy/web --replicas=2 --dry-run=client", client) == (
        "deployment.apps/web scaled (dry run)\n"
    )
    assert client.patches == []


def test_set_image_updates_the_pod_template(client: FakeClient) -> None:
    assert _out("kubectl set image deployment/web nginx=nginx:1.27", client) == ("deployment.apps/web image updated\n")
    [(kind, _, _, body, patch_type)] = client.patches
    assert (kind, patch_type) == ("Deployment", "strategic")
    assert body == {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}}
    assert _out("kubectl set image deploy/web app=x", client) == 'error: unable to find container named "app"\n'


def test_label_sends_a_merge_patch_of_the_changed_keys(client: FakeClient) -> None:
    assert _out("kubectl label deploy web tier=front app-", client) == "deployment.apps/web labeled\n"
    assert client.patches[0][3] == {"metadata": {"labels": {"tier": "front", "app": None}}}
    assert client.patches[0][4] == "merge"


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
