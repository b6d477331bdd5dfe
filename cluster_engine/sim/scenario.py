"""Initial clusters built from data: a kubeadm-style control plane and workers with their labels,
taints, capacities and container runtimes, the kube-system pods a real cluster shows, and any
preloaded objects. `build(spec)` returns a settled `Cluster` whose change feed starts empty."""

from __future__ import annotations

import hashlib
from typing import Any

from . import images
from .cluster import Cluster
from .events import EVENT_TTL
from .nodes import ready_conditions
from .quantity import cpu_millis, format_cpu, memory_bytes
from .util import parse_rfc3339, rfc3339

DEFAULT_START = "2026-01-05T09:00:00Z"
KUBERNETES_VERSION = "v1.32.2"
RUNTIMES = {"containerd": "containerd://1.7.24", "cri-o": "cri-o://1.32.1", "docker": "docker://27.4.1"}
CRI_SOCKETS = {
    "containerd": "unix:///var/run/containerd/containerd.sock",
    "cri-o": "unix:///var/run/crio/crio.sock",
    "docker": "unix:///var/run/cri-dockerd.sock",
}
EVICTION_RESERVE = 100 * 1024 * 1024  # kubelet's default hard eviction threshold memory.available<100Mi
ACTOR = "scenario"
ETCD_VERSION = "3.5.16-0"
COREDNS_VERSION = "v1.11.3"
PAUSE = "registry.k8s.io/pause:3.10"

LESSON = {
    "name": "lesson",
    "seed": 1,
    "nodes": [
        {"name": "control-plane", "role": "control-plane", "cpu": "2", "memory": "4Gi", "zone": "zone-a"},
        {"name": "worker-1", "cpu": "2", "memory": "4Gi", "zone": "zone-a"},
        {"name": "worker-2", "cpu": "2", "memory": "4Gi", "zone": "zone-b"},
        {"name": "worker-3", "cpu": "2", "memory": "4Gi", "zone": "zone-b", "runtime": "cri-o"},
    ],
}


def system_owner_uid(kind: str, namespace: str, name: str) -> str:
    """The uid the kube-system pods' ownerReferences name for their owner (the kube-proxy DaemonSet,
    the coredns ReplicaSet): whoever later creates those objects must give them this uid."""
    return _uid(kind.lower(), namespace, name)


def _hash(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _uid(*parts: str) -> str:
    digest = _hash("uid", *parts)
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-{digest[20:32]}"


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
    ip = spec.get("ip", f"172.18.0.{index + 2}")
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
        image_list.append(
            {"names": [images.image_id(ref), ref.canonical], "sizeBytes": image.size if image else 0}
        )
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
        "spec": {"podCIDR": f"10.244.{index}.0/24", "podCIDRs": [f"10.244.{index}.0/24"]},
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


def _static_pod(
    component: str, node: dict[str, Any], image: str, command: list[str], *, now: float, cpu: str
) -> dict[str, Any]:
    node_name = node["metadata"]["name"]
    config_hash = _hash("static", component, node_name)[:32]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{component}-{node_name}",
            "namespace": "kube-system",
            "labels": {"component": component, "tier": "control-plane"},
            "annotations": {
                "kubernetes.io/config.hash": config_hash,
                "kubernetes.io/config.mirror": config_hash,
                "kubernetes.io/config.seen": rfc3339(now).replace("Z", ".000000000Z"),
                "kubernetes.io/config.source": "file",
            },
            "ownerReferences": [
                {
                    "apiVersion": "v1",
                    "kind": "Node",
                    "name": node_name,
                    "uid": node["metadata"]["uid"],
                    "controller": True,
                }
            ],
        },
        "spec": {
            "containers": [
                {
                    "name": component,
                    "image": image,
                    "imagePullPolicy": "IfNotPresent",
                    "command": command,
                    "resources": {"requests": {"cpu": cpu}},
                }
            ],
            "hostNetwork": True,
            "nodeName": node_name,
            "priorityClassName": "system-node-critical",
            "tolerations": [{"effect": "NoExecute", "operator": "Exists"}],
            "automountServiceAccountToken": False,
        },
    }


