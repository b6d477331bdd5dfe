"""The field manager each in-page command sends, as kubectl 1.32 sends it (checked against the real kubectl on
the Kubernetes-compatible API): the command's own `kubectl-<command>` manager, none at all for scale, cordon and
rollout undo (the api-server then records kubectl's User-Agent, `kubectl`), `--field-manager` when given; and
what a simulated cluster then records in managedFields, server-side apply's migration included."""

from __future__ import annotations

import pytest
import yaml
from kubectl_fakes import TESTDATA, FakeClient

from cluster_engine.sim import scenario
from cluster_engine.sim.kubectl.apply import upgraded_managed_fields
from cluster_engine.sim.kubectl.client import run_command
from cluster_engine.sim.kubectl.commands import run
from cluster_engine.sim.kubectl.context import Session

MANIFEST = (TESTDATA / "manifests" / "configmap_applied.yaml").read_text(encoding="utf-8")


def _writes(line: str, client: FakeClient, stdin: str = "") -> list[tuple[str, str, str, str | None, str]]:
    result = run(line, client, Session(stdin=stdin))
    assert result.exit_code == 0, result.stderr
    return client.managers


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("kubectl create deployment api --image=nginx", ("create", "Deployment", "api", "kubectl-create", "")),
        ("kubectl create namespace shop", ("create", "Namespace", "shop", "kubectl-create", "")),
        ("kubectl create configmap cfg --from-literal=a=b", ("create", "ConfigMap", "cfg", "kubectl-create", "")),
        ("kubectl run tools --image=busybox", ("create", "Pod", "tools", "kubectl-run", "")),
        ("kubectl expose deployment web --port=80 --name=front",
         ("create", "Service", "front", "kubectl-expose", "")),
        ("kubectl label deployment web tier=front", ("patch", "Deployment", "web", "kubectl-label", "")),
        ("kubectl annotate deployment web note=x", ("patch", "Deployment", "web", "kubectl-annotate", "")),
        ("kubectl set image deployment/web nginx=nginx:1.27", ("patch", "Deployment", "web", "kubectl-set", "")),
        ("kubectl rollout restart deployment/web", ("patch", "Deployment", "web", "kubectl-rollout", "")),
        ("kubectl taint node worker-1 dedicated=db:NoSchedule", ("patch", "Node", "worker-1", "kubectl-taint", "")),
        ("kubectl scale deployment web --replicas=4", ("patch", "Deployment", "web", None, "scale")),
        ("kubectl uncordon worker-1", ("patch", "Node", "worker-1", None, "")),
        ("kubectl label deployment web tier=front --field-manager=lesson",
         ("patch", "Deployment", "web", "lesson", "")),
    ],
)
def test_each_command_sends_the_field_manager_kubectl_sends(client: FakeClient, line: str, expected: tuple) -> None:
    assert _writes(line, client) == [expected]


def test_create_and_apply_from_the_editor_name_their_managers(client: FakeClient) -> None:
    assert _writes("kubectl create -f -", client, MANIFEST) == [
        ("create", "ConfigMap", "applied", "kubectl-create", "")
    ]
    assert _writes("kubectl apply -f -", client, MANIFEST.replace("applied", "other"))[-1][3] == \
        "kubectl-client-side-apply"
    assert _writes("kubectl apply --server-side -f -", client, MANIFEST.replace("applied", "third"))[-1][3] == \
        "kubectl"
    assert _writes("kubectl apply --server-side --field-manager=lesson -f -", client, MANIFEST)[-1][3] == "lesson"


def test_client_side_apply_sends_the_field_manager_given(client: FakeClient) -> None:
    assert _writes("kubectl apply --field-manager=lesson -f -", client, MANIFEST) == [
        ("create", "ConfigMap", "applied", "lesson", "")
    ]
    # An empty --field-manager sends none: the api-server then records kubectl's User-Agent.
    assert _writes("kubectl apply --field-manager= -f -", client, MANIFEST.replace("applied", "other"))[-1][3] is None


def test_scale_prints_the_object_it_read_before_scaling(client: FakeClient) -> None:
    result = run("kubectl scale deployment web --replicas=7 -o jsonpath={.spec.replicas}", client)
    assert result.stdout == "3"
    assert client.get("Deployment", "web")["spec"]["replicas"] == 7


def _managers(cluster: object, kind: str, name: str) -> list[tuple[str, str, str]]:
    text = run_command(cluster, f"kubectl get {kind} {name} -o yaml --show-managed-fields", actor="user:ada").stdout
    entries = yaml.safe_load(text)["metadata"].get("managedFields") or []
    return [(e["manager"], e["operation"], e.get("subresource", "")) for e in entries]


def test_the_cluster_records_each_commands_manager() -> None:
    cluster = scenario.build()
    for line in ("kubectl create deployment web --image=nginx", "kubectl label deploy web tier=front",
                 "kubectl scale deploy web --replicas=2", "kubectl set image deploy/web nginx=nginx:1.27",
                 "kubectl rollout pause deploy/web"):
        assert run_command(cluster, line, actor="user:ada").exit_code == 0, line
    assert _managers(cluster, "deployment", "web") == [
        ("kubectl", "Update", "scale"),
        ("kubectl-create", "Update", ""),
        ("kubectl-label", "Update", ""),
        ("kubectl-rollout", "Update", ""),
        ("kubectl-set", "Update", ""),
    ]


def test_server_side_apply_takes_over_what_client_side_apply_owned() -> None:
    cluster = scenario.build()
    assert run_command(cluster, "kubectl apply -f -", actor="user:ada", stdin=MANIFEST).exit_code == 0
    assert _managers(cluster, "configmap", "applied") == [("kubectl-client-side-apply", "Update", "")]
    result = run_command(cluster, "kubectl apply --server-side -f -", actor="user:ada", stdin=MANIFEST)
    assert result.stdout == "configmap/applied serverside-applied\n"
    assert _managers(cluster, "configmap", "applied") == [("kubectl", "Apply", ""),
                                                          ("kubectl-last-applied", "Apply", "")]


def test_the_migration_merges_client_side_fields_into_the_server_side_entry() -> None:
    entries = [
        {"manager": "kubectl", "operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV1",
         "fieldsV1": {"f:data": {"f:a": {}}}},
        {"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
         "fieldsV1": {"f:data": {"f:b": {}}}},
        {"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1", "subresource": "status",
         "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {}}},
    ]
    upgraded = upgraded_managed_fields(entries, "kubectl-client-side-apply", "kubectl")
    assert [(e["manager"], e["operation"], e.get("subresource")) for e in upgraded] == [
        ("kubectl", "Apply", None), ("kubectl-client-side-apply", "Update", "status")
    ]
    assert upgraded[0]["fieldsV1"] == {"f:data": {"f:a": {}, "f:b": {}}}
    # no server-side entry yet: the client-side one becomes it
    alone = upgraded_managed_fields(entries[1:2], "kubectl-client-side-apply", "kubectl")
    assert [(e["manager"], e["operation"]) for e in alone] == [("kubectl", "Apply")]
    assert upgraded_managed_fields(entries[:1], "kubectl-client-side-apply", "kubectl") == entries[:1]
