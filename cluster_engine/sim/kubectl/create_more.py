"""`kubectl create ingress | poddisruptionbudget | role | clusterrole | rolebinding | clusterrolebinding`: the
objects kubectl 1.32 builds (`staging/src/k8s.io/kubectl/pkg/cmd/create/create_*.go`), field for field, with its
validation messages, created through `create`'s common path (typed commands: sent as protobuf, so empty fields are
dropped)."""

from __future__ import annotations

import re
from typing import Any

from cluster_engine.sim import objects
from cluster_engine.sim.errors import Status

from . import parser
from .context import Client, Result, Session, explicit_namespace
from .create import finish_generated, one_name
from .errors import KubectlError

RBAC = "rbac.authorization.k8s.io"
# ruleRegex of create_ingress.go
_RULE = re.compile(r"(?i)^(?P<host>(\*\.)?([a-z0-9\-]+\.)*[a-z0-9\-]+)?(?P<path>/.*)=(?P<service>[a-z0-9\-]+):"
                   r"(?P<port>[a-z0-9\-]+)(,(?P<istls>tls)?=?(?P<secretname>[a-z0-9\-\.]+)?)?$")
_INT_OR_PERCENT = re.compile(r"^[0-9]+%?$")
VALID_RESOURCE_VERBS = ("*", "get", "delete", "list", "create", "update", "patch", "watch", "proxy",
                        "deletecollection", "use", "bind", "escalate", "impersonate")
VALID_NON_RESOURCE_VERBS = ("*", "get", "post", "put", "delete", "patch", "head", "options")
# specialVerbs: verbs that make sense only on some resources (group, resource)
SPECIAL_VERBS = {
    "use": (("policy", "podsecuritypolicies"), ("extensions", "podsecuritypolicies")),
    "bind": ((RBAC, "roles"), (RBAC, "clusterroles")),
    "escalate": ((RBAC, "roles"), (RBAC, "clusterroles")),
    "impersonate": (("", "users"), ("", "serviceaccounts"), ("", "groups"), ("authentication.k8s.io", "userextras"),
                    ("authentication.k8s.io", "uids")),
}


def _finish(parsed: parser.ParsedCommand, client: Client, session: Session, obj: dict[str, Any], *,
            failure: str = "") -> Result:
    return finish_generated(parsed, client, session, obj, failure=failure, typed=True)


def _meta(parsed: parser.ParsedCommand, name: str, *, namespaced: bool = True) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    namespace = explicit_namespace(parsed) if namespaced else ""
    if namespace:
        meta["namespace"] = namespace
    meta["creationTimestamp"] = None
    return meta


def _name(parsed: parser.ParsedCommand) -> str:
    return one_name(parsed)


def _split_list(values: list[str]) -> list[str]:
    """A pflag stringSlice: each value split on commas."""
    return [part for value in values for part in value.split(",") if part != "" or value == ""]


# --- ingress ------------------------------------------------------------------------------------------------------
def _backend(service: str) -> dict[str, Any]:
    """buildIngressBackendSvc: `name:port`, the port a number or a name (intstr.Parse)."""
    name, _, port = service.partition(":")
    port = port.split(":", 1)[0]
    return {"service": {"name": name, "port": {"number": int(port)} if port.isdigit() else {"name": port}}}


