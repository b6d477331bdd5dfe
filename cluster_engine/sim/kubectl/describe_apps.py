"""`kubectl describe` for workloads and service discovery: Deployment, ReplicaSet, DaemonSet, StatefulSet,
Job, CronJob, Service, Endpoints and EndpointSlice, in the layouts of kubectl 1.32's describers (`pkg/describe`)."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.printers import format_label_selector, format_labels, human_duration, selector_string
from cluster_engine.sim.util import parse_rfc3339

from .context import Client
from .describe import (
    PrefixWriter,
    annotations_multiline,
    describe_events,
    describe_pod_template,
    labels_multiline,
    quantity_string,
    rfc1123z,
)

Events = list[dict[str, Any]] | None


def _header(w: PrefixWriter, obj: dict[str, Any], *, created: bool = False) -> None:
    meta = obj["metadata"]
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if created:
        w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")


def _controlled_by(obj: dict[str, Any]) -> str:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return f"{ref.get('kind', '')}/{ref.get('name', '')}"
    return ""


def pod_counts(client: Client, obj: dict[str, Any]) -> tuple[int, int, int, int]:
    """`getPodStatusForController`: Running / Waiting (Pending) / Succeeded / Failed pods the selector
    picks and the object controls."""
    meta = obj["metadata"]
    selector = selector_string((obj.get("spec") or {}).get("selector"))
    pods = client.list("Pod", meta.get("namespace"), label_selector=selector).get("items") or []
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for pod in pods:
        if not any(
            ref.get("controller") and ref.get("uid") == meta.get("uid")
            for ref in pod["metadata"].get("ownerReferences") or []
        ):
            continue
        phase = (pod.get("status") or {}).get("phase", "")
        if phase in counts:
            counts[phase] += 1
    return counts["Running"], counts["Pending"], counts["Succeeded"], counts["Failed"]


def _pods_status(w: PrefixWriter, counts: tuple[int, int, int, int]) -> None:
    running, waiting, succeeded, failed = counts
    w.write(0, f"Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n")


def _conditions(w: PrefixWriter, status: dict[str, Any]) -> None:
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")


def _finish(w: PrefixWriter, events: Events, now: float) -> str:
    if events is not None:
        describe_events(w, events, now)
    return w.text()


def _int_or_string(value: Any) -> str:
    return "<nil>" if value is None else str(value)


# ---------------------------------------------------------------- apps


def describe_deployment(
    d: dict[str, Any], old: list[dict[str, Any]], new: dict[str, Any] | None, events: Events, now: float
) -> str:
    meta, spec, status = d["metadata"], d.get("spec") or {}, d.get("status") or {}
    w = PrefixWriter()
    _header(w, d, created=True)
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(
        0,
        f"Replicas:\t{spec.get('replicas', 1)} desired | {status.get('updatedReplicas', 0)} updated | "
        f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
        f"{status.get('unavailableReplicas', 0)} unavailable\n",
    )
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        w.write(
            0,
            f"RollingUpdateStrategy:\t{_int_or_string(rolling.get('maxUnavailable'))} max unavailable, "
            f"{_int_or_string(rolling.get('maxSurge'))} max surge\n",
        )
    describe_pod_template(w, spec.get("template"))
    _conditions(w, status)
    if old or new is not None:
        w.write(0, f"OldReplicaSets:\t{_replica_sets_text(old)}\n")
        w.write(0, f"NewReplicaSet:\t{_replica_sets_text([new] if new else [])}\n")
    return _finish(w, events, now)


def _replica_sets_text(items: list[dict[str, Any]]) -> str:
    texts = [
        f"{rs['metadata']['name']} ({(rs.get('status') or {}).get('replicas', 0)}/"
        f"{(rs.get('spec') or {}).get('replicas', 1)} replicas created)"
        for rs in items
    ]
    return ", ".join(texts) or "<none>"


def describe_replicaset(
    rs: dict[str, Any], counts: tuple[int, int, int, int], events: Events, now: float
) -> str:
    meta, spec, status = rs["metadata"], rs.get("spec") or {}, rs.get("status") or {}
    w = PrefixWriter()
    _header(w, rs)
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    if controlled_by := _controlled_by(rs):
        w.write(0, f"Controlled By:\t{controlled_by}\n")
    w.write(0, f"Replicas:\t{status.get('replicas', 0)} current / {spec.get('replicas', 1)} desired\n")
    _pods_status(w, counts)
    describe_pod_template(w, spec.get("template"))
    _conditions(w, status)
    return _finish(w, events, now)


def describe_daemonset(
    ds: dict[str, Any], counts: tuple[int, int, int, int], events: Events, now: float
) -> str:
    meta, spec, status = ds["metadata"], ds.get("spec") or {}, ds.get("status") or {}
    template_spec = (spec.get("template") or {}).get("spec") or {}
    w = PrefixWriter()
    _header(w, ds)
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(0, f"Node-Selector:\t{format_labels(template_spec.get('nodeSelector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Desired Number of Nodes Scheduled: {status.get('desiredNumberScheduled', 0)}\n")
    w.write(0, f"Current Number of Nodes Scheduled: {status.get('currentNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Up-to-date Pods: {status.get('updatedNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Available Pods: {status.get('numberAvailable', 0)}\n")
    w.write(0, f"Number of Nodes Misscheduled: {status.get('numberMisscheduled', 0)}\n")
    _pods_status(w, counts)
    describe_pod_template(w, spec.get("template"))
    return _finish(w, events, now)


def describe_statefulset(
    sts: dict[str, Any], counts: tuple[int, int, int, int], events: Events, now: float
) -> str:
    meta, spec, status = sts["metadata"], sts.get("spec") or {}, sts.get("status") or {}
    w = PrefixWriter()
    _header(w, sts, created=True)
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | {status.get('replicas', 0)} total\n")
    strategy = spec.get("updateStrategy") or {}
    w.write(0, f"Update Strategy:\t{strategy.get('type', '')}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None and rolling.get("partition") is not None:
        w.write(1, f"Partition:\t{rolling['partition']}\n")
        if rolling.get("maxUnavailable") is not None:
            w.write(1, f"MaxUnavailable:\t{rolling['maxUnavailable']}\n")
    _pods_status(w, counts)
    describe_pod_template(w, spec.get("template"))
    templates = spec.get("volumeClaimTemplates") or []
    if not templates:
        w.write(0, "Volume Claims:\t<none>\n")
    else:
        w.write(0, "Volume Claims:\n")
        for pvc in templates:
            pvc_meta, pvc_spec = pvc.get("metadata") or {}, pvc.get("spec") or {}
            w.write(1, f"Name:\t{pvc_meta.get('name', '')}\n")
            storage_class = pvc_spec.get("storageClassName") or (pvc_meta.get("annotations") or {}).get(
                "volume.beta.kubernetes.io/storage-class", ""
            )
            w.write(1, f"StorageClass:\t{storage_class}\n")
            labels_multiline(w, "  Labels", pvc_meta.get("labels"), continuation="  \t")
            labels_multiline(w, "  Annotations", pvc_meta.get("annotations"), continuation="  \t")
            capacity = ((pvc_spec.get("resources") or {}).get("requests") or {}).get("storage")
            w.write(1, f"Capacity:\t{quantity_string(capacity) if capacity else '<default>'}\n")
            w.write(1, f"Access Modes:\t[{' '.join(pvc_spec.get('accessModes') or [])}]\n")
    return _finish(w, events, now)


# ---------------------------------------------------------------- batch


def describe_job(job: dict[str, Any], events: Events, now: float) -> str:
    meta, spec, status = job["metadata"], job.get("spec") or {}, job.get("status") or {}
    w = PrefixWriter()
    _header(w, job)
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    if controlled_by := _controlled_by(job):
        w.write(0, f"Controlled By:\t{controlled_by}\n")
    if spec.get("parallelism") is not None:
        w.write(0, f"Parallelism:\t{spec['parallelism']}\n")
    w.write(0, f"Completions:\t{spec['completions'] if spec.get('completions') is not None else '<unset>'}\n")
    if spec.get("completionMode"):
        w.write(0, f"Completion Mode:\t{spec['completionMode']}\n")
    if spec.get("suspend") is not None:
        w.write(0, f"Suspend:\t{'true' if spec['suspend'] else 'false'}\n")
    if spec.get("backoffLimit") is not None:
        w.write(0, f"Backoff Limit:\t{spec['backoffLimit']}\n")
    if spec.get("ttlSecondsAfterFinished") is not None:
        w.write(0, f"TTL Seconds After Finished:\t{spec['ttlSecondsAfterFinished']}\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    if status.get("completionTime"):
        w.write(0, f"Completed At:\t{rfc1123z(status['completionTime'])}\n")
    if status.get("startTime") and status.get("completionTime"):
        took = parse_rfc3339(status["completionTime"]) - parse_rfc3339(status["startTime"])
        w.write(0, f"Duration:\t{human_duration(took)}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    active, succeeded, failed = status.get("active", 0), status.get("succeeded", 0), status.get("failed", 0)
    if status.get("ready") is None:
        w.write(0, f"Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n")
    else:
        w.write(
            0, f"Pods Statuses:\t{active} Active ({status['ready']} Ready) / {succeeded} Succeeded / {failed} Failed\n"
        )
    if spec.get("completionMode") == "Indexed":
        indexes = status.get("completedIndexes") or ""
        w.write(0, f"Completed Indexes:\t{_cap_indexes(indexes)}\n")
    describe_pod_template(w, spec.get("template"))
    return _finish(w, events, now)


def _cap_indexes(indexes: str, limit: int = 50) -> str:
    if not indexes:
        return "<none>"
    cut = indexes.find(",", limit)
    return indexes if cut < 0 or len(indexes) <= limit else indexes[: cut + 1] + "..."


def describe_cronjob(cj: dict[str, Any], events: Events, now: float) -> str:
    meta, spec, status = cj["metadata"], cj.get("spec") or {}, cj.get("status") or {}
    w = PrefixWriter()
    _header(w, cj)
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Schedule:\t{spec.get('schedule', '')}\n")
    w.write(0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', '')}\n")
    suspend = spec.get("suspend")
    w.write(0, f"Suspend:\t{'<unset>' if suspend is None else ('true' if suspend else 'false')}\n")
    for field, label in (
        ("successfulJobsHistoryLimit", "Successful Job History Limit"),
        ("failedJobsHistoryLimit", "Failed Job History Limit"),
    ):
        value = spec.get(field)
        w.write(0, f"{label}:\t{'<unset>' if value is None else value}\n")
    deadline = spec.get("startingDeadlineSeconds")
    w.write(0, f"Starting Deadline Seconds:\t{'<unset>' if deadline is None else f'{deadline}s'}\n")
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    if job_spec.get("selector") is not None:
        w.write(0, f"Selector:\t{selector_string(job_spec['selector'])}\n")
    else:
        w.write(0, "Selector:\t<unset>\n")
    for field, label in (("parallelism", "Parallelism"), ("completions", "Completions")):
        value = job_spec.get(field)
        w.write(0, f"{label}:\t{'<unset>' if value is None else value}\n")
    if job_spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{job_spec['activeDeadlineSeconds']}s\n")
    describe_pod_template(w, job_spec.get("template"))
    last = status.get("lastScheduleTime")
    w.write(0, f"Last Schedule Time:\t{rfc1123z(last) if last else '<unset>'}\n")
    active = [ref.get("name", "") for ref in status.get("active") or []]
    w.write(0, f"Active Jobs:\t{', '.join(active) if active else '<none>'}\n")
    return _finish(w, events, now)


# ---------------------------------------------------------------- services


def format_endpoint_slices(slices: list[dict[str, Any]], port_name: str, limit: int = 3) -> str:
    """`formatEndpointSlices` for one Service port: ready `ip:port`s, at most three and `+ N more...`."""
    if not slices:
        return "<none>"
    shown: list[str] = []
    count = 0
    more = False
    for eps in slices:
        ports = eps.get("ports") or []
        endpoints = eps.get("endpoints") or []
        pairs: list[tuple[dict[str, Any], str]] = []
        if not ports:
            pairs = [(e, "") for e in endpoints]
        else:
            for port in ports:
                if (port.get("name") or "") == port_name:
                    pairs.extend((e, str(port.get("port", ""))) for e in endpoints)
        for endpoint, number in pairs:
            if len(shown) == limit:
                more = True
            if (endpoint.get("conditions") or {}).get("ready") is False:
                continue
            if not more:
                address = (endpoint.get("addresses") or [""])[0]
                shown.append(f"{address}:{number}" if number else address)
            count += 1
    text = ",".join(shown)
    return f"{text} + {count - limit} more..." if more else text


def describe_service(svc: dict[str, Any], slices: list[dict[str, Any]], events: Events, now: float) -> str:
    meta, spec = svc["metadata"], svc.get("spec") or {}
    status = svc.get("status") or {}
    w = PrefixWriter()
    _header(w, svc)
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(0, f"Type:\t{spec.get('type', '')}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    ingress = (status.get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        w.write(0, f"LoadBalancer Ingress:\t{', '.join(i.get('ip') or i.get('hostname', '') for i in ingress)}\n")
    for port in spec.get("ports") or []:
        name = port.get("name") or "<unset>"
        protocol = port.get("protocol", "TCP")
        w.write(0, f"Port:\t{name}\t{port.get('port', 0)}/{protocol}\n")
        w.write(0, f"TargetPort:\t{port.get('targetPort', port.get('port', 0))}/{protocol}\n")
        if port.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{protocol}\n")
        w.write(0, f"Endpoints:\t{format_endpoint_slices(slices, port.get('name') or '')}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', '')}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy"):
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    if spec.get("loadBalancerSourceRanges"):
        w.write(0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n")
    return _finish(w, events, now)


def describe_endpoints(ep: dict[str, Any], events: Events, now: float) -> str:
    meta = ep["metadata"]
    w = PrefixWriter()
    _header(w, ep)
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "Subsets:\n")
    for subset in ep.get("subsets") or []:
        ready = ",".join(a.get("ip", "") for a in subset.get("addresses") or [])
        not_ready = ",".join(a.get("ip", "") for a in subset.get("notReadyAddresses") or [])
        w.write(1, f"Addresses:\t{ready or '<none>'}\n")
        w.write(1, f"NotReadyAddresses:\t{not_ready or '<none>'}\n")
        if subset.get("ports"):
            w.write(1, "Ports:\n")
            w.write(2, "Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for port in subset["ports"]:
                w.write(2, f"{port.get('name') or '<unset>'}\t{port.get('port', 0)}\t{port.get('protocol', 'TCP')}\n")
        w.write(0, "\n")
    return _finish(w, events, now)


def describe_endpoint_slice(eps: dict[str, Any], events: Events, now: float) -> str:
    """`kubectl describe endpointslice` (describeEndpointSliceV1): ports as a table, each endpoint's address,
    readiness, hostname, target, node and zone (`<unset>` where the slice says nothing)."""
    meta = eps["metadata"]
    w = PrefixWriter()
    _header(w, eps)
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"AddressType:\t{eps.get('addressType', '')}\n")
    if not eps.get("ports"):
        w.write(0, "Ports: <unset>\n")
    else:
        w.write(0, "Ports:\n")
        w.write(1, "Name\tPort\tProtocol\n")
        w.write(1, "----\t----\t--------\n")
        for port in eps["ports"]:
            number = "<unset>" if port.get("port") is None else str(port["port"])
            w.write(1, f"{port.get('name') or '<unset>'}\t{number}\t{port.get('protocol', 'TCP')}\n")
    if not eps.get("endpoints"):
        w.write(0, "Endpoints: <none>\n")
    else:
        w.write(0, "Endpoints:\n")
        for endpoint in eps["endpoints"]:
            w.write(1, f"- Addresses:\t{', '.join(endpoint.get('addresses') or []) or '<none>'}\n")
            w.write(2, "Conditions:\n")
            ready = (endpoint.get("conditions") or {}).get("ready")
            w.write(3, f"Ready:\t{'<unset>' if ready is None else str(bool(ready)).lower()}\n")
            hostname = endpoint.get("hostname")
            w.write(2, f"Hostname:\t{'<unset>' if hostname is None else hostname}\n")
            target = endpoint.get("targetRef")
            if target is not None:
                w.write(2, f"TargetRef:\t{target.get('kind', '')}/{target.get('name', '')}\n")
            node = endpoint.get("nodeName")
            w.write(2, f"NodeName:\t{'<unset>' if node is None else node}\n")
            zone = endpoint.get("zone")
            w.write(2, f"Zone:\t{'<unset>' if zone is None else zone}\n")
    return _finish(w, events, now)
