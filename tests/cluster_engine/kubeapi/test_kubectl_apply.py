"""Client-side `kubectl apply` in the page writes what the real kubectl 1.32 writes through the Kubernetes API:
the same last-applied-configuration text, byte for byte, and the same field managers (`--field-manager`
included). Each test runs one script twice on the same sandbox: first the in-page kubectl on a loaded copy of
the row (never stored), then the real kubectl against daphne, and compares what each left."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cluster_engine import engine, services
from cluster_engine.models import Sandbox
from cluster_engine.sim.kubectl.client import run_command

pytestmark = [pytest.mark.django_db(transaction=True)]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

# No annotations, some, an empty map, text Go's encoder escapes or keeps as UTF-8, a null, a cluster-scoped
# kind, numbers Go writes without a fraction.
OBJECTS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: plain}
data: {a: b}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: annotated
  annotations: {note: x, kubectl.kubernetes.io/last-applied-configuration: stale}
data: {a: b}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: empty, annotations: {}, labels: null}
data: {script: 'test -f a && echo "<ok>" > b', text: 'é ✓ €'}
---
apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: v1
kind: Pod
metadata: {name: sized, labels: {app: sized}}
spec:
  containers:
  - name: app
    image: nginx:1.27
    command: [sh, -c, 'sleep 1 && nginx']
    resources: {limits: {cpu: 1.0, memory: 64Mi}, requests: {cpu: 0.25}}
"""
KEYS = [("ConfigMap", "plain", "default"), ("ConfigMap", "annotated", "default"), ("ConfigMap", "empty", "default"),
        ("Namespace", "team", ""), ("Pod", "sized", "default")]
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ndata: {{a: '{value}'}}\n"


def _both(kube, learner, script: list[tuple[str, str]]) -> tuple[Any, list[tuple[str, str, int]]]:
    """Run each (kubectl arguments, stdin) in the page on a copy of the sandbox, then with the real kubectl;
    assert each step printed the same. Returns the in-page cluster."""
    cluster = engine.load(Sandbox.objects.get(pk=kube.sandbox_id).state)
    actor = services.actor_for(learner)
    for line, stdin in script:
        page = run_command(cluster, f"kubectl {line}", actor=actor, stdin=stdin)
        real = kube.run(*line.split(), stdin=stdin, check=False)
        assert (page.stdout, page.stderr, page.exit_code) == (real.stdout, real.stderr, real.returncode), line
    return cluster


def _stored(kube, kind: str, name: str, namespace: str) -> dict[str, Any]:
    return engine.load(Sandbox.objects.get(pk=kube.sandbox_id).state).api.get(kind, name, namespace=namespace)


def _managers(obj: dict[str, Any]) -> list[tuple[str, str, str]]:
    """managedFields without their times (the real kubectl's writes happen at later wall-clock seconds)."""
    return sorted((entry["manager"], entry["operation"], json.dumps(entry.get("fieldsV1"), sort_keys=True))
                  for entry in obj["metadata"].get("managedFields") or [])


def test_client_side_apply_records_the_configuration_as_kubectl_does(kube, learner):
    cluster = _both(kube, learner, [("apply -f -", OBJECTS)])
    for kind, name, namespace in KEYS:
        real = _stored(kube, kind, name, namespace)["metadata"]["annotations"]
        page = cluster.api.get(kind, name, namespace=namespace)["metadata"]["annotations"]
        assert page == real, f"{kind} {name}"
    recorded = _stored(kube, "ConfigMap", "plain", "default")["metadata"]["annotations"][LAST_APPLIED]
    assert recorded == ('{"apiVersion":"v1","data":{"a":"b"},"kind":"ConfigMap",'
                        '"metadata":{"annotations":{},"name":"plain","namespace":"default"}}\n')
    script = _stored(kube, "ConfigMap", "empty", "default")["metadata"]["annotations"][LAST_APPLIED]
    assert '"script":"test -f a \\u0026\\u0026 echo \\"\\u003cok\\u003e\\" \\u003e b","text":"é ✓ €"' in script
    assert '"limits":{"cpu":1,"memory":"64Mi"},"requests":{"cpu":0.25}' in \
        _stored(kube, "Pod", "sized", "default")["metadata"]["annotations"][LAST_APPLIED]


def test_field_manager_with_client_side_apply_owns_what_it_writes(kube, learner):
    too_long = "x" * 129
    cluster = _both(kube, learner, [
        ("apply --field-manager=lesson -f -", CONFIGMAP.format(name="cfg", value=1)),  # created
        ("apply --field-manager=lesson -f -", CONFIGMAP.format(name="cfg", value=2)),  # configured
        ("apply -f -", CONFIGMAP.format(name="cfg", value=3)),  # the default manager takes data.a over
        ("apply --server-side -f -", CONFIGMAP.format(name="cfg", value=4)),  # keeps the annotation in step
    ])
    real, page = _stored(kube, "ConfigMap", "cfg", "default"), cluster.api.get("ConfigMap", "cfg", namespace="default")
    assert page["metadata"]["annotations"] == real["metadata"]["annotations"]
    assert _managers(page) == _managers(real)
    cluster = _both(kube, learner, [
        (f"apply --field-manager={too_long} -f -", CONFIGMAP.format(name="cfg", value=5)),  # PatchOptions
        (f"apply --field-manager={too_long} -f -", CONFIGMAP.format(name="new", value=5)),  # CreateOptions
        ("apply --field-manager=lesson -f -", CONFIGMAP.format(name="cfg", value=6)),
    ])
    real, page = _stored(kube, "ConfigMap", "cfg", "default"), cluster.api.get("ConfigMap", "cfg", namespace="default")
    assert page["metadata"]["annotations"] == real["metadata"]["annotations"]
    assert _managers(page) == _managers(real)
    # The last write changed data.a and the annotation: both left the server-side managers, which had nothing else.
    assert [entry[:2] for entry in _managers(real)] == [("lesson", "Update")]
