"""The `apps/v1` kinds: registration, defaulting (`pkg/apis/apps/v1/defaults.go`) and validation
(`pkg/apis/apps/validation`) of Deployment, ReplicaSet and DaemonSet. One `register` entry per kind;
StatefulSet registers here in the same way."""

from __future__ import annotations

import json
from typing import Any

from cluster_engine.sim.defaults import default_pod
from cluster_engine.sim.errors import Cause
from cluster_engine.sim.objects import Kind, register
from cluster_engine.sim.selectors import selector_from_object
from cluster_engine.sim.validation import (
    dns1123_subdomain,
    forbidden,
    invalid,
    not_supported,
    required,
    validate_labels,
    validate_metadata,
    validate_metadata_update,
    validate_pod,
)

DEFAULT_REVISION_HISTORY_LIMIT = 10
DEFAULT_PROGRESS_DEADLINE_SECONDS = 600
DEPLOYMENT_STRATEGIES = ["Recreate", "RollingUpdate"]
DAEMONSET_STRATEGIES = ["OnDelete", "RollingUpdate"]
TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation"


# --- defaulting --------------------------------------------------------------------------------------
def default_pod_template(template: dict[str, Any]) -> None:
    """SetDefaults_PodSpec and the container defaults on a pod template, in place.

    Unlike a Pod, a template gets neither `enableServiceLinks` nor requests copied from limits (those
    are SetDefaults_Pod, which only runs on pods), so `kubectl get deploy -o yaml` shows what upstream shows.
    """
    spec = template.setdefault("spec", {})
    had_links = "enableServiceLinks" in spec
    resources = [c.get("resources") for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])]
    default_pod(template)
    if not had_links:
        spec.pop("enableServiceLinks", None)
    for container, original in zip(
        (spec.get("containers") or []) + (spec.get("initContainers") or []), resources, strict=True
    ):
        container["resources"] = original if original is not None else {}


def default_deployment(obj: dict[str, Any]) -> None:
    """SetDefaults_Deployment: replicas 1, RollingUpdate 25 %/25 %, revisionHistoryLimit 10,
    progressDeadlineSeconds 600, and the pod template defaults."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", DEFAULT_REVISION_HISTORY_LIMIT)
    spec.setdefault("progressDeadlineSeconds", DEFAULT_PROGRESS_DEADLINE_SECONDS)
    default_pod_template(spec.setdefault("template", {}))


def default_replicaset(obj: dict[str, Any]) -> None:
    """SetDefaults_ReplicaSet: replicas 1, and the pod template defaults."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    default_pod_template(spec.setdefault("template", {}))


def default_daemonset(obj: dict[str, Any]) -> None:
    """SetDefaults_DaemonSet: RollingUpdate with maxUnavailable 1 and maxSurge 0, revisionHistoryLimit
    10, and the pod template defaults."""
    spec = obj.setdefault("spec", {})
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", DEFAULT_REVISION_HISTORY_LIMIT)
    default_pod_template(spec.setdefault("template", {}))


