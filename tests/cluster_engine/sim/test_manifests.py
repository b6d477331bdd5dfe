"""Manifests read as kubectl reads them (go-yaml's scalars), with the documents' lines."""

from __future__ import annotations

import pytest

from cluster_engine.sim import scenario
from cluster_engine.sim.errors import Status
from cluster_engine.sim.manifests import parse_objects


def _config_map(data: str) -> dict:
    return parse_objects(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\n{data}")[0].body


def test_an_exponent_without_a_dot_is_a_number_as_for_kubectl_but_quoted_or_mixed_text_is_not() -> None:
    body = _config_map("n: 1e3\nm: -2E-2\no: .5e1\nq: '1e3'\nr: 1e3x\ns: app:1e3\nt: 1.0\nu: 0x1e3\n")
    assert body["n"] == 1000
    assert body["m"] == -0.02
    assert body["o"] == 5
    assert (body["q"], body["r"], body["s"]) == ("1e3", "1e3x", "app:1e3")
    assert (body["t"], body["u"]) == (1.0, 483)


def test_replicas_written_with_an_exponent_are_accepted_as_kubectl_sends_them() -> None:
    cluster = scenario.build({})
    manifest = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1e1\n"
                "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
                "    spec: {containers: [{name: web, image: 'nginx:1.27'}]}\n")
    cluster.apply(parse_objects(manifest)[0].body)
    assert cluster.get("Deployment", "web")["spec"]["replicas"] == 10


def test_documents_keep_their_lines_and_a_document_without_kind_is_refused() -> None:
    documents = parse_objects("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n"
                              "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n")
    assert [document.line for document in documents] == [1, 5]
    with pytest.raises(Status) as refused:
        parse_objects("apiVersion: v1\nmetadata: {name: a}\n")
    assert "Object 'Kind' is missing" in refused.value.message