def control_plane_pods(node: dict[str, Any], version: str, now: float) -> list[dict[str, Any]]:
    ip = node["status"]["addresses"][0]["address"]
    return [
        _static_pod(
            "etcd",
            node,
            f"registry.k8s.io/etcd:{ETCD_VERSION}",
            [
                "etcd",
                f"--advertise-client-urls=https://{ip}:2379",
                "--data-dir=/var/lib/etcd",
                f"--listen-client-urls=https://127.0.0.1:2379,https://{ip}:2379",
            ],
            now=now,
            cpu="100m",
        ),
        _static_pod(
            "kube-apiserver",
            node,
            f"registry.k8s.io/kube-apiserver:{version}",
            [
                "kube-apiserver",
                f"--advertise-address={ip}",
                "--authorization-mode=Node,RBAC",
                "--enable-admission-plugins=NodeRestriction",
                "--etcd-servers=https://127.0.0.1:2379",
                "--service-cluster-ip-range=10.96.0.0/12",
            ],
            now=now,
            cpu="250m",
        ),
        _static_pod(
            "kube-controller-manager",
            node,
            f"registry.k8s.io/kube-controller-manager:{version}",
            [
                "kube-controller-manager",
                "--allocate-node-cidrs=true",
                "--cluster-cidr=10.244.0.0/16",
                "--leader-elect=true",
                "--use-service-account-credentials=true",
            ],
            now=now,
            cpu="200m",
        ),
        _static_pod(
            "kube-scheduler",
            node,
            f"registry.k8s.io/kube-scheduler:{version}",
            [
                "kube-scheduler",
                "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
                "--bind-address=127.0.0.1",
                "--leader-elect=true",
            ],
            now=now,
            cpu="100m",
        ),
    ]


def kube_proxy_pod(node: dict[str, Any], version: str, suffix: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"kube-proxy-{suffix}",
            "namespace": "kube-system",
            "labels": {
                "controller-revision-hash": "7d5bc5d8b4",
                "k8s-app": "kube-proxy",
                "pod-template-generation": "1",
            },
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "DaemonSet",
                    "name": "kube-proxy",
                    "uid": system_owner_uid("DaemonSet", "kube-system", "kube-proxy"),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "containers": [
                {
                    "name": "kube-proxy",
                    "image": f"registry.k8s.io/kube-proxy:{version}",
                    "command": [
                        "/usr/local/bin/kube-proxy",
                        "--config=/var/lib/kube-proxy/config.conf",
                        "--hostname-override=$(NODE_NAME)",
                    ],
                    "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
                    "securityContext": {"privileged": True},
                }
            ],
            "hostNetwork": True,
            "nodeName": node["metadata"]["name"],
            "priorityClassName": "system-node-critical",
            "serviceAccountName": "kube-proxy",
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "tolerations": [{"operator": "Exists"}],
        },
    }


def coredns_pod(node: dict[str, Any], suffix: str) -> dict[str, Any]:
    probe_port = {
        "httpGet": {"path": "/health", "port": 8080},
        "initialDelaySeconds": 60,
        "timeoutSeconds": 5,
        "failureThreshold": 5,
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"coredns-668d6bf9bc-{suffix}",
            "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "pod-template-hash": "668d6bf9bc"},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": "coredns-668d6bf9bc",
                    "uid": system_owner_uid("ReplicaSet", "kube-system", "coredns-668d6bf9bc"),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "containers": [
                {
                    "name": "coredns",
                    "image": f"registry.k8s.io/coredns/coredns:{COREDNS_VERSION}",
                    "args": ["-conf", "/etc/coredns/Corefile"],
                    "ports": [
                        {"containerPort": 53, "name": "dns", "protocol": "UDP"},
                        {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                        {"containerPort": 9153, "name": "metrics", "protocol": "TCP"},
                    ],
                    "resources": {
                        "limits": {"memory": "170Mi"},
                        "requests": {"cpu": "100m", "memory": "70Mi"},
                    },
                    "livenessProbe": probe_port,
                    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181}},
                }
            ],
            "dnsPolicy": "Default",
            "nodeName": node["metadata"]["name"],
            "priorityClassName": "system-cluster-critical",
            "serviceAccountName": "coredns",
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "tolerations": [
                {"key": "CriticalAddonsOnly", "operator": "Exists"},
                {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"},
            ],
        },
    }