def daemonset_strategy(obj: dict[str, Any], old: dict[str, Any] | None) -> None:
    """The DaemonSet registry strategy: `deprecated.daemonset.template.generation` is 1 on create and
    grows by one whenever the template changes (the daemonset controller labels pods with it)."""
    annotations = obj["metadata"].setdefault("annotations", {})
    if old is None:
        annotations.setdefault(TEMPLATE_GENERATION_ANNOTATION, "1")
        return
    previous = (old["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION, "1")
    changed = (obj.get("spec") or {}).get("template") != (old.get("spec") or {}).get("template")
    annotations[TEMPLATE_GENERATION_ANNOTATION] = str(int(previous) + 1) if changed else previous


# --- validation --------------------------------------------------------------------------------------
def go_label_selector(selector: dict[str, Any] | None) -> str:
    """A LabelSelector as Go's `%#v` prints it inside field errors."""
    if selector is None:
        return "nil"
    labels = selector.get("matchLabels")
    match = (
        "map[string]string{" + ", ".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(labels.items())) + "}"
        if labels
        else "map[string]string(nil)"
    )
    expressions = selector.get("matchExpressions")
    exprs = (
        "[]v1.LabelSelectorRequirement{"
        + ", ".join(
            f"v1.LabelSelectorRequirement{{Key:{json.dumps(e.get('key', ''))}, "
            f"Operator:{json.dumps(e.get('operator', ''))}, "
            f"Values:[]string{{{', '.join(json.dumps(v) for v in e.get('values') or [])}}}}}"
            for e in expressions
        )
        + "}"
        if expressions
        else "[]v1.LabelSelectorRequirement(nil)"
    )
    return f"&v1.LabelSelector{{MatchLabels:{match}, MatchExpressions:{exprs}}}"


def _go_map(labels: dict[str, Any] | None) -> str:
    if not labels:
        return "map[string]string(nil)"
    return "map[string]string{" + ", ".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(labels.items())) + "}"


