"""The rbac.authorization.k8s.io/v1 kinds Role, ClusterRole, RoleBinding and ClusterRoleBinding: registration,
defaulting (`pkg/apis/rbac/v1/defaults.go`), validation (`pkg/apis/rbac/validation`, roleRef immutable), the
`kubectl get` columns, and the bootstrap roles and bindings a kubeadm cluster starts with
(`plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go`, kubeadm's own).

The objects are served and kept, not enforced: the sandbox's owner is its cluster admin (as kubeadm's
`kubernetes-admin`, a member of `kubeadm:cluster-admins`), and the simulated components need no permissions."""

from __future__ import annotations

import json
from typing import Any

from cluster_engine.sim import printers
from cluster_engine.sim.errors import Cause
from cluster_engine.sim.objects import Kind, register
from cluster_engine.sim.validation import (
    dns1123_subdomain,
    invalid,
    not_supported,
    required,
    validate_metadata,
    validate_metadata_update,
)

from .apps import _Raw, validate_label_selector

GROUP = "rbac.authorization.k8s.io"
SUBJECT_KINDS = ["ServiceAccount", "User", "Group"]
BOOTSTRAP_LABELS = {"kubernetes.io/bootstrapping": "rbac-defaults"}
AUTOUPDATE = {"rbac.authorization.kubernetes.io/autoupdate": "true"}
AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-"


def rbac_name_messages(name: str) -> list[str]:
    """ValidateRBACName: path.IsValidPathSegmentName (RBAC names may hold `:`, as `system:node` does)."""
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{part}'" for part in ("/", "%") if part in name]


def _rbac_meta(obj: dict[str, Any], namespaced: bool) -> list[Cause]:
    return validate_metadata(obj, rbac_name_messages, namespaced)


def _go_strings(values: list[str]) -> _Raw:
    return _Raw("[]string{" + ", ".join(json.dumps(value) for value in values) + "}")


def validate_rules(rules: list[dict[str, Any]] | None, *, namespaced: bool) -> list[Cause]:
    """ValidatePolicyRule for each rule: verbs, then either resources (with API groups) or non-resource URLs."""
    causes: list[Cause] = []
    for index, rule in enumerate(rules or []):
        path = f"rules[{index}]"
        if not rule.get("verbs"):
            causes.append(required(f"{path}.verbs", "verbs must contain at least one value"))
        urls = rule.get("nonResourceURLs") or []
        if urls:
            if namespaced:
                causes.append(invalid(f"{path}.nonResourceURLs", _go_strings(urls),
                                      "namespaced rules cannot apply to non-resource URLs"))
            if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
                causes.append(invalid(f"{path}.nonResourceURLs", _go_strings(urls),
                                      "rules cannot apply to both regular resources and non-resource URLs"))
            continue
        if not rule.get("apiGroups"):
            causes.append(required(f"{path}.apiGroups", "resource rules must supply at least one api group"))
        if not rule.get("resources"):
            causes.append(required(f"{path}.resources", "resource rules must supply at least one resource"))
    return causes


