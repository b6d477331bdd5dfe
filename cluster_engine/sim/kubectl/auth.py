"""`kubectl auth can-i` and `kubectl auth whoami`, as kubectl 1.32 runs them (`pkg/cmd/auth/cani.go`,
`whoami.go`): the arguments are resolved against discovery, a SelfSubjectAccessReview, SelfSubjectRulesReview or
SelfSubjectReview is created through the client (the api-server answers it, `sim/authz.py`), and the answer is
printed as kubectl prints it, warnings included."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cluster_engine.sim.authz import AUTHENTICATION, AUTHORIZATION

from . import output, parser
from .context import Client, Result, Session, current_namespace, print_objects
from .errors import KubectlError
from .resources import lookup
from .table import TabWriter

RESOURCE_VERBS = frozenset({"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "use",
                            "bind", "impersonate", "*", "approve", "sign", "escalate", "attest"})
NON_RESOURCE_VERBS = frozenset({"get", "put", "post", "head", "options", "delete", "patch", "*"})
# resources the server knows but discovery does not list (the impersonate verb's users and groups)
NON_STANDARD_RESOURCES = frozenset({"users", "groups"})
TWO_ARGUMENTS = ("error: you must specify two arguments: verb resource or verb resource/resourceName.\n"
                 "See 'kubectl auth can-i -h' for help and examples.")
WHOAMI_FORMATS = ("go-template", "go-template-file", "json", "jsonpath", "jsonpath-as-json", "jsonpath-file", "name",
                  "template", "templatefile", "yaml")


@dataclass(frozen=True)
class _Resource:
    """A GroupVersionResource as `resourceFor` leaves it; `known` when discovery lists it."""

    group: str = ""
    version: str = ""
    resource: str = ""
    namespaced: bool = True
    known: bool = False


def _resource_for(text: str, warnings: list[str]) -> _Resource:
    """cani.go `resourceFor`: `*` as is; a name discovery resolves (short names, singulars, `deploy.apps`,
    `deployments.v1.apps`); otherwise the text itself, with the server's warning unless it is users or groups."""
    if text == "*":
        return _Resource(resource="*", known=True)
    found = lookup(text.lower())
    if found is not None:
        return _Resource(found.group, found.version, found.plural, found.namespaced, known=True)
    resource, _, group = text.lower().partition(".")
    if (f"{resource}.{group}" if group else resource) not in NON_STANDARD_RESOURCES:
        where = f" in group '{group}'" if group else ""
        warnings.append(f"the server doesn't have a resource type '{resource}'{where}\n")
    return _Resource(resource=text)


def _warnings(warnings: list[str]) -> str:
    """kubectl's WarningPrinter: `Warning: ` before each message (the messages end in a newline already)."""
    return "".join(f"Warning: {text}\n" for text in warnings)