class _Raw:
    """A value already formatted as the Go message prints it."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


def validate_label_selector(selector: dict[str, Any] | None, path: str) -> list[Cause]:
    """ValidateLabelSelector (apimachinery `metav1validation`): label keys and values of `matchLabels`, and
    each `matchExpressions` requirement's operator and values. Every kind with a LabelSelector uses it."""
    if not selector:
        return []
    causes = validate_labels(selector.get("matchLabels"), f"{path}.matchLabels")
    for index, expression in enumerate(selector.get("matchExpressions") or []):
        where = f"{path}.matchExpressions[{index}]"
        operator = expression.get("operator", "")
        values = expression.get("values") or []
        if operator in ("In", "NotIn") and not values:
            causes.append(required(f"{where}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif operator in ("Exists", "DoesNotExist") and values:
            causes.append(
                forbidden(f"{where}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
            )
        elif operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            causes.append(invalid(f"{where}.operator", operator, "not a valid selector operator"))
    return causes


def _validate_selector_and_template(
    spec: dict[str, Any],
    *,
    namespace: str,
    workload: str,
    allow_any_restart: bool = False,
    pod_spec_checked: bool = True,
) -> list[Cause]:
    """ValidateLabelSelector, the selector-matches-template rule and the template's pod spec. Without
    `pod_spec_checked` (a StatefulSet: `ValidatePodTemplateSpecForStatefulSet`) only the template's labels are
    validated, as upstream, whose pod spec check there is left out because volume mounts may name the set's
    volumeClaimTemplates; a pod the controller then cannot create is its `FailedCreate` event."""
    causes: list[Cause] = []
    selector = spec.get("selector")
    template = spec.get("template") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    if selector is None:
        causes.append(required("spec.selector"))
    else:
        causes += validate_label_selector(selector, "spec.selector")
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            causes.append(
                invalid("spec.selector", _Raw(go_label_selector(selector)), f"empty selector is invalid for {workload}")
            )
        elif not causes and not selector_from_object(selector).matches(labels):
            causes.append(
                invalid(
                    "spec.template.metadata.labels",
                    _Raw(_go_map(labels)),
                    "`selector` does not match template `labels`",
                )
            )
    pod_spec = template.get("spec") or {}
    shell = {"metadata": {"name": "template", "namespace": namespace or "default", "labels": labels}, "spec": pod_spec}
    for cause in validate_pod(shell, None):
        if cause.field.startswith("metadata.labels") or (pod_spec_checked and cause.field.startswith("spec")):
            causes.append(Cause(cause.reason, cause.message, "spec.template." + cause.field))
    policy = pod_spec.get("restartPolicy", "Always")
    if not allow_any_restart and policy != "Always":
        causes.append(not_supported("spec.template.spec.restartPolicy", policy, ["Always"]))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        causes.append(
            forbidden(
                "spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in ReplicaSet is not Supported"
            )
        )
    return causes


def _non_negative(spec: dict[str, Any], key: str) -> list[Cause]:
    value = spec.get(key)
    if isinstance(value, int) and value < 0:
        return [invalid(f"spec.{key}", value, "must be greater than or equal to 0")]
    return []


def _int_or_percent(value: Any, path: str) -> tuple[list[Cause], int | None, bool]:
    """(causes, number, is_percent) of an IntOrString field (ValidatePositiveIntOrPercent, IsNotMoreThan100Percent)."""
    if isinstance(value, int):
        if value < 0:
            return [invalid(path, value, "must be greater than or equal to 0")], value, False
        return [], value, False
    text = str(value)
    if not text.endswith("%") or not text[:-1].isdigit():
        return (
            [
                invalid(
                    path,
                    value,
                    "a valid percent string must be a numeric string followed by an ending '%' "
                    "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                )
            ],
            None,
            True,
        )
    number = int(text[:-1])
    if number > 100:
        return [invalid(path, value, "must not be greater than 100%")], number, True
    return [], number, True


def _validate_selector_update(spec: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    if old is None:
        return []
    old_selector = (old.get("spec") or {}).get("selector")
    if spec.get("selector") != old_selector:
        return [invalid("spec.selector", _Raw(go_label_selector(spec.get("selector"))), "field is immutable")]
    return []


def validate_deployment(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateDeployment / ValidateDeploymentUpdate."""
    causes = validate_metadata(obj, dns1123_subdomain, True)
    spec = obj.get("spec") or {}
    causes += _non_negative(spec, "replicas")
    causes += _non_negative(spec, "minReadySeconds")
    causes += _non_negative(spec, "revisionHistoryLimit")
    causes += _validate_selector_and_template(
        spec, namespace=obj["metadata"].get("namespace", ""), workload="deployment"
    )
    strategy = spec.get("strategy") or {}
    kind = strategy.get("type", "RollingUpdate")
    if kind not in DEPLOYMENT_STRATEGIES:
        causes.append(not_supported("spec.strategy.type", kind, DEPLOYMENT_STRATEGIES))
    elif kind == "Recreate" and strategy.get("rollingUpdate") is not None:
        causes.append(
            forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")
        )
    elif kind == "RollingUpdate":
        rolling = strategy.get("rollingUpdate") or {}
        surge_causes, surge, _ = _int_or_percent(rolling.get("maxSurge", "25%"), "spec.strategy.rollingUpdate.maxSurge")
        unavailable_causes, unavailable, _ = _int_or_percent(
            rolling.get("maxUnavailable", "25%"), "spec.strategy.rollingUpdate.maxUnavailable"
        )
        causes += surge_causes + unavailable_causes
        if not surge_causes and not unavailable_causes and surge == 0 and unavailable == 0:
            causes.append(
                invalid(
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    rolling.get("maxUnavailable", 0),
                    "may not be 0 when `maxSurge` is 0",
                )
            )
    deadline = spec.get("progressDeadlineSeconds")
    if isinstance(deadline, int):
        if deadline < 0:
            causes.append(invalid("spec.progressDeadlineSeconds", deadline, "must be greater than or equal to 0"))
        elif deadline <= spec.get("minReadySeconds", 0):
            causes.append(invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"))
    if old is not None:
        causes += validate_metadata_update(obj, old)
        causes += _validate_selector_update(spec, old)
    return causes


def validate_replicaset(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateReplicaSet / ValidateReplicaSetUpdate."""
    causes = validate_metadata(obj, dns1123_subdomain, True)
    spec = obj.get("spec") or {}
    causes += _non_negative(spec, "replicas")
    causes += _non_negative(spec, "minReadySeconds")
    causes += _validate_selector_and_template(
        spec, namespace=obj["metadata"].get("namespace", ""), workload="replicaset"
    )
    if old is not None:
        causes += validate_metadata_update(obj, old)
        causes += _validate_selector_update(spec, old)
    return causes


def validate_daemonset(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateDaemonSet / ValidateDaemonSetUpdate."""
    causes = validate_metadata(obj, dns1123_subdomain, True)
    spec = obj.get("spec") or {}
    causes += _non_negative(spec, "minReadySeconds")
    causes += _non_negative(spec, "revisionHistoryLimit")
    causes += _validate_selector_and_template(
        spec, namespace=obj["metadata"].get("namespace", ""), workload="daemonset"
    )
    strategy = spec.get("updateStrategy") or {}
    kind = strategy.get("type", "RollingUpdate")
    if kind not in DAEMONSET_STRATEGIES:
        causes.append(not_supported("spec.updateStrategy.type", kind, DAEMONSET_STRATEGIES))
    elif kind == "RollingUpdate":
        rolling = strategy.get("rollingUpdate") or {}
        surge_causes, surge, _ = _int_or_percent(
            rolling.get("maxSurge", 0), "spec.updateStrategy.rollingUpdate.maxSurge"
        )
        unavailable_causes, unavailable, _ = _int_or_percent(
            rolling.get("maxUnavailable", 1), "spec.updateStrategy.rollingUpdate.maxUnavailable"
        )
        causes += surge_causes + unavailable_causes
        if not surge_causes and not unavailable_causes and surge == 0 and unavailable == 0:
            causes.append(
                invalid(
                    "spec.updateStrategy.rollingUpdate.maxUnavailable",
                    rolling.get("maxUnavailable", 0),
                    "may not be 0 when `maxSurge` is 0",
                )
            )
    if old is not None:
        causes += validate_metadata_update(obj, old)
        causes += _validate_selector_update(spec, old)
    return causes


# --- registration: one entry per kind ----------------------------------------------------------------
DEPLOYMENT = register(
    Kind(
        "Deployment",
        "deployments",
        "deployment",
        group="apps",
        short_names=("deploy",),
        categories=("all",),
        validate=validate_deployment,
        default=default_deployment,
        tracks_generation=True,
    )
)
REPLICASET = register(
    Kind(
        "ReplicaSet",
        "replicasets",
        "replicaset",
        group="apps",
        short_names=("rs",),
        categories=("all",),
        validate=validate_replicaset,
        default=default_replicaset,
        tracks_generation=True,
    )
)
DAEMONSET = register(
    Kind(
        "DaemonSet",
        "daemonsets",
        "daemonset",
        group="apps",
        short_names=("ds",),
        categories=("all",),
        validate=validate_daemonset,
        strategy=daemonset_strategy,
        default=default_daemonset,
        tracks_generation=True,
    )
)


def validate_controller_revision(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateControllerRevision / ValidateControllerRevisionUpdate: a DNS subdomain name, `data`
    present and immutable, `revision` not negative."""
    causes = validate_metadata(obj, dns1123_subdomain, True)
    if obj.get("data") is None:
        causes.append(required("data", "data is mandatory"))
    revision = obj.get("revision", 0)
    if isinstance(revision, int) and revision < 0:
        causes.append(invalid("revision", revision, "must be greater than or equal to 0"))
    if old is not None:
        causes = validate_metadata_update(obj, old) + causes
        if obj.get("data") != old.get("data"):
            causes.append(
                invalid("data", _Raw(json.dumps(obj.get("data"), separators=(",", ":"))), "field is immutable")
            )
    return causes


# Written by the DaemonSet and StatefulSet controllers (`controllers/history.py`): an immutable snapshot
# of a workload's pod template, kept for rollbacks; not in the `all` category, no short name, no status.
CONTROLLER_REVISION = register(
    Kind(
        "ControllerRevision",
        "controllerrevisions",
        "controllerrevision",
        group="apps",
        validate=validate_controller_revision,
        has_status=False,
    )
)
