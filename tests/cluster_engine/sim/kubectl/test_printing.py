"""Tables, durations, pod STATUS derivation and output formats, unit by unit."""

from __future__ import annotations

import string

import pytest
from kubectl_fakes import NOW, FakeClient, load_objects

from cluster_engine.sim import printers
from cluster_engine.sim.kubectl import jsonpath, messages, output
from cluster_engine.sim.kubectl.commands import run
from cluster_engine.sim.kubectl.context import Session
from cluster_engine.sim.kubectl.table import TableOptions, format_table


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-5, "<invalid>"),
        (-1, "0s"),
        (0, "0s"),
        (5, "5s"),
        (119, "119s"),
        (120, "2m"),
        (182, "3m2s"),
        (600, "10m"),
        (3 * 3600 - 1, "179m"),
        (4 * 3600, "4h"),
        (4 * 3600 + 60, "4h1m"),
        (30 * 3600, "30h"),
        (2 * 86400, "2d"),
        (2 * 86400 + 3600, "2d1h"),
        (20 * 86400, "20d"),
        (3 * 365 * 86400, "3y"),
        (3 * 365 * 86400 + 86400, "3y1d"),
        (9 * 365 * 86400, "9y"),
    ],
)
def test_human_duration_matches_apimachinery(seconds: float, text: str) -> None:
    assert printers.human_duration(seconds) == text


def _pods() -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in load_objects() if o["kind"] == "Pod"}


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("crash", "CrashLoopBackOff"),
        ("pending", "Pending"),
        ("init-demo", "Init:1/2"),
        ("pull-fail", "ImagePullBackOff"),
        ("done", "Completed"),
        ("oom", "OOMKilled"),
        ("leaving", "Terminating"),
        ("web-7d4b9c8f6d-x2x9k", "Running"),
    ],
)
def test_pod_status_is_derived_as_print_pod_derives_it(name: str, status: str) -> None:
    assert printers.pod_summary(_pods()[name]).reason == status


def test_container_creating_and_sidecar_readiness() -> None:
    pod = {
        "metadata": {"name": "p"},
        "spec": {
            "initContainers": [{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}],
            "containers": [{"name": "app", "image": "nginx"}],
        },
        "status": {
            "phase": "Pending",
            "conditions": [{"type": "Initialized", "status": "True"}],
            "initContainerStatuses": [
                {"name": "proxy", "started": True, "ready": True, "state": {"running": {}}}
            ],
            "containerStatuses": [{"name": "app", "state": {"waiting": {"reason": "ContainerCreating"}}}],
        },
    }
    summary = printers.pod_summary(pod)
    assert (summary.ready, summary.total, summary.reason) == (1, 2, "ContainerCreating")


def test_table_is_a_meta_v1_table_with_partial_object_metadata() -> None:
    table = printers.to_table("Pod", [_pods()["done"]], NOW)
    assert table["kind"] == "Table"
    assert table["apiVersion"] == "meta.k8s.io/v1"
    assert [c["name"] for c in table["columnDefinitions"] if c["priority"] == 1] == [
        "IP",
        "Node",
        "Nominated Node",
        "Readiness Gates",
    ]
    row = table["rows"][0]
    assert row["object"]["kind"] == "PartialObjectMetadata"
    assert row["conditions"][0]["reason"] == "Succeeded"
    assert len(row["cells"]) == len(table["columnDefinitions"])


def test_columns_are_at_least_six_wide_and_padded_by_three() -> None:
    table = {
        "columnDefinitions": [{"name": "A", "priority": 0}, {"name": "B", "priority": 0}],
        "rows": [{"cells": ["x", "y"]}],
    }
    assert format_table(table) == "A     B\nx     y\n"
    assert format_table(table, TableOptions(no_headers=True)) == "x     y\n"
    assert format_table({**table, "rows": []}) == ""


def test_yaml_quotes_what_go_yaml_quotes() -> None:
    text = output.to_yaml(
        {
            "a": "10",
            "b": "*/5 * * * *",
            "c": "yes",
            "d": "2026-01-01T00:00:00Z",
            "e": "plain",
            "f": "",
            "g": "line\nnext\n",
            "h": [],
        }
    )
    assert text == (
        'a: "10"\nb: \'*/5 * * * *\'\nc: "yes"\nd: "2026-01-01T00:00:00Z"\ne: plain\nf: ""\n'
        "g: |\n  line\n  next\nh: []\n"
    )


