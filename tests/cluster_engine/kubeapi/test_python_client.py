"""The `kubernetes` Python client against the real server over TLS: lists, writes, watches and typed errors."""

from __future__ import annotations

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from cluster_engine.models import SandboxChange
from tests.cluster_engine.kubeapi.conftest import make_kube

pytestmark = pytest.mark.django_db(transaction=True)


def _api(kube, token: str | None = None) -> client.CoreV1Api:
    import yaml

    config = yaml.safe_load(kube.kubeconfig.read_text())
    configuration = client.Configuration()
    configuration.host = config["clusters"][0]["cluster"]["server"]
    ca_file = kube.home / "ca.crt"
    ca_file.write_bytes(__import__("base64").b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"]))
    configuration.ssl_ca_cert = str(ca_file)
    if token is None:
        token = config["users"][0]["user"]["token"]
    if token:
        configuration.api_key = {"authorization": f"Bearer {token}"}
    return client.CoreV1Api(client.ApiClient(configuration))


def _pod(name: str, **labels: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {"app": name}},
            "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}}


def test_list_create_patch_and_watch(kube):
    api = _api(kube)
    assert {node.metadata.name for node in api.list_node().items} >= {"control-plane"}
    created = api.create_namespaced_pod("default", _pod("one"))
    assert created.metadata.uid
    assert created.metadata.resource_version
    patched = api.patch_namespaced_pod("one", "default", {"metadata": {"labels": {"tier": "front"}}})
    assert patched.metadata.labels == {"app": "one", "tier": "front"}
    assert [p.metadata.name for p in api.list_namespaced_pod("default", label_selector="tier=front").items] == ["one"]
    assert api.list_namespaced_pod("default", field_selector="metadata.name=nope").items == []
    page = api.list_pod_for_all_namespaces(limit=3)
    assert len(page.items) == 3
    assert page.metadata._continue
    rest = api.list_pod_for_all_namespaces(limit=500, _continue=page.metadata._continue)
    assert len(page.items) + len(rest.items) == len(api.list_pod_for_all_namespaces().items)

    seen = []
    stream = watch.Watch()
    api.create_namespaced_pod("default", _pod("two"))
    for event in stream.stream(api.list_namespaced_pod, "default", timeout_seconds=5):
        seen.append((event["type"], event["object"].metadata.name))
        if ("ADDED", "two") in seen:
            stream.stop()
    assert ("ADDED", "one") in seen
    assert ("ADDED", "two") in seen


def _watch_from(api, resource_version: str, **kwargs) -> list[tuple[str, str, str]]:
    """Every event of a watch of pods in "default" after `resource_version`, until the stream falls quiet."""
    response = api.list_namespaced_pod("default", watch=True, resource_version=resource_version, timeout_seconds=2,
                                       _preload_content=False, **kwargs)
    import json

    events = []
    for line in response.read().decode().splitlines():
        event = json.loads(line)
        if event["type"] == "ERROR":
            events.append(("ERROR", str(event["object"]["code"]), event["object"]["reason"]))
        else:
            events.append((event["type"], event["object"]["metadata"]["name"],
                           event["object"]["metadata"]["labels"].get("tier", "")))
    return events


def test_watch_from_an_earlier_resource_version_replays_the_log_through_the_selector(kube):
    api = _api(kube)
    api.create_namespaced_pod("default", _pod("kept", app="kept", tier="front"))
    api.create_namespaced_pod("default", _pod("leaves", app="leaves", tier="front"))
    since = api.list_namespaced_pod("default").metadata.resource_version
    api.patch_namespaced_pod("kept", "default", {"metadata": {"labels": {"tier": "back"}}})
    api.create_namespaced_pod("default", _pod("late", app="late", tier="back"))
    api.delete_namespaced_pod("leaves", "default", grace_period_seconds=0)

    front = [event for event in _watch_from(api, since, label_selector="tier=front") if event[1] != "late"]
    assert front[0] == ("DELETED", "kept", "back")  # stopped matching: leaves the selection
    assert ("DELETED", "leaves", "front") in front
    back = _watch_from(api, since, label_selector="tier=back")
    assert back[:2] == [("ADDED", "kept", "back"), ("ADDED", "late", "back")]  # started matching, created
    everything = _watch_from(api, since)
    assert everything[:2] == [("MODIFIED", "kept", "back"), ("ADDED", "late", "back")]
    # The log holds the sandbox's history from its first object until it is pruned (changelog.HISTORY_LIMIT); a
    # resourceVersion from before what it still holds is too old.
    SandboxChange.objects.filter(sandbox_id=kube.sandbox_id, resource_version__lte=int(since)).delete()
    assert _watch_from(api, "1") == [("ERROR", "410", "Expired")]


def test_errors_arrive_as_api_exceptions_with_their_codes(kube):
    api = _api(kube)
    with pytest.raises(ApiException) as missing:
        api.read_namespaced_pod("nope", "default")
    assert missing.value.status == 404
    api.create_namespaced_pod("default", _pod("one"))
    with pytest.raises(ApiException) as exists:
        api.create_namespaced_pod("default", _pod("one"))
    assert exists.value.status == 409
    assert '"AlreadyExists"' in exists.value.body
    stale = api.read_namespaced_pod("one", "default")
    api.patch_namespaced_pod("one", "default", {"metadata": {"labels": {"v": "2"}}})
    with pytest.raises(ApiException) as conflict:
        api.replace_namespaced_pod("one", "default", stale)
    assert conflict.value.status == 409
    assert '"Conflict"' in conflict.value.body
    with pytest.raises(ApiException) as invalid:
        api.create_namespaced_pod("default", _pod("Bad_Name"))
    assert invalid.value.status == 422
    assert '"Invalid"' in invalid.value.body


def test_tokens_open_only_their_own_sandbox(kube, other_learner, kube_server, tmp_path):
    with pytest.raises(ApiException) as anonymous:
        _api(kube, token="").list_namespaced_pod("default")
    assert anonymous.value.status == 401
    with pytest.raises(ApiException) as unknown:
        _api(kube, token="podlab_not-a-token").list_namespaced_pod("default")
    assert unknown.value.status == 401
    other = make_kube(other_learner, kube_server, tmp_path / "bob")
    other_token = __import__("yaml").safe_load(other.kubeconfig.read_text())["users"][0]["user"]["token"]
    with pytest.raises(ApiException) as foreign:
        _api(kube, token=other_token).list_namespaced_pod("default")
    assert foreign.value.status == 403


def test_self_reviews(kube):
    api_client = _api(kube).api_client
    review = client.AuthorizationV1Api(api_client).create_self_subject_access_review(
        client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(
            resource_attributes=client.V1ResourceAttributes(namespace="default", verb="delete", resource="pods"))))
    assert review.status.allowed is True
    assert review.status.reason.startswith('RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins"')
    rules = client.AuthorizationV1Api(api_client).create_self_subject_rules_review(
        client.V1SelfSubjectRulesReview(spec=client.V1SelfSubjectRulesReviewSpec(namespace="default")))
    assert rules.status.resource_rules[0].verbs == ["*"]
    assert rules.status.incomplete is False
    me = client.AuthenticationV1Api(api_client).create_self_subject_review(client.V1SelfSubjectReview())
    assert me.status.user_info.username == "ada"


