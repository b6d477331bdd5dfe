"""Who a sandbox's user is and what they may do: the self-review APIs of kube-apiserver (`kubectl auth can-i`,
`kubectl auth whoami`), answered as its RBAC authorizer answers them for a kubeadm cluster's administrator.

A sandbox has one user, its owner (the bearer token's, or the page's learner): `ada` in the groups
`kubeadm:cluster-admins` and `system:authenticated`, as kubeadm's `admin.conf` user is since 1.29. The policy is
data: the ClusterRoleBindings that apply to that user and their ClusterRoles' rules, as kube-apiserver bootstraps
them (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go`) plus kubeadm's `kubeadm:cluster-admins`
binding of `cluster-admin`. The decision is RBAC's rule matching (`plugin/pkg/auth/authorizer/rbac/rbac.go`
RuleAllows), so the user may do everything, non-resource URLs included, in every namespace of their own sandbox;
nothing here can see another sandbox (the API routes a token to its own sandbox only).

The reviews are created, never stored: SelfSubjectAccessReview and SelfSubjectRulesReview
(authorization.k8s.io/v1), SelfSubjectReview (authentication.k8s.io/v1). They are served and discovered with
verbs `create` only; `REVIEW_KINDS` describes them for discovery and `review` answers a create.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import Cause, Status, bad_request, invalid, method_not_allowed
from .objects import Kind
from .util import rfc3339

AUTHENTICATION = "authentication.k8s.io"
AUTHORIZATION = "authorization.k8s.io"
USER_PREFIX = "user:"
SANDBOX_GROUPS = ("kubeadm:cluster-admins", "system:authenticated")
ALL = "*"  # rbacv1.VerbAll, APIGroupAll, ResourceAll, NonResourceAll


def _review_kind(kind: str, plural: str, group: str) -> Kind:
    return Kind(kind, plural, plural[:-1], group=group, namespaced=False, has_status=False, verbs=("create",))


SELF_SUBJECT_REVIEW = _review_kind("SelfSubjectReview", "selfsubjectreviews", AUTHENTICATION)
SELF_SUBJECT_ACCESS_REVIEW = _review_kind("SelfSubjectAccessReview", "selfsubjectaccessreviews", AUTHORIZATION)
SELF_SUBJECT_RULES_REVIEW = _review_kind("SelfSubjectRulesReview", "selfsubjectrulesreviews", AUTHORIZATION)
REVIEW_KINDS: tuple[Kind, ...] = (SELF_SUBJECT_REVIEW, SELF_SUBJECT_ACCESS_REVIEW, SELF_SUBJECT_RULES_REVIEW)
_BY_KIND = {kind.kind: kind for kind in REVIEW_KINDS}


def review_kind(name: str) -> Kind | None:
    """The review kind named exactly `name` (`SelfSubjectAccessReview`), else None."""
    return _BY_KIND.get(name)


def not_stored() -> Status:
    """What any verb but create gets on a review: kube-apiserver registers no other handler for them."""
    return method_not_allowed("the server does not allow this method on the requested resource")


# ------------------------------------------------------------------ the user and the policy


@dataclass(frozen=True)
class UserInfo:
    """An authenticated user (authentication/v1 UserInfo): no UID and no extra, as an x509 or token user."""

    username: str
    groups: tuple[str, ...] = SANDBOX_GROUPS

    def to_dict(self) -> dict[str, Any]:
        return {"username": self.username, "groups": list(self.groups)}


def user_for(actor: str) -> UserInfo:
    """The user behind an actor of the change log (`user:ada` -> `ada`): the sandbox's own user."""
    return UserInfo(actor.removeprefix(USER_PREFIX))


@dataclass(frozen=True)
class Rule:
    """An rbac/v1 PolicyRule: resource rules name groups and resources, non-resource rules name URL paths."""

    verbs: tuple[str, ...]
    api_groups: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()
    non_resource_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Binding:
    """A ClusterRoleBinding of one ClusterRole to one Group, with the role's rules."""

    name: str
    role: str
    group: str
    rules: tuple[Rule, ...]

    def describe(self) -> str:
        """As RBAC names the binding in a reason (`clusterRoleBindingDescriber`)."""
        return f'ClusterRoleBinding "{self.name}" of ClusterRole "{self.role}" to Group "{self.group}"'