def test_json_escapes_html_as_go_does() -> None:
    assert output.to_json({"b": "<none>", "a": 1}) == '{\n    "a": 1,\n    "b": "\\u003cnone\\u003e"\n}\n'


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{.items[0].metadata.name}", "a"),
        ("{.items[-1].metadata.name}", "b"),
        ("{.items[*].metadata.name}", "a b"),
        ("{.items[?(@.spec.n==2)].metadata.name}", "b"),
        ('{.items[?(@.metadata.name=="a")].spec.n}', "1"),
        ("{range .items[*]}[{.metadata.name}]{end}", "[a][b]"),
        ("{.items[0].metadata}", '{"labels":{"x":"\\u003c"},"name":"a"}'),
        ("{..n}", "1 2"),
        ("{.items[0].metadata.labels.missing}", ""),
        ("name: {.items[1]['metadata']['name']}", "name: b"),
    ],
)
def test_jsonpath_follows_client_go(template: str, expected: str) -> None:
    data = {
        "items": [
            {"metadata": {"name": "a", "labels": {"x": "<"}}, "spec": {"n": 1}},
            {"metadata": {"name": "b"}, "spec": {"n": 2}},
        ]
    }
    assert jsonpath.execute(template, data) == expected


def test_every_message_exists_in_both_languages_with_the_same_placeholders() -> None:
    for texts in messages.MESSAGES.values():
        assert set(texts) == set(messages.SUPPORTED_LANGUAGES)
        fields = [{p[1] for p in string.Formatter().parse(t) if p[1]} for t in texts.values()]
        assert all(names == fields[0] for names in fields)


def test_friendly_notes_speak_the_learners_language() -> None:
    result = run("kubectl get pods | grep web", FakeClient([]), Session(language="ru"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Конвейеры (`|`) здесь недоступны.")
    assert run("ls -la", FakeClient([])).stderr.startswith("`ls` is not available in this terminal.")


def test_autoscale_creates_an_autoscaling_v1_autoscaler() -> None:
    client = FakeClient([{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web",
                                                                                    "namespace": "default"}}])
    result = run("kubectl autoscale deployment web --max=5 --cpu-percent=60", client)
    assert result.stdout == "horizontalpodautoscaler.autoscaling/web autoscaled\n"
    created = client.created[-1]
    assert created["apiVersion"] == "autoscaling/v1"
    assert created["spec"] == {"scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
                               "maxReplicas": 5, "targetCPUUtilizationPercentage": 60}


def test_edit_points_to_the_editor_and_other_missing_commands_say_so() -> None:
    edit = run("kubectl edit deployment web", FakeClient([]))
    assert edit.exit_code == 1
    assert "`kubectl apply -f -`" in edit.stderr
    russian = run("kubectl edit deployment web", FakeClient([]), Session(language="ru"))
    assert russian.stderr.startswith("Для `kubectl edit` в этом терминале нет текстового редактора")
    patch = run("kubectl patch pod web -p {}", FakeClient([]))
    assert patch.stderr.startswith("`kubectl patch` is a real kubectl command, but this simulated cluster")


def test_apply_reads_the_editor_text() -> None:
    client = FakeClient([])
    manifest = (
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Namespace\n"
        "metadata:\n  name: b\n"
    )
    result = run("kubectl apply -f -", client, Session(stdin=manifest))
    assert result.stdout == "namespace/a created\nnamespace/b created\n"
    assert [o["metadata"]["name"] for o in client.created] == ["a", "b"]


def test_delete_by_name_prints_kubectl_confirmation() -> None:
    client = FakeClient(load_objects())
    result = run("kubectl delete deploy web pod/x", client)
    assert result.stderr.startswith("error: there is no need to specify a resource type")
    assert run("kubectl delete deploy web", client).stdout == 'deployment.apps "web" deleted\n'
    assert (
        run("kubectl delete pod nope", client).stderr
        == 'Error from server (NotFound): pods "nope" not found\n'
    )
