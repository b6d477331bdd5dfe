"""The networking.k8s.io/v1 kinds Ingress, IngressClass and NetworkPolicy: registration, defaulting
(`pkg/apis/networking/v1/defaults.go`), validation (`pkg/apis/networking/validation/validation.go`), the
DefaultIngressClass admission plugin and the `kubectl get` columns (`pkg/printers/internalversion/printers.go`).

No ingress controller runs in a sandbox (as on a bare kubeadm cluster): Ingresses are stored and validated but
never get an address. NetworkPolicies are enforced by the simulated network (`networkpolicy.py`)."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from cluster_engine.sim import printers
from cluster_engine.sim.errors import Cause
from cluster_engine.sim.objects import Kind, register
from cluster_engine.sim.schema import definition
from cluster_engine.sim.validation import (
    dns1035_label,
    dns1123_subdomain,
    forbidden,
    invalid,
    not_supported,
    port_name,
    required,
    validate_metadata,
    validate_metadata_update,
)

from .apps import _Raw, validate_label_selector

GROUP = "networking.k8s.io"
DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"]
INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
INVALID_PATH_SUFFIXES = ("/..", "/.")
POLICY_TYPES = ["Ingress", "Egress"]
PROTOCOLS = ["TCP", "UDP", "SCTP"]
MAX_CONTROLLER_LENGTH = 250
_WILDCARD_RE = re.compile(r"^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_PATH_RE = re.compile(r"^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$")
WILDCARD_MSG = (
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of "
    "lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', "
    "regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
CIDR_MSG = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def valid_port_number(number: Any) -> list[str]:
    """validation.IsValidPortNum."""
    return [] if isinstance(number, int) and 1 <= number <= 65535 else ["must be between 1 and 65535, inclusive"]


# --- Ingress ------------------------------------------------------------------------------------------------
def _validate_backend(backend: dict[str, Any], path: str) -> list[Cause]:
    """validateIngressBackend: exactly one of a Service (name and one port) or a resource backend."""
    service, resource = backend.get("service"), backend.get("resource")
    if service is not None and resource is not None:
        return [invalid(path, "", "cannot set both resource and service backends")]
    if resource is not None:
        causes = []
        if not resource.get("kind"):
            causes.append(required(f"{path}.resource.kind"))
        if not resource.get("name"):
            causes.append(required(f"{path}.resource.name"))
        return causes
    if service is None:
        return [invalid(path, "", "resource or service backend is required")]
    causes: list[Cause] = []
    name = service.get("name", "")
    if not name:
        causes.append(required(f"{path}.service.name"))
    else:
        causes += [invalid(f"{path}.service.name", name, msg) for msg in dns1035_label(name)]
    port = service.get("port") or {}
    port_name_value, number = port.get("name", ""), port.get("number", 0)
    if port_name_value and number:
        causes.append(invalid(path, "", "cannot set both port name & port number"))
    elif port_name_value:
        causes += [invalid(f"{path}.service.port.name", port_name_value, msg) for msg in port_name(port_name_value)]
    elif number:
        causes += [invalid(f"{path}.service.port.number", number, msg) for msg in valid_port_number(number)]
    else:
        causes.append(required(path, "port name or number is required"))
    return causes


def _validate_path(entry: dict[str, Any], path: str) -> list[Cause]:
    """validateHTTPIngressPath."""
    path_type = entry.get("pathType")
    if path_type is None:
        return [required(f"{path}.pathType", "pathType must be specified")]
    value = entry.get("path", "")
    causes: list[Cause] = []
    if path_type in ("Exact", "Prefix"):
        if not value.startswith("/"):
            causes.append(invalid(f"{path}.path", value, "must be an absolute path"))
        if value:
            causes += [invalid(f"{path}.path", value, f"must not contain '{seq}'")
                       for seq in INVALID_PATH_SEQUENCES if seq in value]
            causes += [invalid(f"{path}.path", value, f"cannot end with '{suffix}'")
                       for suffix in INVALID_PATH_SUFFIXES if value.endswith(suffix)]
    elif path_type == "ImplementationSpecific":
        if value and not value.startswith("/"):
            causes.append(invalid(f"{path}.path", value, "must be an absolute path"))
    else:
        causes.append(not_supported(f"{path}.pathType", path_type, PATH_TYPES))
    return causes + _validate_backend(entry.get("backend") or {}, f"{path}.backend")


def _host_causes(host: str, path: str) -> list[Cause]:
    """IsWildcardDNS1123Subdomain for a host with `*`, else IsDNS1123Subdomain."""
    if "*" in host:
        messages = [] if _WILDCARD_RE.match(host) and len(host) <= 253 else [WILDCARD_MSG]
    else:
        messages = dns1123_subdomain(host)
    return [invalid(path, host, msg) for msg in messages]


def validate_ingress(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateIngressCreate / ValidateIngressUpdate (spec only: status is the controller's)."""
    causes = validate_metadata(obj, dns1123_subdomain, True)
    spec = obj.get("spec") or {}
    rules = spec.get("rules") or []
    if not rules and spec.get("defaultBackend") is None:
        causes.append(invalid("spec", _Raw("[]networking.IngressRule(nil)"),
                              "either `defaultBackend` or `rules` must be specified"))
    if spec.get("defaultBackend") is not None:
        causes += _validate_backend(spec["defaultBackend"], "spec.defaultBackend")
    for index, rule in enumerate(rules):
        where = f"spec.rules[{index}]"
        host = rule.get("host")
        if host:
            if _is_ip(host):
                causes.append(invalid(f"{where}.host", host, "must be a DNS name, not an IP address"))
            causes += _host_causes(host, f"{where}.host")
        http = rule.get("http")
        if http is not None:
            paths = http.get("paths") or []
            if not paths:
                causes.append(required(f"{where}.http.paths"))
            for number, entry in enumerate(paths):
                causes += _validate_path(entry, f"{where}.http.paths[{number}]")
    for index, tls in enumerate(spec.get("tls") or []):
        for number, host in enumerate(tls.get("hosts") or []):
            causes += _host_causes(host, f"spec.tls[{index}].hosts[{number}]")
        secret = tls.get("secretName")
        if secret:
            causes += [invalid(f"spec.tls[{index}].secretName", secret, msg) for msg in dns1123_subdomain(secret)]
    class_name = spec.get("ingressClassName")
    if class_name is not None:
        causes += [invalid("spec.ingressClassName", class_name, msg) for msg in dns1123_subdomain(class_name)]
    if old is not None:
        causes += validate_metadata_update(obj, old)
    return causes


