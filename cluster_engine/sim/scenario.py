"""Initial clusters built from data: a kubeadm-style control plane and workers with their labels,
taints, capacities and container runtimes, the kube-system pods a real cluster shows, and any
preloaded objects. `build(spec)` returns a settled `Cluster` whose change feed starts empty."""

from __future__ import annotations

from typing import Any

from . import faults, quota
from .bootstrap import (
    ACTOR,
    _hash,
    create_bootstrap_policy,
    create_system_accounts,
    create_system_object,
    system_owner_uid,
)
from .cluster import Cluster
from .controllers import history
from .controllers.serviceaccount import ROOT_CA_NAME, root_ca_configmap
from .events import EVENT_TTL
from .node_join import (
    COREDNS_VERSION,
    ETCD_VERSION,
    KUBERNETES_VERSION,
    node_manifest,
    register_node,
)
from .util import parse_rfc3339, rfc3339

DEFAULT_START = "2026-01-05T09:00:00Z"
API_SERVER_ACTOR = "api-server"

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


KUBE_PROXY_REVISION_HASH = "7d5bc5d8b4"
COREDNS_TEMPLATE_HASH = "668d6bf9bc"


def kube_proxy_template(version: str) -> dict[str, Any]:
    """The pod template of kubeadm's `kube-proxy` DaemonSet."""
    return {
        "metadata": {"labels": {"k8s-app": "kube-proxy"}},
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
            "priorityClassName": "system-node-critical",
            "serviceAccountName": "kube-proxy",
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "tolerations": [{"operator": "Exists"}],
        },
    }


def kube_proxy_daemonset(version: str) -> dict[str, Any]:
    """kubeadm's `kube-proxy` DaemonSet (its uid is `system_owner_uid("DaemonSet", ...)`)."""
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {
            "name": "kube-proxy",
            "namespace": "kube-system",
            "labels": {"k8s-app": "kube-proxy"},
            "annotations": {"deprecated.daemonset.template.generation": "1"},
        },
        "spec": {
            "selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
            "template": kube_proxy_template(version),
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}},
        },
    }


def kube_proxy_revision(daemonset: dict[str, Any]) -> dict[str, Any]:
    """The kube-proxy DaemonSet's ControllerRevision 1, named after the hash its pods carry."""
    labels = dict(daemonset["spec"]["template"]["metadata"]["labels"])
    labels["controller-revision-hash"] = KUBE_PROXY_REVISION_HASH
    return history.new_revision(
        daemonset,
        name=f"kube-proxy-{KUBE_PROXY_REVISION_HASH}",
        labels=labels,
        data=history.template_patch(daemonset),
        revision=1,
    )


def kube_proxy_pod(node: dict[str, Any], version: str, suffix: str) -> dict[str, Any]:
    template = kube_proxy_template(version)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"kube-proxy-{suffix}",
            "namespace": "kube-system",
            "labels": {
                "controller-revision-hash": KUBE_PROXY_REVISION_HASH,
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
        "spec": {**template["spec"], "nodeName": node["metadata"]["name"]},
    }


def coredns_template() -> dict[str, Any]:
    """The pod template of kubeadm's `coredns` Deployment."""
    probe_port = {
        "httpGet": {"path": "/health", "port": 8080},
        "initialDelaySeconds": 60,
        "timeoutSeconds": 5,
        "failureThreshold": 5,
    }
    return {
        "metadata": {"labels": {"k8s-app": "kube-dns"}},
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
            "priorityClassName": "system-cluster-critical",
            "serviceAccountName": "coredns",
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "tolerations": [
                {"key": "CriticalAddonsOnly", "operator": "Exists"},
                {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"},
            ],
        },
    }


