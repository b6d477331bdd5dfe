"""What the scheduler reads from a Pod, parsed once per pod template (requests, affinity, tolerations...)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cluster_engine.sim.quantity import QuantityError, cpu_millis, memory_bytes
from cluster_engine.sim.scheduler.labels import (
    LabelSelector,
    NodeSelectorTerm,
    Requirement,
    label_selector,
    node_selector_term,
)
from cluster_engine.sim.taints import Toleration, tolerations_of

# Scoring counts a container without requests as asking this much (`schedutil.DefaultMilliCPURequest`).
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024
DEFAULT_SCHEDULER_NAME = "default-scheduler"


def _amount(resource: str, text: Any) -> int:
    try:
        return cpu_millis(text) if resource == "cpu" else memory_bytes(text)
    except QuantityError:
        return 0


def container_requests(container: Mapping[str, Any]) -> dict[str, int]:
    """Requests of one container; a resource with only a limit requests its limit, as API defaulting does."""
    resources = container.get("resources") or {}
    merged = dict(resources.get("limits") or {})
    merged.update(resources.get("requests") or {})
    return {name: _amount(name, value) for name, value in merged.items()}


def _add(total: dict[str, int], extra: Mapping[str, int]) -> None:
    for name, value in extra.items():
        total[name] = total.get(name, 0) + value


def _max_into(total: dict[str, int], other: Mapping[str, int]) -> None:
    for name, value in other.items():
        total[name] = max(total.get(name, 0), value)


def pod_requests(spec: Mapping[str, Any], *, non_zero: bool = False) -> dict[str, int]:
    """Effective requests (`resourcehelper.PodRequests`): sum of containers and sidecars, at least every init
    container's (plus the sidecars started before it), plus the pod overhead. With `non_zero`, cpu and memory
    absent from a container count as 100m and 200Mi (the scoring view)."""

    def requests(container: Mapping[str, Any]) -> dict[str, int]:
        req = container_requests(container)
        if non_zero:
            req.setdefault("cpu", DEFAULT_MILLI_CPU_REQUEST)
            req.setdefault("memory", DEFAULT_MEMORY_REQUEST)
            req = {k: v for k, v in req.items() if k in ("cpu", "memory")}
        return req

    total: dict[str, int] = {}
    for container in spec.get("containers") or []:
        _add(total, requests(container))
    sidecars: dict[str, int] = {}
    init_peak: dict[str, int] = {}
    for container in spec.get("initContainers") or []:
        req = requests(container)
        if container.get("restartPolicy") == "Always":
            _add(sidecars, req)
            _max_into(init_peak, sidecars)
        else:
            during = dict(sidecars)
            _add(during, req)
            _max_into(init_peak, during)
    _add(total, sidecars)
    _max_into(total, init_peak)
    if not non_zero:
        _add(total, {k: _amount(k, v) for k, v in (spec.get("overhead") or {}).items()})
    return total


def normalized_image(image: str) -> str:
    """`nginx` and `nginx:latest` name the same image (ImageLocality's `normalizedImageName`)."""
    last = image.rsplit("/", 1)[-1]
    if ":" in last or "@" in last:
        return image
    return image + ":latest"


@dataclass(frozen=True)
class AffinityTerm:
    """A `podAffinityTerm` resolved against the pod that declares it."""

    selector: LabelSelector
    namespaces: frozenset[str]
    namespace_selector: LabelSelector | None  # None: only `namespaces`; empty selector: every namespace
    topology_key: str
    weight: int = 1

    @property
    def key(self) -> str:
        ns_sel = self.namespace_selector.key if self.namespace_selector else "-"
        return f"{sorted(self.namespaces)}|{ns_sel}|{self.selector.key}"

    def matches_namespace(self, namespace: str, namespace_labels: Mapping[str, Mapping[str, str]]) -> bool:
        if namespace in self.namespaces:
            return True
        if self.namespace_selector is None:
            return False
        return self.namespace_selector.matches(namespace_labels.get(namespace, {}))

    def matches(self, pod: PodInfo, namespace_labels: Mapping[str, Mapping[str, str]]) -> bool:
        return self.matches_namespace(pod.namespace, namespace_labels) and self.selector.matches(pod.labels)


def affinity_term(raw: Mapping[str, Any], namespace: str, weight: int = 1) -> AffinityTerm:
    namespaces = frozenset(raw.get("namespaces") or [])
    ns_raw = raw.get("namespaceSelector")
    ns_selector = label_selector(ns_raw) if ns_raw is not None else None
    if not namespaces and ns_selector is None:
        namespaces = frozenset([namespace])
    return AffinityTerm(
        label_selector(raw.get("labelSelector")), namespaces, ns_selector, raw.get("topologyKey", ""), weight
    )


@dataclass(frozen=True)
class SpreadConstraint:
    max_skew: int
    topology_key: str
    when_unsatisfiable: str  # DoNotSchedule or ScheduleAnyway
    selector: LabelSelector
    min_domains: int
    node_affinity_policy: str  # Honor (default) or Ignore
    node_taints_policy: str  # Ignore (default) or Honor
    match_label_keys: tuple[str, ...]


@dataclass(frozen=True)
class PodTemplate:
    """Everything the plugins read from a pod spec; shared by all pods with the same spec and namespace."""

    signature: str
    namespace: str
    requests: Mapping[str, int]
    non_zero_cpu: int
    non_zero_memory: int
    host_ports: tuple[tuple[str, str, int], ...]
    node_selector: Mapping[str, str]
    required_node_terms: tuple[NodeSelectorTerm, ...] | None
    preferred_node_terms: tuple[tuple[int, NodeSelectorTerm], ...]
    tolerations: tuple[Toleration, ...]
    tolerations_key: str
    affinity_key: str
    required_affinity: tuple[AffinityTerm, ...]
    required_anti_affinity: tuple[AffinityTerm, ...]
    preferred_affinity: tuple[AffinityTerm, ...]
    preferred_anti_affinity: tuple[AffinityTerm, ...]
    spread_constraints: tuple[SpreadConstraint, ...]
    images: tuple[str, ...]
    container_count: int
    scheduler_name: str
    priority_class_name: str
    spec_priority: int | None
    preemption_policy: str | None

    @property
    def has_pod_affinity(self) -> bool:
        return bool(
            self.required_affinity
            or self.required_anti_affinity
            or self.preferred_affinity
            or self.preferred_anti_affinity
        )


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def build_template(spec: Mapping[str, Any], namespace: str, signature: str) -> PodTemplate:
    affinity = spec.get("affinity") or {}
    node_aff = affinity.get("nodeAffinity") or {}
    required_raw = node_aff.get("requiredDuringSchedulingIgnoredDuringExecution")
    required = (
        tuple(node_selector_term(t) for t in required_raw.get("nodeSelectorTerms") or [])
        if required_raw is not None
        else None
    )
    preferred = tuple(
        (int(p.get("weight", 0)), node_selector_term(p.get("preference") or {}))
        for p in node_aff.get("preferredDuringSchedulingIgnoredDuringExecution") or []
    )

    def terms(kind: str) -> tuple[tuple[AffinityTerm, ...], tuple[AffinityTerm, ...]]:
        section = affinity.get(kind) or {}
        req = tuple(
            affinity_term(t, namespace)
            for t in section.get("requiredDuringSchedulingIgnoredDuringExecution") or []
        )
        pref = tuple(
            affinity_term(w.get("podAffinityTerm") or {}, namespace, int(w.get("weight", 0)))
            for w in section.get("preferredDuringSchedulingIgnoredDuringExecution") or []
        )
        return req, pref

    req_aff, pref_aff = terms("podAffinity")
    req_anti, pref_anti = terms("podAntiAffinity")
    containers = list(spec.get("containers") or [])
    inits = list(spec.get("initContainers") or [])
    ports = tuple(
        (p.get("hostIP") or "0.0.0.0", p.get("protocol") or "TCP", int(p["hostPort"]))  # noqa: S104 - upstream default
        for c in containers + inits
        for p in c.get("ports") or []
        if p.get("hostPort")
    )
    constraints = tuple(
        SpreadConstraint(
            int(c.get("maxSkew", 1)),
            c.get("topologyKey", ""),
            c.get("whenUnsatisfiable", "DoNotSchedule"),
            label_selector(c.get("labelSelector")),
            int(c.get("minDomains") or 1),
            c.get("nodeAffinityPolicy") or "Honor",
            c.get("nodeTaintsPolicy") or "Ignore",
            tuple(c.get("matchLabelKeys") or []),
        )
        for c in spec.get("topologySpreadConstraints") or []
    )
    non_zero = pod_requests(spec, non_zero=True)
    return PodTemplate(
        signature=signature,
        namespace=namespace,
        requests=pod_requests(spec),
        non_zero_cpu=non_zero.get("cpu", 0),
        non_zero_memory=non_zero.get("memory", 0),
        host_ports=ports,
        node_selector=dict(spec.get("nodeSelector") or {}),
        required_node_terms=required,
        preferred_node_terms=preferred,
        tolerations=tolerations_of(spec),
        tolerations_key=_canonical(spec.get("tolerations") or []),
        affinity_key=_canonical([spec.get("nodeSelector") or {}, node_aff]),
        required_affinity=req_aff,
        required_anti_affinity=req_anti,
        preferred_affinity=pref_aff,
        preferred_anti_affinity=pref_anti,
        spread_constraints=constraints,
        images=tuple(normalized_image(c["image"]) for c in inits + containers if c.get("image")),
        container_count=len(containers) + len(inits),
        scheduler_name=spec.get("schedulerName") or DEFAULT_SCHEDULER_NAME,
        priority_class_name=spec.get("priorityClassName") or "",
        spec_priority=spec.get("priority"),
        preemption_policy=spec.get("preemptionPolicy"),
    )


@dataclass
class PodInfo:
    """One pod as the scheduler tracks it (template shared, identity and labels its own)."""

    namespace: str
    name: str
    uid: str
    labels: Mapping[str, str]
    template: PodTemplate
    priority: int = 0
    preemption_policy: str = "PreemptLowerPriority"
    node_name: str = ""
    terminal: bool = False
    deleting: bool = False
    start_time: str = ""
    nominated_node: str = ""
    spread_selectors: tuple[LabelSelector, ...] = field(default=())
    claims: tuple[str, ...] = ()  # the PersistentVolumeClaims its volumes name

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


class TemplateCache:
    """Pod templates by signature, so a ReplicaSet's thousand pods are parsed once."""

    def __init__(self) -> None:
        self._templates: dict[str, PodTemplate] = {}

    def template_for(self, spec: Mapping[str, Any], namespace: str) -> PodTemplate:
        signature = template_signature(spec, namespace)
        template = self._templates.get(signature)
        if template is None:
            if len(self._templates) >= _MAX_TEMPLATES:
                self._templates.clear()
            template = self._templates[signature] = build_template(spec, namespace, signature)
        return template


_MAX_TEMPLATES = 4096
# Fields that differ between pods of one template without changing how they are scheduled: names, and the
# volumes (each pod's service account token volume has a random name; a StatefulSet pod has its own claims).
_PER_POD_FIELDS = frozenset({"nodeName", "hostname", "subdomain", "volumes"})
_PER_POD_CONTAINER_FIELDS = frozenset({"volumeMounts"})


def template_signature(spec: Mapping[str, Any], namespace: str) -> str:
    """The key pods of one template share: the spec without its per-pod fields. Volumes and volume mounts
    cannot change on an existing pod, so leaving them out never hides an update of a pod's own spec."""
    shared = {k: v for k, v in spec.items() if k not in _PER_POD_FIELDS}
    for field_name in ("containers", "initContainers"):
        if shared.get(field_name):
            shared[field_name] = [
                {k: v for k, v in container.items() if k not in _PER_POD_CONTAINER_FIELDS}
                for container in shared[field_name]
            ]
    return namespace + "|" + _canonical(shared)


def spread_selectors(template: PodTemplate, labels: Mapping[str, str]) -> tuple[LabelSelector, ...]:
    """Each constraint's selector with its `matchLabelKeys` bound to this pod's label values."""
    out = []
    for c in template.spread_constraints:
        extra = tuple(Requirement(k, "In", frozenset([labels[k]])) for k in c.match_label_keys if k in labels)
        if extra:
            out.append(
                LabelSelector(
                    c.selector.requirements + extra,
                    c.selector.key + _canonical([[r.key, sorted(r.values)] for r in extra]),
                )
            )
        else:
            out.append(c.selector)
    return tuple(out)