def admit_ingress(obj: dict[str, Any], old: dict[str, Any] | None, store: Any, _draws: Any) -> list[Cause]:
    """The DefaultIngressClass admission plugin (`plugin/pkg/admission/network/defaultingressclass`): a new
    Ingress without `ingressClassName` gets the class annotated as default, if there is one (with several, the
    newest, as upstream picks since 1.28). No ingress controller installs one here, as on a bare kubeadm cluster."""
    spec = obj.setdefault("spec", {})
    if old is not None or spec.get("ingressClassName") or (obj["metadata"].get("annotations") or {}).get(
            "kubernetes.io/ingress.class"):
        return []
    defaults = [cls for cls in store.items("IngressClass")
                if (cls["metadata"].get("annotations") or {}).get(DEFAULT_CLASS_ANNOTATION) == "true"]
    if defaults:
        newest = max(defaults, key=lambda cls: (cls["metadata"].get("creationTimestamp", ""), cls["metadata"]["name"]))
        spec["ingressClassName"] = newest["metadata"]["name"]
    return []


# --- IngressClass ---------------------------------------------------------------------------------------------
def _domain_prefixed_path(value: str, path: str) -> list[Cause]:
    """validation.IsDomainPrefixedPath (`example.com/ingress-nginx`)."""
    if not value:
        return [required(path)]
    host, slash, rest = value.partition("/")
    if not slash:
        return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')]
    causes = [invalid(path, host, msg) for msg in dns1123_subdomain(host)]
    if not _PATH_RE.match(rest):
        causes.append(invalid(path, rest, "Invalid path"))
    return causes


def default_ingress_class(obj: dict[str, Any]) -> None:
    """SetDefaults_IngressClass: a parameters reference without a scope is cluster-scoped."""
    parameters = (obj.get("spec") or {}).get("parameters")
    if parameters is not None:
        parameters.setdefault("scope", "Cluster")