def coredns_deployment(replicas: int = 2) -> dict[str, Any]:
    """kubeadm's `coredns` Deployment (uid `system_owner_uid("Deployment", ...)`)."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "coredns",
            "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns"},
            "annotations": {"deployment.kubernetes.io/revision": "1"},
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
            "template": coredns_template(),
        },
    }


def coredns_replicaset(replicas: int = 2) -> dict[str, Any]:
    """The `coredns-668d6bf9bc` ReplicaSet of the coredns Deployment."""
    template = coredns_template()
    template["metadata"]["labels"]["pod-template-hash"] = COREDNS_TEMPLATE_HASH
    name = f"coredns-{COREDNS_TEMPLATE_HASH}"
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": name,
            "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "pod-template-hash": COREDNS_TEMPLATE_HASH},
            "annotations": {
                "deployment.kubernetes.io/desired-replicas": str(replicas),
                "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                "deployment.kubernetes.io/revision": "1",
            },
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": "coredns",
                    "uid": system_owner_uid("Deployment", "kube-system", "coredns"),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"k8s-app": "kube-dns", "pod-template-hash": COREDNS_TEMPLATE_HASH}},
            "template": template,
        },
    }


def coredns_pod(node: dict[str, Any], suffix: str) -> dict[str, Any]:
    template = coredns_template()
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"coredns-{COREDNS_TEMPLATE_HASH}-{suffix}",
            "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "pod-template-hash": COREDNS_TEMPLATE_HASH},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": f"coredns-{COREDNS_TEMPLATE_HASH}",
                    "uid": system_owner_uid("ReplicaSet", "kube-system", f"coredns-{COREDNS_TEMPLATE_HASH}"),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {**template["spec"], "nodeName": node["metadata"]["name"]},
    }


METRICS_SERVER_VERSION = "v0.7.2"
METRICS_SERVER_TEMPLATE_HASH = "7fbb699795"


def metrics_server_template() -> dict[str, Any]:
    """The pod template of metrics-server's `components.yaml` (v0.7), with the `--kubelet-insecure-tls` that
    kind and minikube add and the control-plane toleration of k3s's bundled copy."""
    probe = {"httpGet": {"path": "/livez", "port": "https", "scheme": "HTTPS"}, "periodSeconds": 10,
             "failureThreshold": 3}
    return {
        "metadata": {"labels": {"k8s-app": "metrics-server"}},
        "spec": {
            "containers": [
                {
                    "name": "metrics-server",
                    "image": f"registry.k8s.io/metrics-server/metrics-server:{METRICS_SERVER_VERSION}",
                    "imagePullPolicy": "IfNotPresent",
                    "args": [
                        "--cert-dir=/tmp",
                        "--secure-port=10250",
                        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
                        "--kubelet-use-node-status-port",
                        "--metric-resolution=15s",
                        "--kubelet-insecure-tls",
                    ],
                    "ports": [{"containerPort": 10250, "name": "https", "protocol": "TCP"}],
                    "livenessProbe": probe,
                    "readinessProbe": {
                        "httpGet": {"path": "/readyz", "port": "https", "scheme": "HTTPS"},
                        "initialDelaySeconds": 20,
                        "periodSeconds": 10,
                        "failureThreshold": 3,
                    },
                    "resources": {"requests": {"cpu": "100m", "memory": "200Mi"}},
                    "securityContext": {
                        "allowPrivilegeEscalation": False,
                        "readOnlyRootFilesystem": True,
                        "runAsNonRoot": True,
                        "runAsUser": 1000,
                    },
                    "volumeMounts": [{"mountPath": "/tmp", "name": "tmp-dir"}],  # noqa: S108 - a pod's mount
                }
            ],
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "priorityClassName": "system-cluster-critical",
            "serviceAccountName": "metrics-server",
            "tolerations": [
                {"key": "CriticalAddonsOnly", "operator": "Exists"},
                {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"},
            ],
            "volumes": [{"name": "tmp-dir", "emptyDir": {}}],
        },
    }


def metrics_server_objects(node: dict[str, Any], suffix: str) -> list[dict[str, Any]]:
    """metrics-server as an add-on installs it: its Deployment and ReplicaSet (uids from
    `system_owner_uid`), one pod on `node` and the `metrics-server` Service the APIService
    `v1beta1.metrics.k8s.io` points at (`sim/metrics.py` reads that Service as the registration)."""
    labels = {"k8s-app": "metrics-server"}
    rs_name = f"metrics-server-{METRICS_SERVER_TEMPLATE_HASH}"
    hashed = {**labels, "pod-template-hash": METRICS_SERVER_TEMPLATE_HASH}
    replicaset_template = metrics_server_template()
    replicaset_template["metadata"]["labels"] = dict(hashed)

    def owner(kind: str, name: str) -> list[dict[str, Any]]:
        return [{"apiVersion": "apps/v1", "kind": kind, "name": name,
                 "uid": system_owner_uid(kind, "kube-system", name), "controller": True, "blockOwnerDeletion": True}]

    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "metrics-server", "namespace": "kube-system", "labels": dict(labels),
                         "annotations": {"deployment.kubernetes.io/revision": "1"}},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": dict(labels)},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0}},
                "template": metrics_server_template(),
            },
        },
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": rs_name,
                "namespace": "kube-system",
                "labels": dict(hashed),
                "annotations": {
                    "deployment.kubernetes.io/desired-replicas": "1",
                    "deployment.kubernetes.io/max-replicas": "2",
                    "deployment.kubernetes.io/revision": "1",
                },
                "ownerReferences": owner("Deployment", "metrics-server"),
            },
            "spec": {"replicas": 1, "selector": {"matchLabels": dict(hashed)}, "template": replicaset_template},
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"{rs_name}-{suffix}", "namespace": "kube-system", "labels": dict(hashed),
                         "ownerReferences": owner("ReplicaSet", rs_name)},
            "spec": {**metrics_server_template()["spec"], "nodeName": node["metadata"]["name"]},
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "metrics-server", "namespace": "kube-system", "labels": dict(labels)},
            "spec": {
                "selector": dict(labels),
                "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": "https"}],
            },
        },
    ]


