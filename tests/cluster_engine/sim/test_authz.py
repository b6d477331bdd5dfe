"""The self-review APIs (`sim/authz.py` through `Cluster.create`): RBAC's decisions for the sandbox's user and
for a user the cluster-admin binding does not cover, the reviews' shapes, their validation, and that nothing is
stored."""

from __future__ import annotations

import pytest

from cluster_engine.sim import authz
from cluster_engine.sim.authz import Rule, UserInfo
from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.errors import Status
from cluster_engine.sim.util import rfc3339

ACTOR = "user:ada"
ADMIN_REASON = ('RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to '
                'Group "kubeadm:cluster-admins"')
BASIC = UserInfo("bob", ("system:authenticated",))  # what any other authenticated user gets


def access(cluster: Cluster, spec: dict, **extra) -> dict:
    return cluster.api.create({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                           "spec": spec, **extra}, actor=ACTOR)


def test_the_sandbox_user_may_do_everything(cluster):
    before = cluster.store.rv
    for attributes in ({"namespace": "default", "verb": "create", "group": "apps", "resource": "deployments"},
                       {"verb": "*", "resource": "*"},
                       {"namespace": "kube-system", "verb": "get", "resource": "pods", "subresource": "log"},
                       {"verb": "frobnicate", "resource": "widgets"}):
        review = access(cluster, {"resourceAttributes": attributes})
        assert review == {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
                          "metadata": {"creationTimestamp": None}, "spec": {"resourceAttributes": attributes},
                          "status": {"allowed": True, "reason": ADMIN_REASON}}
    assert access(cluster, {"nonResourceAttributes": {"path": "/logs", "verb": "get"}})["status"]["allowed"]
    assert cluster.store.rv == before  # answered, never stored
    with pytest.raises(Status) as listed:
        cluster.api.list("SelfSubjectAccessReview")
    assert (listed.value.code, listed.value.reason) == (405, "MethodNotAllowed")


@pytest.mark.parametrize(("attributes", "resource_request", "allowed"), [
    ({"verb": "create", "group": "authorization.k8s.io", "resource": "selfsubjectaccessreviews"}, True, True),
    ({"verb": "create", "group": "authentication.k8s.io", "resource": "selfsubjectreviews"}, True, True),
    ({"verb": "get", "group": "authorization.k8s.io", "resource": "selfsubjectaccessreviews"}, True, False),
    ({"verb": "get", "resource": "pods"}, True, False),
    ({"verb": "get", "path": "/version"}, False, True),
    ({"verb": "get", "path": "/apis/apps/v1"}, False, True),  # `/apis/*`
    ({"verb": "post", "path": "/apis"}, False, False),
    ({"verb": "get", "path": "/logs"}, False, False),
])
def test_other_users_get_the_bootstrap_policy_of_authenticated_users(attributes, resource_request, allowed):
    decision, reason = authz.authorize(BASIC, attributes, resource_request=resource_request)
    assert decision is allowed
    assert reason.startswith("RBAC: allowed by ClusterRoleBinding \"system:") if allowed else reason == ""


@pytest.mark.parametrize(("rule", "attributes", "allowed"), [
    (Rule(("get",), ("",), ("pods/log",)), {"verb": "get", "resource": "pods", "subresource": "log"}, True),
    (Rule(("get",), ("",), ("pods",)), {"verb": "get", "resource": "pods", "subresource": "log"}, False),
    (Rule(("get",), ("",), ("*/log",)), {"verb": "get", "resource": "pods", "subresource": "log"}, True),
    (Rule(("get",), ("",), ("*/log",)), {"verb": "get", "resource": "pods"}, False),
    (Rule(("get",), ("apps",), ("deployments",), ("web",)), {"verb": "get", "group": "apps",
                                                           "resource": "deployments", "name": "web"}, True),
    (Rule(("get",), ("apps",), ("deployments",), ("web",)), {"verb": "get", "group": "apps",
                                                           "resource": "deployments", "name": "db"}, False),
    (Rule(("get",), ("apps",), ("deployments",)), {"verb": "get", "resource": "deployments"}, False),
])
def test_rbac_rule_matching(rule, attributes, allowed):
    assert authz.rule_allows(rule, attributes, resource_request=True) is allowed