def ingress_object(parsed: parser.ParsedCommand, name: str) -> dict[str, Any]:
    """createIngress: rules `host/path=svc:port[,tls[=secret]]` (a path ending in `*` is a Prefix, else Exact),
    TLS entries by secret (each host once), `--default-backend`, `--class`, `--annotation`."""
    rules = list(parsed.flag("rule"))
    backend = parsed.flag("default-backend")
    if not backend and not rules:
        raise KubectlError("error: not enough information provided: every ingress has to either specify a "
                           "default-backend (which catches all traffic) or a list of rules (which catch specific "
                           "paths)")
    for rule in rules:
        if not _RULE.match(rule):
            raise KubectlError(f"error: rule {rule} is invalid and should be in format "
                               "host/path=svcname:svcport[,tls[=secret]]")
    annotations: dict[str, str] = {}
    for annotation in parsed.flag("annotation"):
        key, sep, value = annotation.partition("=")
        if not sep:
            raise KubectlError(f"error: annotation {annotation} is invalid and should be in format key=[value]")
        annotations[key] = value
    if backend and len(backend.split(":")) != 2:
        raise KubectlError("error: default-backend should be in format servicename:serviceport")
    meta = _meta(parsed, name)
    if annotations:
        meta["annotations"] = annotations
    spec: dict[str, Any] = {}
    if parsed.flag("class"):
        spec["ingressClassName"] = parsed.flag("class")
    if backend:
        spec["defaultBackend"] = _backend(backend)
    tls: list[dict[str, Any]] = []
    seen_hosts: set[str] = set()
    for rule in rules:
        parts = rule.split(",")
        if len(parts) != 2:
            continue
        host = rule.split("/", 1)[0]
        secret_parts = parts[1].split("=")
        secret = secret_parts[1] if len(secret_parts) > 1 else ""
        if host in seen_hosts:
            continue
        index = next((i for i, entry in enumerate(tls) if entry.get("secretName", "") == secret), -1)
        seen_hosts.add(host)
        if index > -1:
            tls[index].setdefault("hosts", []).append(host)
            continue
        entry: dict[str, Any] = {}
        if host:
            entry["hosts"] = [host]
        if secret:
            entry["secretName"] = secret
        if entry:
            tls.append(entry)
    rule_objects: list[dict[str, Any]] = []
    for rule in rules:
        host, _, rest = rule.split(",")[0].partition("/")
        path_text, _, service = rest.partition("=")
        path = "/" + path_text
        path_type = "Exact"
        if path.endswith("*"):
            path_type, path = "Prefix", path[:-1]
        http_path = {"backend": _backend(service), "path": path, "pathType": path_type}
        existing = next((r for r in rule_objects if r.get("host", "") == host), None)
        if existing is not None:
            existing["http"]["paths"].append(http_path)
            continue
        entry = {"host": host} if host else {}
        entry["http"] = {"paths": [http_path]}
        rule_objects.append(entry)
    if tls:
        spec["tls"] = tls
    if rule_objects:
        spec["rules"] = rule_objects
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta, "spec": spec,
            "status": {"loadBalancer": {}}}


