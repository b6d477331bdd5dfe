"""`kubectl describe`: find the objects named (or, as kubectl does, those whose names start with the one given),
selected or listed, read what each kind's describer needs besides the object (events, pods, replica sets,
endpoint slices, quotas, the node's lease), and hand each to its describer (`describe*.py`), or to the generic one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cluster_engine.sim.errors import Status

from . import describe, describe_apps, describe_generic, describe_more, describe_policy, parser
from .context import Client, Result, Session, current_namespace, with_kind
from .errors import KubectlError
from .resources import Resource, parse_targets
from .rollout import replica_sets


def describe_command(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    if not parsed.args:
        raise KubectlError(
            'error: You must specify the type of resource to describe. Use "kubectl api-resources" for a '
            "complete list of supported resources."
        )
    targets = parse_targets(parsed.args)
    namespace = current_namespace(parsed, session)
    all_namespaces = parsed.flag("all-namespaces")
    found: list[tuple[Resource, dict[str, Any]]] = []
    errors: list[str] = []
    by_prefix = False
    for target in targets:
        if target.names:
            for name in target.names:
                try:
                    found.append((target.resource, client.get(target.resource.kind, name, namespace)))
                except Status as status:
                    if status.code != 404 or len(parsed.args) != 2:
                        errors.append(status.kubectl_text())
                        continue
                    # DescribeMatchingResources: every object whose name starts with the one given
                    listed = client.list(
                        target.resource.kind, namespace if target.resource.namespaced else None
                    )
                    matches = [o for o in listed.get("items") or [] if o["metadata"]["name"].startswith(name)]
                    if not matches:
                        errors.append(status.kubectl_text())
                    found.extend((target.resource, o) for o in matches)
                    by_prefix = True
        else:
            scope = None if all_namespaces or not target.resource.namespaced else namespace
            listed = client.list(target.resource.kind, scope, label_selector=parsed.flag("selector"))
            found.extend((target.resource, o) for o in listed.get("items") or [])
    texts: list[str] = []
    show_events = parsed.flag("show-events")
    event_cache: dict[str | None, list[dict[str, Any]]] = {}

    def events_of(obj: dict[str, Any], scope: str | None) -> list[dict[str, Any]] | None:
        if not show_events:
            return None
        if scope not in event_cache:
            event_cache[scope] = client.list("Event", scope).get("items") or []
        return describe.events_for(event_cache[scope], obj)

    for resource, item in found:
        obj = with_kind(resource, item)
        scope = obj["metadata"].get("namespace") if resource.namespaced else None
        describer = _DESCRIBERS.get(resource.kind)
        if describer is None:  # kubectl's GenericDescriberFor
            texts.append(describe_generic.describe_generic(obj, events_of(obj, scope), client.now))
        else:
            texts.append(describer(client, obj, events_of(obj, scope)))
    if not found and not errors:  # kubectl names the namespace even for cluster-scoped types
        return Result(stderr="No resources found\n" if all_namespaces else
                       f"No resources found in {namespace} namespace.\n")
    # descriptions are separated by a blank line; those found by prefix each end with one
    stdout = "".join(text + "\n" for text in texts) if by_prefix else "\n\n".join(texts)
    return Result(stdout, "".join(e + "\n" for e in errors), 1 if errors else 0)


Events = list[dict[str, Any]] | None


def _describe_deployment(client: Client, obj: dict[str, Any], events: Events) -> str:
    old, new = replica_sets(client, obj)
    return describe_apps.describe_deployment(obj, old, new, events, client.now)


def _describe_service(client: Client, obj: dict[str, Any], events: Events) -> str:
    meta = obj["metadata"]
    slices = client.list(
        "EndpointSlice", meta.get("namespace"), label_selector=f"kubernetes.io/service-name={meta['name']}"
    )
    return describe_apps.describe_service(obj, slices.get("items") or [], events, client.now)


def _describe_node(client: Client, obj: dict[str, Any], events: Events) -> str:
    name = obj["metadata"]["name"]
    pods = [
        p
        for p in client.list("Pod", None, field_selector=f"spec.nodeName={name}").get("items") or []
        if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
    ]
    return describe.describe_node(obj, pods, events, client.now, describe.node_lease(client, name))


def _describe_namespace(client: Client, obj: dict[str, Any], _events: Events) -> str:
    name = obj["metadata"]["name"]
    quotas = client.list("ResourceQuota", name).get("items") or []
    limit_ranges = client.list("LimitRange", name).get("items") or []
    return describe_policy.describe_namespace(obj, quotas, limit_ranges)


def _describe_pvc(client: Client, obj: dict[str, Any], events: Events) -> str:
    pods = client.list("Pod", obj["metadata"].get("namespace")).get("items") or []
    return describe.describe_pvc(obj, describe.pods_using_claim(obj, pods), events, client.now)


# kubectl's describerMap for the kinds the simulation serves; any other kind gets the generic describer.
_DESCRIBERS: dict[str, Callable[[Client, dict[str, Any], Events], str]] = {
    "Pod": lambda c, o, e: describe.describe_pod(o, e, c.now),
    "Node": _describe_node,
    "Namespace": _describe_namespace,
    "ConfigMap": lambda c, o, e: describe.describe_configmap(o, e, c.now),
    "Secret": lambda _c, o, _e: describe.describe_secret(o),
    "PersistentVolumeClaim": _describe_pvc,
    "PriorityClass": lambda c, o, e: describe.describe_priority_class(o, e, c.now),
    "Deployment": _describe_deployment,
    "ReplicaSet": lambda c, o, e: describe_apps.describe_replicaset(o, describe_apps.pod_counts(c, o), e, c.now),
    "DaemonSet": lambda c, o, e: describe_apps.describe_daemonset(o, describe_apps.pod_counts(c, o), e, c.now),
    "StatefulSet": lambda c, o, e: describe_apps.describe_statefulset(o, describe_apps.pod_counts(c, o), e, c.now),
    "Job": lambda c, o, e: describe_apps.describe_job(o, e, c.now),
    "CronJob": lambda c, o, e: describe_apps.describe_cronjob(o, e, c.now),
    "Service": _describe_service,
    "Endpoints": lambda c, o, e: describe_apps.describe_endpoints(o, e, c.now),
    "EndpointSlice": lambda c, o, e: describe_apps.describe_endpoint_slice(o, e, c.now),
    "ResourceQuota": lambda _c, o, _e: describe_policy.describe_quota(o),
    "LimitRange": lambda _c, o, _e: describe_policy.describe_limit_range(o),
    "ServiceAccount": lambda c, o, e: describe_policy.describe_service_account(o, e, c.now),
    "PersistentVolume": lambda c, o, e: describe_policy.describe_persistent_volume(o, e, c.now),
    "StorageClass": lambda c, o, e: describe_policy.describe_storage_class(o, e, c.now),
    **describe_more.DESCRIBERS,
}

