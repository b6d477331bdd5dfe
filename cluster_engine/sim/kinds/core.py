"""The core/v1 networking and storage kinds: Service (with its ClusterIP and NodePort allocators, as the
Service REST storage of kube-apiserver runs them), Endpoints, EndpointSlice (discovery.k8s.io/v1) and
PersistentVolumeClaim: registration, defaulting and validation with upstream wording."""

from __future__ import annotations

import ipaddress
from typing import Any

from cluster_engine.sim.errors import Cause
from cluster_engine.sim.objects import Kind, _path, register
from cluster_engine.sim.util import Draws
from cluster_engine.sim.validation import (
    PROTOCOLS,
    dns1035_label,
    dns1123_label,
    dns1123_subdomain,
    forbidden,
    invalid,
    not_supported,
    port_name,
    required,
    validate_labels,
    validate_metadata,
    validate_metadata_update,
)

# kubeadm's defaults: --service-cluster-ip-range=10.96.0.0/12, --service-node-port-range=30000-32767
SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
NODE_PORT_MIN, NODE_PORT_MAX = 30000, 32767
SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
SESSION_AFFINITIES = ["ClientIP", "None"]
TRAFFIC_POLICIES = ["Cluster", "Local"]
ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
HEADLESS = "None"


# --- allocators (pkg/registry/core/service/ipallocator, portallocator) ---------------------------------
def range_offset(size: int, *, step: int, low: int, high: int) -> int:
    """The size of the static band at the bottom of a range (`calculateRangeOffset`): dynamic allocation
    prefers the addresses above it, so statically chosen ones (10.96.0.10 for DNS) rarely collide."""
    return min(max(low, size // step), high)


def _pick(draws: Draws, used: set[int], first: int, last: int, offset: int) -> int | None:
    """A free value in [first, last]: a random start in the upper band (from first + offset), probing
    upwards; then the lower band the same way. None when the range is full."""
    for low, high in ((first + offset, last), (first, min(last, first + offset - 1))):
        if low > high:
            continue
        span = high - low + 1
        start = draws.bits(32) % span
        for step in range(span):
            value = low + (start + step) % span
            if value not in used:
                return value
    return None


def allocated_ips(store: Any, skip_uid: str = "") -> set[int]:
    return {
        int(ipaddress.ip_address(ip))
        for svc in store.items("Service")
        if svc["metadata"].get("uid") != skip_uid
        for ip in (svc.get("spec") or {}).get("clusterIPs") or [svc.get("spec", {}).get("clusterIP", "")]
        if ip and ip != HEADLESS
    }


def allocated_node_ports(store: Any, skip_uid: str = "") -> set[int]:
    return {
        port["nodePort"]
        for svc in store.items("Service")
        if svc["metadata"].get("uid") != skip_uid
        for port in (svc.get("spec") or {}).get("ports") or []
        if port.get("nodePort")
    }


def _go_strings(values: list[str]) -> str:
    return "[]string{" + ", ".join(f'"{v}"' for v in values) + "}"


class _Raw:
    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


def admit_service(obj: dict[str, Any], old: dict[str, Any] | None, store: Any, draws: Draws) -> list[Cause]:
    """Allocate the ClusterIP and NodePorts a Service needs (keeping those it already holds on update);
    field errors for a taken or out-of-range address or port."""
    spec = obj["spec"]
    kind = spec.get("type", "ClusterIP")
    uid = obj["metadata"].get("uid", "")
    old_spec = (old or {}).get("spec") or {}
    causes: list[Cause] = []
    if kind == "ExternalName":
        for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
            spec.pop(key, None)
    else:
        ip = spec.get("clusterIP") or ""
        if not ip and old_spec.get("clusterIP"):
            ip = old_spec["clusterIP"]
        if not ip:
            first = int(SERVICE_CIDR.network_address) + 1
            last = int(SERVICE_CIDR.broadcast_address) - 1
            offset = range_offset(SERVICE_CIDR.num_addresses, step=16, low=16, high=256)
            value = _pick(draws, allocated_ips(store, uid), first, last, offset)
            if value is None:
                return [invalid("spec.clusterIPs", _Raw("[]string{}"), "failed to allocate a serviceIP: range is full")]
            ip = str(ipaddress.ip_address(value))
        elif ip != HEADLESS and ip != old_spec.get("clusterIP"):
            address = ipaddress.ip_address(ip)
            if address not in SERVICE_CIDR:
                causes.append(
                    invalid(
                        "spec.clusterIPs",
                        _Raw(_go_strings([ip])),
                        f"failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. "
                        f"The range of valid IPs is {SERVICE_CIDR}",
                    )
                )
            elif int(address) in allocated_ips(store, uid):
                causes.append(
                    invalid(
                        "spec.clusterIPs",
                        _Raw(_go_strings([ip])),
                        f"failed to allocate IP {ip}: provided IP is already allocated",
                    )
                )
        spec["clusterIP"] = ip
        spec["clusterIPs"] = [ip]
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
    if kind in ("NodePort", "LoadBalancer"):
        used = allocated_node_ports(store, uid)
        old_ports = {(p.get("port"), p.get("protocol", "TCP")): p.get("nodePort") for p in old_spec.get("ports") or []}
        offset = range_offset(NODE_PORT_MAX - NODE_PORT_MIN + 1, step=32, low=16, high=128)
        for index, port in enumerate(spec.get("ports") or []):
            wanted = port.get("nodePort") or old_ports.get((port.get("port"), port.get("protocol", "TCP")))
            if wanted:
                if not NODE_PORT_MIN <= wanted <= NODE_PORT_MAX:
                    causes.append(
                        invalid(
                            f"spec.ports[{index}].nodePort",
                            wanted,
                            f"provided port is not in the valid range. The range of valid ports is "
                            f"{NODE_PORT_MIN}-{NODE_PORT_MAX}",
                        )
                    )
                elif wanted in used:
                    causes.append(
                        invalid(f"spec.ports[{index}].nodePort", wanted, "provided port is already allocated")
                    )
                port["nodePort"] = wanted
            else:
                value = _pick(draws, used, NODE_PORT_MIN, NODE_PORT_MAX, offset)
                if value is None:
                    causes.append(invalid(f"spec.ports[{index}].nodePort", 0, "range is full"))
                    continue
                port["nodePort"] = value
            used.add(port["nodePort"])
    return causes


# --- Service -------------------------------------------------------------------------------------------
def default_service(obj: dict[str, Any]) -> None:
    """SetDefaults_Service and the strategy's defaults: type ClusterIP, sessionAffinity None, TCP ports
    whose targetPort is the port, traffic policies Cluster, and an empty load-balancer status."""
    spec = obj.setdefault("spec", {})
    kind = spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["sessionAffinity"] == "ClientIP":
        config = spec.setdefault("sessionAffinityConfig", {}).setdefault("clientIP", {})
        config.setdefault("timeoutSeconds", 10800)
    for port in spec.get("ports") or []:
        port.setdefault("protocol", "TCP")
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    if kind in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if kind == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    if kind != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
    obj.setdefault("status", {}).setdefault("loadBalancer", {})


def _validate_target_port(value: Any, path: str) -> list[Cause]:
    if isinstance(value, int):
        if not 1 <= value <= 65535:
            return [invalid(path, value, "must be between 1 and 65535, inclusive")]
        return []
    return [invalid(path, value, msg) for msg in port_name(str(value))]


def validate_service(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateService / ValidateServiceUpdate (the parts a learner meets)."""
    causes = validate_metadata(obj, dns1035_label, True)
    spec = obj.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    if kind not in SERVICE_TYPES:
        causes.append(not_supported("spec.type", kind, SERVICE_TYPES))
    ports = spec.get("ports") or []
    headless = spec.get("clusterIP") == HEADLESS
    if not ports and not headless and kind != "ExternalName":
        causes.append(required("spec.ports"))
    names: set[str] = set()
    for index, port in enumerate(ports):
        path = f"spec.ports[{index}]"
        name = port.get("name", "")
        if len(ports) > 1 and not name:
            causes.append(required(f"{path}.name"))
        elif name:
            causes += [invalid(f"{path}.name", name, msg) for msg in dns1123_label(name)]
            if name in names:
                causes.append(Cause("FieldValueDuplicate", f'Duplicate value: "{name}"', f"{path}.name"))
            names.add(name)
        number = port.get("port", 0)
        if not 1 <= number <= 65535:
            causes.append(invalid(f"{path}.port", number, "must be between 1 and 65535, inclusive"))
        protocol = port.get("protocol", "TCP")
        if protocol not in PROTOCOLS:
            causes.append(not_supported(f"{path}.protocol", protocol, PROTOCOLS))
        causes += _validate_target_port(port.get("targetPort", number), f"{path}.targetPort")
        if port.get("nodePort") and kind not in ("NodePort", "LoadBalancer"):
            causes.append(forbidden(f"{path}.nodePort", f"may not be used when `type` is '{kind}'"))
    if kind == "ExternalName":
        external = spec.get("externalName", "")
        if not external:
            causes.append(required("spec.externalName"))
        else:
            causes += [invalid("spec.externalName", external, msg) for msg in dns1123_subdomain(external.rstrip("."))]
    elif headless and kind != "ClusterIP":
        causes.append(invalid("spec.clusterIPs[0]", HEADLESS, 'may only be set to "None" for ClusterIP type'))
    ip = spec.get("clusterIP")
    if ip and ip != HEADLESS:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            causes.append(
                invalid("spec.clusterIPs[0]", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")
            )
    causes += validate_labels(spec.get("selector"), "spec.selector")
    affinity = spec.get("sessionAffinity", "None")
    if affinity not in SESSION_AFFINITIES:
        causes.append(not_supported("spec.sessionAffinity", affinity, SESSION_AFFINITIES))
    for key in ("externalTrafficPolicy", "internalTrafficPolicy"):
        value = spec.get(key)
        if value is not None and value not in TRAFFIC_POLICIES:
            causes.append(not_supported(f"spec.{key}", value, TRAFFIC_POLICIES))
    if old is not None:
        causes += validate_metadata_update(obj, old)
        old_spec = old.get("spec") or {}
        old_ip, new_ip = old_spec.get("clusterIP"), spec.get("clusterIP")
        if old_ip and new_ip and new_ip != old_ip and old_spec.get("type") != "ExternalName" and kind != "ExternalName":
            causes.append(invalid("spec.clusterIPs[0]", new_ip, "may not change once set"))
    return causes


# --- Endpoints, EndpointSlice ---------------------------------------------------------------------------
def validate_endpoints(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    causes = validate_metadata(obj, dns1123_subdomain, True)
    for sindex, subset in enumerate(obj.get("subsets") or []):
        for pindex, port in enumerate(subset.get("ports") or []):
            number = port.get("port", 0)
            if not 1 <= number <= 65535:
                causes.append(
                    invalid(f"subsets[{sindex}].ports[{pindex}].port", number, "must be between 1 and 65535, inclusive")
                )
    if old is not None:
        causes += validate_metadata_update(obj, old)
    return causes


def validate_endpointslice(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    causes = validate_metadata(obj, dns1123_subdomain, True)
    types = ["FQDN", "IPv4", "IPv6"]
    address_type = obj.get("addressType", "")
    if not address_type:
        causes.append(required("addressType"))
    elif address_type not in types:
        causes.append(not_supported("addressType", address_type, types))
    endpoints = obj.get("endpoints") or []
    if len(endpoints) > 1000:
        causes.append(
            Cause("FieldValueTooMany", f"Too many: {len(endpoints)}: must have at most 1000 items", "endpoints")
        )
    for index, endpoint in enumerate(endpoints):
        if not endpoint.get("addresses"):
            causes.append(required(f"endpoints[{index}].addresses", "must contain at least 1 address"))
    if old is not None:
        causes += validate_metadata_update(obj, old)
        if old.get("addressType") != obj.get("addressType"):
            causes.append(invalid("addressType", address_type, "field is immutable"))
    return causes


# --- PersistentVolumeClaim -----------------------------------------------------------------------------
def default_pvc(obj: dict[str, Any]) -> None:
    """SetDefaults_PersistentVolumeClaim: Filesystem volume mode, Pending until bound."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("volumeMode", "Filesystem")
    obj.setdefault("status", {}).setdefault("phase", "Pending")


PVC_IMMUTABLE = (
    "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"
)


def validate_pvc(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidatePersistentVolumeClaim / ...Update."""
    causes = validate_metadata(obj, dns1123_subdomain, True)
    spec = obj.get("spec") or {}
    modes = spec.get("accessModes") or []
    if not modes:
        causes.append(required("spec.accessModes", "at least 1 access mode is required"))
    for mode in modes:
        if mode not in ACCESS_MODES:
            causes.append(not_supported("spec.accessModes", mode, ACCESS_MODES))
    requests = (spec.get("resources") or {}).get("requests") or {}
    if "storage" not in requests:
        causes.append(required("spec.resources[storage]"))
    if old is not None:
        causes += validate_metadata_update(obj, old)
        old_spec = dict(old.get("spec") or {})
        new_spec = dict(spec)
        for each in (old_spec, new_spec):
            each.pop("resources", None)
            each.pop("volumeAttributesClassName", None)
        # volumeName and storageClassName may be set once (by the binder) while still empty
        for key in ("volumeName", "storageClassName"):
            if not old_spec.get(key):
                old_spec.pop(key, None)
                new_spec.pop(key, None)
        if old_spec != new_spec:
            causes.append(forbidden("spec", PVC_IMMUTABLE))
    return causes


# --- registration --------------------------------------------------------------------------------------
SERVICE = register(
    Kind(
        "Service",
        "services",
        "service",
        short_names=("svc",),
        categories=("all",),
        validate=validate_service,
        default=default_service,
        admit=admit_service,
        field_selectors={"spec.clusterIP": _path("spec", "clusterIP"), "spec.type": _path("spec", "type")},
    )
)
ENDPOINTS = register(
    Kind(
        "Endpoints",
        "endpoints",
        "endpoints",
        short_names=("ep",),
        has_status=False,
        validate=validate_endpoints,
    )
)
ENDPOINTSLICE = register(
    Kind(
        "EndpointSlice",
        "endpointslices",
        "endpointslice",
        group="discovery.k8s.io",
        has_status=False,
        validate=validate_endpointslice,
    )
)
PERSISTENTVOLUMECLAIM = register(
    Kind(
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        short_names=("pvc",),
        validate=validate_pvc,
        default=default_pvc,
    )
)