def can_i(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    """`kubectl auth can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL]` and `--list`: `yes`, or `no` and exit 1."""
    args, listing = list(parsed.args), parsed.flag("list")
    quiet, all_namespaces, subresource = parsed.flag("quiet"), parsed.flag("all-namespaces"), parsed.flag("subresource")
    namespace = "" if all_namespaces else current_namespace(parsed, session)
    if listing:
        if args:
            raise KubectlError("error: list option must be specified with no arguments")
        if quiet or all_namespaces or subresource:
            raise KubectlError("error: list option can't be specified with neither quiet, all-namespaces nor "
                               "subresource options")
        answer = client.create({"apiVersion": f"{AUTHORIZATION}/v1", "kind": "SelfSubjectRulesReview",
                                "spec": {"namespace": namespace}}, namespace=None, dry_run=False)
        return Result(stdout=rules_table(answer["status"], no_headers=parsed.flag("no-headers")))
    if len(args) != 2:
        raise KubectlError(TWO_ARGUMENTS)
    verb, target = args
    warnings: list[str] = []
    if target.startswith("/"):
        if subresource:
            raise KubectlError("error: --subresource can not be used with NonResourceURL")
        if verb not in NON_RESOURCE_VERBS:
            warnings.append(f"verb '{verb}' is not a known verb\n")
        spec: dict[str, Any] = {"nonResourceAttributes": {"path": target, "verb": verb}}
    else:
        token, _, name = target.partition("/")
        resource = _resource_for(token, warnings)
        if not all_namespaces:
            if resource.known and not resource.namespaced:
                where = f" in group '{resource.group}'" if resource.group else ""
                warnings.append(f"resource '{resource.resource}' is not namespace scoped{where}\n")
            if verb not in RESOURCE_VERBS:
                warnings.append(f"verb '{verb}' is not a known verb\n")
        attributes = {"namespace": namespace, "verb": verb, "group": resource.group, "version": resource.version,
                      "resource": resource.resource, "subresource": subresource, "name": name}
        spec = {"resourceAttributes": {key: value for key, value in attributes.items() if value}}
    if parsed.flag("no-headers"):
        raise KubectlError(_warnings(warnings) + "error: --no-headers cannot be set without --list specified")
    answer = client.create({"apiVersion": f"{AUTHORIZATION}/v1", "kind": "SelfSubjectAccessReview", "spec": spec},
                           namespace=None, dry_run=False)
    status = answer.get("status") or {}
    allowed = bool(status.get("allowed"))
    line = "yes" if allowed else " - ".join(["no", *(str(status[key]) for key in ("reason", "evaluationError")
                                                      if status.get(key))])
    return Result(stdout="" if quiet else line + "\n", stderr=_warnings(warnings), exit_code=0 if allowed else 1)


# ------------------------------------------------------------------ the rules table (`can-i --list`)


@dataclass(frozen=True)
class _PolicyRule:
    verbs: tuple[str, ...] = ()
    api_groups: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()
    non_resource_urls: tuple[str, ...] = ()

    def go_string(self) -> str:
        """The generated `PolicyRule.String()`, which kubectl's `SortableRuleSlice` sorts by."""
        def go(values: tuple[str, ...]) -> str:
            return "[" + " ".join(values) + "]"
        return (f"&PolicyRule{{Verbs:{go(self.verbs)},APIGroups:{go(self.api_groups)},Resources:{go(self.resources)},"
                f"ResourceNames:{go(self.resource_names)},NonResourceURLs:{go(self.non_resource_urls)},}}")


def _breakdown(rule: _PolicyRule) -> list[_PolicyRule]:
    """rbac util `BreakdownRule`: one rule per group, resource, verb (and name); one per URL and verb."""
    rules = [_PolicyRule((verb,), (group,), (resource,), (name,) if name else ())
             for group in rule.api_groups for resource in rule.resources for verb in rule.verbs
             for name in (rule.resource_names or ("",))]
    rules += [_PolicyRule((verb,), non_resource_urls=(url,)) for url in rule.non_resource_urls for verb in rule.verbs]
    return rules


def _compact(rules: list[_PolicyRule]) -> list[_PolicyRule]:
    """rbac util `CompactRules`: rules of one group and resource (and at most one name) merge their verbs."""
    merged: dict[tuple[str, str, str], _PolicyRule] = {}
    compacted = []
    for rule in rules:
        simple = (len(rule.resource_names) <= 1 and not rule.non_resource_urls and len(rule.api_groups) == 1
                  and len(rule.resources) == 1)
        if not simple:
            compacted.append(rule)
            continue
        key = (rule.api_groups[0], rule.resources[0], rule.resource_names[0] if rule.resource_names else "")
        found = merged.get(key)
        merged[key] = rule if found is None else _PolicyRule(found.verbs + rule.verbs, found.api_groups,
                                                             found.resources, found.resource_names)
    return compacted + list(merged.values())


def _combine_resource_group(rule: _PolicyRule) -> str:
    """describe.CombineResourceGroup: `pods.group/subresource` of the first resource and group."""
    if not rule.resources:
        return ""
    resource, _, sub = rule.resources[0].partition("/")
    if rule.api_groups and rule.api_groups[0]:
        resource += "." + rule.api_groups[0]
    return f"{resource}/{sub}" if sub else resource


def rules_table(status: dict[str, Any], *, no_headers: bool = False) -> str:
    """`kubectl auth can-i --list`: a SubjectRulesReviewStatus broken down, compacted, sorted and tabulated."""
    rules = [_PolicyRule(tuple(r.get("verbs") or ()), tuple(r.get("apiGroups") or ()), tuple(r.get("resources") or ()),
                         tuple(r.get("resourceNames") or ())) for r in status.get("resourceRules") or []]
    rules += [_PolicyRule(tuple(r.get("verbs") or ()), non_resource_urls=tuple(r.get("nonResourceURLs") or ()))
              for r in status.get("nonResourceRules") or []]
    compact = sorted(_compact([part for rule in rules for part in _breakdown(rule)]), key=_PolicyRule.go_string)
    writer = TabWriter(remember=False)
    if not no_headers:
        writer.write_row(["Resources", "Non-Resource URLs", "Resource Names", "Verbs"])
    for rule in compact:
        writer.write_row([_combine_resource_group(rule), "[" + " ".join(rule.non_resource_urls) + "]",
                          "[" + " ".join(rule.resource_names) + "]", "[" + " ".join(rule.verbs) + "]"])
    return writer.flush()


# ------------------------------------------------------------------ whoami


def whoami(parsed: parser.ParsedCommand, client: Client, _session: Session) -> Result:
    """`kubectl auth whoami [-o FORMAT]`: the SelfSubjectReview's user as kubectl's table, or the object."""
    fmt, argument = ("", "")
    if parsed.flag("output"):
        fmt, argument = output.check_output_format(parsed.flag("output"), WHOAMI_FORMATS)
    answer = client.create({"apiVersion": f"{AUTHENTICATION}/v1", "kind": "SelfSubjectReview"}, namespace=None,
                           dry_run=False)
    if fmt:
        return Result(stdout=print_objects([answer], fmt, argument, single=True, sort_keys=False))
    user = (answer.get("status") or {}).get("userInfo") or {}
    writer = TabWriter(remember=False)
    writer.write_row(["ATTRIBUTE", "VALUE"])
    if user.get("username"):
        writer.write_row(["Username", user["username"]])
    if user.get("uid"):
        writer.write_row(["UID", user["uid"]])
    if user.get("groups"):
        writer.write_row(["Groups", "[" + " ".join(user["groups"]) + "]"])
    for key in sorted(user.get("extra") or {}):
        writer.write_row([f"Extra: {key}", "[" + " ".join(user["extra"][key]) + "]"])
    return Result(stdout=writer.flush())