def validate_ingress_class(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateIngressClass / ValidateIngressClassUpdate: the controller is a domain-prefixed path that never
    changes; a namespaced parameters reference names its namespace."""
    causes = validate_metadata(obj, dns1123_subdomain, False)
    spec = obj.get("spec") or {}
    controller = spec.get("controller", "")
    if len(controller) > MAX_CONTROLLER_LENGTH:
        causes.append(Cause("FieldValueTooLong", f"Too long: may not be more than {MAX_CONTROLLER_LENGTH} bytes",
                            "spec.controller"))
    causes += _domain_prefixed_path(controller, "spec.controller")
    parameters = spec.get("parameters")
    if parameters is not None:
        if not parameters.get("kind"):
            causes.append(required("spec.parameters.kind"))
        if not parameters.get("name"):
            causes.append(required("spec.parameters.name"))
        scope = parameters.get("scope")
        if scope not in ("Cluster", "Namespace"):
            causes.append(not_supported("spec.parameters.scope", scope, ["Cluster", "Namespace"]))
        elif scope == "Namespace" and not parameters.get("namespace"):
            causes.append(required("spec.parameters.namespace", "`parameters.scope` is set to 'Namespace'"))
        elif scope == "Cluster" and parameters.get("namespace"):
            causes.append(forbidden("spec.parameters.namespace", "`parameters.scope` is set to 'Cluster'"))
    if old is not None:
        causes += validate_metadata_update(obj, old)
        if controller != (old.get("spec") or {}).get("controller", ""):
            causes.append(invalid("spec.controller", controller, "field is immutable"))
    return causes


# --- NetworkPolicy --------------------------------------------------------------------------------------------
def default_network_policy(obj: dict[str, Any]) -> None:
    """SetDefaults_NetworkPolicy: no policyTypes means Ingress, plus Egress when egress rules are given; every
    port's protocol defaults to TCP."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("podSelector", {})
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]
    for direction in ("ingress", "egress"):
        for rule in spec.get(direction) or []:
            for port in rule.get("ports") or []:
                port.setdefault("protocol", "TCP")


def _validate_port(port: dict[str, Any], path: str) -> list[Cause]:
    """ValidateNetworkPolicyPort."""
    causes: list[Cause] = []
    protocol = port.get("protocol")
    if protocol is not None and protocol not in PROTOCOLS:
        causes.append(not_supported(f"{path}.protocol", protocol, PROTOCOLS))
    number, end = port.get("port"), port.get("endPort")
    if number is None:
        if end is not None:
            causes.append(invalid(f"{path}.endPort", end, "may not be specified when `port` is not specified"))
    elif isinstance(number, int):
        causes += [invalid(f"{path}.port", number, msg) for msg in valid_port_number(number)]
        if end is not None:
            if end < number:
                causes.append(invalid(f"{path}.endPort", number, "must be greater than or equal to `port`"))
            causes += [invalid(f"{path}.endPort", end, msg) for msg in valid_port_number(end)]
    else:
        if end is not None:
            causes.append(invalid(f"{path}.endPort", end, "may not be specified when `port` is non-numeric"))
        causes += [invalid(f"{path}.port", number, msg) for msg in port_name(str(number))]
    return causes