def test_accounts_quotas_and_storage_through_the_typed_clients(kube):
    core = _api(kube)
    storage = client.StorageV1Api(core.api_client)
    assert [sa.metadata.name for sa in core.list_namespaced_service_account("default").items] == ["default"]
    standard = storage.read_storage_class("standard")
    assert (standard.provisioner, standard.volume_binding_mode) == ("rancher.io/local-path", "WaitForFirstConsumer")
    core.create_namespaced_resource_quota("default", {"apiVersion": "v1", "kind": "ResourceQuota",
                                                      "metadata": {"name": "pods"}, "spec": {"hard": {"pods": "50"}}})
    quota = core.read_namespaced_resource_quota("pods", "default")
    assert quota.spec.hard == {"pods": "50"}
    volume = core.create_persistent_volume({
        "apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "disk"},
        "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/mnt"}}})
    assert volume.spec.persistent_volume_reclaim_policy == "Retain"
    assert volume.metadata.finalizers == ["kubernetes.io/pv-protection"]
    with pytest.raises(ApiException) as error:
        core.create_namespaced_pod("default", {**_pod("lost"), "spec": {**_pod("lost")["spec"],
                                                                         "serviceAccountName": "nobody"}})
    assert error.value.status == 403
    assert "error looking up service account default/nobody" in error.value.body
