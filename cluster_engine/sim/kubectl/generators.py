"""The objects kubectl builds itself: `create deployment|job|cronjob|service|namespace|configmap|serviceaccount|
quota`, `run`
and `expose`, field for field as kubectl v1.32 builds them (dicts keep Go's struct field order, so
`-o json` prints in kubectl's order; `-o yaml` sorts keys anyway)."""

from __future__ import annotations

import hashlib
from typing import Any

from cluster_engine.sim.quantity import QuantityError, parse_quantity, quantity_string
from cluster_engine.sim.util import clone

from .errors import KubectlError

_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def _suffix(seed: str) -> str:
    """Five characters from apimachinery's rand alphabet, derived from `seed` (sim has no global random)."""
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:5])


def _metadata(name: str, namespace: str = "", labels: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["creationTimestamp"] = None
    if labels:
        meta["labels"] = labels
    return meta


def container_name_for_image(image: str) -> str:
    """`create deployment`'s container name: the image's last path part without tag or digest; `.` and `_`
    become `-` with a random suffix (sanitizeAndUniquify)."""
    name = image.rsplit("/", maxsplit=1)[-1].split(":", maxsplit=1)[0].split("@", maxsplit=1)[0]
    if "_" in name or "." in name:
        name = f"{name.replace('_', '-').replace('.', '-')}-{_suffix(image)}"
    return name


def create_deployment(
    name: str,
    images: list[str],
    *,
    replicas: int = 1,
    port: int = -1,
    namespace: str = "",
    command: list[str] | None = None,
) -> dict[str, Any]:
    """`kubectl create deployment NAME --image=... [--replicas] [--port] [-- COMMAND]`."""
    if not images:
        raise KubectlError('error: required flag(s) "image" not set')
    labels = {"app": name}
    containers = []
    for image in images:
        container: dict[str, Any] = {"name": container_name_for_image(image), "image": image}
        if command:
            container["command"] = list(command)
        container["resources"] = {}
        containers.append(container)
    if port >= 0:
        first = containers[0]
        containers[0] = {
            **{k: v for k, v in first.items() if k != "resources"},
            "ports": [{"containerPort": port}],
            "resources": {},
        }
    return {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": _metadata(name, namespace, dict(labels)),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"creationTimestamp": None, "labels": dict(labels)},
                "spec": {"containers": containers},
            },
            "strategy": {},
        },
        "status": {},
    }


def _job_template(name: str, image: str, command: list[str] | None, restart: str) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": image}
    if command:
        container["command"] = list(command)
    container["resources"] = {}
    return {
        "metadata": {"creationTimestamp": None},
        "spec": {"containers": [container], "restartPolicy": restart},
    }


def create_job(
    name: str, image: str, *, namespace: str = "", command: list[str] | None = None
) -> dict[str, Any]:
    """`kubectl create job NAME --image=... [-- COMMAND]` (restartPolicy Never)."""
    if not image:
        raise KubectlError("error: either --image or --from must be specified")
    return {
        "kind": "Job",
        "apiVersion": "batch/v1",
        "metadata": _metadata(name, namespace),
        "spec": {"template": _job_template(name, image, command, "Never")},
        "status": {},
    }


def job_from_cronjob(name: str, cronjob: dict[str, Any], *, namespace: str = "") -> dict[str, Any]:
    """`kubectl create job NAME --from=cronjob/CRONJOB` (createJobFromCronJob): the CronJob's job template, with
    its labels, its annotations over `cronjob.kubernetes.io/instantiate: manual`, and the CronJob as its
    controller, so the CronJob's history limits count it."""
    template = cronjob["spec"]["jobTemplate"]
    template_meta = template.get("metadata") or {}
    meta = _metadata(name, namespace, dict(template_meta.get("labels") or {}))
    meta["annotations"] = {"cronjob.kubernetes.io/instantiate": "manual", **(template_meta.get("annotations") or {})}
    meta["ownerReferences"] = [{"apiVersion": "batch/v1", "kind": "CronJob", "name": cronjob["metadata"]["name"],
                                "uid": cronjob["metadata"]["uid"], "controller": True}]
    return {"kind": "Job", "apiVersion": "batch/v1", "metadata": meta, "spec": clone(template["spec"]), "status": {}}


def create_cronjob(
    name: str,
    image: str,
    schedule: str,
    *,
    restart: str = "",
    namespace: str = "",
    command: list[str] | None = None,
) -> dict[str, Any]:
    """`kubectl create cronjob NAME --image=... --schedule=... [--restart] [-- COMMAND]`."""
    if not image:
        raise KubectlError('error: required flag(s) "image" not set')
    if not schedule:
        raise KubectlError('error: required flag(s) "schedule" not set')
    restart = restart or "OnFailure"
    if restart not in ("OnFailure", "Never"):
        raise KubectlError(f"error: restart must be one of OnFailure|Never, but {restart} is given")
    return {
        "kind": "CronJob",
        "apiVersion": "batch/v1",
        "metadata": _metadata(name, namespace),
        "spec": {
            "schedule": schedule,
            "jobTemplate": {
                "metadata": {"name": name, "creationTimestamp": None},
                "spec": {"template": _job_template(name, image, command, restart)},
            },
        },
        "status": {},
    }


