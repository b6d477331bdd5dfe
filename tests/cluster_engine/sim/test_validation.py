import pytest

from cluster_engine.sim import validation
from cluster_engine.sim.defaults import admit_pod, default_pod, default_pull_policy, qos_class
from cluster_engine.sim.util import Draws


def _pod(**spec):
    body = {"containers": [{"name": "app", "image": "nginx"}], **spec}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": body,
    }


def _messages(causes):
    return [f"{c.field}: {c.message}" for c in causes]


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("web", True),
        ("web-1.example", True),
        ("Web", False),
        ("-web", False),
        ("a" * 253, True),
        ("a" * 254, False),
        ("web_1", False),
    ],
)
def test_rfc1123_subdomain(name, ok):
    assert (validation.dns1123_subdomain(name) == []) is ok


def test_rfc1123_label_rejects_dots_and_long_names():
    assert validation.dns1123_label("a.b") == [validation.DNS1123_LABEL_MSG]
    assert validation.dns1123_label("a" * 64)[0] == "must be no more than 63 characters"


@pytest.mark.parametrize(
    ("key", "first_error"),
    [
        ("app", None),
        ("example.com/app", None),
        ("Example.com/app", "prefix part a lowercase RFC 1123 subdomain"),
        ("/app", "prefix part must be non-empty"),
        ("example.com/", "name part must be non-empty"),
        ("a b", "name part must consist of alphanumeric characters"),
        ("a/b/c", "a qualified name must consist of"),
    ],
)
def test_qualified_names_as_label_keys(key, first_error):
    errors = validation.qualified_name(key)
    if first_error is None:
        assert errors == []
    else:
        assert errors[0].startswith(first_error)


def test_label_values_allow_empty_and_reject_spaces():
    assert validation.label_value("") == []
    assert validation.label_value("my_value.1") == []
    assert validation.label_value("bad value") == [validation.LABEL_VALUE_MSG]


def test_pod_without_containers_is_required():
    pod = _pod()
    pod["spec"]["containers"] = []
    assert _messages(validation.validate_pod(pod, None)) == ["spec.containers: Required value"]


def test_pod_container_errors_are_worded_as_upstream():
    pod = _pod(restartPolicy="Sometimes")
    pod["spec"]["containers"] = [
        {"name": "app", "image": ""},
        {"name": "app", "image": "x", "ports": [{"containerPort": 70000}]},
    ]
    assert _messages(validation.validate_pod(pod, None)) == [
        "spec.containers[0].image: Required value",
        'spec.containers[1].name: Duplicate value: "app"',
        "spec.containers[1].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]


def test_requests_above_limits_are_invalid():
    pod = _pod()
    pod["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}
    assert _messages(validation.validate_pod(pod, None)) == [
        'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'
    ]


def test_probe_needs_exactly_one_handler():
    pod = _pod()
    pod["spec"]["containers"][0]["livenessProbe"] = {"periodSeconds": 5}
    assert _messages(validation.validate_pod(pod, None)) == [
        "spec.containers[0].livenessProbe: Required value: must specify a handler type"
    ]


def test_pod_spec_is_immutable_except_images():
    old = _pod()
    new = _pod()
    new["spec"]["containers"][0]["image"] = "nginx:1.27"
    assert validation.validate_pod(new, old) == []
    new["spec"]["containers"][0]["ports"] = [{"containerPort": 80}]
    messages = _messages(validation.validate_pod(new, old))
    assert messages == [f"spec: Forbidden: {validation.POD_UPDATE_FORBIDDEN}"]


def test_tolerations_may_only_be_added():
    old = _pod(tolerations=[{"key": "a", "operator": "Exists"}])
    new = _pod(tolerations=[{"key": "a", "operator": "Exists"}, {"key": "b", "operator": "Exists"}])
    assert validation.validate_pod(new, old) == []
    assert validation.validate_pod(old, new)[0].field == "spec.tolerations"


def test_image_pull_policy_defaults_from_the_tag():
    assert default_pull_policy("nginx") == "Always"
    assert default_pull_policy("nginx:latest") == "Always"
    assert default_pull_policy("nginx:1.27") == "IfNotPresent"
    assert default_pull_policy("localhost:5000/app") == "Always"
    assert default_pull_policy("nginx@sha256:abc") == "IfNotPresent"


def test_pod_defaults_match_kube_apiserver():
    pod = _pod()
    pod["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "500m", "memory": "128Mi"}}
    pod["spec"]["containers"][0]["readinessProbe"] = {"httpGet": {"port": 80}}
    default_pod(pod)
    admit_pod(pod, Draws(1))
    spec = pod["spec"]
    assert spec["restartPolicy"] == "Always"
    assert spec["terminationGracePeriodSeconds"] == 30
    assert spec["dnsPolicy"] == "ClusterFirst"
    assert spec["schedulerName"] == "default-scheduler"
    assert spec["serviceAccountName"] == "default"
    container = spec["containers"][0]
    assert container["imagePullPolicy"] == "Always"
    assert container["resources"]["requests"] == {"cpu": "500m", "memory": "128Mi"}
    assert container["readinessProbe"] == {
        "httpGet": {"port": 80, "scheme": "HTTP"},
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
    assert {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    } in spec["tolerations"]
    assert spec["volumes"][0]["name"].startswith("kube-api-access-")
    assert pod["status"] == {"phase": "Pending", "qosClass": "Guaranteed"}


def test_qos_classes():
    assert qos_class({"containers": [{"name": "a"}]}) == "BestEffort"
    assert qos_class({"containers": [{"name": "a", "resources": {"requests": {"cpu": "1"}}}]}) == "Burstable"


def test_node_taint_needs_an_effect():
    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "n1"},
        "spec": {"taints": [{"key": "dedicated"}]},
    }
    assert _messages(validation.validate_node(node, None)) == ["spec.taints[0].effect: Required value"]


def test_configmap_keys():
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "default"},
        "data": {"ok.key": "1", "bad key": "2"},
    }
    assert _messages(validation.validate_configmap(cm, None)) == [
        f'data[bad key]: Invalid value: "bad key": {validation.CONFIG_KEY_MSG}'
    ]