def validate_role(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    causes = _rbac_meta(obj, True) + validate_rules(obj.get("rules"), namespaced=True)
    if old is not None:
        causes += validate_metadata_update(obj, old)
    return causes


def validate_cluster_role(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateClusterRole: rules (non-resource URLs allowed) and an aggregation rule's selectors."""
    causes = _rbac_meta(obj, False) + validate_rules(obj.get("rules"), namespaced=False)
    aggregation = obj.get("aggregationRule")
    if aggregation is not None:
        selectors = aggregation.get("clusterRoleSelectors") or []
        if not selectors:
            causes.append(required("aggregationRule.clusterRoleSelectors",
                                   "at least one clusterRoleSelector required if aggregationRule is non-nil"))
        for index, selector in enumerate(selectors):
            causes += validate_label_selector(selector, f"aggregationRule.clusterRoleSelectors[{index}]")
    if old is not None:
        causes += validate_metadata_update(obj, old)
    return causes


def default_binding(obj: dict[str, Any]) -> None:
    """SetDefaults_RoleBinding / ClusterRoleBinding / Subject: the RBAC API group where it goes unsaid."""
    ref = obj.setdefault("roleRef", {})
    if not ref.get("apiGroup"):
        ref["apiGroup"] = GROUP
    for subject in obj.get("subjects") or []:
        if not subject.get("apiGroup") and subject.get("kind") in ("User", "Group"):
            subject["apiGroup"] = GROUP


def role_ref_text(ref: dict[str, Any]) -> str:
    """rbac.RoleRef as Go's `%#v` prints it in field errors."""
    return (f"rbac.RoleRef{{APIGroup:{json.dumps(ref.get('apiGroup', ''))}, Kind:{json.dumps(ref.get('kind', ''))}, "
            f"Name:{json.dumps(ref.get('name', ''))}}}")


def _validate_subject(subject: dict[str, Any], path: str, *, namespaced: bool) -> list[Cause]:
    """ValidateRoleBindingSubject."""
    causes: list[Cause] = []
    name, kind, group = subject.get("name", ""), subject.get("kind", ""), subject.get("apiGroup", "")
    if not name:
        causes.append(required(f"{path}.name"))
    if kind == "ServiceAccount":
        if name:
            causes += [invalid(f"{path}.name", name, msg) for msg in dns1123_subdomain(name)]
        if group:
            causes.append(not_supported(f"{path}.apiGroup", group, [""]))
        if not namespaced and not subject.get("namespace"):
            causes.append(required(f"{path}.namespace"))
    elif kind in ("User", "Group"):
        if group != GROUP:
            causes.append(not_supported(f"{path}.apiGroup", group, [GROUP]))
    else:
        causes.append(not_supported(f"{path}.kind", kind, SUBJECT_KINDS))
    return causes


def _validate_binding(obj: dict[str, Any], old: dict[str, Any] | None, *, namespaced: bool) -> list[Cause]:
    causes = _rbac_meta(obj, namespaced)
    ref = obj.get("roleRef") or {}
    if ref.get("apiGroup", "") != GROUP:
        causes.append(not_supported("roleRef.apiGroup", ref.get("apiGroup", ""), [GROUP]))
    kinds = ["Role", "ClusterRole"] if namespaced else ["ClusterRole"]
    if ref.get("kind", "") not in kinds:
        causes.append(not_supported("roleRef.kind", ref.get("kind", ""), kinds))
    if not ref.get("name"):
        causes.append(required("roleRef.name"))
    else:
        causes += [invalid("roleRef.name", ref["name"], msg) for msg in rbac_name_messages(ref["name"])]
    for index, subject in enumerate(obj.get("subjects") or []):
        causes += _validate_subject(subject, f"subjects[{index}]", namespaced=namespaced)
    if old is not None:
        causes += validate_metadata_update(obj, old)
        if (old.get("roleRef") or {}) != ref:
            causes.append(invalid("roleRef", _Raw(role_ref_text(ref)), "cannot change roleRef"))
    return causes


def validate_role_binding(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    return _validate_binding(obj, old, namespaced=True)


def validate_cluster_role_binding(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    return _validate_binding(obj, old, namespaced=False)


ROLE = register(Kind("Role", "roles", "role", group=GROUP, has_status=False, validate=validate_role))
CLUSTER_ROLE = register(Kind("ClusterRole", "clusterroles", "clusterrole", group=GROUP, namespaced=False,
                             has_status=False, validate=validate_cluster_role))
ROLE_BINDING = register(Kind("RoleBinding", "rolebindings", "rolebinding", group=GROUP, has_status=False,
                             validate=validate_role_binding, default=default_binding))
CLUSTER_ROLE_BINDING = register(Kind("ClusterRoleBinding", "clusterrolebindings", "clusterrolebinding", group=GROUP,
                                     namespaced=False, has_status=False, validate=validate_cluster_role_binding,
                                     default=default_binding))


# --- kubectl get (printers.go: printRoleBinding, printClusterRoleBinding; Roles use the default columns) ------------
def subjects_strings(subjects: list[dict[str, Any]] | None) -> tuple[list[str], list[str], list[str]]:
    """rbac.SubjectsStrings: users, groups and `namespace/name` of service accounts."""
    users, groups, accounts = [], [], []
    for subject in subjects or []:
        kind = subject.get("kind")
        if kind == "User":
            users.append(subject.get("name", ""))
        elif kind == "Group":
            groups.append(subject.get("name", ""))
        elif kind == "ServiceAccount":
            accounts.append(f"{subject.get('namespace', '')}/{subject.get('name', '')}")
    return users, groups, accounts


def _binding_row(binding: dict[str, Any], now: float) -> list[printers.Cell]:
    ref = binding.get("roleRef") or {}
    users, groups, accounts = subjects_strings(binding.get("subjects"))
    return [binding["metadata"]["name"], f"{ref.get('kind', '')}/{ref.get('name', '')}",
            printers.since(binding["metadata"].get("creationTimestamp"), now),
            ", ".join(users), ", ".join(groups), ", ".join(accounts)]


_BINDING_COLUMNS = (
    printers.NAME,
    printers.Column("Role", description="RoleRef can reference a Role in the current namespace or a ClusterRole in "
                    "the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. "
                    "This field is immutable."),
    printers.AGE,
    printers.Column("Users", description="Users in the roleBinding", priority=1),
    printers.Column("Groups", description="Groups in the roleBinding", priority=1),
    printers.Column("ServiceAccounts", description="ServiceAccounts in the roleBinding", priority=1),
)
printers.PRINTERS["RoleBinding"] = printers.Printer(_BINDING_COLUMNS, _binding_row)
printers.PRINTERS["ClusterRoleBinding"] = printers.Printer(_BINDING_COLUMNS, _binding_row)


# --- the bootstrap policy ------------------------------------------------------------------------------------------
READ = ["get", "list", "watch"]
WRITE = ["create", "delete", "deletecollection", "patch", "update"]


def _rule(groups: list[str], resources: list[str], verbs: list[str]) -> dict[str, Any]:
    return {"apiGroups": groups, "resources": resources, "verbs": verbs}


def _cluster_role(name: str, rules: list[dict[str, Any]], *, labels: dict[str, str] | None = None,
                  aggregate: str = "") -> dict[str, Any]:
    role: dict[str, Any] = {"apiVersion": f"{GROUP}/v1", "kind": "ClusterRole", "metadata": {
        "name": name, "labels": {**BOOTSTRAP_LABELS, **(labels or {})}, "annotations": dict(AUTOUPDATE)}}
    if aggregate:
        role["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {f"{AGGREGATE_TO}{aggregate}": "true"}}]}
    role["rules"] = rules
    return role


def _cluster_binding(name: str, role: str, subjects: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": f"{GROUP}/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": name, "labels": dict(BOOTSTRAP_LABELS), "annotations": dict(AUTOUPDATE)},
            "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": role}, "subjects": subjects}


def _user(name: str) -> dict[str, Any]:
    return {"apiGroup": GROUP, "kind": "User", "name": name}


def _group(name: str) -> dict[str, Any]:
    return {"apiGroup": GROUP, "kind": "Group", "name": name}


def bootstrap_objects() -> list[dict[str, Any]]:
    """The ClusterRoles and ClusterRoleBindings of a new kubeadm cluster that a learner meets: the user-facing
    roles (cluster-admin, and admin, edit and view, aggregated by the clusterrole-aggregation controller from
    the `system:aggregate-to-*` roles), discovery and the control-plane components' roles, and kubeadm's
    `kubeadm:cluster-admins` binding. (A real cluster has about seventy ClusterRoles; the rest are the
    controllers' own.)"""
    view = [
        _rule([""], ["pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                     "services/status", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status",
                     "configmaps"], READ),
        _rule([""], ["limitranges", "resourcequotas", "bindings", "events", "pods/status", "resourcequotas/status",
                     "namespaces/status", "replicationcontrollers/status", "pods/log"], READ),
        _rule([""], ["namespaces"], READ),
        _rule(["discovery.k8s.io"], ["endpointslices"], READ),
        _rule(["apps"], ["controllerrevisions", "statefulsets", "statefulsets/scale", "statefulsets/status",
                         "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
                         "replicasets", "replicasets/scale", "replicasets/status"], READ),
        _rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], READ),
        _rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], READ),
        _rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], READ),
        _rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], READ),
    ]
    edit = [
        _rule([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], READ),
        _rule([""], ["serviceaccounts"], ["impersonate"]),
        _rule([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"],
              ["create", "delete", "deletecollection", "patch", "update"]),
        _rule([""], ["pods/eviction"], ["create"]),
        _rule([""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
                     "replicationcontrollers/scale", "secrets", "serviceaccounts", "services",
                     "services/proxy"], WRITE),
        _rule([""], ["serviceaccounts/token"], ["create"]),
        _rule(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                         "replicasets/scale", "statefulsets", "statefulsets/scale"], WRITE),
        _rule(["autoscaling"], ["horizontalpodautoscalers"], WRITE),
        _rule(["batch"], ["cronjobs", "jobs"], WRITE),
        _rule(["policy"], ["poddisruptionbudgets"], WRITE),
        _rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], WRITE),
        _rule(["coordination.k8s.io"], ["leases"], [*WRITE, *READ]),
    ]
    admin = [
        _rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
        _rule([GROUP], ["rolebindings", "roles"], [*WRITE, *READ]),
    ]
    discovery_urls = ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*",
                      "/readyz", "/version", "/version/"]
    roles = [
        _cluster_role("cluster-admin", [_rule(["*"], ["*"], ["*"]), {"nonResourceURLs": ["*"], "verbs": ["*"]}]),
        _cluster_role("admin", [], aggregate="admin"),
        _cluster_role("edit", [], labels={f"{AGGREGATE_TO}admin": "true"}, aggregate="edit"),
        _cluster_role("view", [], labels={f"{AGGREGATE_TO}edit": "true"}, aggregate="view"),
        _cluster_role("system:aggregate-to-admin", admin, labels={f"{AGGREGATE_TO}admin": "true"}),
        _cluster_role("system:aggregate-to-edit", edit, labels={f"{AGGREGATE_TO}edit": "true"}),
        _cluster_role("system:aggregate-to-view", view, labels={f"{AGGREGATE_TO}view": "true"}),
        _cluster_role("system:basic-user", [_rule(["authorization.k8s.io"], [
            "selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
            _rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"])]),
        _cluster_role("system:discovery", [{"nonResourceURLs": discovery_urls, "verbs": ["get"]}]),
        _cluster_role("system:public-info-viewer", [{"nonResourceURLs": [
            "/healthz", "/livez", "/readyz", "/version", "/version/"], "verbs": ["get"]}]),
        _cluster_role("system:node", [_rule([""], ["nodes", "nodes/status"], ["create", "get", "list", "watch",
                                                                              "patch", "update"]),
                                      _rule([""], ["pods", "pods/status"], ["get", "list", "watch", "patch",
                                                                            "update", "delete"]),
                                      _rule(["coordination.k8s.io"], ["leases"], ["create", "delete", "get",
                                                                                  "patch", "update"])]),
        _cluster_role("system:node-proxier", [_rule([""], ["endpoints", "services"], ["list", "watch"]),
                                              _rule([""], ["nodes"], ["get", "list", "watch"]),
                                              _rule(["discovery.k8s.io"], ["endpointslices"], ["list", "watch"])]),
        _cluster_role("system:kube-scheduler", [_rule([""], ["pods"], ["delete", "get", "list", "watch"]),
                                                _rule([""], ["bindings", "pods/binding"], ["create"]),
                                                _rule([""], ["pods/status"], ["patch", "update"]),
                                                _rule(["coordination.k8s.io"], ["leases"], ["create", "get",
                                                                                            "update"])]),
        _cluster_role("system:kube-controller-manager", [_rule([""], ["secrets", "serviceaccounts"], [
            "create", "get", "list", "watch"]), _rule(["coordination.k8s.io"], ["leases"], ["create", "get",
                                                                                          "update"])]),
        _cluster_role("system:kube-dns", [_rule([""], ["endpoints", "services"], ["list", "watch"])]),
    ]
    kube_system = "kube-system"
    bindings = [
        _cluster_binding("cluster-admin", "cluster-admin", [_group("system:masters")]),
        _cluster_binding("kubeadm:cluster-admins", "cluster-admin", [_group("kubeadm:cluster-admins")]),
        _cluster_binding("system:basic-user", "system:basic-user", [_group("system:authenticated")]),
        _cluster_binding("system:discovery", "system:discovery", [_group("system:authenticated")]),
        _cluster_binding("system:public-info-viewer", "system:public-info-viewer",
                         [_group("system:authenticated"), _group("system:unauthenticated")]),
        _cluster_binding("system:kube-scheduler", "system:kube-scheduler", [_user("system:kube-scheduler")]),
        _cluster_binding("system:kube-controller-manager", "system:kube-controller-manager",
                         [_user("system:kube-controller-manager")]),
        _cluster_binding("system:kube-dns", "system:kube-dns",
                         [{"kind": "ServiceAccount", "name": "kube-dns", "namespace": kube_system}]),
        _cluster_binding("kubeadm:node-proxier", "system:node-proxier",
                         [{"kind": "ServiceAccount", "name": "kube-proxy", "namespace": kube_system}]),
    ]
    bindings[1]["metadata"] = {"name": "kubeadm:cluster-admins"}  # kubeadm's own, without bootstrap labels
    bindings[-1]["metadata"] = {"name": "kubeadm:node-proxier"}
    return roles + bindings
