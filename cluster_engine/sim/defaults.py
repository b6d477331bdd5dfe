"""Defaulting and the built-in admission plugins that fill fields on create (ServiceAccount, Priority,
DefaultTolerationSeconds), as kube-apiserver applies them before validation."""

from __future__ import annotations

from typing import Any

from .quantity import QuantityError, parse_quantity
from .taints import NOT_READY, UNREACHABLE, declares_toleration_of
from .util import Draws

DEFAULT_TOLERATION_SECONDS = 300
SERVICE_ACCOUNT_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"


def image_tag(image: str) -> str:
    """The tag of an image reference (`latest` when absent), `""` for a digest reference."""
    if "@" in image:
        return ""
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else "latest"


def default_pull_policy(image: str) -> str:
    """`Always` for `:latest` or untagged images, `IfNotPresent` otherwise (SetDefaults_Container)."""
    return "Always" if image_tag(image) == "latest" else "IfNotPresent"


def _default_probe(probe: dict[str, Any] | None) -> None:
    if not probe:
        return
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    if probe.get("httpGet") is not None:
        probe["httpGet"].setdefault("scheme", "HTTP")


def _default_container(container: dict[str, Any]) -> None:
    if container.get("image") and "imagePullPolicy" not in container:
        container["imagePullPolicy"] = default_pull_policy(container["image"])
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    resources = container.setdefault("resources", {})
    limits = resources.get("limits") or {}
    if limits:
        requests = resources.setdefault("requests", {})
        for name, value in limits.items():
            requests.setdefault(name, value)
    for port in container.get("ports") or []:
        port.setdefault("protocol", "TCP")
    for probe_key in ("livenessProbe", "readinessProbe", "startupProbe"):
        _default_probe(container.get(probe_key))
    for env in container.get("env") or []:
        field_ref = (env.get("valueFrom") or {}).get("fieldRef")
        if field_ref is not None:
            field_ref.setdefault("apiVersion", "v1")


def qos_class(spec: dict[str, Any]) -> str:
    """Guaranteed, Burstable or BestEffort, from requests and limits (GetPodQOS)."""
    containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    any_set = False
    guaranteed = True
    for container in containers:
        resources = container.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        if requests or limits:
            any_set = True
        for name in ("cpu", "memory"):
            try:
                if name not in limits or parse_quantity(requests.get(name, limits[name])) != parse_quantity(
                    limits[name]
                ):
                    guaranteed = False
            except QuantityError:
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def default_pod(pod: dict[str, Any]) -> None:
    """SetDefaults_Pod / PodSpec / Container / Probe / Volume, in place."""
    spec = pod.setdefault("spec", {})
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("enableServiceLinks", True)
    if spec.get("serviceAccount") and not spec.get("serviceAccountName"):
        spec["serviceAccountName"] = spec["serviceAccount"]
    for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        _default_container(container)
    for volume in spec.get("volumes") or []:
        for source in ("configMap", "secret"):
            if volume.get(source) is not None:
                volume[source].setdefault("defaultMode", 420)
        if volume.get("projected") is not None:
            volume["projected"].setdefault("defaultMode", 420)


def admit_pod(pod: dict[str, Any], draws: Draws, *, automount: bool | None = None) -> None:
    """The create-time admission plugins: ServiceAccount (the token volume), Priority, DefaultTolerationSeconds,
    and status. `automount` is the ServiceAccount's `automountServiceAccountToken`; the pod's own setting wins."""
    spec = pod["spec"]
    account = spec.get("serviceAccountName") or "default"
    spec["serviceAccountName"] = account
    spec["serviceAccount"] = account
    mount = spec.get("automountServiceAccountToken")
    if mount is None:
        mount = automount if automount is not None else True
    if mount and not any(
        m.get("mountPath") == SERVICE_ACCOUNT_MOUNT
        for c in spec["containers"]
        for m in c.get("volumeMounts") or []
    ):
        volume_name = f"kube-api-access-{draws.suffix(5)}"
        spec.setdefault("volumes", []).append(_token_volume(volume_name))
        for container in spec["containers"] + (spec.get("initContainers") or []):
            container.setdefault("volumeMounts", []).append(
                {"name": volume_name, "readOnly": True, "mountPath": SERVICE_ACCOUNT_MOUNT}
            )
    if "priority" not in spec:
        spec["priority"] = 0
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    admit_toleration_seconds(pod)
    pod["status"] = {"phase": "Pending", "qosClass": qos_class(spec)}


def admit_toleration_seconds(pod: dict[str, Any]) -> None:
    """DefaultTolerationSeconds, on create and on update (upstream's handler admits both): a pod that does not
    tolerate the not-ready or unreachable NoExecute taint gets a 300 s toleration of it. On update this puts
    back the defaults a client's new list of tolerations left out (a `kubectl apply` that adds one), so
    ValidatePodUpdate sees the existing tolerations kept (plugin/pkg/admission/defaulttolerationseconds)."""
    tolerations = pod["spec"].setdefault("tolerations", [])
    for key in (NOT_READY, UNREACHABLE):
        if not any(declares_toleration_of(t, key, "NoExecute") for t in tolerations):
            tolerations.append(
                {
                    "key": key,
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": DEFAULT_TOLERATION_SECONDS,
                }
            )


def _token_volume(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {
                    "downwardAPI": {
                        "items": [
                            {
                                "path": "namespace",
                                "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                            }
                        ]
                    }
                },
            ],
        },
    }


def default_namespace(ns: dict[str, Any]) -> None:
    name = ns["metadata"].get("name", "")
    if name:
        ns["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name
    ns.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    ns.setdefault("status", {}).setdefault("phase", "Active")


def default_secret(secret: dict[str, Any]) -> None:
    secret.setdefault("type", "Opaque")


def default_node(node: dict[str, Any]) -> None:
    node.setdefault("spec", {})
    node.setdefault("status", {})


def default_none(_obj: dict[str, Any]) -> None:
    return None
