import pytest

from cluster_engine.sim import objects
from cluster_engine.sim.errors import Status
from cluster_engine.sim.selectors import parse_field_selector, parse_label_selector, selector_from_object

LABELS = {"app": "web", "tier": "front", "version": "3"}


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("", True),
        ("app=web", True),
        ("app==web", True),
        ("app!=web", False),
        ("app=db", False),
        ("app in (db, web)", True),
        ("app notin (web)", False),
        ("tier", True),
        ("!tier", False),
        ("!missing", True),
        ("missing!=x", True),
        ("app=web,tier=back", False),
        ("version gt 2", True),
        ("version lt 2", False),
    ],
)
def test_label_selector_matching(text, matches):
    assert parse_label_selector(text).matches(LABELS) is matches


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("app in web", "found 'web', expected: '('"),
        ("app=web,", "found '', expected: !, identifier, or 'end of string'"),
        ("app web", "found 'web', expected: in, notin, =, ==, !=, gt, lt"),
        ("a b=c", "found 'b', expected: in, notin, =, ==, !=, gt, lt"),
    ],
)
def test_label_selector_syntax_errors(text, message):
    with pytest.raises(Status) as error:
        parse_label_selector(text)
    assert error.value.code == 400
    assert error.value.message == message


def test_label_selector_value_must_be_a_label_value():
    with pytest.raises(Status) as error:
        parse_label_selector("app=a$b")
    assert error.value.message.startswith('unable to parse requirement: values[0]: Invalid value: "a$b"')


def test_label_selector_object_form():
    selector = selector_from_object(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["front"]},
                {"key": "gone", "operator": "DoesNotExist"},
            ],
        }
    )
    assert selector.matches(LABELS)
    assert not selector_from_object(None).matches(LABELS)
    assert selector_from_object({}).matches({})


def test_field_selectors_on_pods():
    pods = objects.by_kind("Pod")
    pod = {
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"nodeName": "n1"},
        "status": {"phase": "Running"},
    }
    assert parse_field_selector("spec.nodeName=n1,status.phase!=Pending", pods).matches(pods, pod)
    assert not parse_field_selector("metadata.name==db", pods).matches(pods, pod)


def test_unsupported_field_selectors_are_bad_requests():
    with pytest.raises(Status) as error:
        parse_field_selector("status.hostIP=1.2.3.4", objects.by_kind("Pod"))
    assert error.value.message == "field label not supported: status.hostIP"
    with pytest.raises(Status) as error:
        parse_field_selector("foo.bar=baz", objects.by_kind("ConfigMap"))
    assert (
        error.value.message
        == '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"'
    )


def test_event_involved_object_selector():
    events = objects.by_kind("Event")
    event = {
        "metadata": {"name": "e", "namespace": "default"},
        "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default"},
    }
    assert parse_field_selector("involvedObject.name=web,involvedObject.kind=Pod", events).matches(
        events, event
    )
