"""`kubectl describe` for Ingress, IngressClass, NetworkPolicy, PodDisruptionBudget, HorizontalPodAutoscaler,
Role, ClusterRole, RoleBinding and ClusterRoleBinding, as kubectl 1.32's describers write them
(`staging/src/k8s.io/kubectl/pkg/describe/describe.go`; the rules tables through `pkg/util/rbac`'s
BreakdownRule, CompactRules and sort by `PolicyRule.String()`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cluster_engine.sim.errors import Status
from cluster_engine.sim.kinds.networking import load_balancer_addresses
from cluster_engine.sim.printers import format_label_selector
from cluster_engine.sim.util import parse_rfc3339

from .context import Client
from .describe import PrefixWriter, annotations_multiline, describe_events, labels_multiline, quantity_string, rfc1123z
from .describe_apps import format_endpoint_slices

Events = list[dict[str, Any]] | None


def _go_list(values: list[Any] | None) -> str:
    """Go's `%v` of a slice: `[a b]`."""
    return "[" + " ".join(str(v) for v in values or []) + "]"


def _go_time(timestamp: str | None) -> str:
    """metav1.Time printed with `%s`: `2026-01-05 09:00:00 +0000 UTC`."""
    if not timestamp:
        return "0001-01-01 00:00:00 +0000 UTC"
    moment = datetime.fromtimestamp(int(parse_rfc3339(timestamp)), tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


# --- Ingress ----------------------------------------------------------------------------------------------------
def _service_backend(service: dict[str, Any]) -> str:
    port = service.get("port") or {}
    return f"{service.get('name', '')}:{port['number'] if port.get('number') else port.get('name', '')}"


def _backend(client: Client, namespace: str, backend: dict[str, Any]) -> str:
    """describeBackendV1: `svc:port (endpoints)` or the error reading them; a resource backend by its fields."""
    service = backend.get("service")
    if service is not None:
        text = _service_backend(service)
        try:
            slices = client.list("EndpointSlice", namespace,
                                 label_selector=f"kubernetes.io/service-name={service.get('name', '')}")
            svc = client.get("Service", service.get("name", ""), namespace)
        except Status as status:
            return f"{text} (<error: {status.message}>)"
        port, name = service.get("port") or {}, ""
        for entry in (svc.get("spec") or {}).get("ports") or []:
            if (port.get("number") and port["number"] == entry.get("port")) or (
                    port.get("name") and port["name"] == entry.get("name")):
                name = entry.get("name", "")
        return f"{text} ({format_endpoint_slices(slices.get('items') or [], name)})"
    resource = backend.get("resource")
    if resource is not None:
        return (f"APIGroup: {resource.get('apiGroup') or '<none>'}, Kind: {resource.get('kind', '')}, "
                f"Name: {resource.get('name', '')}")
    return ""


def describe_ingress(client: Client, ing: dict[str, Any], events: Events) -> str:
    meta, spec = ing["metadata"], ing.get("spec") or {}
    namespace = meta.get("namespace", "")
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    w.write(0, f"Namespace:\t{namespace}\n")
    w.write(0, f"Address:\t{load_balancer_addresses(ing.get('status'))}\n")
    w.write(0, f"Ingress Class:\t{spec.get('ingressClassName') or '<none>'}\n")
    default = "<default>"
    if spec.get("defaultBackend") is not None:
        default = _backend(client, namespace, spec["defaultBackend"])
    w.write(0, f"Default backend:\t{default}\n")
    if spec.get("tls"):
        w.write(0, "TLS:\n")
        for entry in spec["tls"]:
            hosts = ",".join(entry.get("hosts") or [])
            if entry.get("secretName"):
                w.write(1, f"{entry['secretName']} terminates {hosts}\n")
            else:
                w.write(1, f"SNI routes {hosts}\n")
    w.write(0, "Rules:\n  Host\tPath\tBackends\n")
    w.write(1, "----\t----\t--------\n")
    count = 0
    for rule in spec.get("rules") or []:
        if rule.get("http") is None:
            continue
        count += 1
        w.write(1, f"{rule.get('host') or '*'}\t\n")
        for path in rule["http"].get("paths") or []:
            w.write(2, f"\t{path.get('path', '')} \t{_backend(client, namespace, path.get('backend') or {})}\n")
    if count == 0:
        w.write(1, f"*\t*\t{default}\n")
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    if events is not None:
        describe_events(w, events, client.now)
    return w.text()


def describe_ingress_class(client: Client, cls: dict[str, Any], events: Events) -> str:
    meta, spec = cls["metadata"], cls.get("spec") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Controller:\t{spec.get('controller', '')}\n")
    parameters = spec.get("parameters")
    if parameters is not None:
        w.write(0, "Parameters:\n")
        if parameters.get("apiGroup") is not None:
            w.write(1, f"APIGroup:\t{parameters['apiGroup']}\n")
        w.write(1, f"Kind:\t{parameters.get('kind', '')}\n")
        w.write(1, f"Name:\t{parameters.get('name', '')}\n")
    if events is not None:
        describe_events(w, events, client.now)
    return w.text()


# --- NetworkPolicy ------------------------------------------------------------------------------------------------
def _ports(w: PrefixWriter, ports: list[dict[str, Any]], indent: str) -> None:
    if not ports:
        w.write(0, f"{indent}To Port: <any> (traffic allowed to all ports)\n")
        return
    for port in ports:
        protocol = port.get("protocol") or "TCP"
        number = port.get("port")
        shown = "<nil>" if number is None else str(number)
        if port.get("endPort") is None:
            w.write(0, f"{indent}To Port: {shown}/{protocol}\n")
        else:
            w.write(0, f"{indent}To Port Range: {shown}-{port['endPort']}/{protocol}\n")


def _peers(w: PrefixWriter, peers: list[dict[str, Any]], indent: str, title: str, anyone: str) -> None:
    if not peers:
        w.write(0, f"{indent}{title}: <any> ({anyone})\n")
        return
    for peer in peers:
        w.write(0, f"{indent}{title}:\n")
        pods, namespaces, block = peer.get("podSelector"), peer.get("namespaceSelector"), peer.get("ipBlock")
        if pods is not None and namespaces is not None:
            w.write(1, f"{indent}NamespaceSelector: {format_label_selector(namespaces)}\n")
            w.write(1, f"{indent}PodSelector: {format_label_selector(pods)}\n")
        elif pods is not None:
            w.write(1, f"{indent}PodSelector: {format_label_selector(pods)}\n")
        elif namespaces is not None:
            w.write(1, f"{indent}NamespaceSelector: {format_label_selector(namespaces)}\n")
        elif block is not None:
            w.write(1, f"{indent}IPBlock:\n")
            w.write(2, f"{indent}CIDR: {block.get('cidr', '')}\n")
            w.write(2, f"{indent}Except: {', '.join(block.get('except') or [])}\n")


def _rules(w: PrefixWriter, rules: list[dict[str, Any]], direction: str) -> None:
    indent = "    "
    if not rules:
        w.write(0, f"{indent}<none> (Selected pods are isolated for {direction} connectivity)\n")
        return
    for index, rule in enumerate(rules):
        _ports(w, rule.get("ports") or [], indent)
        if direction == "ingress":
            _peers(w, rule.get("from") or [], indent, "From", "traffic not restricted by source")
        else:
            _peers(w, rule.get("to") or [], indent, "To", "traffic not restricted by destination")
        if index != len(rules) - 1:
            w.write(0, f"{indent}----------\n")


def describe_network_policy(client: Client, policy: dict[str, Any], _events: Events) -> str:
    """describeNetworkPolicy (kubectl lists no events for it)."""
    meta, spec = policy["metadata"], policy.get("spec") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Created on:\t{_go_time(meta.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "Spec:\n")
    w.write(1, "PodSelector: ")
    selector = spec.get("podSelector") or {}
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        w.write(2, "<none> (Allowing the specific traffic to all pods in this namespace)\n")
    else:
        w.write(2, f"{format_label_selector(selector)}\n")
    types = spec.get("policyTypes") or []
    for direction, title in (("ingress", "Ingress"), ("egress", "Egress")):
        if title in types:
            w.write(1, f"Allowing {direction} traffic:\n")
            _rules(w, spec.get(direction) or [], direction)
        else:
            w.write(1, f"Not affecting {direction} traffic\n")
    w.write(1, f"Policy Types: {', '.join(types)}\n")
    del client
    return w.text()


# --- PodDisruptionBudget ------------------------------------------------------------------------------------------
def describe_pdb(client: Client, pdb: dict[str, Any], events: Events) -> str:
    meta, spec, status = pdb["metadata"], pdb.get("spec") or {}, pdb.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if spec.get("minAvailable") is not None:
        w.write(0, f"Min available:\t{spec['minAvailable']}\n")
    elif spec.get("maxUnavailable") is not None:
        w.write(0, f"Max unavailable:\t{spec['maxUnavailable']}\n")
    selector = spec.get("selector")
    w.write(0, f"Selector:\t{format_label_selector(selector) if selector is not None else '<unset>'}\n")
    w.write(0, "Status:\n")
    w.write(2, f"Allowed disruptions:\t{status.get('disruptionsAllowed', 0)}\n")
    w.write(2, f"Current:\t{status.get('currentHealthy', 0)}\n")
    w.write(2, f"Desired:\t{status.get('desiredHealthy', 0)}\n")
    w.write(2, f"Total:\t{status.get('expectedPods', 0)}\n")
    if events is not None:
        describe_events(w, events, client.now)
    return w.text()


# --- HorizontalPodAutoscaler ----------------------------------------------------------------------------------------
def _quantity(value: Any) -> str:
    return quantity_string(value) if value is not None else "<nil>"


def _metric_line(w: PrefixWriter, metric: dict[str, Any], current: dict[str, Any] | None) -> None:
    """One line of `Metrics: ( current / target )` (describeHorizontalPodAutoscalerV2)."""
    kind = metric.get("type")
    if kind in ("Resource", "ContainerResource"):
        field = "resource" if kind == "Resource" else "containerResource"
        source = metric.get(field) or {}
        target = source.get("target") or {}
        status = ((current or {}).get(field) or {}).get("current") if (current or {}).get(field) else None
        if kind == "Resource":
            w.write(1, f"resource {source.get('name', '')} on pods")
        else:
            w.write(1, f"resource {source.get('name', '')} of container \"{source.get('container', '')}\" on pods")
        if target.get("averageValue") is not None:
            now = _quantity(status.get("averageValue")) if status is not None else "<unknown>"
            w.write(0, f":\t{now} / {quantity_string(target['averageValue'])}\n")
        else:
            now = "<unknown>"
            if status is not None and status.get("averageUtilization") is not None:
                now = f"{status['averageUtilization']}% ({_quantity(status.get('averageValue'))})"
            goal = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
            w.write(1, f"(as a percentage of request):\t{now} / {goal}\n")
    elif kind == "Pods":
        source = metric.get("pods") or {}
        status = (current or {}).get("pods")
        now = _quantity(((status or {}).get("current") or {}).get("averageValue")) if status else "<unknown>"
        w.write(1, f"\"{(source.get('metric') or {}).get('name', '')}\" on pods:\t{now} / "
                   f"{_quantity((source.get('target') or {}).get('averageValue'))}\n")
    elif kind == "Object":
        source = metric.get("object") or {}
        described = source.get("describedObject") or {}
        target = source.get("target") or {}
        status = ((current or {}).get("object") or {}).get("current") if (current or {}).get("object") else None
        w.write(1, f"\"{(source.get('metric') or {}).get('name', '')}\" on {described.get('kind', '')}/"
                   f"{described.get('name', '')} ")
        if target.get("type") == "AverageValue":
            now = _quantity(status.get("averageValue")) if status is not None else "<unknown>"
            w.write(0, f"(target average value):\t{now} / {_quantity(target.get('averageValue'))}\n")
        else:
            now = _quantity(status.get("value")) if status is not None else "<unknown>"
            w.write(0, f"(target value):\t{now} / {_quantity(target.get('value'))}\n")
    elif kind == "External":
        source = metric.get("external") or {}
        target = source.get("target") or {}
        status = ((current or {}).get("external") or {}).get("current") if (current or {}).get("external") else None
        name = (source.get("metric") or {}).get("name", "")
        if target.get("averageValue") is not None:
            now = _quantity(status.get("averageValue")) if status and status.get("averageValue") else "<unknown>"
            w.write(1, f"\"{name}\" (target average value):\t{now} / {quantity_string(target['averageValue'])}\n")
        else:
            now = _quantity(status.get("value")) if status is not None else "<unknown>"
            w.write(1, f"\"{name}\" (target value):\t{now} / {_quantity(target.get('value'))}\n")
    else:
        w.write(1, f"<unknown metric type \"{kind}\">\n")


def _behavior(w: PrefixWriter, title: str, rules: dict[str, Any] | None) -> None:
    """printDirectionBehavior."""
    if rules is None:
        return
    w.write(1, f"{title}:\n")
    if rules.get("stabilizationWindowSeconds") is not None:
        w.write(2, f"Stabilization Window: {rules['stabilizationWindowSeconds']} seconds\n")
    if rules.get("policies"):
        w.write(2, f"Select Policy: {rules.get('selectPolicy') or 'Max'}\n")
        w.write(2, "Policies:\n")
        for policy in rules["policies"]:
            w.write(3, f"- Type: {policy.get('type', '')}\tValue: {policy.get('value', 0)}\tPeriod: "
                       f"{policy.get('periodSeconds', 0)} seconds\n")


def describe_hpa(client: Client, hpa: dict[str, Any], events: Events) -> str:
    """describeHorizontalPodAutoscalerV2 (kubectl reads autoscaling/v2 first)."""
    meta, spec, status = hpa["metadata"], hpa.get("spec") or {}, hpa.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    w.write(0, f"Reference:\t{ref.get('kind', '')}/{ref.get('name', '')}\n")
    w.write(0, "Metrics:\t( current / target )\n")
    currents = status.get("currentMetrics") or []
    for index, metric in enumerate(spec.get("metrics") or []):
        _metric_line(w, metric, currents[index] if index < len(currents) else None)
    minimum = spec.get("minReplicas")
    w.write(0, f"Min replicas:\t{'<unset>' if minimum is None else minimum}\n")
    w.write(0, f"Max replicas:\t{spec.get('maxReplicas', 0)}\n")
    if spec.get("behavior") is not None:
        w.write(0, "Behavior:\n")
        _behavior(w, "Scale Up", spec["behavior"].get("scaleUp"))
        _behavior(w, "Scale Down", spec["behavior"].get("scaleDown"))
    w.write(0, f"{ref.get('kind', '')} pods:\t")
    w.write(0, f"{status.get('currentReplicas', 0)} current / {status.get('desiredReplicas', 0)} desired\n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tReason\tMessage\n")
        w.write(1, "----\t------\t------\t-------\n")
        for condition in status["conditions"]:
            w.write(1, f"{condition.get('type', '')}\t{condition.get('status', '')}\t{condition.get('reason', '')}\t"
                       f"{condition.get('message', '')}\n")
    if events is not None:
        describe_events(w, events, client.now)
    return w.text()


# --- RBAC ----------------------------------------------------------------------------------------------------------
def _breakdown(rule: dict[str, Any]) -> list[dict[str, Any]]:
    """rbac.BreakdownRule: one rule per group, resource, verb (and resource name); then per URL and verb."""
    parts: list[dict[str, Any]] = []
    verbs = rule.get("verbs") or []
    for group in rule.get("apiGroups") or []:
        for resource in rule.get("resources") or []:
            for verb in verbs:
                names = rule.get("resourceNames") or []
                for name in names or [None]:
                    part: dict[str, Any] = {"apiGroups": [group], "resources": [resource], "verbs": [verb]}
                    if name is not None:
                        part["resourceNames"] = [name]
                    parts.append(part)
    parts += [{"nonResourceURLs": [url], "verbs": [verb]} for url in rule.get("nonResourceURLs") or []
              for verb in verbs]
    return parts


def _rule_string(rule: dict[str, Any]) -> str:
    """PolicyRule.String() (the generated one): what kubectl sorts the rules table by."""
    return (f"&PolicyRule{{Verbs:{_go_list(rule.get('verbs'))},APIGroups:{_go_list(rule.get('apiGroups'))},"
            f"Resources:{_go_list(rule.get('resources'))},ResourceNames:{_go_list(rule.get('resourceNames'))},"
            f"NonResourceURLs:{_go_list(rule.get('nonResourceURLs'))},}}")


def compact_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """rbac.CompactRules of the broken-down rules, sorted as `kubectl describe` sorts them."""
    compacted: list[dict[str, Any]] = []
    simple: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    for rule in (part for entry in rules for part in _breakdown(entry)):
        if rule.get("nonResourceURLs"):
            compacted.append(rule)
            continue
        names = rule.get("resourceNames") or []
        key = (rule["apiGroups"][0], rule["resources"][0], names[0] if names else None)
        if key in simple:
            for verb in rule["verbs"]:
                if verb not in simple[key]["verbs"]:
                    simple[key]["verbs"].append(verb)
        else:
            simple[key] = {**rule, "verbs": list(rule["verbs"])}
    compacted += simple.values()
    return sorted(compacted, key=_rule_string)


def _resource_group(resources: list[str] | None, groups: list[str] | None) -> str:
    """CombineResourceGroup: `deployments.apps`, `pods/log`, `*.*`."""
    if not resources:
        return ""
    name, slash, sub = resources[0].partition("/")
    if groups and groups[0]:
        name += "." + groups[0]
    return f"{name}/{sub}" if slash else name


def describe_role(client: Client, role: dict[str, Any], _events: Events) -> str:
    """RoleDescriber and ClusterRoleDescriber (no events)."""
    meta = role["metadata"]
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "PolicyRule:\n")
    w.write(1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n")
    w.write(1, "---------\t-----------------\t--------------\t-----\n")
    for rule in compact_rules(role.get("rules") or []):
        w.write(1, f"{_resource_group(rule.get('resources'), rule.get('apiGroups'))}\t"
                   f"{_go_list(rule.get('nonResourceURLs'))}\t{_go_list(rule.get('resourceNames'))}\t"
                   f"{_go_list(rule.get('verbs'))}\n")
    del client
    return w.text()


def describe_binding(client: Client, binding: dict[str, Any], _events: Events) -> str:
    """RoleBindingDescriber and ClusterRoleBindingDescriber (no events)."""
    meta, ref = binding["metadata"], binding.get("roleRef") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "Role:\n")
    w.write(1, f"Kind:\t{ref.get('kind', '')}\n")
    w.write(1, f"Name:\t{ref.get('name', '')}\n")
    w.write(0, "Subjects:\n")
    w.write(1, "Kind\tName\tNamespace\n")
    w.write(1, "----\t----\t---------\n")
    for subject in binding.get("subjects") or []:
        w.write(1, f"{subject.get('kind', '')}\t{subject.get('name', '')}\t{subject.get('namespace', '')}\n")
    del client
    return w.text()


DESCRIBERS = {
    "Ingress": describe_ingress,
    "IngressClass": describe_ingress_class,
    "NetworkPolicy": describe_network_policy,
    "PodDisruptionBudget": describe_pdb,
    "HorizontalPodAutoscaler": describe_hpa,
    "Role": describe_role,
    "ClusterRole": describe_role,
    "RoleBinding": describe_binding,
    "ClusterRoleBinding": describe_binding,
}