def parse_cidr(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """A CIDR as netutils.ParseCIDRSloppy reads it (host bits may be set), or None."""
    try:
        return ipaddress.ip_network(text, strict=False) if "/" in text else None
    except ValueError:
        return None


def _validate_ip_block(block: dict[str, Any], path: str) -> list[Cause]:
    """ValidateIPBlock: a valid CIDR, and each `except` a strict subset of it."""
    cidr = block.get("cidr", "")
    if not cidr:
        return [required(f"{path}.cidr")]
    network = parse_cidr(cidr)
    if network is None:
        return [invalid(f"{path}.cidr", cidr, CIDR_MSG)]
    causes: list[Cause] = []
    for index, text in enumerate(block.get("except") or []):
        where = f"{path}.except[{index}]"
        inner = parse_cidr(text)
        if inner is None:
            causes.append(invalid(where, text, CIDR_MSG))
        elif inner.version != network.version or not inner.subnet_of(network) or inner.prefixlen <= network.prefixlen:
            causes.append(invalid(where, text, "must be a strict subset of `cidr`"))
    return causes


def _validate_peer(peer: dict[str, Any], path: str) -> list[Cause]:
    """ValidateNetworkPolicyPeer: at least one of podSelector, namespaceSelector, ipBlock; ipBlock alone."""
    causes: list[Cause] = []
    count = 0
    for key in ("podSelector", "namespaceSelector"):
        if peer.get(key) is not None:
            count += 1
            causes += validate_label_selector(peer[key], f"{path}.{key}")
    if peer.get("ipBlock") is not None:
        count += 1
        causes += _validate_ip_block(peer["ipBlock"], f"{path}.ipBlock")
    if count == 0:
        causes.append(required(path, "must specify a peer"))
    elif count > 1 and peer.get("ipBlock") is not None:
        causes.append(forbidden(path, "may not specify both ipBlock and another peer"))
    return causes


def validate_network_policy(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateNetworkPolicy / ValidateNetworkPolicyUpdate (every field of the spec may change)."""
    causes = validate_metadata(obj, dns1123_subdomain, True)
    spec = obj.get("spec") or {}
    causes += validate_label_selector(spec.get("podSelector"), "spec.podSelector")
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for index, rule in enumerate(spec.get(direction) or []):
            where = f"spec.{direction}[{index}]"
            for number, port in enumerate(rule.get("ports") or []):
                causes += _validate_port(port, f"{where}.ports[{number}]")
            for number, peer in enumerate(rule.get(peers) or []):
                causes += _validate_peer(peer, f"{where}.{peers}[{number}]")
    types = spec.get("policyTypes") or []
    if len(types) > len(POLICY_TYPES):
        causes.append(invalid("spec.policyTypes", _Raw(f"&{types!r}"), "may not specify more than two policyTypes"))
    else:
        causes += [not_supported(f"spec.policyTypes[{index}]", value, POLICY_TYPES)
                   for index, value in enumerate(types) if value not in POLICY_TYPES]
    if old is not None:
        causes += validate_metadata_update(obj, old)
    return causes


# --- registration ---------------------------------------------------------------------------------------------
INGRESS = register(Kind("Ingress", "ingresses", "ingress", group=GROUP, short_names=("ing",),
                        validate=validate_ingress, admit=admit_ingress, tracks_generation=True))
INGRESS_CLASS = register(Kind("IngressClass", "ingressclasses", "ingressclass", group=GROUP, namespaced=False,
                              has_status=False, validate=validate_ingress_class, default=default_ingress_class,
                              tracks_generation=True))
NETWORK_POLICY = register(Kind("NetworkPolicy", "networkpolicies", "networkpolicy", group=GROUP,
                               short_names=("netpol",), has_status=False, validate=validate_network_policy,
                               default=default_network_policy, tracks_generation=True))


# --- kubectl get (printers.go: printIngress, printIngressClass, printNetworkPolicy) ------------------------------
def _doc(ref: str, field_name: str) -> str:
    return (definition(f"io.k8s.api.networking.v1.{ref}").get("properties") or {}).get(field_name, {}).get(
        "description", "")


def format_hosts(rules: list[dict[str, Any]] | None) -> str:
    """formatHosts: up to three rule hosts, `*` when no rule names one."""
    rules = rules or []
    hosts: list[str] = []
    more = False
    for rule in rules:
        if len(hosts) == 3:
            more = True
        if not more and rule.get("host"):
            hosts.append(rule["host"])
    if not hosts:
        return "*"
    text = ",".join(hosts)
    return f"{text} + {len(rules) - 3} more..." if more else text


def load_balancer_addresses(status: dict[str, Any] | None) -> str:
    """ingressLoadBalancerStatusStringer: the IPs and host names an ingress controller published (none here)."""
    entries = ((status or {}).get("loadBalancer") or {}).get("ingress") or []
    return ",".join(entry.get("ip") or entry.get("hostname") or "" for entry in entries if
                    entry.get("ip") or entry.get("hostname"))


def _ingress_row(ing: dict[str, Any], now: float) -> list[printers.Cell]:
    spec = ing.get("spec") or {}
    return [ing["metadata"]["name"], spec.get("ingressClassName") or "<none>", format_hosts(spec.get("rules")),
            load_balancer_addresses(ing.get("status")), "80, 443" if spec.get("tls") else "80",
            printers.since(ing["metadata"].get("creationTimestamp"), now)]


def ingress_class_parameters(cls: dict[str, Any]) -> str:
    parameters = (cls.get("spec") or {}).get("parameters")
    if not parameters:
        return "<none>"
    text = parameters.get("kind", "")
    if parameters.get("apiGroup"):
        text += "." + parameters["apiGroup"]
    return f"{text}/{parameters.get('name', '')}"


def _ingress_class_row(cls: dict[str, Any], now: float) -> list[printers.Cell]:
    return [cls["metadata"]["name"], (cls.get("spec") or {}).get("controller", ""), ingress_class_parameters(cls),
            printers.since(cls["metadata"].get("creationTimestamp"), now)]


def _network_policy_row(policy: dict[str, Any], now: float) -> list[printers.Cell]:
    return [policy["metadata"]["name"], printers.format_label_selector((policy.get("spec") or {}).get("podSelector")),
            printers.since(policy["metadata"].get("creationTimestamp"), now)]


printers.PRINTERS["Ingress"] = printers.Printer((
    printers.NAME,
    printers.Column("Class", description="The name of the IngressClass resource that should be used for this Ingress."),
    printers.Column("Hosts", description="Hosts that incoming requests are matched against before the ingress rule"),
    printers.Column("Address", description="Address is a list containing ingress points for the load-balancer"),
    printers.Column("Ports", description="Ports of TLS configurations that open"),
    printers.AGE,
), _ingress_row)
printers.PRINTERS["IngressClass"] = printers.Printer((
    printers.NAME,
    printers.Column("Controller", description="Controller that is responsible for handling this class"),
    printers.Column("Parameters", description="A reference to a resource with additional parameters"),
    printers.AGE,
), _ingress_class_row)
printers.PRINTERS["NetworkPolicy"] = printers.Printer((
    printers.NAME,
    printers.Column("Pod-Selector", description=_doc("NetworkPolicySpec", "podSelector")),
    printers.AGE,
), _network_policy_row)
