"""Manifests in the style of the Kubernetes documentation's tasks and tutorials (`testdata/docs_corpus`, written for
these tests) are accepted by a sandbox as kube-apiserver 1.32 accepts them: the real kubectl applies each file with
`--dry-run=server`, then for real, and every object is then served. Podlab's own deployment (`kubectl apply -k
platform/k8s`) goes through the same way, and its PostgreSQL StatefulSet gets its claim bound and its pod
scheduled once the sandbox reconciles."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from cluster_engine import control, engine, services
from cluster_engine.models import Sandbox
from tests.cluster_engine.kubeapi.conftest import Kube

pytestmark = [pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
CORPUS = sorted((Path(__file__).parent / "testdata" / "docs_corpus").glob("*.yaml"))
APPLIED = re.compile(r"^(\S+) (created|configured|unchanged)( \(server dry run\))?$")


def _objects(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _reference(doc: dict[str, Any]) -> str:
    """`<resource>/<name>` as `kubectl get` takes it (groups spelled out, so no short name is ambiguous)."""
    api_version, kind = doc["apiVersion"], doc["kind"].lower()
    group = api_version.rpartition("/")[0]
    return f"{kind}.{group}/{doc['metadata']['name']}" if group else f"{kind}/{doc['metadata']['name']}"


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_a_documentation_manifest_is_accepted_and_served(kube: Kube, path: Path) -> None:
    """Each object in turn: a server dry run, then the apply (the file's earlier objects exist by then, as when a
    learner applies the docs' files one after another: a dry run stores nothing a later object could use)."""
    for doc in _objects(path):
        text = yaml.safe_dump(doc, sort_keys=False)
        dry = kube.run("apply", "--dry-run=server", "-f", "-", stdin=text, check=False)
        assert dry.returncode == 0, f"server dry run of {_reference(doc)} ({path.name}) refused:\n{dry.stderr}"
        assert dry.stdout.strip().endswith("(server dry run)"), dry.stdout
        real = kube.run("apply", "-f", "-", stdin=text, check=False)
        assert real.returncode == 0, f"apply of {_reference(doc)} ({path.name}) refused:\n{real.stderr}"
        assert APPLIED.match(real.stdout.strip()), real.stdout
        namespace = doc["metadata"].get("namespace", "default")
        served = kube.run("get", _reference(doc), "-n", namespace, "-o", "name", check=False)
        assert served.returncode == 0, f"{_reference(doc)} is not served after apply:\n{served.stderr}"


def _reconcile_until(kube: Kube, done, *, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        services.sandbox_reconcile(sandbox_id=kube.sandbox_id)
        cluster = engine.load(Sandbox.objects.get(pk=kube.sandbox_id).state)
        if (found := done(cluster)):
            return found
        cluster.step(5)
        time.sleep(0.2)
    raise AssertionError("the sandbox did not get there in time")


def test_podlab_deploys_itself_into_a_sandbox(kube: Kube, learner) -> None:
    """`kubectl apply -k platform/k8s` (the issue's failing command): every object is accepted, and the PostgreSQL
    StatefulSet's `data` claim template becomes a bound claim `data-postgres-0` mounted by a scheduled pod."""
    result = kube.run("apply", "-k", str(ROOT / "platform" / "k8s"), check=False)
    assert result.returncode == 0, result.stderr
    assert "statefulset.apps/postgres created" in result.stdout
    control.sandbox_control(sandbox_id=kube.sandbox_id, user=learner, request={"action": "speed", "value": 60})

    def bound(cluster):
        claim = cluster.store.get("PersistentVolumeClaim", "podlab", "data-postgres-0")
        pod = cluster.store.get("Pod", "podlab", "postgres-0")
        if claim and pod and claim["status"].get("phase") == "Bound" and pod["spec"].get("nodeName"):
            return claim, pod
        return None

    claim, pod = _reconcile_until(kube, bound)
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "data-postgres-0"}} in pod["spec"]["volumes"]
    assert claim["spec"]["storageClassName"] == "standard"
    volume = kube("get", "pv", claim["spec"]["volumeName"], "-o", "jsonpath={.spec.nodeAffinity.required"
                  ".nodeSelectorTerms[0].matchExpressions[0].values[0]}")
    assert volume == pod["spec"]["nodeName"]