def test_the_rules_review_lists_every_binding_of_the_user(cluster):
    review = cluster.api.create({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
                             "spec": {"namespace": "default"}}, actor=ACTOR)
    assert review["spec"] == {}
    status = review["status"]
    assert status["incomplete"] is False
    assert status["resourceRules"][0] == {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}
    assert status["resourceRules"][2] == {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
                                          "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]}
    assert status["nonResourceRules"][0] == {"verbs": ["*"], "nonResourceURLs": ["*"]}
    assert [len(rule["nonResourceURLs"]) for rule in status["nonResourceRules"]] == [1, 11, 5]
    with pytest.raises(Status) as missing:
        cluster.api.create({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": {}},
                       actor=ACTOR)
    assert (missing.value.code, missing.value.message) == (400, "no namespace on request")


def test_whoami_names_the_sandbox_user(cluster):
    review = cluster.api.create({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}, actor=ACTOR)
    assert review["status"] == {"userInfo": {"username": "ada",
                                             "groups": ["kubeadm:cluster-admins", "system:authenticated"]}}
    assert review["metadata"]["creationTimestamp"] == rfc3339(cluster.now)


@pytest.mark.parametrize(("spec", "extra", "message"), [
    ({}, {}, 'spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or '
             "resourceAttributes must be specified"),
    ({"resourceAttributes": {"verb": "get"}, "nonResourceAttributes": {"path": "/x", "verb": "get"}}, {},
     'spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:"/x", Verb:"get"}: cannot '
     "be specified in combination with resourceAttributes"),
    ({"resourceAttributes": {"verb": "get"}}, {"metadata": {"name": "x"}},
     'metadata: Invalid value: {"name": "x"}: must be empty'),
])
def test_invalid_access_reviews(cluster, spec, extra, message):
    with pytest.raises(Status) as refused:
        access(cluster, spec, **extra)
    assert refused.value.code == 422
    assert refused.value.kubectl_text() == f'The SelfSubjectAccessReview "" is invalid: {message}'


def test_reviews_are_decoded_strictly(cluster):
    with pytest.raises(Status) as refused:
        access(cluster, {"resourceAttributes": {"verb": "get", "colour": "red"}})
    assert refused.value.message == ('SelfSubjectAccessReview in version "v1" cannot be handled as a '
                                     'SelfSubjectAccessReview: strict decoding error: unknown field '
                                     '"spec.resourceAttributes.colour"')
    with pytest.raises(Status) as wrong_version:
        cluster.api.create({"apiVersion": "authorization.k8s.io/v1beta1", "kind": "SelfSubjectAccessReview",
                        "spec": {}}, actor=ACTOR)
    assert wrong_version.value.code == 400


def _rule_key(rule: dict) -> tuple:
    """A PolicyRule compared as RBAC compares it: each list as a set."""
    return tuple(tuple(sorted(rule.get(key) or ())) for key in
                 ("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"))


def test_the_policy_the_reviews_answer_from_is_the_stored_bootstrap_policy(cluster):
    """`authz.BINDINGS` (what `auth can-i` decides by) is the sandbox user's part of the bootstrap RBAC objects every
    cluster stores (`kinds.rbac.bootstrap_objects`): the same bindings, roles, groups and rules."""
    for binding in authz.BINDINGS:
        stored = cluster.store.get("ClusterRoleBinding", "", binding.name)
        assert stored is not None, binding.name
        assert stored["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                     "name": binding.role}
        assert {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": binding.group} in stored["subjects"]
        role = cluster.store.get("ClusterRole", "", binding.role)
        expected = {_rule_key({"verbs": r.verbs, "apiGroups": r.api_groups, "resources": r.resources,
                               "resourceNames": r.resource_names, "nonResourceURLs": r.non_resource_urls})
                    for r in binding.rules}
        assert {_rule_key(rule) for rule in role["rules"]} == expected, binding.role
    groups = set(authz.SANDBOX_GROUPS)
    user_bindings = {b["metadata"]["name"] for b in cluster.store.items("ClusterRoleBinding")
                     if any(s["kind"] == "Group" and s["name"] in groups for s in b["subjects"])}
    assert user_bindings == {binding.name for binding in authz.BINDINGS}
