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
    cluster.api.apply(parse_objects(manifest)[0].body)
    assert cluster.api.get("Deployment", "web")["spec"]["replicas"] == 10


def test_documents_keep_their_lines_and_a_document_without_kind_is_refused() -> None:
    documents = parse_objects("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n"
                              "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n")
    assert [document.line for document in documents] == [1, 5]
    with pytest.raises(Status) as refused:
        parse_objects("apiVersion: v1\nmetadata: {name: a}\n")
    assert "Object 'Kind' is missing" in refused.value.message


# ------------------------------------------------------------------ errors pinned to the line of their field

def _problems(text: str) -> list[dict]:
    from sim_helpers import small_cluster

    from cluster_engine.sim.manifests import field_problems

    cluster = small_cluster()
    for document in parse_objects(text):
        try:
            cluster.api.apply(document.body, dry_run=True)
        except Status as error:
            return field_problems(error, document.node)
    raise AssertionError("the manifest was accepted")


POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: app\n{container}"


def test_a_type_error_points_at_its_field_with_the_list_indices_upstream_leaves_out():
    text = POD.format(name="a", container="    image: nginx\n    ports:\n    - containerPort: 80\n"
                                          "    - containerPort: eighty\n")
    [problem] = _problems(text)
    assert problem == {"field": "spec.containers[0].ports[1].containerPort", "problem": "type", "expected": "int32",
                       "actual": "string", "line": 11, "column": 7, "exact": True}


def test_unknown_fields_each_point_at_their_line():
    text = POD.format(name="a", container="    image: nginx\n    imagePullPolicee: Always\n  restartPolicey: Never\n")
    problems = _problems(text)
    assert sorted((p["field"], p["problem"], p["line"]) for p in problems) == [
        ("spec.containers[0].imagePullPolicee", "unknown", 9), ("spec.restartPolicey", "unknown", 10)]


def test_an_invalid_value_points_at_its_field_and_a_missing_one_at_its_parent():
    [invalid] = _problems(POD.format(name="A_b", container="    image: nginx\n"))
    assert (invalid["field"], invalid["problem"], invalid["line"], invalid["exact"]) == (
        "metadata.name", "invalid", 4, True)
    [missing] = _problems(POD.format(name="a", container=""))
    # `image` is not written: the container that lacks it is where the learner must add it.
    assert (missing["field"], missing["problem"], missing["line"], missing["exact"]) == (
        "spec.containers[0].image", "required", 7, False)


def test_lines_count_from_the_top_of_a_multi_document_text_and_json_works_too():
    first = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\n"
    second = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: three\n"
    [problem] = _problems(first + second)
    assert (problem["field"], problem["line"]) == ("spec.replicas", 11)
    flow = ('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"},\n'
            ' "spec": {"containers": [{"name": "a", "image": "x", "ports": [{"containerPort": "80"}]}]}}')
    [problem] = _problems(flow)
    assert (problem["line"], problem["column"]) == (2, 65)


def test_the_items_of_a_list_keep_their_own_lines():
    text = ("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: ok\n"
            "- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: a\n  spec:\n    containers:\n    - name: a\n"
            "      image: x\n      bogus: 1\n")
    documents = parse_objects(text)
    assert [d.line for d in documents] == [4, 8]
    [problem] = _problems(text)
    assert (problem["field"], problem["line"]) == ("spec.containers[0].bogus", 16)