# Rules as the bootstrap policy builds them (`RuleOrDie` sorts each list); bindings in name order.
BINDINGS: tuple[Binding, ...] = (
    Binding("kubeadm:cluster-admins", "cluster-admin", "kubeadm:cluster-admins", (
        Rule((ALL,), (ALL,), (ALL,)),
        Rule((ALL,), non_resource_urls=(ALL,)),
    )),
    Binding("system:basic-user", "system:basic-user", "system:authenticated", (
        Rule(("create",), (AUTHENTICATION,), ("selfsubjectreviews",)),
        Rule(("create",), (AUTHORIZATION,), ("selfsubjectaccessreviews", "selfsubjectrulesreviews")),
    )),
    Binding("system:discovery", "system:discovery", "system:authenticated", (
        Rule(("get",), non_resource_urls=("/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi",
                                          "/openapi/*", "/readyz", "/version", "/version/")),
    )),
    Binding("system:public-info-viewer", "system:public-info-viewer", "system:authenticated", (
        Rule(("get",), non_resource_urls=("/healthz", "/livez", "/readyz", "/version", "/version/")),
    )),
)


def bindings_for(user: UserInfo) -> list[Binding]:
    return [binding for binding in BINDINGS if binding.group in user.groups]


def _matches(values: tuple[str, ...], wanted: str) -> bool:
    return ALL in values or wanted in values


def _resource_matches(rule: Rule, resource: str, subresource: str) -> bool:
    """rbacv1helpers.ResourceMatches: `*`, the exact `resource[/subresource]`, or `*/subresource`."""
    combined = f"{resource}/{subresource}" if subresource else resource
    return any(entry in (ALL, combined) or (subresource and entry == f"*/{subresource}") for entry in rule.resources)


def _url_matches(rule: Rule, path: str) -> bool:
    """rbacv1helpers.NonResourceURLMatches: `*`, the exact path, or a prefix ending in `*`."""
    return any(url in (ALL, path) or (url.endswith("*") and path.startswith(url.rstrip("*")))
               for url in rule.non_resource_urls)


def rule_allows(rule: Rule, attributes: dict[str, Any], *, resource_request: bool) -> bool:
    """RBAC's RuleAllows for a review's `resourceAttributes` or `nonResourceAttributes`."""
    verb = str(attributes.get("verb", ""))
    if not _matches(rule.verbs, verb):
        return False
    if not resource_request:
        return _url_matches(rule, str(attributes.get("path", "")))
    return (_matches(rule.api_groups, str(attributes.get("group", "")))
            and _resource_matches(rule, str(attributes.get("resource", "")), str(attributes.get("subresource", "")))
            and (not rule.resource_names or str(attributes.get("name", "")) in rule.resource_names))


def authorize(user: UserInfo, attributes: dict[str, Any], *, resource_request: bool) -> tuple[bool, str]:
    """(allowed, reason): the first binding with a rule that allows the request, named as RBAC names it; a denial
    has no reason (RBAC has no opinion, and no other authorizer allows)."""
    for binding in bindings_for(user):
        if any(rule_allows(rule, attributes, resource_request=resource_request) for rule in binding.rules):
            return True, f"RBAC: allowed by {binding.describe()}"
    return False, ""


# ------------------------------------------------------------------ the reviews


def _set_metadata(obj: dict[str, Any]) -> dict[str, Any]:
    """What metadata the review carries besides managedFields (upstream wants none)."""
    return {key: value for key, value in (obj.get("metadata") or {}).items()
            if key != "managedFields" and value not in (None, "", {}, [])}


def _go_struct(name: str, fields: dict[str, Any], order: tuple[str, ...]) -> str:
    """A value as field.Invalid prints a struct (`%#v` of the internal type)."""
    inner = ", ".join(f'{key[0].upper()}{key[1:]}:"{fields.get(key, "")}"' for key in order)
    return f"authorization.{name}{{{inner}}}"


