"""NetworkPolicy enforcement on the simulated network, as the NetworkPolicy API defines it (the semantics a
conformant CNI plugin such as Calico or Cilium implements; a bare kubeadm cluster has none, so this is beyond one).

A pod is isolated for ingress when some NetworkPolicy of its namespace selects it and lists `Ingress` in its
`policyTypes`, and for egress likewise with `Egress`. A connection from A to B on a port goes through when A's
egress allows it (A not isolated for egress, or some policy selecting A has an egress rule whose peers and ports
match B) and B's ingress allows it (likewise with ingress rules matching A). Policies are additive: any one that
allows is enough. A rule without peers matches every peer, without ports every port; a peer is a pod selector
(pods of the policy's namespace), a namespace selector (pods of the matching namespaces), both (those pods in
those namespaces) or an ipBlock (addresses in `cidr` and not in `except`). A port matches by protocol and number,
a named port by the destination pod's container port of that name, an `endPort` makes a range.

hostNetwork pods are neither selected nor isolated (their traffic is the node's); a request from a node (no
source pod) is matched by ipBlocks only. A denied connection is dropped, so the client waits until it times out.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from .selectors import selector_from_object
from .store import Store

KIND = "NetworkPolicy"


def _selected(policy: dict[str, Any], pod: dict[str, Any]) -> bool:
    return selector_from_object((policy.get("spec") or {}).get("podSelector") or {}).matches(
        pod["metadata"].get("labels") or {})


def _policies_for(store: Store, pod: dict[str, Any], direction: str) -> list[dict[str, Any]]:
    """The policies that isolate `pod` for `direction` (`Ingress` or `Egress`)."""
    if pod["spec"].get("hostNetwork"):
        return []
    found = []
    for policy in store.items(KIND, pod["metadata"].get("namespace", "")):
        types = (policy.get("spec") or {}).get("policyTypes") or ["Ingress"]
        if direction in types and _selected(policy, pod):
            found.append(policy)
    return found


def _in_block(block: dict[str, Any], address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
        if ip not in ipaddress.ip_network(block.get("cidr", ""), strict=False):
            return False
        return not any(ip in ipaddress.ip_network(text, strict=False) for text in block.get("except") or [])
    except ValueError:
        return False


def _peer_matches(store: Store, peer: dict[str, Any], policy_namespace: str, pod: dict[str, Any] | None,
                  address: str) -> bool:
    """Whether a NetworkPolicyPeer matches the other end: `pod` (None for a node) at `address`."""
    if peer.get("ipBlock") is not None:
        return _in_block(peer["ipBlock"], address)
    if pod is None or pod["spec"].get("hostNetwork"):
        return False
    namespace = pod["metadata"].get("namespace", "")
    if peer.get("namespaceSelector") is not None:
        ns = store.get("Namespace", "", namespace)
        labels = (ns or {}).get("metadata", {}).get("labels") or {}
        if not selector_from_object(peer["namespaceSelector"]).matches(labels):
            return False
    elif namespace != policy_namespace:
        return False
    if peer.get("podSelector") is not None:
        return selector_from_object(peer["podSelector"]).matches(pod["metadata"].get("labels") or {})
    return True


def _named_port(pod: dict[str, Any], name: str, protocol: str) -> int | None:
    for container in pod["spec"].get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == name and port.get("protocol", "TCP") == protocol:
                return int(port["containerPort"])
    return None


def _port_matches(entry: dict[str, Any], destination: dict[str, Any] | None, port: int, protocol: str) -> bool:
    if entry.get("protocol", "TCP") != protocol:
        return False
    wanted = entry.get("port")
    if wanted is None:
        return True
    if isinstance(wanted, str) and not wanted.isdigit():
        return destination is not None and _named_port(destination, wanted, protocol) == port
    low = int(wanted)
    return low <= port <= int(entry.get("endPort") or low)


def _rule_matches(store: Store, rule: dict[str, Any], peers_key: str, *, policy_namespace: str,
                  peer: tuple[dict[str, Any] | None, str], destination: dict[str, Any] | None, port: int,
                  protocol: str) -> bool:
    ports = rule.get("ports") or []
    if ports and not any(_port_matches(entry, destination, port, protocol) for entry in ports):
        return False
    peers = rule.get(peers_key) or []
    return not peers or any(_peer_matches(store, entry, policy_namespace, peer[0], peer[1]) for entry in peers)


def denied_by(store: Store, *, source: dict[str, Any] | None, source_ip: str, destination: dict[str, Any] | None,
              destination_ip: str, port: int, protocol: str = "TCP") -> str:
    """Why the connection is dropped: "egress" (the source's policies), "ingress" (the destination's), or ""
    when it goes through. `source` / `destination` are pods, or None for a node or an address outside pods."""
    if not store.count(KIND):
        return ""
    if source is not None:
        policies = _policies_for(store, source, "Egress")
        if policies and not any(
            _rule_matches(store, rule, "to", policy_namespace=policy["metadata"]["namespace"],
                          peer=(destination, destination_ip), destination=destination, port=port, protocol=protocol)
            for policy in policies for rule in (policy.get("spec") or {}).get("egress") or []
        ):
            return "egress"
    if destination is not None:
        policies = _policies_for(store, destination, "Ingress")
        if policies and not any(
            _rule_matches(store, rule, "from", policy_namespace=policy["metadata"]["namespace"],
                          peer=(source, source_ip), destination=destination, port=port, protocol=protocol)
            for policy in policies for rule in (policy.get("spec") or {}).get("ingress") or []
        ):
            return "ingress"
    return ""
