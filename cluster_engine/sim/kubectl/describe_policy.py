"""`kubectl describe` for the namespace policy and storage kinds: ResourceQuota, LimitRange, ServiceAccount,
PersistentVolume and StorageClass, and the Resource Quotas / Resource Limits sections of a namespace, in the
layout of kubectl 1.32's describers (`kubectl/pkg/describe/describe.go`)."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.kinds.storage import class_of, is_default_class
from cluster_engine.sim.printers import access_modes_text, format_labels, since
from cluster_engine.sim.quantity import quantity_string

from .describe import (
    PrefixWriter,
    annotations_multiline,
    describe_events,
    labels_multiline,
)

SCOPE_HELP = {
    "Terminating": "Matches all pods that have an active deadline. These pods have a limited lifespan on a node "
    "before being actively terminated by the system.",
    "NotTerminating": "Matches all pods that do not have an active deadline. These pods usually include long running "
    "pods whose container command is not expected to terminate.",
    "BestEffort": "Matches all pods that do not have resource requirements set. These pods have a best effort "
    "quality of service.",
    "NotBestEffort": "Matches all pods that have at least one resource requirement set. These pods have a burstable "
    "or guaranteed quality of service.",
}
LIMIT_HEADER = "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n"
LIMIT_RULE = "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n"


def _scopes(w: PrefixWriter, level: int, quota: dict[str, Any], bullet: str) -> None:
    scopes = sorted((quota.get("spec") or {}).get("scopes") or [])
    if not scopes:
        return
    w.write(level, f"Scopes:\t{', '.join(scopes)}\n")
    for scope in scopes:
        if scope in SCOPE_HELP:
            w.write(level, f"{bullet}* {SCOPE_HELP[scope]}\n")


def describe_quota(quota: dict[str, Any]) -> str:
    """`describeQuota`: scopes with their help text, then Resource / Used / Hard for every hard resource."""
    meta, status = quota["metadata"], quota.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    _scopes(w, 0, quota, " ")
    w.write(0, "Resource\tUsed\tHard\n")
    w.write(0, "--------\t----\t----\n")
    hard, used = status.get("hard") or {}, status.get("used") or {}
    for name in sorted(hard):
        w.write(0, f"{name}\t{quantity_string(used.get(name, '0'))}\t{quantity_string(hard[name])}\n")
    return w.text()


def _limit_rows(w: PrefixWriter, limit_range: dict[str, Any], prefix: str) -> None:
    """`describeLimitRangeSpec`: one row per item and resource, `-` where a bound is unset (resources sorted:
    kubectl's order is Go's random map order)."""
    for item in (limit_range.get("spec") or {}).get("limits") or []:
        sections = [item.get(key) or {} for key in ("min", "max", "defaultRequest", "default",
                                                    "maxLimitRequestRatio")]
        for name in sorted({name for section in sections for name in section}):
            cells = [quantity_string(section[name]) if name in section else "-" for section in sections]
            w.write(0, f"{prefix}{item.get('type', '')}\t{name}\t" + "\t".join(cells) + "\n")


def describe_limit_range(limit_range: dict[str, Any]) -> str:
    """`describeLimitRange`."""
    meta = limit_range["metadata"]
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, LIMIT_HEADER)
    w.write(0, LIMIT_RULE)
    _limit_rows(w, limit_range, "")
    return w.text()


def namespace_sections(w: PrefixWriter, quotas: list[dict[str, Any]], limit_ranges: list[dict[str, Any]]) -> None:
    """`DescribeResourceQuotas` and `DescribeLimitRanges` under a namespace, each after a blank line."""
    w.write(0, "\n")
    if not quotas:
        w.write(0, "No resource quota.\n")
    else:
        w.write(0, "Resource Quotas\n")
        for quota in sorted(quotas, key=lambda q: q["metadata"]["name"]):
            status = quota.get("status") or {}
            w.write(1, f"Name:\t{quota['metadata']['name']}\n")
            _scopes(w, 1, quota, "")
            w.write(1, "Resource\tUsed\tHard\n")
            w.write(1, "--------\t---\t---\n")
            hard, used = status.get("hard") or {}, status.get("used") or {}
            for name in sorted(hard):
                w.write(1, f"{name}\t{quantity_string(used.get(name, '0'))}\t{quantity_string(hard[name])}\n")
    w.write(0, "\n")
    if not limit_ranges:
        w.write(0, "No LimitRange resource.\n")
        return
    w.write(0, "Resource Limits\n " + LIMIT_HEADER)
    w.write(0, " " + LIMIT_RULE)
    for limit_range in limit_ranges:
        _limit_rows(w, limit_range, " ")


def describe_namespace(
    namespace: dict[str, Any], quotas: list[dict[str, Any]], limit_ranges: list[dict[str, Any]]
) -> str:
    """`describeNamespace`, with the namespace's ResourceQuotas and LimitRanges."""
    meta = namespace["metadata"]
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Status:\t{(namespace.get('status') or {}).get('phase', '')}\n")
    namespace_sections(w, quotas, limit_ranges)
    return w.text()