def _access_review_causes(obj: dict[str, Any]) -> list[Cause]:
    """ValidateSelfSubjectAccessReview (`pkg/apis/authorization/validation`)."""
    spec = obj.get("spec") or {}
    resource, non_resource = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    causes = []
    if resource is not None and non_resource is not None:
        value = _go_struct("NonResourceAttributes", non_resource, ("path", "verb"))
        causes.append(Cause("FieldValueInvalid", f"Invalid value: {value}: cannot be specified in combination with "
                            "resourceAttributes", "spec.nonResourceAttributes"))
    if resource is None and non_resource is None:
        causes.append(Cause("FieldValueInvalid", 'Invalid value: "null": exactly one of nonResourceAttributes or '
                            "resourceAttributes must be specified", "spec.resourceAttributes"))
    if meta := _set_metadata(obj):  # upstream prints the Go struct; its JSON says the same
        causes.append(Cause("FieldValueInvalid", f"Invalid value: {json.dumps(meta, sort_keys=True)}: must be empty",
                            "metadata"))
    return causes


def _rule_json(rule: Rule) -> tuple[str, dict[str, Any]]:
    """authorization/v1 ResourceRule or NonResourceRule (RBAC's RulesFor splits a PolicyRule in two)."""
    if rule.non_resource_urls:
        return "nonResourceRules", {"verbs": list(rule.verbs), "nonResourceURLs": list(rule.non_resource_urls)}
    body: dict[str, Any] = {"verbs": list(rule.verbs), "apiGroups": list(rule.api_groups),
                            "resources": list(rule.resources)}
    if rule.resource_names:
        body["resourceNames"] = list(rule.resource_names)
    return "resourceRules", body


def access_review(obj: dict[str, Any], user: UserInfo) -> dict[str, Any]:
    """A SelfSubjectAccessReview answered: the spec as sent, `status.allowed` and RBAC's reason. 422 Invalid
    for a spec with both or neither of resourceAttributes and nonResourceAttributes."""
    causes = _access_review_causes(obj)
    if causes:
        raise invalid(SELF_SUBJECT_ACCESS_REVIEW.kind, "", causes, AUTHORIZATION)
    spec = obj.get("spec") or {}
    resource_request = spec.get("resourceAttributes") is not None
    attributes = spec.get("resourceAttributes") if resource_request else spec.get("nonResourceAttributes")
    allowed, reason = authorize(user, attributes or {}, resource_request=resource_request)
    status: dict[str, Any] = {"allowed": allowed}
    if reason:
        status["reason"] = reason
    return {"kind": SELF_SUBJECT_ACCESS_REVIEW.kind, "apiVersion": SELF_SUBJECT_ACCESS_REVIEW.api_version,
            "metadata": {"creationTimestamp": None}, "spec": spec, "status": status}


def rules_review(obj: dict[str, Any], user: UserInfo) -> dict[str, Any]:
    """A SelfSubjectRulesReview answered: every rule that applies to the user in `spec.namespace` (the bindings are
    cluster-wide, so the same everywhere), complete. 400 without a namespace, as upstream."""
    namespace = (obj.get("spec") or {}).get("namespace") or ""
    if not namespace:
        raise bad_request("no namespace on request")
    status: dict[str, Any] = {"resourceRules": [], "nonResourceRules": [], "incomplete": False}
    for binding in bindings_for(user):
        for rule in binding.rules:
            key, body = _rule_json(rule)
            status[key].append(body)
    return {"kind": SELF_SUBJECT_RULES_REVIEW.kind, "apiVersion": SELF_SUBJECT_RULES_REVIEW.api_version,
            "metadata": {"creationTimestamp": None}, "spec": {}, "status": status}


def self_review(user: UserInfo, now: float) -> dict[str, Any]:
    """A SelfSubjectReview answered: the user's attributes, stamped `now` as upstream stamps it."""
    return {"kind": SELF_SUBJECT_REVIEW.kind, "apiVersion": SELF_SUBJECT_REVIEW.api_version,
            "metadata": {"creationTimestamp": rfc3339(now)}, "status": {"userInfo": user.to_dict()}}


def review(obj: dict[str, Any], *, actor: str, now: float) -> dict[str, Any]:
    """Answer the create of a review (`obj` already strictly decoded) for `actor`'s user; nothing is stored.

    Raises Status: 422 Invalid or 400 BadRequest as upstream's REST storage of that review.
    """
    user = user_for(actor)
    kind = obj.get("kind")
    if kind == SELF_SUBJECT_ACCESS_REVIEW.kind:
        return access_review(obj, user)
    if kind == SELF_SUBJECT_RULES_REVIEW.kind:
        return rules_review(obj, user)
    if kind == SELF_SUBJECT_REVIEW.kind:
        return self_review(user, now)
    raise bad_request(f"not a review: {kind}")
