"""The admission plugins that read other objects (`sim/admission.py`): ServiceAccount, LimitRanger, ResourceQuota,
DefaultStorageClass and storage object protection, with kube-apiserver 1.32's words; a refused request changes
nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sim_helpers import pod

from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.errors import Status


def _refused(cluster: Cluster, manifest: dict[str, Any], **kwargs: Any) -> Status:
    before = cluster.dumps()
    with pytest.raises(Status) as error:
        cluster.api.create(manifest, **kwargs)
    assert cluster.dumps() == before, "a refused create changed the state"
    return error.value


def _quota(name: str, hard: dict[str, str], **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name}, "spec": {"hard": hard, **spec}}


def _limits(*items: dict[str, Any], name: str = "limits") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": name}, "spec": {"limits": list(items)}}


def _sized(name: str, requests: dict[str, str] | None = None, limits: dict[str, str] | None = None) -> dict[str, Any]:
    resources = {k: v for k, v in (("requests", requests), ("limits", limits)) if v}
    return pod(name, node=None, resources=resources)


# --- ServiceAccount --------------------------------------------------------------------------------------
def test_a_pod_naming_a_missing_service_account_is_refused(cluster: Cluster) -> None:
    error = _refused(cluster, pod("p", node=None, serviceAccountName="robot"))
    assert (error.code, error.reason) == (403, "Forbidden")
    assert error.message == (
        'pods "p" is forbidden: error looking up service account default/robot: serviceaccount "robot" not found'
    )


def test_a_generated_name_is_what_the_refusal_names(cluster: Cluster) -> None:
    body = pod("ignored", node=None, serviceAccountName="robot")
    body["metadata"] = {"generateName": "web-7d9f-"}
    assert _refused(cluster, body).message.startswith('pods "web-7d9f-" is forbidden: error looking up')


def test_pods_run_as_default_and_mount_its_token(cluster: Cluster) -> None:
    created = cluster.api.create(pod("p", node=None))
    spec = created["spec"]
    assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("default", "default")
    token = next(v for v in spec["volumes"] if v["name"].startswith("kube-api-access-"))
    assert token["projected"]["sources"][1]["configMap"]["name"] == "kube-root-ca.crt"


def test_an_account_that_does_not_automount_leaves_pods_without_a_token(cluster: Cluster) -> None:
    cluster.api.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "quiet"},
                    "automountServiceAccountToken": False})
    quiet = cluster.api.create(pod("quiet", node=None, serviceAccountName="quiet"))
    assert not quiet["spec"].get("volumes")
    loud = cluster.api.create(pod("loud", node=None, serviceAccountName="quiet", automountServiceAccountToken=True))
    assert loud["spec"]["volumes"][0]["name"].startswith("kube-api-access-")


def test_the_default_account_of_a_new_namespace_is_waited_for_while_its_controller_runs(cluster: Cluster) -> None:
    cluster.api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "fresh"}})
    assert cluster.store.get("ServiceAccount", "fresh", "default") is None
    cluster.api.create(pod("early", node=None), namespace="fresh")  # upstream's plugin retries until it exists
    cluster.set_component("kube-controller-manager", running=False)
    cluster.api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "stale"}})
    error = _refused(cluster, pod("late", node=None), namespace="stale")
    assert "error looking up service account stale/default" in error.message


# --- LimitRanger -----------------------------------------------------------------------------------------
def test_limit_range_defaults_fill_what_containers_leave_out(cluster: Cluster) -> None:
    cluster.api.create(_limits({"type": "Container", "default": {"cpu": "500m", "memory": "512Mi"},
                            "defaultRequest": {"cpu": "250m", "memory": "256Mi"}}))
    stored = cluster.api.get("limits", "limits")["spec"]["limits"][0]
    assert stored["defaultRequest"] == {"cpu": "250m", "memory": "256Mi"}
    bare = cluster.api.create(pod("bare", node=None))
    assert bare["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "500m", "memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "256Mi"}}
    assert bare["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app")
    # a limit without a request: defaulting copies the limit, not the LimitRange's default request
    limited = cluster.api.create(_sized("limited", limits={"memory": "1Gi"}))
    assert limited["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "250m", "memory": "1Gi"}


def test_limit_range_defaults_come_from_max_when_no_default_is_given(cluster: Cluster) -> None:
    cluster.api.create(_limits({"type": "Container", "max": {"cpu": "800m"}, "min": {"cpu": "200m"}}))
    item = cluster.api.get("limits", "limits")["spec"]["limits"][0]
    assert (item["default"], item["defaultRequest"]) == ({"cpu": "800m"}, {"cpu": "800m"})


@pytest.mark.parametrize(
    ("item", "manifest", "message"),
    [
        ({"type": "Container", "max": {"memory": "1Gi"}}, _sized("p", limits={"memory": "1536Mi"}),
         "maximum memory usage per Container is 1Gi, but limit is 1536Mi"),
        ({"type": "Container", "min": {"cpu": "200m"}, "max": {"cpu": "800m"}},
         _sized("p", requests={"cpu": "100m"}, limits={"cpu": "800m"}),
         "minimum cpu usage per Container is 200m, but request is 100m"),
        ({"type": "Container", "min": {"cpu": "200m"}, "max": {"cpu": "800m"}},
         _sized("p", requests={"cpu": "900m"}, limits={"cpu": "1.5"}),
         "[maximum cpu usage per Container is 800m, but limit is 1500m, "
         "maximum cpu usage per Container is 800m, but limit is 1500m]"),
        ({"type": "Container", "maxLimitRequestRatio": {"memory": "2"}},
         _sized("p", requests={"memory": "100Mi"}, limits={"memory": "300Mi"}),
         "memory max limit to request ratio per Container is 2, but provided ratio is 3.000000"),
        ({"type": "Pod", "max": {"cpu": "1"}}, _sized("p", requests={"cpu": "1"}, limits={"cpu": "2"}),
         "maximum cpu usage per Pod is 1, but limit is 2"),
    ],
    ids=["container-max", "container-min", "two-items", "ratio", "pod-max"],
)
def test_limit_range_bounds_refuse_pods_with_upstream_words(cluster: Cluster, item, manifest, message) -> None:
    cluster.api.create(_limits(item))
    if message.startswith("["):  # the same item twice: both report it, as an aggregate
        cluster.api.create(_limits(item, name="again"))
    assert _refused(cluster, manifest).message == f'pods "p" is forbidden: {message}'


def test_limit_range_bounds_claims(cluster: Cluster) -> None:
    cluster.api.create(_limits({"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}, "max": {"storage": "2Gi"}}))
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "big"},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}}}
    assert _refused(cluster, claim).message == (
        'persistentvolumeclaims "big" is forbidden: maximum storage usage per PersistentVolumeClaim is 2Gi, '
        "but request is 5Gi")


# --- ResourceQuota ---------------------------------------------------------------------------------------
def _settled_quota(cluster: Cluster, name: str, hard: dict[str, str], **spec: Any) -> None:
    cluster.api.create(_quota(name, hard, **spec))
    cluster.run_until_idle()
    assert cluster.api.get("quota", name)["status"]["hard"] == hard


def test_a_quota_on_compute_needs_every_container_to_say_what_it_uses(cluster: Cluster) -> None:
    _settled_quota(cluster, "mem-cpu", {"requests.cpu": "1", "limits.memory": "2Gi"})
    assert _refused(cluster, pod("p", node=None)).message == (
        'pods "p" is forbidden: failed quota: mem-cpu: must specify limits.memory for: app; requests.cpu for: app')


def test_a_quota_refuses_what_would_exceed_it_and_counts_what_it_admits(cluster: Cluster) -> None:
    _settled_quota(cluster, "mem-cpu", {"requests.cpu": "1", "requests.memory": "1Gi", "pods": "2"})
    cluster.api.create(_sized("first", requests={"cpu": "600m", "memory": "300Mi"}))
    assert cluster.api.get("quota", "mem-cpu")["status"]["used"] == {
        "requests.cpu": "600m", "requests.memory": "300Mi", "pods": "1"}
    error = _refused(cluster, _sized("second", requests={"cpu": "600m", "memory": "300Mi"}))
    assert error.message == ('pods "second" is forbidden: exceeded quota: mem-cpu, requested: requests.cpu=600m, '
                             "used: requests.cpu=600m, limited: requests.cpu=1")
    cluster.api.delete("pods", "first", grace_period_seconds=0)
    cluster.run_until_idle()
    assert cluster.api.get("quota", "mem-cpu")["status"]["used"]["requests.cpu"] == "0"
    cluster.api.create(_sized("second", requests={"cpu": "600m", "memory": "300Mi"}))


def test_object_count_quotas_stop_a_controller_with_a_failed_create_event(cluster: Cluster) -> None:
    _settled_quota(cluster, "counts", {"count/deployments.apps": "1", "pods": "2"})
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                  "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}
    cluster.api.create(deployment)
    second = dict(deployment, metadata={"name": "other"})
    assert _refused(cluster, second).message == (
        'deployments.apps "other" is forbidden: exceeded quota: counts, requested: count/deployments.apps=1, '
        "used: count/deployments.apps=1, limited: count/deployments.apps=1")
    cluster.step(30)
    assert len(cluster.api.list("pods", label_selector="app=web")["items"]) == 2
    failures = [e["message"] for e in cluster.api.list("events")["items"] if e["reason"] == "FailedCreate"]
    assert failures
    assert "exceeded quota: counts, requested: pods=1, used: pods=2, limited: pods=2" in failures[0]


def test_scoped_quotas_count_only_the_pods_in_their_scope(cluster: Cluster) -> None:
    _settled_quota(cluster, "best-effort", {"pods": "1"}, scopes=["BestEffort"])
    cluster.api.create(pod("a", node=None))
    cluster.api.create(_sized("sized", requests={"cpu": "100m"}))  # Burstable: not in the scope
    assert _refused(cluster, pod("b", node=None)).message.startswith(
        'pods "b" is forbidden: exceeded quota: best-effort, requested: pods=1, used: pods=1, limited: pods=1')


def test_service_and_claim_quotas(cluster: Cluster) -> None:
    _settled_quota(cluster, "objects", {"services.nodeports": "1", "requests.storage": "2Gi"})
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "np"},
               "spec": {"type": "NodePort", "ports": [{"port": 80, "name": "a"}, {"port": 81, "name": "b"}]}}
    assert "requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1" in \
        _refused(cluster, service).message
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "c"},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "3Gi"}}}}
    assert "requested: requests.storage=3Gi, used: requests.storage=0, limited: requests.storage=2Gi" in \
        _refused(cluster, claim).message


def test_a_dry_run_is_checked_against_quota_but_charges_nothing(cluster: Cluster) -> None:
    _settled_quota(cluster, "pods", {"pods": "1"})
    cluster.api.create(pod("dry", node=None), dry_run=True)
    assert cluster.api.get("quota", "pods")["status"]["used"] == {"pods": "0"}


# --- storage ---------------------------------------------------------------------------------------------
def test_claims_without_a_class_get_the_default_one_and_a_protection_finalizer(cluster: Cluster) -> None:
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "c"},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}
    created = cluster.api.create(claim)
    assert created["spec"]["storageClassName"] == "standard"
    assert created["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    explicit = cluster.api.create({**claim, "metadata": {"name": "d"},
                                   "spec": {**claim["spec"], "storageClassName": ""}})
    assert explicit["spec"]["storageClassName"] == ""