def create_ingress(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    return _finish(parsed, client, session, ingress_object(parsed, _name(parsed)), failure="failed to create ingress")


# --- poddisruptionbudget ------------------------------------------------------------------------------------------
def _int_or_string(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def _label_selector(text: str) -> dict[str, Any]:
    """metav1.ParseToLabelSelector: `a=b` as matchLabels, set-based requirements as matchExpressions."""
    from cluster_engine.sim.selectors import parse_label_selector

    selector = parse_label_selector(text)
    labels: dict[str, str] = {}
    expressions: list[dict[str, Any]] = []
    for requirement in selector.requirements:
        operator, values = requirement.operator, sorted(requirement.values)
        if operator in ("=", "==") and len(values) == 1:
            labels[requirement.key] = values[0]
            continue
        name = {"in": "In", "notin": "NotIn", "!=": "NotIn", "exists": "Exists", "!": "DoesNotExist"}.get(
            operator, operator)
        expression: dict[str, Any] = {"key": requirement.key, "operator": name}
        if values:
            expression["values"] = values
        expressions.append(expression)
    result: dict[str, Any] = {}
    if labels:
        result["matchLabels"] = labels
    if expressions:
        result["matchExpressions"] = expressions
    return result


def create_pdb(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    """createPodDisruptionBudgets: a selector and exactly one of --min-available / --max-unavailable."""
    name = _name(parsed)
    selector, minimum, maximum = parsed.flag("selector"), parsed.flag("min-available"), parsed.flag("max-unavailable")
    if not selector:
        raise KubectlError("error: a selector must be specified")
    if not maximum and not minimum:
        raise KubectlError("error: one of min-available or max-unavailable must be specified")
    if maximum and minimum:
        raise KubectlError("error: min-available and max-unavailable cannot be both specified")
    if minimum and not _INT_OR_PERCENT.match(minimum):
        raise KubectlError("error: invalid format specified for min-available")
    if maximum and not _INT_OR_PERCENT.match(maximum):
        raise KubectlError("error: invalid format specified for max-unavailable")
    try:
        spec: dict[str, Any] = {"selector": _label_selector(selector)}
    except Status as status:
        raise KubectlError(f"error: {status.message}") from None
    if minimum:
        spec["minAvailable"] = _int_or_string(minimum)
    else:
        spec["maxUnavailable"] = _int_or_string(maximum)
    obj = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": _meta(parsed, name), "spec": spec,
           "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}}
    return _finish(parsed, client, session, obj, failure="failed to create poddisruptionbudgets")


# --- role and clusterrole -------------------------------------------------------------------------------------------
def _resources(values: list[str]) -> list[tuple[str, str, str]]:
    """(group, resource, subresource) of each --resource (`pods`, `deployments.apps`, `pods/log`, `*`)."""
    found: list[tuple[str, str, str]] = []
    for value in _split_list(values):
        section, _, subresource = value.partition("/")
        resource, _, group = section.partition(".")
        if resource == "*" and not group and not subresource:
            return [("", "*", "")]
        found.append((group, resource, subresource))
    return found


def _mapped(group: str, resource: str) -> tuple[str, str] | None:
    """The RESTMapper's ResourceFor: the plural and group of what was typed (`deploy` -> apps `deployments`)."""
    kind = objects.lookup(f"{resource}.{group}" if group else resource)
    if kind is None or (group and kind.group != group):
        return None
    return kind.group, kind.plural


def _check_resources(verbs: list[str], resources: list[tuple[str, str, str]]) -> None:
    """validateResource: every resource known (or `*`), special verbs only on their resources."""
    if not resources:
        raise KubectlError("error: at least one resource must be specified")
    for group, resource, _subresource in resources:
        if not resource:
            raise KubectlError("error: resource must be specified if apiGroup/subresource specified")
        if resource == "*":
            return
        mapped = _mapped(group, resource)
        wanted = mapped or (group, resource)
        matched_special = False
        for verb in verbs:
            if verb in SPECIAL_VERBS:
                if wanted not in SPECIAL_VERBS[verb]:
                    raise KubectlError(f"error: can not perform '{verb}' on '{wanted[1]}' in group '{wanted[0]}'")
                matched_special = True
        if mapped is None and not matched_special:
            raise KubectlError(f'the server doesn\'t have a resource type "{resource}"')


def _policy_rules(verbs: list[str], resources: list[tuple[str, str, str]], names: list[str],
                  urls: list[str]) -> list[dict[str, Any]]:
    """generateResourcePolicyRules: one rule per API group (groups sorted), then the non-resource URLs."""
    by_group: dict[str, list[str]] = {}
    for group, resource, subresource in resources:
        mapped = _mapped(group, resource) if resource != "*" else None
        group_name, plural = mapped or (group, resource)
        if subresource:
            plural = f"{plural}/{subresource}"
        bucket = by_group.setdefault(group_name, [])
        if plural not in bucket:
            bucket.append(plural)
    rules: list[dict[str, Any]] = []
    for group in sorted(by_group):
        rule: dict[str, Any] = {"verbs": list(verbs), "apiGroups": [group], "resources": by_group[group]}
        if names:
            rule["resourceNames"] = list(names)
        rules.append(rule)
    if urls:
        rules.append({"verbs": list(verbs), "nonResourceURLs": urls})
    return rules


def _unique(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def _verbs(parsed: parser.ParsedCommand) -> list[str]:
    verbs: list[str] = []
    for verb in _split_list(parsed.flag("verb")):
        if verb == "*":
            return ["*"]
        if verb not in verbs:
            verbs.append(verb)
    return verbs


def _warnings(verbs: list[str]) -> str:
    return "".join(f"Warning: '{verb}' is not a standard resource verb\n" for verb in verbs
                   if verb not in VALID_RESOURCE_VERBS)


def _with_warnings(result: Result, warnings: str) -> Result:
    return Result(result.stdout, warnings + result.stderr, result.exit_code) if warnings else result


def create_role(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    name = _name(parsed)
    verbs = _verbs(parsed)
    if not verbs:
        raise KubectlError("error: at least one verb must be specified")
    resources = _resources(parsed.flag("resource"))
    warnings = _warnings(verbs)
    _check_resources(verbs, resources)
    rules = _policy_rules(verbs, resources, _unique(parsed.flag("resource-name")), [])
    obj = {"apiVersion": f"{RBAC}/v1", "kind": "Role", "metadata": _meta(parsed, name), "rules": rules}
    return _with_warnings(_finish(parsed, client, session, obj), warnings)


def create_clusterrole(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    """create clusterrole: like a role, with --non-resource-url, or an --aggregation-rule alone."""
    name = _name(parsed)
    aggregation = parsed.flag("aggregation-rule")
    verbs = _verbs(parsed)
    resources = _resources(parsed.flag("resource"))
    names = _unique(parsed.flag("resource-name"))
    urls = _unique(_split_list(parsed.flag("non-resource-url")))
    meta = _meta(parsed, name, namespaced=False)
    if aggregation:
        if urls or verbs or resources or names:
            raise KubectlError("error: aggregation rule must be specified without nonResourceURLs, verbs, resources "
                               "or resourceNames")
        labels = dict(pair.split("=", 1) for pair in _split_list([aggregation]) if "=" in pair)
        obj = {"apiVersion": f"{RBAC}/v1", "kind": "ClusterRole", "metadata": meta,
               "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": labels}]}}
        return _finish(parsed, client, session, obj)
    if not verbs:
        raise KubectlError("error: at least one verb must be specified")
    if not resources and not urls:
        raise KubectlError("error: one of resource or nonResourceURL must be specified")
    warnings = ""
    if resources:
        warnings = _warnings(verbs)
        _check_resources(verbs, resources)
    if urls:
        for verb in verbs:
            if verb not in VALID_NON_RESOURCE_VERBS:
                raise KubectlError(f"error: invalid verb: '{verb}' for nonResourceURL")
        for url in urls:
            if url == "*":
                continue
            if not url.startswith("/"):
                raise KubectlError("error: nonResourceURL should start with /")
            if "*" in url[:-1]:
                raise KubectlError("error: nonResourceURL only supports wildcard matches when '*' is at the end")
    obj = {"apiVersion": f"{RBAC}/v1", "kind": "ClusterRole", "metadata": meta,
           "rules": _policy_rules(verbs, resources, names, urls)}
    return _with_warnings(_finish(parsed, client, session, obj), warnings)


# --- bindings ---------------------------------------------------------------------------------------------------------
def _subjects(parsed: parser.ParsedCommand) -> list[dict[str, Any]]:
    """Users, then groups, then service accounts (`namespace:name`), each sorted and unique (sets.NewString)."""
    subjects: list[dict[str, Any]] = [{"kind": "User", "apiGroup": RBAC, "name": user}
                                      for user in sorted(set(parsed.flag("user")))]
    subjects += [{"kind": "Group", "apiGroup": RBAC, "name": group} for group in sorted(set(parsed.flag("group")))]
    for account in sorted(set(parsed.flag("serviceaccount"))):
        tokens = account.split(":")
        if len(tokens) != 2 or not tokens[0] or not tokens[1]:
            raise KubectlError("error: serviceaccount must be <namespace>:<name>")
        subjects.append({"kind": "ServiceAccount", "namespace": tokens[0], "name": tokens[1]})
    return subjects


def create_rolebinding(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    name = _name(parsed)
    role, cluster_role = parsed.flag("role"), parsed.flag("clusterrole")
    if bool(role) == bool(cluster_role):
        raise KubectlError("error: exactly one of clusterrole or role must be specified")
    obj: dict[str, Any] = {"apiVersion": f"{RBAC}/v1", "kind": "RoleBinding", "metadata": _meta(parsed, name),
                           "roleRef": {"apiGroup": RBAC, "kind": "Role" if role else "ClusterRole",
                                       "name": role or cluster_role}}
    subjects = _subjects(parsed)
    if subjects:
        obj["subjects"] = subjects
    return _finish(parsed, client, session, obj, failure="failed to create rolebinding")


def create_clusterrolebinding(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    name = _name(parsed)
    if not parsed.given("clusterrole"):
        raise KubectlError('error: required flag(s) "clusterrole" not set')
    obj: dict[str, Any] = {"apiVersion": f"{RBAC}/v1", "kind": "ClusterRoleBinding",
                           "metadata": _meta(parsed, name, namespaced=False),
                           "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": parsed.flag("clusterrole")}}
    subjects = _subjects(parsed)
    if subjects:
        obj["subjects"] = subjects
    return _finish(parsed, client, session, obj, failure="failed to create clusterrolebinding")