def _parse_tcp(spec: str) -> dict[str, Any]:
    port_text, _, target_text = spec.partition(":")
    if not port_text.isdigit():
        raise KubectlError(f'error: strconv.Atoi: parsing "{port_text}": invalid syntax')
    port = int(port_text)
    name = spec.replace(":", "-")
    target: int | str = port
    if target_text:
        target = int(target_text) if target_text.isdigit() else target_text
    return {"name": name, "protocol": "TCP", "port": port, "targetPort": target}


def create_service(
    service_type: str,
    name: str,
    *,
    tcp: list[str] | None = None,
    cluster_ip: str = "",
    node_port: int = 0,
    external_name: str = "",
    namespace: str = "",
) -> dict[str, Any]:
    """`kubectl create service clusterip|nodeport|loadbalancer|externalname NAME --tcp=port:target ...`."""
    kind = {
        "clusterip": "ClusterIP",
        "nodeport": "NodePort",
        "loadbalancer": "LoadBalancer",
        "externalname": "ExternalName",
    }[service_type]
    labels = {"app": name}
    ports = [_parse_tcp(spec) for spec in tcp or []]
    if not ports and kind != "ExternalName" and not (kind == "ClusterIP" and cluster_ip == "None"):
        raise KubectlError("error: at least one tcp port specifier must be provided")
    if kind == "NodePort" and node_port > 0:
        for port in ports:
            port["nodePort"] = node_port
    spec: dict[str, Any] = {}
    if ports:
        spec["ports"] = ports
    if kind != "ExternalName":
        spec["selector"] = dict(labels)
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    spec["type"] = kind
    if kind == "ExternalName":
        if not external_name:
            raise KubectlError('error: required flag(s) "external-name" not set')
        spec["externalName"] = external_name
    return {
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": _metadata(name, namespace, dict(labels)),
        "spec": spec,
        "status": {"loadBalancer": {}},
    }


def create_namespace(name: str) -> dict[str, Any]:
    """`kubectl create namespace NAME`."""
    return {"kind": "Namespace", "apiVersion": "v1", "metadata": _metadata(name), "spec": {}, "status": {}}


def create_configmap(name: str, *, literals: list[str] | None = None, namespace: str = "") -> dict[str, Any]:
    """`kubectl create configmap NAME --from-literal=key=value ...` (files need a file system: refused
    by the caller)."""
    data: dict[str, str] = {}
    for literal in literals or []:
        key, sep, value = literal.partition("=")
        if not sep or not key:
            raise KubectlError(f"error: invalid literal source {literal}, expected key=value")
        if key in data:
            raise KubectlError(
                f'error: cannot add key "{key}", another key by that name already exists in '
                f'Data for ConfigMap "{name}"'
            )
        data[key] = value
    cm: dict[str, Any] = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": _metadata(name, namespace)}
    if data:
        cm["data"] = data
    return cm


def create_service_account(name: str, *, namespace: str = "") -> dict[str, Any]:
    """`kubectl create serviceaccount NAME`."""
    return {"kind": "ServiceAccount", "apiVersion": "v1", "metadata": _metadata(name, namespace)}


def create_quota(name: str, *, hard: str = "", scopes: str = "", namespace: str = "") -> dict[str, Any]:
    """`kubectl create quota NAME [--hard=cpu=1,pods=2] [--scopes=BestEffort]` (`populateResourceListV1`,
    `parseScopes`): amounts as the api-server would print them; scopes are the api-server's to check."""
    spec: dict[str, Any] = {}
    if hard:
        amounts: dict[str, str] = {}
        for statement in hard.split(","):
            parts = statement.split("=")
            if len(parts) != 2:
                raise KubectlError(f"error: Invalid argument syntax {statement}, expected <resource>=<value>")
            try:
                parse_quantity(parts[1])
                amounts[parts[0]] = quantity_string(parts[1])
            except QuantityError as error:
                raise KubectlError(f"error: {error}") from error
        spec["hard"] = dict(sorted(amounts.items()))
    if scopes:
        names = scopes.split(",")
        if "" in names:
            raise KubectlError('error: invalid resource quota scope ""')
        spec["scopes"] = names
    return {"kind": "ResourceQuota", "apiVersion": "v1", "metadata": _metadata(name, namespace), "spec": spec,
            "status": {}}


def parse_labels(text: str) -> dict[str, str]:
    """`--labels=k=v,k2=v2` as kubectl's generators parse it."""
    labels: dict[str, str] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or "=" in value:
            raise KubectlError(f"error: invalid label spec: {part}")
        if not key:
            raise KubectlError("error: unexpected empty label key")
        labels[key] = value
    return labels


