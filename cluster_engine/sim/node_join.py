"""A node as kubeadm brings one: the Node its kubelet registers (labels, capacity, addresses, nodeInfo, the images
kubeadm pulled), its pod CIDR, and `kubeadm join` into a running cluster. Used by `scenario.build` and by the `join`
fault (`faults.py`)."""

from __future__ import annotations

from typing import Any, Protocol

from . import images
from .apiserver import ApiServer
from .bootstrap import _hash, _uid
from .kubelet import Kubelets
from .nodes import NodeLifecycle, ready_conditions
from .quantity import cpu_millis, format_cpu, memory_bytes
from .store import Store

KUBERNETES_VERSION = "v1.32.2"
RUNTIMES = {"containerd": "containerd://1.7.24", "cri-o": "cri-o://1.32.1", "docker": "docker://27.4.1"}
CRI_SOCKETS = {
    "containerd": "unix:///var/run/containerd/containerd.sock",
    "cri-o": "unix:///var/run/crio/crio.sock",
    "docker": "unix:///var/run/cri-dockerd.sock",
}
EVICTION_RESERVE = 100 * 1024 * 1024  # kubelet's default hard eviction threshold memory.available<100Mi
ETCD_VERSION = "3.5.16-0"
COREDNS_VERSION = "v1.11.3"
PAUSE = "registry.k8s.io/pause:3.10"


class Joining(Protocol):
    """The parts of a cluster a node joins (`cluster.Cluster`)."""

    store: Store
    api: ApiServer
    kubelets: Kubelets
    nodes: NodeLifecycle

    @property
    def now(self) -> float: ...


def pod_cidr_of(index: int) -> str:
    """The pod CIDR of the index-th node: kube-controller-manager's node IPAM hands out /24s of 10.244.0.0/16,
    beyond 256 nodes the next /16s."""
    return f"10.{244 + index // 256}.{index % 256}.0/24"


def node_manifest(spec: dict[str, Any], index: int, version: str, now: float) -> dict[str, Any]:
    """A Node as a kubeadm-joined kubelet registers it (labels, annotations, capacity, nodeInfo)."""
    name = spec["name"]
    control_plane = spec.get("role") == "control-plane"
    runtime = spec.get("runtime", "containerd")
    cpu = cpu_millis(spec.get("cpu", "2"))
    memory = memory_bytes(spec.get("memory", "4Gi"))
    pods = int(spec.get("pods", 110))
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
    }
    if control_plane:
        labels["node-role.kubernetes.io/control-plane"] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
    if spec.get("zone"):
        labels["topology.kubernetes.io/zone"] = spec["zone"]
        labels["topology.kubernetes.io/region"] = spec.get("region", "region-1")
    labels.update(spec.get("labels") or {})
    taints = list(spec.get("taints") or [])
    if control_plane and spec.get("schedulable") is not True:
        taints.insert(0, {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"})
    capacity = {
        "cpu": format_cpu(cpu),
        "ephemeral-storage": "61202244Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": f"{memory // 1024}Ki",
        "pods": str(pods),
    }
    allocatable = dict(
        capacity, memory=f"{(memory - EVICTION_RESERVE) // 1024}Ki", **{"ephemeral-storage": "56403987978"}
    )
    pod_cidr = pod_cidr_of(index)
    ip = spec.get("ip", f"172.18.{(index + 2) // 256}.{(index + 2) % 256}")
    cached = [PAUSE, f"registry.k8s.io/kube-proxy:{version}", *spec.get("images", [])]
    if control_plane:
        cached += [
            f"registry.k8s.io/kube-apiserver:{version}",
            f"registry.k8s.io/kube-controller-manager:{version}",
            f"registry.k8s.io/kube-scheduler:{version}",
            f"registry.k8s.io/etcd:{ETCD_VERSION}",
            f"registry.k8s.io/coredns/coredns:{COREDNS_VERSION}",
        ]
    image_list = []
    for text in cached:
        ref = images.parse_ref(text)
        image = images.lookup(ref)
        image_list.append({"names": [images.image_id(ref), ref.canonical], "sizeBytes": image.size if image else 0})
    node: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": labels,
            "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": CRI_SOCKETS.get(runtime, CRI_SOCKETS["containerd"]),
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": {"podCIDR": pod_cidr, "podCIDRs": [pod_cidr]},
        "status": {
            "capacity": capacity,
            "allocatable": allocatable,
            "conditions": ready_conditions(now),
            "addresses": [{"address": ip, "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": _uid("boot", name),
                "containerRuntimeVersion": RUNTIMES.get(
                    runtime, runtime if "://" in runtime else RUNTIMES["containerd"]
                ),
                "kernelVersion": "6.8.0-51-generic",
                "kubeProxyVersion": version,
                "kubeletVersion": spec.get("kubeletVersion", version),
                "machineID": _hash("machine", name)[:32],
                "operatingSystem": "linux",
                "osImage": "Ubuntu 24.04.1 LTS",
                "systemUUID": _uid("system", name),
            },
            "images": image_list,
        },
    }
    if taints:
        node["spec"]["taints"] = taints
    if spec.get("unschedulable"):
        node["spec"]["unschedulable"] = True
    return node


def register_node(cluster: Joining, manifest: dict[str, Any], *, now: float) -> dict[str, Any]:
    """The node's kubelet registers it (the Node, as `kubelet/<node>`), runs from now on and takes its Lease.
    Raises Status when a Node of that name exists."""
    name = manifest["metadata"]["name"]
    node = cluster.api.create(manifest, actor=f"kubelet/{name}", now=now, reason="RegisteredNode")
    cluster.kubelets.node_state(name)
    cluster.nodes.renew_lease(name, now)
    return node


def join_node(cluster: Joining, spec: dict[str, Any]) -> dict[str, Any]:
    """A node joins the running cluster as `kubeadm join` brings one: `spec` as in a scenario's `nodes`, at the
    cluster's Kubernetes version, with the first free pod CIDR. Its DaemonSets' pods follow (kube-proxy's too).
    Raises Status when a Node of that name exists."""
    existing = list(cluster.store.items("Node"))
    version = next((n["status"]["nodeInfo"].get("kubeProxyVersion") for n in existing
                    if (n.get("status") or {}).get("nodeInfo")), KUBERNETES_VERSION)
    taken = {n.get("spec", {}).get("podCIDR") for n in existing}
    index = len(existing)
    while pod_cidr_of(index) in taken:
        index += 1
    return register_node(cluster, node_manifest(spec, index, version, cluster.now), now=cluster.now)
