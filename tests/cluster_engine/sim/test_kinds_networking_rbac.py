"""Ingress, IngressClass and the RBAC kinds: validation as upstream words it, defaults, the DefaultIngressClass
admission, kubeadm's bootstrap roles and their aggregation, and the autoscaling/v1 view of HorizontalPodAutoscalers."""

from __future__ import annotations

import pytest

from cluster_engine.sim.errors import Status


def ingress(name: str = "web", **spec) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name}, "spec": spec}


def rule(path: str = "/", path_type: str | None = "Prefix", **backend) -> dict:
    entry = {"path": path, "backend": backend or {"service": {"name": "web", "port": {"number": 80}}}}
    if path_type:
        entry["pathType"] = path_type
    return {"host": "example.com", "http": {"paths": [entry]}}


def test_ingress_needs_rules_or_a_default_backend(cluster):
    with pytest.raises(Status) as error:
        cluster.api.apply(ingress())
    assert error.value.message == ('Ingress "web" is invalid: spec: Invalid value: []networking.IngressRule(nil): '
                                   "either `defaultBackend` or `rules` must be specified")


def test_ingress_paths_are_validated_as_upstream(cluster):
    with pytest.raises(Status) as error:
        cluster.api.apply(ingress(rules=[rule(path_type=None), rule("relative", "Exact")]))
    message = error.value.message
    assert "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified" in message
    assert 'spec.rules[1].http.paths[0].path: Invalid value: "relative": must be an absolute path' in message
    with pytest.raises(Status) as port:
        cluster.api.apply(ingress(rules=[rule(service={"name": "web", "port": {}})]))
    assert "spec.rules[0].http.paths[0].backend: Required value: port name or number is required" in \
        port.value.message


def test_the_default_ingress_class_is_filled_in_on_create(cluster):
    cluster.api.apply(ingress("before", rules=[rule()]))
    cluster.api.apply({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                   "metadata": {"name": "nginx",
                                "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
                   "spec": {"controller": "k8s.io/ingress-nginx"}})
    cluster.api.apply(ingress("after", rules=[rule()]))
    assert "ingressClassName" not in cluster.api.get("ingresses", "before")["spec"]
    assert cluster.api.get("ingresses", "after")["spec"]["ingressClassName"] == "nginx"
    after = cluster.api.get("ingresses", "after")
    assert "status" not in after or not after["status"].get(
        "loadBalancer", {}).get("ingress")  # no controller publishes an address


def test_ingress_class_controller_is_immutable(cluster):
    cls = {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "c"},
           "spec": {"controller": "example.com/a"}}
    cluster.api.apply(cls)
    cls["spec"]["controller"] = "example.com/b"
    with pytest.raises(Status) as error:
        cluster.api.apply(cls)
    assert 'spec.controller: Invalid value: "example.com/b": field is immutable' in error.value.message


def test_kubeadm_bootstrap_roles_are_there_and_aggregated(cluster):
    names = {role["metadata"]["name"] for role in cluster.api.list("clusterroles")["items"]}
    assert {"cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery"} <= names
    bindings = {b["metadata"]["name"]: b for b in cluster.api.list("clusterrolebindings")["items"]}
    assert bindings["kubeadm:cluster-admins"]["roleRef"]["name"] == "cluster-admin"
    view_rules = cluster.api.get("clusterroles", "view", namespace="")["rules"]
    assert {"apiGroups": ["apps"], "resources": ["controllerrevisions", "statefulsets", "statefulsets/scale",
                                                 "statefulsets/status", "daemonsets", "daemonsets/status",
                                                 "deployments", "deployments/scale", "deployments/status",
                                                 "replicasets", "replicasets/scale", "replicasets/status"],
            "verbs": ["get", "list", "watch"]} in view_rules
    edit_rules = cluster.api.get("clusterroles", "edit", namespace="")["rules"]
    assert all(r in edit_rules for r in view_rules)  # edit aggregates view


def test_a_labelled_cluster_role_joins_the_aggregation(cluster):
    cluster.api.apply({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                   "metadata": {"name": "widgets-view",
                                "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
                   "rules": [{"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get"]}]})
    cluster.run_until_idle()
    widget = {"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get"]}
    for role in ("view", "edit", "admin"):
        assert widget in cluster.api.get("clusterroles", role, namespace="")["rules"]


def test_role_binding_role_ref_is_immutable_and_defaults_api_groups(cluster):
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "rb"},
               "roleRef": {"kind": "ClusterRole", "name": "view"}, "subjects": [{"kind": "User", "name": "jane"}]}
    stored = cluster.api.apply(binding)[0]
    assert stored["roleRef"]["apiGroup"] == "rbac.authorization.k8s.io"
    assert stored["subjects"][0]["apiGroup"] == "rbac.authorization.k8s.io"
    binding["roleRef"]["name"] = "edit"
    with pytest.raises(Status) as error:
        cluster.api.apply(binding)
    assert ('roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", '
            'Name:"edit"}: cannot change roleRef') in error.value.message


def test_role_rules_need_verbs_and_groups(cluster):
    with pytest.raises(Status) as error:
        cluster.api.apply({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"},
                       "rules": [{"resources": ["pods"]}, {"nonResourceURLs": ["/healthz"], "verbs": ["get"]}]})
    message = error.value.message
    assert "rules[0].verbs: Required value: verbs must contain at least one value" in message
    assert "rules[0].apiGroups: Required value: resource rules must supply at least one api group" in message
    assert ('rules[1].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to '
            "non-resource URLs") in message


def test_autoscaling_v1_manifests_are_converted_to_the_stored_version(cluster):
    created = cluster.api.apply({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
                             "metadata": {"name": "web"},
                             "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                                      "maxReplicas": 3, "targetCPUUtilizationPercentage": 70}})[0]
    assert created["apiVersion"] == "autoscaling/v2"
    assert created["spec"]["metrics"][0]["resource"]["target"] == {"type": "Utilization", "averageUtilization": 70}
    assert created["spec"]["minReplicas"] == 1


def test_an_unknown_kind_is_answered_as_kube_apiserver_does(cluster):
    with pytest.raises(Status) as error:
        cluster.api.apply({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})
    assert error.value.code == 404
    assert 'no matches for kind "Widget" in version "example.com/v1"' in error.value.message
