"""kubectl commands that patch objects (scale, set image, label, cordon), over the fake client: the patch
kubectl would send and the words it prints, for kinds the simulated cluster does not serve yet (Deployment,
ReplicaSet, Service)."""

from __future__ import annotations

from kubectl_fakes import FakeClient

from cluster_engine.sim.kubectl.commands import run
from cluster_engine.sim.kubectl.context import Session


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
