"""Discovery documents built from the kind registry: `/version`, legacy (`APIVersions`, `APIGroupList`,
`APIResourceList`) and aggregated (`apidiscovery.k8s.io/v2`), so any kind registered in `sim.objects` is served."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from cluster_engine import engine
from cluster_engine.engine import KUBERNETES_VERSION, Kind, list_field

# The version the simulated control plane runs (scenario.KUBERNETES_VERSION: what its kubelets report, and what
# the in-page `kubectl version` prints as the server's).
KUBE_VERSION = {
    "major": "1",
    "minor": "32",
    "gitVersion": KUBERNETES_VERSION,
    "gitCommit": "podlab-simulated",
    "gitTreeState": "clean",
    "buildDate": "2025-02-12T00:00:00Z",
    "goVersion": "go1.23.6",
    "compiler": "gc",
    "platform": "linux/amd64",
}
AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
STATUS_VERBS = ("get", "patch", "update")


def scalable(kind: Kind) -> bool:
    """Kinds whose schema has `spec.replicas` get the `scale` subresource (autoscaling/v1 Scale)."""
    return list_field(kind.schema_ref, ("spec", "replicas")) is not None


def _subresources(kind: Kind) -> list[dict[str, Any]]:
    """(name, group, version, kind, verbs) of every subresource served for `kind`."""
    own = {"group": kind.group, "version": kind.version, "kind": kind.kind}
    found: list[dict[str, Any]] = []
    if kind.has_status:
        found.append({"name": "status", **own, "verbs": STATUS_VERBS})
    if scalable(kind):
        found.append({"name": "scale", "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": STATUS_VERBS})
    if kind.kind == "Pod":
        found += [
            {"name": "binding", "group": "", "version": "v1", "kind": "Binding", "verbs": ("create",)},
            {"name": "eviction", "group": "policy", "version": "v1", "kind": "Eviction", "verbs": ("create",)},
            {"name": "log", **own, "verbs": ("get",)},
        ]
    return found


def subresource_names(kind: Kind) -> set[str]:
    return {sub["name"] for sub in _subresources(kind)}


def served_kinds() -> list[Kind]:
    """Every served resource (`sim.discovery`: the registered kinds and the reviews, in its order) in each version
    it is served in: the stored version as registered, and for each other version (autoscaling/v1
    HorizontalPodAutoscaler) a view of the kind with that `version`, whose `schema_ref` and `api_version` are that
    version's (objects read and written through it are converted: `tables.in_version`, `Kind.served_version`)."""
    served: list[Kind] = []
    for kind in engine.served_kinds():
        served.append(kind)
        served += [dataclasses.replace(kind, version=other.version, other_versions=()) for other in
                   kind.other_versions]
    return served


def _version_priority(version: str) -> tuple[int, int, int]:
    """kube-apiserver's version order within a group: GA before beta before alpha, higher numbers first."""
    match = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if match is None:
        return (3, 0, 0)
    stage = {None: 0, "beta": 1, "alpha": 2}[match.group(2)]
    return (stage, -int(match.group(1)), -int(match.group(3) or 0))


def group_versions() -> dict[tuple[str, str], list[Kind]]:
    """Served kinds by (group, version), the core group ("", "v1") first, then groups by name, each group's
    versions in priority order (its preferred version first)."""
    grouped: dict[tuple[str, str], list[Kind]] = {}
    for kind in served_kinds():
        grouped.setdefault((kind.group, kind.version), []).append(kind)
    return dict(sorted(grouped.items(), key=lambda item: (item[0][0] != "", item[0][0],
                                                          _version_priority(item[0][1]))))


def kind_for(group: str, version: str, plural: str) -> Kind | None:
    for kind in served_kinds():
        if kind.group == group and kind.version == version and kind.plural == plural:
            return kind
    return None


def api_versions() -> dict[str, Any]:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]}


def api_group_list(extra: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    """`APIGroupList` of the registered kinds' groups, then `extra` groups (an aggregated API, `metrics`)."""
    groups: dict[str, list[str]] = {}
    for group, version in group_versions():
        if group:
            groups.setdefault(group, []).append(version)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [*(_group(name, versions)
                                                                     for name, versions in groups.items()), *extra]}


def api_group(name: str) -> dict[str, Any] | None:
    versions = [version for group, version in group_versions() if group == name]
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(name, versions)} if versions else None


def _group(name: str, versions: list[str]) -> dict[str, Any]:
    entries = [{"groupVersion": f"{name}/{version}", "version": version} for version in versions]
    return {"name": name, "versions": entries, "preferredVersion": entries[0]}


def _verbs(kind: Kind) -> list[str]:
    return sorted(kind.verbs)


def resource_list(group: str, version: str) -> dict[str, Any] | None:
    """The legacy `APIResourceList` of one group-version (None if nothing is served there)."""
    kinds = group_versions().get((group, version))
    if not kinds:
        return None
    resources: list[dict[str, Any]] = []
    for kind in sorted(kinds, key=lambda k: k.plural):
        entry: dict[str, Any] = {"name": kind.plural, "singularName": kind.singular, "namespaced": kind.namespaced,
                                 "kind": kind.kind, "verbs": _verbs(kind)}
        if kind.short_names:
            entry["shortNames"] = list(kind.short_names)
        if kind.categories:
            entry["categories"] = list(kind.categories)
        resources.append(entry)
        for sub in _subresources(kind):
            item: dict[str, Any] = {"name": f"{kind.plural}/{sub['name']}", "singularName": "",
                                    "namespaced": kind.namespaced, "kind": sub["kind"], "verbs": list(sub["verbs"])}
            if (sub["group"], sub["version"]) != (group, version):
                item["group"], item["version"] = sub["group"], sub["version"]
            resources.append(item)
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}" if group else version,
            "resources": resources}


def _aggregated_resource(kind: Kind) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": kind.plural,
        "responseKind": {"group": kind.group, "version": kind.version, "kind": kind.kind},
        "scope": "Namespaced" if kind.namespaced else "Cluster",
        "singularResource": kind.singular,
        "verbs": _verbs(kind),
    }
    if kind.short_names:
        entry["shortNames"] = list(kind.short_names)
    if kind.categories:
        entry["categories"] = list(kind.categories)
    subs = [{"subresource": sub["name"],
             "responseKind": {"group": sub["group"], "version": sub["version"], "kind": sub["kind"]},
             "verbs": list(sub["verbs"])} for sub in _subresources(kind)]
    if subs:
        entry["subresources"] = subs
    return entry


def aggregated(*, core: bool, extra: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    """`APIGroupDiscoveryList` for `/api` (core) or `/apis` (every named group, then the `extra` items)."""
    items: dict[str, dict[str, Any]] = {}
    for (group, version), kinds in group_versions().items():
        if bool(group) == core:
            continue
        item = items.setdefault(group, {"metadata": {"name": group, "creationTimestamp": None} if group
                                        else {"creationTimestamp": None}, "versions": []})
        item["versions"].append({"version": version, "freshness": "Current",
                                 "resources": [_aggregated_resource(k) for k in sorted(kinds, key=lambda k: k.plural)]})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {},
            "items": [*items.values(), *extra]}


def registry_fingerprint() -> tuple[str, ...]:
    """Changes when kinds are registered: the cache key of documents derived from the registry."""
    return tuple(sorted(f"{k.api_version}/{k.kind}" for k in served_kinds()))