def system_services(control_plane: dict[str, Any]) -> list[dict[str, Any]]:
    """The `kubernetes` Service at 10.96.0.1 with the api-server's Endpoints and EndpointSlice (written
    by kube-apiserver itself), and kube-dns at 10.96.0.10 in kube-system (its endpoints follow the
    coredns pods through the endpoint controllers)."""
    ip = control_plane["status"]["addresses"][0]["address"]
    address = {"ip": ip}
    port = {"name": "https", "port": 6443, "protocol": "TCP"}
    return [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {"component": "apiserver", "provider": "kubernetes"},
            },
            "spec": {
                "clusterIP": "10.96.0.1",
                "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"},
            },
            "subsets": [{"addresses": [address], "ports": [port]}],
        },
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {"kubernetes.io/service-name": "kubernetes"},
            },
            "addressType": "IPv4",
            "endpoints": [{"addresses": [ip], "conditions": {"ready": True}}],
            "ports": [port],
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "kube-dns",
                "namespace": "kube-system",
                "labels": {
                    "k8s-app": "kube-dns",
                    "kubernetes.io/cluster-service": "true",
                    "kubernetes.io/name": "CoreDNS",
                },
                "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"},
            },
            "spec": {
                "clusterIP": "10.96.0.10",
                "selector": {"k8s-app": "kube-dns"},
                "ports": [
                    {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                    {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                    {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153},
                ],
            },
        },
    ]


FAULT_SETTLE = 60.0  # seconds an immediate fault has been in place when the learner arrives


