"""Client-side `kubectl apply` on a simulated cluster: the last-applied-configuration text kubectl 1.32 writes
(checked against the real kubectl in tests/cluster_engine/kubeapi/test_kubectl_apply.py) and `--field-manager`."""

from __future__ import annotations

import pytest

from cluster_engine.sim import scenario
from cluster_engine.sim.kubectl.client import run_command

ACTOR = "user:ada"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _apply(cluster: object, manifest: str, flags: str = "") -> str:
    result = run_command(cluster, f"kubectl apply {flags}-f -", actor=ACTOR, stdin=manifest)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _recorded(cluster: object, kind: str, name: str) -> str:
    return cluster.api.get(kind, name, namespace="default")["metadata"]["annotations"][LAST_APPLIED]


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ("{name: cfg}", '{"annotations":{},"name":"cfg","namespace":"default"}'),
        ("{name: cfg, annotations: null}", '{"annotations":{},"name":"cfg","namespace":"default"}'),
        ("{name: cfg, annotations: {kubectl.kubernetes.io/last-applied-configuration: old}}",
         '{"annotations":{},"name":"cfg","namespace":"default"}'),
        ("{name: cfg, annotations: {note: x}}", '{"annotations":{"note":"x"},"name":"cfg","namespace":"default"}'),
        ("{name: cfg, namespace: default, labels: null}",
         '{"annotations":{},"labels":null,"name":"cfg","namespace":"default"}'),
    ],
    ids=["none", "null", "only-last-applied", "some", "null-labels"],
)
def test_the_recorded_metadata_always_has_an_annotations_map(metadata: str, expected: str) -> None:
    cluster = scenario.build()
    _apply(cluster, f"apiVersion: v1\nkind: ConfigMap\nmetadata: {metadata}\ndata: {{a: b}}\n")
    assert _recorded(cluster, "ConfigMap", "cfg") == \
        f'{{"apiVersion":"v1","data":{{"a":"b"}},"kind":"ConfigMap","metadata":{expected}}}\n'


def test_the_recorded_text_is_encoded_as_go_encodes_json() -> None:
    cluster = scenario.build()
    _apply(cluster, """\
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: nginx:1.27
    command: [sh, -c, 'test -f a && echo "<ok>" > b # é ✓']
    resources: {limits: {cpu: 2.0}, requests: {cpu: 0.5}}
""")
    assert _recorded(cluster, "Pod", "app") == (
        '{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"name":"app","namespace":"default"},'
        '"spec":{"containers":[{"command":["sh","-c","test -f a \\u0026\\u0026 echo \\"\\u003cok\\u003e\\" '
        '\\u003e b # é ✓"],"image":"nginx:1.27","name":"app","resources":{"limits":{"cpu":2},'
        '"requests":{"cpu":0.5}}}]}}\n'
    )


def test_a_cluster_scoped_object_records_no_namespace() -> None:
    cluster = scenario.build()
    _apply(cluster, "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n")
    recorded = cluster.api.get("Namespace", "team", namespace="")["metadata"]["annotations"][LAST_APPLIED]
    assert recorded == '{"apiVersion":"v1","kind":"Namespace","metadata":{"annotations":{},"name":"team"}}\n'


def test_reapplying_the_same_manifest_leaves_the_object_unchanged() -> None:
    cluster = scenario.build()
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: b}\n"
    assert _apply(cluster, manifest) == "configmap/cfg created\n"
    assert _apply(cluster, manifest) == "configmap/cfg unchanged\n"


def test_field_manager_owns_what_client_side_apply_writes() -> None:
    cluster = scenario.build()
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cfg}}\ndata: {{a: '{value}'}}\n"
    assert _apply(cluster, manifest.format(value=1), "--field-manager=lesson ") == "configmap/cfg created\n"
    assert _apply(cluster, manifest.format(value=2), "--field-manager=lesson ") == "configmap/cfg configured\n"
    entries = cluster.api.get("ConfigMap", "cfg", namespace="default")["metadata"]["managedFields"]
    assert [(e["manager"], e["operation"]) for e in entries] == [("lesson", "Update")]
    assert entries[0]["fieldsV1"] == {"f:data": {".": {}, "f:a": {}},
                                      "f:metadata": {"f:annotations": {".": {}, f"f:{LAST_APPLIED}": {}}}}


def test_a_field_manager_the_api_server_refuses_fails_like_kubectls_request() -> None:
    cluster = scenario.build()
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: b}\n"
    too_long = "x" * 129
    created = run_command(cluster, f"kubectl apply --field-manager={too_long} -f -", actor=ACTOR, stdin=manifest)
    assert (created.stderr, created.exit_code) == (
        'The CreateOptions "" is invalid: fieldManager: Too long: may not be more than 128 bytes\n', 1)
    _apply(cluster, manifest)
    patched = run_command(cluster, f"kubectl apply --field-manager={too_long} -f -", actor=ACTOR, stdin=manifest)
    assert patched.stderr.startswith('The PatchOptions "" is invalid: fieldManager: Too long')