# --- the policy and storage kinds ------------------------------------------------------------------------
def _invalid(manifest: dict) -> list[str]:
    from cluster_engine.sim import objects

    kind = objects.kind_of(manifest)
    body = {**manifest, "metadata": {"namespace": "default", **manifest["metadata"]}}
    if not kind.namespaced:
        body["metadata"].pop("namespace")
    kind.default(body)
    return [f"{c.field}: {c.message}" for c in kind.validate(body, None)]


def test_a_quota_names_standard_resources_and_non_negative_amounts() -> None:
    quota = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"},
             "spec": {"hard": {"foo": "1", "pods": "1.5", "cpu": "-1", "count/deployments.apps": "2"},
                      "scopes": ["Sometimes"]}}
    assert _invalid(quota) == [
        'spec.hard[foo]: Invalid value: "foo": must be a standard resource for quota',
        'spec.hard[pods]: Invalid value: "1500m": must be an integer',
        'spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0',
        'spec.scopes[0]: Unsupported value: "Sometimes": supported values: "BestEffort", "CrossNamespacePodAffinity", '
        '"NotBestEffort", "NotTerminating", "PriorityClass", "Terminating"',
    ]


def test_a_limit_range_keeps_its_bounds_in_order() -> None:
    limits = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "l"},
              "spec": {"limits": [{"type": "Container", "min": {"cpu": "1"}, "max": {"cpu": "500m"}},
                                  {"type": "Pod", "default": {"cpu": "1"}},
                                  {"type": "PersistentVolumeClaim"}]}}
    assert _invalid(limits) == [
        'spec.limits[0].min[cpu]: Invalid value: "1": min value 1 is greater than max value 500m',
        'spec.limits[0].defaultRequest[cpu]: Invalid value: "500m": min value 1 is greater than default request '
        "value 500m",
        'spec.limits[0].default[cpu]: Invalid value: "1": min value 1 is greater than default value 500m',
        "spec.limits[1].default: Forbidden: may not be specified when `type` is 'Pod'",
        "spec.limits[2].limits: Required value: either minimum or maximum storage value is required, but neither "
        "was provided",
    ]


def test_a_persistent_volume_needs_a_source_and_a_storage_capacity() -> None:
    volume = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "v"},
              "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}}}
    assert _invalid(volume) == ["spec: Required value: must specify a volume type"]
    local = {**volume, "spec": {**volume["spec"], "local": {"path": "/mnt"}}}
    assert _invalid(local) == ["spec.nodeAffinity: Required value: Local volume requires node affinity"]


def test_a_storage_class_keeps_its_provisioner() -> None:
    from cluster_engine.sim import objects

    kind = objects.by_kind("StorageClass")
    old = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "s"}, "provisioner": "a.io"}
    kind.default(old)
    new = {**old, "provisioner": "b.io", "volumeBindingMode": "WaitForFirstConsumer"}
    assert [f"{c.field}: {c.message}" for c in kind.validate(new, old)] == [
        "provisioner: Forbidden: updates to provisioner are forbidden.",
        'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
    ]
