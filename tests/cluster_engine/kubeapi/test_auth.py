"""`kubectl auth can-i` and `kubectl auth whoami`: the self-review APIs in-process (discovery, bodies, verbs)
and through the real kubectl 1.32 over TLS, which prints what the in-page kubectl prints for the same sandbox."""

from __future__ import annotations

import pytest

from cluster_engine import engine, services, tokens
from cluster_engine.models import Sandbox, SandboxChange
from cluster_engine.sim.kubectl.client import run_command
from tests.cluster_engine.kubeapi.conftest import make_kube

pytestmark = pytest.mark.django_db

SSAR = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {"namespace": "default", "verb": "create", "group": "apps",
                                        "resource": "deployments"}}}
ADMIN_REASON = ('RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to '
                'Group "kubeadm:cluster-admins"')


@pytest.fixture(autouse=True)
def _tls_in_tmp(settings, tmp_path):
    settings.KUBE_API_TLS_DIR = str(tmp_path / "tls")


@pytest.fixture
def auth(playground) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens.sandbox_token_create(sandbox=playground)}"}


def _post(client, playground, path: str, body: dict, auth: dict[str, str]):
    return client.post(f"/k8s/{playground.pk}{path}", body, content_type="application/json", **auth)


def test_discovery_lists_the_reviews_with_create_only(client, playground, auth):
    legacy = client.get(f"/k8s/{playground.pk}/apis/authorization.k8s.io/v1", **auth).json()
    assert [(r["name"], r["kind"], r["namespaced"], r["verbs"]) for r in legacy["resources"]] == [
        ("selfsubjectaccessreviews", "SelfSubjectAccessReview", False, ["create"]),
        ("selfsubjectrulesreviews", "SelfSubjectRulesReview", False, ["create"])]
    accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    groups = client.get(f"/k8s/{playground.pk}/apis", HTTP_ACCEPT=accept, **auth).json()["items"]
    authentication = next(g for g in groups if g["metadata"]["name"] == "authentication.k8s.io")
    assert authentication["versions"][0]["resources"] == [{
        "resource": "selfsubjectreviews", "scope": "Cluster", "singularResource": "selfsubjectreview",
        "responseKind": {"group": "authentication.k8s.io", "version": "v1", "kind": "SelfSubjectReview"},
        "verbs": ["create"]}]
    document = client.get(f"/k8s/{playground.pk}/openapi/v3/apis/authorization.k8s.io/v1", **auth).json()
    assert document["paths"] == {path: {"post": document["paths"][path]["post"]} for path in (
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")}


def test_a_review_is_answered_and_stores_nothing(client, playground, auth):
    before = Sandbox.objects.values_list("version", "resource_version").get(pk=playground.pk)
    logged = SandboxChange.objects.filter(sandbox=playground).count()  # the scenario's own objects
    response = _post(client, playground, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", SSAR, auth)
    assert response.status_code == 201
    assert response.json() == {**SSAR, "metadata": {"creationTimestamp": None},
                               "status": {"allowed": True, "reason": ADMIN_REASON}}
    whoami = _post(client, playground, "/apis/authentication.k8s.io/v1/selfsubjectreviews", {}, auth).json()
    assert whoami["status"]["userInfo"] == {"username": "ada",
                                            "groups": ["kubeadm:cluster-admins", "system:authenticated"]}
    assert SandboxChange.objects.filter(sandbox=playground).count() == logged
    assert Sandbox.objects.values_list("version", "resource_version").get(pk=playground.pk) == before


def test_a_review_refuses_other_verbs_and_bad_bodies(client, playground, auth):
    url = f"/k8s/{playground.pk}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    listed = client.get(url, **auth)
    assert (listed.status_code, listed.json()["reason"]) == (405, "MethodNotAllowed")
    assert client.delete(f"{url}/x", **auth).status_code == 405
    assert client.post(f"/k8s/{playground.pk}/apis/authorization.k8s.io/v1/namespaces/default/"
                       "selfsubjectaccessreviews", SSAR, content_type="application/json", **auth).status_code == 404
    invalid = _post(client, playground, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                    {**SSAR, "spec": {}}, auth)
    assert invalid.status_code == 422
    assert invalid.json()["details"]["causes"][0]["field"] == "spec.resourceAttributes"
    rules = _post(client, playground, "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                  {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": {}}, auth)
    assert (rules.status_code, rules.json()["message"]) == (400, "no namespace on request")
    unknown = client.post(f"/k8s/{playground.pk}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews?"
                          "fieldValidation=Warn", {**SSAR, "colour": "red"}, content_type="application/json", **auth)
    assert unknown.status_code == 201
    assert unknown["Warning"] == '299 - "unknown field \\"colour\\""'
    assert client.post(f"/k8s/{playground.pk}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", SSAR,
                       content_type="application/json").status_code == 401


def test_acting_as_another_user_is_refused(client, playground, auth):
    url = f"/k8s/{playground.pk}/api/v1/namespaces/default/pods"
    for headers in ({"HTTP_IMPERSONATE_USER": "bob"}, {"HTTP_IMPERSONATE_USER": "ada", "HTTP_IMPERSONATE_GROUP": "x"},
                    {"HTTP_IMPERSONATE_USER": "system:serviceaccount:dev:foo"}):
        refused = client.get(url, **auth, **headers)
        assert (refused.status_code, refused.json()["reason"]) == (403, "Forbidden")
        assert refused.json()["message"].startswith('impersonation is not simulated: User "ada" cannot act as "')
    assert client.get(url, HTTP_IMPERSONATE_USER="ada", **auth).status_code == 200  # as oneself


def in_page(kube, line: str) -> tuple[str, str, int]:
    sandbox = Sandbox.objects.get(pk=kube.sandbox_id)
    cluster = engine.load(sandbox.state)
    result = run_command(cluster, line, actor=services.actor_for(sandbox.owner))
    return result.stdout, result.stderr, result.exit_code


@pytest.mark.django_db(transaction=True)
def test_real_kubectl_auth_can_i_and_whoami(kube, kube_server, django_user_model, tmp_path):
    assert kube("auth", "can-i", "create", "deployments") == "yes\n"
    assert kube("auth", "can-i", "*", "*") == "yes\n"
    unknown = kube.run("auth", "can-i", "frobnicate", "widgets")
    assert unknown.stdout == "yes\n"
    assert unknown.stderr == ("Warning: the server doesn't have a resource type 'widgets'\n\n"
                              "Warning: verb 'frobnicate' is not a known verb\n\n")
    listing = kube("auth", "can-i", "--list")
    assert listing.splitlines()[:3] == [
        "Resources                                       Non-Resource URLs   Resource Names   Verbs",
        "*.*                                             []                  []               [*]",
        "                                                [*]                 []               [*]"]
    whoami = kube("auth", "whoami")
    assert whoami == "ATTRIBUTE   VALUE\nUsername    ada\nGroups      [kubeadm:cluster-admins system:authenticated]\n"
    # the in-page kubectl prints the same for the same sandbox
    for args in (["auth", "can-i", "get", "nodes"], ["auth", "can-i", "frobnicate", "widgets"],
                 ["auth", "can-i", "--list", "-n", "kube-system"], ["auth", "whoami"],
                 ["auth", "can-i", "get", "/healthz", "--subresource=log"]):
        real = kube.run(*args, check=False)
        assert in_page(kube, " ".join(["kubectl", *args])) == (real.stdout, real.stderr, real.returncode), args
    acting = kube.run("auth", "can-i", "list", "pods", "--as=system:serviceaccount:dev:foo", check=False)
    assert acting.returncode == 1
    assert acting.stderr.startswith("Error from server (Forbidden): impersonation is not simulated: ")
    # another learner's token names that learner, in that learner's own sandbox
    bob = make_kube(django_user_model.objects.create_user(username="bob", password="x-9-horse-battery"),
                    kube_server, tmp_path / "bob")
    assert "Username    bob\n" in bob("auth", "whoami")
    assert bob("auth", "can-i", "delete", "pods", "-A") == "yes\n"