def build(spec: dict[str, Any] | None = None) -> Cluster:
    """A settled cluster from a scenario spec (see `LESSON`): nodes, kube-system, preloaded objects.

    Keys: `seed`, `start` (RFC 3339), `kubernetesVersion`, `nodes` (name, role, cpu, memory, pods, zone,
    region, labels, taints, runtime, kubeletVersion, images, unschedulable), `objects` (manifests),
    `preload` ("create", the default, as `kubectl create -f`; or "apply", which records the
    last-applied annotation), `settle` (seconds of simulated time to run before handing the cluster
    out, default 120), `age` (default true: run one event TTL more so start-up Events expire),
    `historyLimit`, `changeLimit`.
    """
    spec = spec or LESSON
    start = parse_rfc3339(spec.get("start", DEFAULT_START))
    version = spec.get("kubernetesVersion", KUBERNETES_VERSION)
    cluster = Cluster(
        seed=int(spec.get("seed", 0)),
        now=start,
        history_limit=int(spec.get("historyLimit", 1000)),
        change_limit=int(spec.get("changeLimit", 2000)),
    )
    api, now = cluster.api, start
    for name in ("default", "kube-node-lease", "kube-public", "kube-system"):
        api.create(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}, actor=ACTOR, now=now
        )
    for name in ("default", "kube-node-lease", "kube-public", "kube-system"):
        api.create(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {
                    "name": "kube-root-ca.crt",
                    "namespace": name,
                    "annotations": {
                        "kubernetes.io/description": "Contains a CA bundle that can be "
                        "used to verify the kube-apiserver when using internal endpoints "
                        "such as the internal service IP or kubernetes.default.svc."
                    },
                },
                "data": {
                    "ca.crt": "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIPodlab\n"
                    "-----END CERTIFICATE-----\n"
                },
            },
            actor="root-ca-cert-publisher",
            now=now,
        )
    nodes = []
    for index, node_spec in enumerate(spec.get("nodes") or []):
        manifest = node_manifest(node_spec, index, version, now)
        node = api.create(manifest, actor=f"kubelet/{node_spec['name']}", now=now, reason="RegisteredNode")
        cluster.kubelets.node_state(node["metadata"]["name"])
        nodes.append(node)
    control = [n for n in nodes if "node-role.kubernetes.io/control-plane" in n["metadata"]["labels"]]
    for node in control:
        for pod in control_plane_pods(node, version, now):
            api.create(pod, actor=f"kubelet/{node['metadata']['name']}", now=now)
    for index, node in enumerate(nodes):
        api.create(
            kube_proxy_pod(node, version, cluster.draws.suffix(5)), actor="daemonset-controller", now=now
        )
        del index
    if spec.get("coredns", True) and nodes:
        home = control[0] if control else nodes[0]
        for _ in range(2):
            api.create(coredns_pod(home, cluster.draws.suffix(5)), actor="replicaset-controller", now=now)
    for manifest in spec.get("objects") or []:
        if spec.get("preload", "create") == "apply":
            api.apply(manifest, actor=ACTOR, now=now)
        else:
            api.create(manifest, actor=ACTOR, now=now)
    cluster.run_until_idle()
    cluster.step(float(spec.get("settle", 120)))
    if spec.get("age", True):
        # the cluster has been up a while: its start-up Events have expired (event TTL) and the history
        # of its construction is compacted, so a lesson starts with an empty change feed
        cluster.step(EVENT_TTL)
    cluster.store.compact()
    cluster.explanations.clear()
    return cluster
