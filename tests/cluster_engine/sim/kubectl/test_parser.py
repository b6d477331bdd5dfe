"""Tokenising and flag parsing worded as kubectl v1.32 words its errors."""

from __future__ import annotations

import pytest

from cluster_engine.sim.kubectl import parser
from cluster_engine.sim.kubectl.errors import KubectlError


def test_global_flags_are_accepted_before_the_command() -> None:
    parsed = parser.parse("kubectl -n kube-system get po/a svc/b -A")
    assert parsed.path == ("get",)
    assert parsed.args == ("po/a", "svc/b")
    assert parsed.flags == {"namespace": "kube-system", "all-namespaces": True}


def test_values_attach_with_equals_space_or_short_cluster() -> None:
    parsed = parser.parse("kubectl get pods -ojsonpath={.items[*].metadata.name} --selector app=web")
    assert parsed.flag("output") == "jsonpath={.items[*].metadata.name}"
    assert parsed.flag("selector") == "app=web"
    assert parser.parse("kubectl get pods -n=shop").flag("namespace") == "shop"


def test_words_after_double_dash_are_kept_apart() -> None:
    parsed = parser.parse("kubectl create deploy web --image=nginx --replicas 3 -- sleep 3600")
    assert parsed.path == ("create", "deployment")
    assert parsed.dash_args == ("sleep", "3600")
    assert parsed.flag("replicas") == 3
    assert parsed.flag("image") == ["nginx"]


def test_flags_without_value_take_kubectl_no_opt_defaults() -> None:
    assert parser.parse("kubectl delete pod x --cascade").flag("cascade") == "background"
    assert parser.parse("kubectl delete pod x").flag("cascade") == "background"
    assert parser.parse("kubectl run x --image=nginx --dry-run").flag("dry-run") == "unchanged"


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("kubectl get --foo", "Error: unknown flag: --foo\nSee 'kubectl get --help' for usage."),
        ("kubectl get -x", "Error: unknown shorthand flag: 'x' in -x\nSee 'kubectl get --help' for usage."),
        ("kubectl get -n", "Error: flag needs an argument: 'n' in -n\nSee 'kubectl get --help' for usage."),
        (
            "kubectl get pods --all-namespaces=maybe",
            'Error: invalid argument "maybe" for "-A, --all-namespaces" flag: strconv.ParseBool: '
            'parsing "maybe": invalid syntax\n'
            "See 'kubectl get --help' for usage.",
        ),
        (
            "kubectl scale deploy/x --replicas=abc",
            'Error: invalid argument "abc" for "--replicas" flag: strconv.ParseInt: parsing "abc": '
            "invalid syntax\n"
            "See 'kubectl scale --help' for usage.",
        ),
        ("kubectl gte", 'Error: unknown command "gte" for "kubectl"\n\nDid you mean this?\n\tget\n'),
        ("kubectl xyzzyq", 'Error: unknown command "xyzzyq" for "kubectl"'),
    ],
)
def test_mistakes_are_worded_as_kubectl_words_them(line: str, text: str) -> None:
    with pytest.raises(KubectlError) as caught:
        parser.parse(line)
    assert caught.value.text == text


@pytest.mark.parametrize(
    ("line", "message_id"),
    [
        ("kubectl get pods | grep web", "shell_pipe"),
        ("kubectl get pods > pods.txt", "shell_redirect"),
        ("kubectl get pods && kubectl get svc", "shell_chain"),
        ("kubectl get pods; ls", "shell_chain"),
        ("kubectl get pods $(echo x)", "shell_substitution"),
        ("kubectl get pods `echo x`", "shell_substitution"),
        ('kubectl get pods -l "app=$APP"', "shell_substitution"),
        ("kubectl get pods 'unclosed", "shell_unclosed_quote"),
    ],
)
def test_shell_features_are_refused_by_message_id(line: str, message_id: str) -> None:
    with pytest.raises(parser.ShellFeatureError) as caught:
        parser.tokenize(line)
    assert caught.value.message_id == message_id


def test_quotes_protect_jsonpath_and_operators() -> None:
    words = parser.tokenize("""kubectl get po -o jsonpath='{.items[?(@.x=="a|b")].y}' -l "a=b" # note""")
    assert words == ["kubectl", "get", "po", "-o", 'jsonpath={.items[?(@.x=="a|b")].y}', "-l", "a=b"]


def test_every_command_has_its_kubectl_help_text() -> None:
    for path in [("get",), ("rollout", "undo"), ("create", "service", "nodeport"), ("top", "pod"), ()]:
        assert "Usage:" in parser.help_text(path)
    assert parser.help_text(("get",)).startswith("Display one or many resources.")