def run_pod(
    name: str,
    image: str,
    *,
    labels: str = "",
    port: int = -1,
    restart: str = "Always",
    env: list[str] | None = None,
    args: list[str] | None = None,
    command: bool = False,
    image_pull_policy: str = "",
    namespace: str = "",
    annotations: list[str] | None = None,
) -> dict[str, Any]:
    """`kubectl run NAME --image=... [--port] [--labels] [--env] [--restart] [--command] [-- ARGS]`."""
    if not image:
        raise KubectlError('error: required flag(s) "image" not set')
    if restart not in ("Always", "OnFailure", "Never"):
        raise KubectlError(f"error: invalid restart policy: {restart}")
    container: dict[str, Any] = {"name": name, "image": image}
    if args:
        container["command" if command else "args"] = list(args)
    if port > 0:
        container["ports"] = [{"containerPort": port}]
    if env:
        pairs = []
        for item in env:
            key, sep, value = item.partition("=")
            if not sep:
                raise KubectlError(f"error: invalid env: {item}")
            pairs.append({"name": key, "value": value})
        container["env"] = pairs
    container["resources"] = {}
    if image_pull_policy:
        container["imagePullPolicy"] = image_pull_policy
    metadata = _metadata(name, namespace, parse_labels(labels) if labels else {"run": name})
    if annotations:
        metadata["annotations"] = dict(a.partition("=")[::2] for a in annotations)
    return {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": metadata,
        "spec": {"containers": [container], "restartPolicy": restart, "dnsPolicy": "ClusterFirst"},
        "status": {},
    }


def _selector_of(obj: dict[str, Any]) -> dict[str, str]:
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        labels = (obj.get("metadata") or {}).get("labels") or {}
        if not labels:
            raise KubectlError(
                "error: couldn't retrieve selectors via --selector flag or introspection: "
                "the pod has no labels and cannot be exposed"
            )
        return dict(labels)
    if kind == "Service":
        selector = spec.get("selector") or {}
        if not selector:
            raise KubectlError(
                "error: couldn't retrieve selectors via --selector flag or introspection: "
                "the service has no pod selector set"
            )
        return dict(selector)
    if kind in ("Deployment", "ReplicaSet"):
        selector = spec.get("selector") or {}
        if selector.get("matchExpressions"):
            raise KubectlError(
                "error: couldn't retrieve selectors via --selector flag or introspection: "
                "couldn't convert expressions - \""
                + str(selector["matchExpressions"])
                + '" to map-based selector format'
            )
        return dict(selector.get("matchLabels") or {})
    raise KubectlError(f"error: cannot expose a {kind}")


def _ports_of(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(port, protocol) pairs that `expose` reads from the object when `--port` is not given."""
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Service":
        return [(str(p.get("port")), p.get("protocol", "TCP")) for p in spec.get("ports") or []]
    pod_spec = spec if kind == "Pod" else ((spec.get("template") or {}).get("spec") or {})
    return [
        (str(p.get("containerPort")), p.get("protocol", "TCP"))
        for c in pod_spec.get("containers") or []
        for p in c.get("ports") or []
    ]


def expose(
    obj: dict[str, Any],
    *,
    name: str = "",
    port: str = "",
    target_port: str = "",
    protocol: str = "",
    service_type: str = "",
    cluster_ip: str = "",
    port_name: str = "",
    selector: str = "",
    labels: str = "",
    namespace: str = "",
) -> dict[str, Any]:
    """`kubectl expose TYPE NAME --port=... [--target-port] [--type] [--name]` for a pod, service,
    deployment or replica set (the object as read from the server)."""
    if obj.get("kind") not in ("Pod", "Service", "Deployment", "ReplicaSet", "ReplicationController"):
        kind = obj.get("kind", "")
        group = (obj.get("apiVersion") or "").rpartition("/")[0]
        qualified = f"{kind}.{group}" if group else kind
        raise KubectlError(f"error: cannot expose a {qualified}")
    meta = obj.get("metadata") or {}
    service_name = name or meta.get("name", "")[:63]
    chosen_selector = parse_labels(selector) if selector else _selector_of(obj)
    chosen_labels = parse_labels(labels) if labels else dict(meta.get("labels") or {})
    found = [(port, protocol or "TCP")] if port else _ports_of(obj)
    if not found and cluster_ip != "None":
        raise KubectlError("error: couldn't find port via --port flag or introspection")
    ports = []
    for index, (number, proto) in enumerate(found):
        if not number.isdigit():
            raise KubectlError(f'error: strconv.Atoi: parsing "{number}": invalid syntax')
        entry: dict[str, Any] = {}
        if len(found) > 1:
            entry["name"] = f"port-{index + 1}"
        elif port_name:
            entry["name"] = port_name
        entry["protocol"] = protocol or proto
        entry["port"] = int(number)
        entry["targetPort"] = (
            (int(target_port) if target_port.isdigit() else target_port) if target_port else int(number)
        )
        ports.append(entry)
    spec: dict[str, Any] = {}
    if ports:
        spec["ports"] = ports
    spec["selector"] = chosen_selector
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    if service_type:
        spec["type"] = service_type
    return {
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": _metadata(service_name, namespace, chosen_labels or None),
        "spec": spec,
        "status": {"loadBalancer": {}},
    }