def build(spec: dict[str, Any] | None = None) -> Cluster:
    """A settled cluster from a scenario spec (see `LESSON`): nodes, kube-system, preloaded objects.

    Keys: `seed`, `start` (RFC 3339), `kubernetesVersion`, `nodes` (name, role, cpu, memory, pods, zone,
    region, labels, taints, runtime, kubeletVersion, images, unschedulable), `coredns` and `metricsServer`
    (default true: the add-ons in kube-system; without metrics-server `kubectl top` finds no Metrics API),
    `objects` (manifests),
    `limits` (the sandbox quota: omitted for the defaults, `unlimited`, or a mapping of overrides),
    `preload` ("create", the default, as `kubectl create -f`; or "apply", which records the
    last-applied annotation), `settle` (seconds of simulated time to run before handing the cluster
    out, default 120), `age` (default true: run one event TTL more so start-up Events expire),
    `historyLimit`, `changeLimit`, `faults` (what breaks on purpose, now or later: `sim/faults.py`).
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
    cluster.api.limits = quota.limits_from_json(spec.get("limits"))
    api, now = cluster.api, start
    namespaces = ("default", "kube-node-lease", "kube-public", "kube-system")
    for name in namespaces:
        api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}, actor=ACTOR, now=now)
    create_system_accounts(cluster, namespaces, now=now)
    for name in namespaces:
        api.create(root_ca_configmap(name), actor=ROOT_CA_NAME, now=now)
    nodes = [register_node(cluster, node_manifest(node_spec, index, version, now), now=now)
             for index, node_spec in enumerate(spec.get("nodes") or [])]
    control = [n for n in nodes if "node-role.kubernetes.io/control-plane" in n["metadata"]["labels"]]
    for node in control:
        for pod in control_plane_pods(node, version, now):
            api.create(pod, actor=f"kubelet/{node['metadata']['name']}", now=now)
    if nodes:
        proxy = create_system_object(cluster, kube_proxy_daemonset(version), actor=ACTOR, now=now)
        api.create(kube_proxy_revision(proxy), actor="daemonset-controller", now=now)
    taken: set[str] = set()
    for node in nodes:
        suffix = cluster.draws.suffix(5)
        while suffix in taken:  # a generateName collision (likely among thousands of nodes): draw again
            suffix = cluster.draws.suffix(5)
        taken.add(suffix)
        api.create(kube_proxy_pod(node, version, suffix), actor="daemonset-controller", now=now)
    if spec.get("coredns", True) and nodes:
        home = control[0] if control else nodes[0]
        create_system_object(cluster, coredns_deployment(), actor=ACTOR, now=now)
        create_system_object(cluster, coredns_replicaset(), actor="deployment-controller", now=now)
        for _ in range(2):
            api.create(coredns_pod(home, cluster.draws.suffix(5)), actor="replicaset-controller", now=now)
    if nodes:
        for manifest in system_services(control[0] if control else nodes[0]):
            api.create(manifest, actor=API_SERVER_ACTOR, now=now)
    if spec.get("metricsServer", True) and nodes:
        home = control[0] if control else nodes[0]
        for manifest in metrics_server_objects(home, cluster.draws.suffix(5)):
            if manifest["kind"] in ("Deployment", "ReplicaSet"):
                actor = ACTOR if manifest["kind"] == "Deployment" else "deployment-controller"
                create_system_object(cluster, manifest, actor=actor, now=now)
            else:
                api.create(manifest, actor="replicaset-controller" if manifest["kind"] == "Pod" else ACTOR, now=now)
    create_bootstrap_policy(cluster, now=now)  # kube-apiserver's bootstrap policy and kubeadm's bindings
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
    # Faults of the scenario: those due at once have been there a minute when the learner arrives (a stopped
    # kubelet's node is NotReady by then) and are not in the change feed, to be found from their symptoms;
    # later ones fire `at` seconds after the learner receives the cluster.
    timed = [fault for fault in spec.get("faults") or () if isinstance(fault, dict) and fault.get("at")]
    immediate = [fault for fault in spec.get("faults") or () if fault not in timed]
    if immediate:
        faults.schedule(cluster, immediate)
        cluster.step(FAULT_SETTLE)
    cluster.store.compact()
    cluster.scheduling.explanations.clear()
    faults.schedule(cluster, timed)
    return cluster
