"""Field validation (`fieldValidation`): unknown fields dropped with a warning, dropped silently, or refused."""

from __future__ import annotations

import pytest

from cluster_engine.sim import fieldvalidation, objects, scenario
from cluster_engine.sim.apiserver import ApiServer
from cluster_engine.sim.errors import Status

DEPLOYMENT = objects.by_kind("Deployment")


def _deployment(**extra: object) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "colour": "red"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "shape": "round"}]}},
                     **extra}}


def test_warn_is_the_default_and_drops_each_unknown_field_with_a_warning() -> None:
    sent = _deployment(paused=False)
    body, warnings = fieldvalidation.drop_unknown_fields(DEPLOYMENT, sent, fieldvalidation.mode(None))
    assert warnings == ['unknown field "metadata.colour"', 'unknown field "spec.template.spec.containers[0].shape"']
    assert "colour" not in body["metadata"]
    assert "shape" not in body["spec"]["template"]["spec"]["containers"][0]
    assert body["spec"]["paused"] is False  # known fields stay
    assert sent["metadata"]["colour"] == "red"  # the request's own body is left as it came


def test_ignore_drops_unknown_fields_without_a_word() -> None:
    body, warnings = fieldvalidation.drop_unknown_fields(DEPLOYMENT, _deployment(), "Ignore")
    assert warnings == []
    assert "colour" not in body["metadata"]


def test_strict_keeps_them_for_the_api_servers_decoding_to_refuse_with_the_upstream_message() -> None:
    sent = _deployment()
    body, warnings = fieldvalidation.drop_unknown_fields(DEPLOYMENT, sent, "Strict")
    assert (body, warnings) == (sent, [])
    with pytest.raises(Status) as refused:
        ApiServer.decode(DEPLOYMENT, body)
    assert refused.value.code == 400
    assert refused.value.message == (
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field '
        '"metadata.colour", unknown field "spec.template.spec.containers[0].shape"')


def test_a_type_error_is_left_for_the_decoding_whatever_the_mode() -> None:
    sent = _deployment(replicas="two")
    assert fieldvalidation.drop_unknown_fields(DEPLOYMENT, sent, "Warn") == (sent, [])


def test_what_remains_after_warn_is_accepted_by_the_api_server() -> None:
    cluster = scenario.build({})
    body, _warnings = fieldvalidation.drop_unknown_fields(DEPLOYMENT, _deployment(), "Warn")
    created = cluster.api.create(body, namespace="default", actor="user:alice", now=cluster.now)
    assert created["spec"]["replicas"] == 2


@pytest.mark.parametrize("value", ["strict", "Fail", " Warn"])
def test_an_unknown_mode_is_a_bad_request_naming_the_supported_ones(value: str) -> None:
    with pytest.raises(Status) as refused:
        fieldvalidation.mode(value)
    assert refused.value.code == 400
    assert refused.value.message == (f'fieldValidation: Unsupported value: "{value}": supported values: "Ignore", '
                                     '"Warn", "Strict"')


def test_the_name_on_the_url_is_given_to_the_body_and_another_one_refused() -> None:
    body: dict = {"metadata": {}}
    fieldvalidation.check_name(body, "web")
    assert body["metadata"]["name"] == "web"
    with pytest.raises(Status) as refused:
        fieldvalidation.check_name({"metadata": {"name": "db"}}, "web")
    assert refused.value.message == "the name of the object (db) does not match the name on the URL (web)"