def describe_service_account(account: dict[str, Any], events: list[dict[str, Any]] | None, now: float) -> str:
    """`describeServiceAccount`: pull and mountable secrets by name, and no token secrets (1.24 and later
    create none; tokens are projected into pods)."""
    meta = account["metadata"]
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    sections = (("Image pull secrets:", account.get("imagePullSecrets")), ("Mountable secrets: ",
                                                                         account.get("secrets")),
                ("Tokens:            ", []))
    for header, refs in sections:
        names = [ref.get("name", "") for ref in refs or []]
        if not names:
            w.write(0, f"{header}\t<none>\n")
        for i, name in enumerate(names):
            w.write(0, f"{header if i == 0 else ' ' * 19}\t{name}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.text()


def _node_affinity(w: PrefixWriter, affinity: dict[str, Any] | None) -> None:
    """`printVolumeNodeAffinity`."""
    w.write(0, "Node Affinity:\t")
    required = (affinity or {}).get("required")
    if required is None:
        w.line("<none>")
        return
    w.line("")
    w.write(1, "Required Terms:\t")
    terms = required.get("nodeSelectorTerms") or []
    if not terms:
        w.line("<none>")
        return
    w.line("")
    for index, term in enumerate(terms):
        w.write(2, f"Term {index}:\t")
        expressions = term.get("matchExpressions") or []
        if not expressions:
            w.line("<none>")
            continue
        for i, req in enumerate(expressions):
            if i:
                w.write(2, "\t")
            text = f"{req.get('key', '')} {str(req.get('operator', '')).lower()}"
            if req.get("values"):
                text += f" [{', '.join(req['values'])}]"
            w.write(0, text + "\n")


def _volume_source(w: PrefixWriter, spec: dict[str, Any]) -> None:
    if spec.get("hostPath") is not None:
        source = spec["hostPath"]
        w.write(2, "Type:\tHostPath (bare host directory volume)\n")
        w.write(0, f"    Path:\t{source.get('path', '')}\n")
        w.write(0, f"    HostPathType:\t{source.get('type', '<none>')}\n")
    elif spec.get("local") is not None:
        w.write(2, "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n")
        w.write(0, f"    Path:\t{spec['local'].get('path', '')}\n")
    elif spec.get("nfs") is not None:
        source = spec["nfs"]
        w.write(2, "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n")
        w.write(0, f"    Server:\t{source.get('server', '')}\n")
        w.write(0, f"    Path:\t{source.get('path', '')}\n")
        w.write(0, f"    ReadOnly:\t{'true' if source.get('readOnly') else 'false'}\n")
    elif spec.get("csi") is not None:
        source = spec["csi"]
        w.write(2, "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n")
        w.write(2, f"Driver:\t{source.get('driver', '')}\n")
        w.write(2, f"FSType:\t{source.get('fsType', '')}\n")
        w.write(2, f"VolumeHandle:\t{source.get('volumeHandle', '')}\n")
        w.write(2, f"ReadOnly:\t{'true' if source.get('readOnly') else 'false'}\n")
        w.write(2, f"VolumeAttributes:\t{format_labels(source.get('volumeAttributes'))}\n")
    else:
        w.write(1, "<unknown>\n")


def describe_persistent_volume(pv: dict[str, Any], events: list[dict[str, Any]] | None, now: float) -> str:
    """`describePersistentVolume`."""
    meta, spec, status = pv["metadata"], pv.get("spec") or {}, pv.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Finalizers:\t[{' '.join(meta.get('finalizers') or [])}]\n")
    w.write(0, f"StorageClass:\t{class_of(pv)}\n")
    if meta.get("deletionTimestamp"):
        w.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], now)})\n")
    else:
        w.write(0, f"Status:\t{status.get('phase', '')}\n")
    ref = spec.get("claimRef")
    w.write(0, f"Claim:\t{ref.get('namespace', '') + '/' + ref.get('name', '') if ref else ''}\n")
    w.write(0, f"Reclaim Policy:\t{spec.get('persistentVolumeReclaimPolicy', '')}\n")
    w.write(0, f"Access Modes:\t{access_modes_text(spec.get('accessModes'))}\n")
    if spec.get("volumeMode") is not None:
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    w.write(0, f"Capacity:\t{quantity_string((spec.get('capacity') or {}).get('storage', '0'))}\n")
    _node_affinity(w, spec.get("nodeAffinity"))
    w.write(0, f"Message:\t{status.get('message', '')}\n")
    w.write(0, "Source:\n")
    _volume_source(w, spec)
    if events is not None:
        describe_events(w, events, now)
    return w.text()


def describe_storage_class(sc: dict[str, Any], events: list[dict[str, Any]] | None, now: float) -> str:
    """`describeStorageClass`."""
    meta = sc["metadata"]
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"IsDefaultClass:\t{'Yes' if is_default_class(sc) else 'No'}\n")
    w.write(0, f"Annotations:\t{format_labels(meta.get('annotations'))}\n")
    w.write(0, f"Provisioner:\t{sc.get('provisioner', '')}\n")
    w.write(0, f"Parameters:\t{format_labels(sc.get('parameters'))}\n")
    expansion = sc.get("allowVolumeExpansion")
    w.write(0, f"AllowVolumeExpansion:\t{'<unset>' if expansion is None else ('True' if expansion else 'False')}\n")
    options = sc.get("mountOptions") or []
    if not options:
        w.write(0, "MountOptions:\t<none>\n")
    else:
        w.write(0, "MountOptions:\n")
        for option in options:
            w.write(1, f"{option}\n")
    if sc.get("reclaimPolicy") is not None:
        w.write(0, f"ReclaimPolicy:\t{sc['reclaimPolicy']}\n")
    if sc.get("volumeBindingMode") is not None:
        w.write(0, f"VolumeBindingMode:\t{sc['volumeBindingMode']}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.text()
