"""The check vocabulary: what an exercise's YAML may ask of a sandbox (documented in docs/lessons.md).

Each check names one type (`object`, `pods`, `service`, `trace`, `command`, `component`, `http`, `event`)
with its parameters. A type validates its parameters when lessons load, names the kinds whose changes can
change its result (live checks re-evaluate only those), and evaluates to an `Outcome` against a `Reading`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cluster_engine import engine
from lessons.grader.messages import render, word
from lessons.grader.reading import Change, Reading

EVERY_CHANGE = "*"  # a check whose result may move with any change (command history, components)
COMPARISONS = ("equals", "one_of", "matches", "contains", "exists", "absent", "at_least", "at_most")
COUNTS = ("count", "at_least", "at_most")


@dataclass
class Outcome:
    passed: bool
    message: dict[str, str] = field(default_factory=dict)  # empty when passed


def passed() -> Outcome:
    return Outcome(True)


def failed(key: str, **values: Any) -> Outcome:
    return Outcome(False, render(key, values))


class CheckSpecError(ValueError):
    """A check's parameters are malformed; `path` names the offending key."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path


# ------------------------------------------------------------------ shared helpers

def _kind(spec: dict[str, Any], path: str) -> str:
    raw = spec.get("kind")
    if not isinstance(raw, str) or not raw:
        raise CheckSpecError(f"{path}.kind", "a kind is required (Deployment, Pod, Service, ...)")
    kind = engine.canonical_kind(raw)
    if kind is None:
        raise CheckSpecError(f"{path}.kind", f"unknown kind {raw!r}")
    return kind


def _selector(value: Any, path: str) -> str:
    if isinstance(value, dict):
        value = ",".join(f"{key}={val}" for key, val in value.items())
    if not isinstance(value, str) or not value:
        raise CheckSpecError(path, "a label selector is text such as 'app=web' or a mapping of labels")
    try:
        engine.check_label_selector(value)
    except ValueError as error:
        raise CheckSpecError(path, str(error)) from error
    return value


def _show(value: Any) -> str:
    """A value as the learner reads it in a message."""
    if isinstance(value, str):
        return value if value else '""'
    if isinstance(value, list) and len(value) == 1:
        return _show(value[0])
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _same(found: Any, expected: Any) -> bool:
    """Equality as a learner means it: 3 == "3", true == "true", "100m" == "0.1" for quantities."""
    if found == expected:
        return True
    if isinstance(found, (dict, list)) or isinstance(expected, (dict, list)):
        return False
    if str(found).lower() == str(expected).lower() and isinstance(found, bool) == isinstance(expected, bool):
        return True
    try:
        return engine.quantity(found) == engine.quantity(expected)
    except (ValueError, TypeError):
        return False


def _number(value: Any) -> float | None:
    try:
        return engine.quantity(value)
    except (ValueError, TypeError):
        return None


def _owned_by(obj: dict[str, Any], owner_uid: str) -> bool:
    return any(ref.get("uid") == owner_uid for ref in obj["metadata"].get("ownerReferences") or ())


def _pods_of_owner(reading: Reading, kind: str, namespace: str, name: str) -> list[dict[str, Any]] | None:
    """The pods of a workload (a Deployment's through its ReplicaSets); None when the workload does not exist."""
    owner = reading.get(kind, namespace, name)
    if owner is None:
        return None
    uids = {owner["metadata"].get("uid")}
    if kind == "Deployment":
        uids = {rs["metadata"].get("uid") for rs in reading.objects("ReplicaSet", namespace)
                if _owned_by(rs, owner["metadata"].get("uid", ""))}
    if kind == "CronJob":
        uids = {job["metadata"].get("uid") for job in reading.objects("Job", namespace)
                if _owned_by(job, owner["metadata"].get("uid", ""))}
    return [pod for pod in reading.objects("Pod", namespace)
            if any(ref.get("uid") in uids for ref in pod["metadata"].get("ownerReferences") or ())]


def _template_labels(reading: Reading, kind: str, namespace: str, name: str) -> dict[str, str] | None:
    owner = reading.get(kind, namespace, name)
    if owner is None:
        return None
    return ((owner.get("spec") or {}).get("template") or {}).get("metadata", {}).get("labels") or {}


def _compare(spec: dict[str, Any], values: list[Any], *, what: Any, path_text: str) -> Outcome:
    """Apply the one comparison `spec` names to the values a JSONPath selected."""
    shown = _show(values) if values else {"en": "not set", "ru": "не задано"}
    present = [value for value in values if value is not None]
    if "exists" in spec:
        if bool(present) == bool(spec["exists"]):
            return passed()
        key = "value.exists" if spec["exists"] else "value.absent"
        return failed(key, what=what, path=path_text, found=shown)
    if "absent" in spec:
        if not present:
            return passed()
        return failed("value.absent", what=what, path=path_text, found=shown)
    if not present:
        return failed("value.missing", what=what, path=path_text, expected=_expected_text(spec))
    if "equals" in spec:
        expected = spec["equals"]
        ok = bool(present) and all(_same(value, expected) for value in present) if not isinstance(expected, list) \
            else _same(present, expected)
        return passed() if ok else failed("value.equals", what=what, path=path_text, found=shown,
                                          expected=_show(expected))
    if "one_of" in spec:
        options = spec["one_of"]
        ok = bool(present) and all(any(_same(value, option) for option in options) for value in present)
        return passed() if ok else failed("value.one_of", what=what, path=path_text, found=shown,
                                          expected=", ".join(_show(option) for option in options))
    if "matches" in spec:
        pattern = re.compile(str(spec["matches"]))
        ok = bool(present) and all(pattern.search(str(value)) for value in present)
        return passed() if ok else failed("value.matches", what=what, path=path_text, found=shown,
                                          expected=f"/{spec['matches']}/")
    if "contains" in spec:
        expected = spec["contains"]
        flat = [item for value in present for item in (value if isinstance(value, list) else [value])]
        ok = any(_same(item, expected) for item in flat)
        return passed() if ok else failed("value.contains", what=what, path=path_text, found=shown,
                                          expected=_show(expected))
    for key in ("at_least", "at_most"):
        if key in spec:
            numbers = [_number(value) for value in present]
            limit = _number(spec[key])
            ok = bool(numbers) and None not in numbers and limit is not None and all(
                (number >= limit) if key == "at_least" else (number <= limit) for number in numbers)  # type: ignore[operator]
            return passed() if ok else failed(f"value.{key}", what=what, path=path_text, found=shown,
                                              expected=_show(spec[key]))
    return passed()


def _expected_text(spec: dict[str, Any]) -> Any:
    """What a comparison asks for, as the learner reads it."""
    if "equals" in spec:
        return _show(spec["equals"])
    if "one_of" in spec:
        return {"en": "one of " + ", ".join(map(_show, spec["one_of"])),
                "ru": "одно из: " + ", ".join(map(_show, spec["one_of"]))}
    if "matches" in spec:
        return {"en": f"a value matching /{spec['matches']}/", "ru": f"значение по шаблону /{spec['matches']}/"}
    if "contains" in spec:
        return {"en": f"a list with {_show(spec['contains'])}", "ru": f"список, где есть {_show(spec['contains'])}"}
    if "at_least" in spec:
        return {"en": f"at least {_show(spec['at_least'])}", "ru": f"не меньше {_show(spec['at_least'])}"}
    return {"en": f"at most {_show(spec['at_most'])}", "ru": f"не больше {_show(spec['at_most'])}"}


def _validate_comparison(spec: dict[str, Any], path: str, *, required: bool) -> None:
    named = [key for key in COMPARISONS if key in spec]
    if len(named) > 1:
        raise CheckSpecError(path, f"name one comparison, not {', '.join(named)}")
    if required and not named:
        raise CheckSpecError(path, f"a path needs a comparison: one of {', '.join(COMPARISONS)}")
    if "one_of" in spec and not isinstance(spec["one_of"], list):
        raise CheckSpecError(f"{path}.one_of", "a list of values")
    if "matches" in spec:
        try:
            re.compile(str(spec["matches"]))
        except re.error as error:
            raise CheckSpecError(f"{path}.matches", f"not a regular expression: {error}") from error
    for key in ("at_least", "at_most"):
        if key in spec and _number(spec[key]) is None:
            raise CheckSpecError(f"{path}.{key}", "a number or a quantity (3, 100m, 1Gi)")


def _check_keys(spec: Any, path: str, allowed: Iterable[str]) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise CheckSpecError(path, "a mapping of parameters")
    unknown = sorted(set(spec) - set(allowed))
    if unknown:
        raise CheckSpecError(f"{path}.{unknown[0]}", f"unknown parameter; expected one of {', '.join(sorted(allowed))}")
    return spec


def _what(kind: str, name: str) -> str:
    return f"{kind} {name}"


# ------------------------------------------------------------------ the types

@dataclass(frozen=True)
class CheckType:
    name: str
    parameters: tuple[str, ...]
    validate: Callable[[dict[str, Any], str], None]
    kinds: Callable[[dict[str, Any]], set[str]]
    evaluate: Callable[[dict[str, Any], Reading], Outcome]


def _object_validate(spec: dict[str, Any], path: str) -> None:
    _kind(spec, path)
    if "name" in spec and "selector" in spec:
        raise CheckSpecError(path, "name or selector, not both")
    if "name" not in spec and "selector" not in spec:
        raise CheckSpecError(path, "name the object (name: web) or select them (selector: app=web)")
    if "selector" in spec:
        _selector(spec["selector"], f"{path}.selector")
        if not any(key in spec for key in COUNTS) and "path" not in spec:
            raise CheckSpecError(path, "with a selector, say how many: count, at_least or at_most (or a path)")
    if "path" in spec:
        try:
            engine.jsonpath_values(str(spec["path"]), {})
        except ValueError as error:
            raise CheckSpecError(f"{path}.path", f"not a JSONPath: {error}") from error
        _validate_comparison(spec, path, required=True)


def _object_evaluate(spec: dict[str, Any], reading: Reading) -> Outcome:
    kind = engine.canonical_kind(spec["kind"]) or spec["kind"]
    namespaced = engine.kind_is_namespaced(kind)
    namespace = spec.get("namespace", "default") if namespaced else ""
    if "name" in spec:
        obj = reading.get(kind, namespace, spec["name"])
        if obj is None:
            key = "object.missing" if namespaced else "object.missing_cluster"
            return failed(key, kind=kind, name=spec["name"], namespace=namespace)
        if "path" not in spec:
            return passed()
        values = engine.jsonpath_values(str(spec["path"]), obj)
        return _compare(spec, values, what=_what(kind, spec["name"]), path_text=str(spec["path"]))
    selector = _selector(spec["selector"], "selector")
    selected = [obj for obj in reading.objects(kind, namespace if namespaced else None)
                if engine.label_selector_matches(selector, obj["metadata"].get("labels") or {})]
    which = {language: word("labelled", language, selector=selector) for language in ("en", "ru")}
    count_spec = {key: spec[key] for key in COUNTS if key in spec}
    if count_spec:
        outcome = _count(count_spec, len(selected))
        if not outcome:
            expected = _count_text(count_spec)
            return failed("object.count", kind=kind, which=which, namespace=namespace or "-", expected=expected,
                          found=len(selected))
    if "path" in spec:
        if not selected:
            return failed("object.count", kind=kind, which=which, namespace=namespace or "-",
                          expected={"en": "some", "ru": "хотя бы один"}, found=0)
        for obj in selected:
            result = _compare(spec, engine.jsonpath_values(str(spec["path"]), obj),
                              what=_what(kind, obj["metadata"]["name"]), path_text=str(spec["path"]))
            if not result.passed:
                return result
    return passed()


def _count(spec: dict[str, Any], found: int) -> bool:
    if "count" in spec and found != int(spec["count"]):
        return False
    if "at_least" in spec and found < int(spec["at_least"]):
        return False
    return not ("at_most" in spec and found > int(spec["at_most"]))


def _count_text(spec: dict[str, Any]) -> dict[str, str] | int:
    if "count" in spec:
        return int(spec["count"])
    if "at_least" in spec and "at_most" in spec:
        return {"en": f"{spec['at_least']} to {spec['at_most']}", "ru": f"от {spec['at_least']} до {spec['at_most']}"}
    if "at_least" in spec:
        return {"en": f"at least {spec['at_least']}", "ru": f"не меньше {spec['at_least']}"}
    return {"en": f"at most {spec['at_most']}", "ru": f"не больше {spec['at_most']}"}


OBJECT = CheckType(
    "object", ("kind", "name", "namespace", "selector", "path", "count", *COMPARISONS),
    _object_validate,
    lambda spec: {engine.canonical_kind(spec["kind"]) or spec["kind"]},
    _object_evaluate,
)


# --- pods

def _pods_validate(spec: dict[str, Any], path: str) -> None:
    sources = [key for key in ("selector", "owner", "name") if key in spec]
    if len(sources) != 1:
        raise CheckSpecError(path, "choose the pods with exactly one of selector, owner or name")
    if "selector" in spec:
        _selector(spec["selector"], f"{path}.selector")
    if "owner" in spec:
        owner = _check_keys(spec["owner"], f"{path}.owner", ("kind", "name"))
        _kind(owner, f"{path}.owner")
        if not isinstance(owner.get("name"), str):
            raise CheckSpecError(f"{path}.owner.name", "the workload's name")
    if "on_nodes" in spec:
        _selector(spec["on_nodes"], f"{path}.on_nodes")
    if "phase" in spec and spec["phase"] not in ("Pending", "Running", "Succeeded", "Failed", "Unknown"):
        raise CheckSpecError(f"{path}.phase", "one of Pending, Running, Succeeded, Failed, Unknown")
    for key in (*COUNTS, "max_restarts", "min_restarts"):
        if key in spec and (not isinstance(spec[key], int) or spec[key] < 0):
            raise CheckSpecError(f"{path}.{key}", "a whole number, 0 or more")


def _pod_ready(pod: dict[str, Any]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or ())


def _restarts(pod: dict[str, Any]) -> int:
    return sum(int(c.get("restartCount", 0)) for c in (pod.get("status") or {}).get("containerStatuses") or ())


def _pods_evaluate(spec: dict[str, Any], reading: Reading) -> Outcome:
    namespace = spec.get("namespace", "default")
    if "selector" in spec:
        pods = [pod for pod in reading.objects("Pod", namespace)
                if engine.label_selector_matches(spec["selector"], pod["metadata"].get("labels") or {})]
        which = {language: word("labelled", language, selector=spec["selector"]) for language in ("en", "ru")}
    elif "owner" in spec:
        kind = engine.canonical_kind(spec["owner"]["kind"]) or spec["owner"]["kind"]
        which = {language: word("owned", language, kind=kind, name=spec["owner"]["name"]) for language in ("en", "ru")}
        owned = _pods_of_owner(reading, kind, namespace, spec["owner"]["name"])
        if owned is None:
            return failed("object.missing", kind=kind, name=spec["owner"]["name"], namespace=namespace)
        pods = owned
    else:
        pods = [pod for pod in (reading.get("Pod", namespace, spec["name"]),) if pod is not None]
        which = {language: word("named", language, name=spec["name"]) for language in ("en", "ru")}
    pods = [pod for pod in pods if not pod["metadata"].get("deletionTimestamp")]
    state_text: dict[str, str] = {"en": "", "ru": ""}
    if "phase" in spec:
        pods = [pod for pod in pods if (pod.get("status") or {}).get("phase") == spec["phase"]]
        state_text = {language: word("phase", language, phase=spec["phase"]) for language in ("en", "ru")}
    if "ready" in spec:
        pods = [pod for pod in pods if _pod_ready(pod) == bool(spec["ready"])]
        state_text = {language: state_text[language] + word("ready" if spec["ready"] else "not ready", language)
                      for language in ("en", "ru")}
    count_spec = {key: spec[key] for key in COUNTS if key in spec}
    if count_spec and not _count(count_spec, len(pods)):
        return failed("pods.count", which=which, state=state_text, expected=_count_text(count_spec), found=len(pods))
    if not count_spec and not pods:
        return failed("pods.none", which=which)
    if spec.get("distinct_nodes"):
        nodes = [pod["spec"].get("nodeName") or "" for pod in pods]
        shared = sorted({node for node in nodes if node and nodes.count(node) > 1})
        if shared or "" in nodes:
            return failed("pods.shared_nodes", which=which, found=", ".join(shared) or "-")
    if "on_nodes" in spec:
        wrong = []
        for pod in pods:
            node = reading.get("Node", "", pod["spec"].get("nodeName") or "")
            labels = node["metadata"].get("labels") or {} if node is not None else {}
            if node is None or not engine.label_selector_matches(spec["on_nodes"], labels):
                wrong.append(f"{pod['metadata']['name']} → {pod['spec'].get('nodeName') or '?'}")
        if wrong:
            return failed("pods.wrong_nodes", which=which, expected=spec["on_nodes"], found=", ".join(wrong))
    restarts = sum(_restarts(pod) for pod in pods)
    if "max_restarts" in spec and restarts > spec["max_restarts"]:
        return failed("pods.restarts", which=which, found=restarts, expected=spec["max_restarts"])
    if "min_restarts" in spec and restarts < spec["min_restarts"]:
        return failed("pods.restarts_too_few", which=which, found=restarts, expected=spec["min_restarts"])
    return passed()


def _pods_kinds(spec: dict[str, Any]) -> set[str]:
    kinds = {"Pod"}
    if "owner" in spec:
        kinds |= {engine.canonical_kind(spec["owner"]["kind"]) or spec["owner"]["kind"], "ReplicaSet", "Job"}
    if "on_nodes" in spec:
        kinds.add("Node")
    return kinds


PODS = CheckType(
    "pods", ("selector", "owner", "name", "namespace", "phase", "ready", *COUNTS, "distinct_nodes", "on_nodes",
             "max_restarts", "min_restarts"),
    _pods_validate, _pods_kinds, _pods_evaluate,
)


# --- services

def _service_validate(spec: dict[str, Any], path: str) -> None:
    if not isinstance(spec.get("name"), str):
        raise CheckSpecError(f"{path}.name", "the Service's name")
    if "selects" in spec:
        target = _check_keys(spec["selects"], f"{path}.selects", ("kind", "name"))
        _kind(target, f"{path}.selects")
    if "endpoints" in spec and not isinstance(spec["endpoints"], (int, dict)):
        raise CheckSpecError(f"{path}.endpoints", "a number, or {at_least: n} / {at_most: n}")


def _ready_endpoints(reading: Reading, namespace: str, name: str) -> list[dict[str, Any]]:
    endpoints = []
    for slice_ in reading.objects("EndpointSlice", namespace):
        if (slice_["metadata"].get("labels") or {}).get("kubernetes.io/service-name") != name:
            continue
        endpoints += [endpoint for endpoint in slice_.get("endpoints") or ()
                      if (endpoint.get("conditions") or {}).get("ready")]
    return endpoints


def _service_evaluate(spec: dict[str, Any], reading: Reading) -> Outcome:
    namespace, name = spec.get("namespace", "default"), spec["name"]
    service = reading.get("Service", namespace, name)
    if service is None:
        return failed("object.missing", kind="Service", name=name, namespace=namespace)
    endpoints = _ready_endpoints(reading, namespace, name)
    if "endpoints" in spec:
        wanted = spec["endpoints"] if isinstance(spec["endpoints"], dict) else {"count": spec["endpoints"]}
        if not _count(wanted, len(endpoints)):
            return failed("service.endpoints", name=name, found=len(endpoints), expected=_count_text(wanted))
    target_pods: list[dict[str, Any]] | None = None
    if "selects" in spec:
        kind = engine.canonical_kind(spec["selects"]["kind"]) or spec["selects"]["kind"]
        workload = f"{kind} {spec['selects']['name']}"
        selector = (service.get("spec") or {}).get("selector") or {}
        if not selector:
            return failed("service.no_selector", name=name)
        labels = _template_labels(reading, kind, namespace, spec["selects"]["name"])
        if labels is None:
            return failed("object.missing", kind=kind, name=spec["selects"]["name"], namespace=namespace)
        shown = ",".join(f"{key}={value}" for key, value in selector.items())
        if not engine.label_selector_matches(shown, labels):
            return failed("service.selects_other", name=name, found=shown, expected=workload)
        target_pods = _pods_of_owner(reading, kind, namespace, spec["selects"]["name"]) or []
        theirs = {pod["metadata"]["name"] for pod in target_pods}
        foreign = sorted({(endpoint.get("targetRef") or {}).get("name", "?") for endpoint in endpoints} - theirs)
        if foreign:
            return failed("service.foreign_endpoints", name=name, expected=workload, found=", ".join(foreign))
    if spec.get("reaches"):
        port = spec.get("port") or ((service.get("spec") or {}).get("ports") or [{}])[0].get("port", 80)
        url = f"http://{name}.{namespace}.svc.cluster.local:{port}/"
        answer = reading.http(url)
        if answer.get("error") or answer.get("status") is None:
            return failed("service.unreachable", url=url, found=answer.get("error") or "-")
        backends = {(endpoint.get("targetRef") or {}).get("name") for endpoint in endpoints}
        if answer.get("pod") not in backends:
            return failed("service.other_backend", url=url, found=answer.get("pod") or "?", name=name)
    return passed()


SERVICE = CheckType(
    "service", ("name", "namespace", "endpoints", "selects", "reaches", "port"),
    _service_validate,
    lambda spec: {"Service", "EndpointSlice", "Pod"} | (
        {engine.canonical_kind(spec["selects"]["kind"]) or "", "ReplicaSet"} if "selects" in spec else set()),
    _service_evaluate,
)


# --- the event trace

TRACE_FORMS = ("replaced", "init_before_main", "rolled_back", "kept_uid", "rejected", "sequence", "stayed")
STEP_KEYS = ("actor", "verb", "type", "kind", "name", "name_prefix", "owner", "reason", "namespace", "path",
             *COMPARISONS, "same_object")


def _trace_validate(spec: dict[str, Any], path: str) -> None:
    forms = [key for key in TRACE_FORMS if key in spec]
    if len(forms) != 1:
        raise CheckSpecError(path, f"name exactly one of {', '.join(TRACE_FORMS)}")
    form = forms[0]
    body = spec[form]
    where = f"{path}.{form}"
    if form == "replaced":
        owner = _check_keys(_check_keys(body, where, ("owner", "namespace")).get("owner"), f"{where}.owner",
                            ("kind", "name"))
        _kind(owner, f"{where}.owner")
    elif form == "init_before_main":
        _check_keys(body, where, ("pod", "init", "namespace"))
        if not isinstance(body.get("pod"), str):
            raise CheckSpecError(f"{where}.pod", "the pod's name")
    elif form == "rolled_back":
        _check_keys(body, where, ("deployment", "to_revision", "namespace"))
        if not isinstance(body.get("deployment"), str) or not isinstance(body.get("to_revision"), int):
            raise CheckSpecError(where, "deployment (a name) and to_revision (a number) are required")
    elif form == "kept_uid":
        _check_keys(body, where, ("kind", "name", "namespace"))
        _kind(body, where)
    elif form == "rejected":
        _check_keys(body, where, ("pod", "plugin", "node", "namespace"))
        if not isinstance(body.get("pod"), str) or not isinstance(body.get("plugin"), str):
            raise CheckSpecError(where, "pod and plugin are required")
    elif form == "stayed":
        _check_keys(body, where, ("kind", "name", "namespace", "path", *STAYED_COMPARISONS))
        _kind(body, where)
        if not isinstance(body.get("name"), str) or not isinstance(body.get("path"), str):
            raise CheckSpecError(where, "kind, name and path are required")
        try:
            engine.jsonpath_values(body["path"], {})
        except ValueError as error:
            raise CheckSpecError(f"{where}.path", f"not a JSONPath: {error}") from error
        _validate_comparison(body, where, required=True)
    else:
        if not isinstance(body, list) or not body:
            raise CheckSpecError(where, "a list of steps, each a mapping such as "
                                        "{actor: learner, verb: delete, kind: Pod}")
        for index, step in enumerate(body):
            spot = f"{where}[{index}]"
            _check_keys(step, spot, STEP_KEYS)
            if "kind" in step:
                _kind(step, spot)
            if "path" in step:
                try:
                    engine.jsonpath_values(str(step["path"]), {})
                except ValueError as error:
                    raise CheckSpecError(f"{spot}.path", f"not a JSONPath: {error}") from error
                _validate_comparison(step, spot, required=True)
            elif any(key in step for key in COMPARISONS):
                raise CheckSpecError(spot, "a comparison needs a path: the field of the changed object it reads")
        for index, anchor in enumerate(_anchors(body)):
            step = body[index]
            if not isinstance(step.get("same_object", False), bool) or (step.get("same_object") and anchor is None):
                raise CheckSpecError(f"{where}[{index}].same_object", "true on a step after one of the same kind: "
                                                                      "the object that step matched")


def _trace_kinds(spec: dict[str, Any]) -> set[str]:
    if "replaced" in spec:
        return {"Pod", "ReplicaSet"}
    if "init_before_main" in spec:
        return {"Pod"}
    if "rolled_back" in spec:
        return {"Deployment", "ReplicaSet"}
    if "kept_uid" in spec:
        return {engine.canonical_kind(spec["kept_uid"]["kind"]) or spec["kept_uid"]["kind"]}
    if "rejected" in spec:
        return {"Pod", "Event"}
    if "stayed" in spec:
        return {engine.canonical_kind(spec["stayed"]["kind"]) or spec["stayed"]["kind"]}
    return {engine.canonical_kind(step["kind"]) or step["kind"] for step in spec["sequence"] if "kind" in step} or \
        {EVERY_CHANGE}


def _by_learner(change: Change, reading: Reading) -> bool:
    return change.actor == reading.learner


def _trace_replaced(body: dict[str, Any], reading: Reading) -> Outcome:
    namespace = body.get("namespace", "default")
    kind = engine.canonical_kind(body["owner"]["kind"]) or body["owner"]["kind"]
    owner_name = body["owner"]["name"]
    owner_label = f"{kind} {owner_name}"
    direct = {(kind, owner_name)}
    if kind == "Deployment":  # its pods belong to its ReplicaSets, old and new
        direct = {("ReplicaSet", rs["metadata"]["name"]) for rs in reading.objects("ReplicaSet", namespace)
                  if any(ref.get("kind") == "Deployment" and ref.get("name") == owner_name
                         for ref in rs["metadata"].get("ownerReferences") or ())}

    def owned(change: Change) -> bool:
        return any((ref.get("kind"), ref.get("name")) in direct
                   for ref in change.object.get("metadata", {}).get("ownerReferences") or ())

    pods = [c for c in reading.changes({"Pod"}) if c.namespace == namespace]
    deleted = [c for c in pods if c.verb == "delete" and _by_learner(c, reading) and owned(c)]
    if not deleted:
        return failed("trace.not_replaced", owner=owner_label)
    for deletion in deleted:
        if any(c.type == "ADDED" and c.actor != reading.learner and c.resource_version > deletion.resource_version
               and owned(c) for c in pods):
            return passed()
    return failed("trace.not_yet_replaced", found=f"pod {deleted[-1].name}")


def _status_of(statuses: list[dict[str, Any]] | None, name: str | None) -> list[dict[str, Any]]:
    return [s for s in statuses or () if name is None or s.get("name") == name]


def _trace_init_before_main(body: dict[str, Any], reading: Reading) -> Outcome:
    namespace, pod_name, init = body.get("namespace", "default"), body["pod"], body.get("init")
    pod = reading.get("Pod", namespace, pod_name)
    if pod is None:
        return failed("object.missing", kind="Pod", name=pod_name, namespace=namespace)
    inits = [c["name"] for c in pod["spec"].get("initContainers") or ()]
    if not inits or (init is not None and init not in inits):
        return failed("trace.no_init_container", pod=pod_name, init=init or "-")
    init_label = init or ", ".join(inits)
    uid = pod["metadata"].get("uid")
    init_done_rv = main_started_rv = None
    init_done_at = main_started_at = None
    for change in reading.changes({"Pod"}):
        if change.namespace != namespace or change.name != pod_name or change.type == "DELETED":
            continue
        obj = change.object
        if obj.get("metadata", {}).get("uid") != uid:
            continue  # an earlier pod of the same name
        status = obj.get("status") or {}
        wanted = _status_of(status.get("initContainerStatuses"), init)
        if init_done_rv is None and wanted and all(
                (s.get("state") or {}).get("terminated", {}).get("exitCode") == 0 for s in wanted):
            init_done_rv = change.resource_version
            init_done_at = max(s["state"]["terminated"].get("finishedAt", "") for s in wanted)
        started = [s for s in _status_of(status.get("containerStatuses"), None)
                   if "running" in (s.get("state") or {}) or "terminated" in (s.get("state") or {})]
        if main_started_rv is None and started:
            main_started_rv = change.resource_version
            main_started_at = min((s["state"].get("running") or s["state"].get("terminated") or {}).get("startedAt", "")
                                  for s in started)
    if main_started_rv is None:
        if init_done_rv is None:
            return failed("trace.init_not_done", pod=pod_name, init=init_label)
        return failed("trace.main_not_started", pod=pod_name)
    if init_done_rv is None or init_done_rv > main_started_rv or (init_done_at or "") > (main_started_at or ""):
        return failed("trace.main_before_init", pod=pod_name, init=init_label)
    return passed()


def _revision(rs: dict[str, Any]) -> int:
    try:
        return int((rs["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision", "0"))
    except ValueError:
        return 0


def _template_of(obj: dict[str, Any]) -> dict[str, Any]:
    template = json.loads(json.dumps((obj.get("spec") or {}).get("template") or {}))
    (template.get("metadata") or {}).get("labels", {}).pop("pod-template-hash", None)
    return template


def _trace_rolled_back(body: dict[str, Any], reading: Reading) -> Outcome:
    namespace, name, revision = body.get("namespace", "default"), body["deployment"], body["to_revision"]
    deployment = reading.get("Deployment", namespace, name)
    if deployment is None:
        return failed("object.missing", kind="Deployment", name=name, namespace=namespace)
    uid = deployment["metadata"].get("uid", "")
    sets = [rs for rs in reading.objects("ReplicaSet", namespace) if _owned_by(rs, uid)]
    current = next((rs for rs in sets if _template_of(rs) == _template_of(deployment)), None)
    if current is None:
        return failed("trace.not_rolled_back", name=name, expected=revision, found="-")
    history = (current["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision-history", "")
    earlier = {int(item) for item in history.split(",") if item.strip().isdigit()}
    if revision in earlier and _revision(current) > revision:
        return passed()
    if _revision(current) == revision and all(_revision(rs) <= revision for rs in sets):
        return failed("trace.never_rolled_forward", name=name, expected=revision)
    images = ", ".join(c.get("image", "?") for c in deployment["spec"]["template"]["spec"].get("containers") or ())
    return failed("trace.not_rolled_back", name=name, expected=revision,
                  found={"en": f"revision {_revision(current)}, {images}",
                         "ru": f"ревизия {_revision(current)}, {images}"})


def _trace_kept_uid(body: dict[str, Any], reading: Reading) -> Outcome:
    kind = engine.canonical_kind(body["kind"]) or body["kind"]
    namespace = body.get("namespace", "default") if engine.kind_is_namespaced(kind) else ""
    name = body["name"]
    obj = reading.get(kind, namespace, name)
    deleted = any(c.type == "DELETED" and c.namespace == namespace and c.name == name
                  for c in reading.changes({kind}))
    if obj is None:
        return failed("trace.gone", kind=kind, name=name)
    if deleted:
        return failed("trace.recreated", kind=kind, name=name)
    return passed()


PLUGIN_REASONS = {  # how kube-scheduler's FailedScheduling message words each plugin's rejection
    "NodeAffinity": "didn't match Pod's node affinity/selector",
    "TaintToleration": "untolerated taint",
    "NodeResourcesFit": "Insufficient",
    "NodeUnschedulable": "unschedulable",
    "InterPodAffinity": "pod affinity",
    "PodTopologySpread": "topology spread constraints",
    "NodePorts": "free ports",
    "NodeName": "didn't match the requested node name",
}


def _trace_rejected(body: dict[str, Any], reading: Reading) -> Outcome:
    namespace, pod, plugin, node = body.get("namespace", "default"), body["pod"], body["plugin"], body.get("node")
    record = reading.explanation(namespace, pod) or {}
    for entry in (record.get("filter") or {}).get("nodes") or ():
        if entry.get("plugin") == plugin and (node is None or entry.get("node") == node):
            return passed()
    reason = PLUGIN_REASONS.get(plugin)
    if reason and node is None:
        for change in reading.changes({"Event"}):
            obj = change.object
            if (obj.get("reason") == "FailedScheduling" and (obj.get("involvedObject") or {}).get("name") == pod
                    and reason in (obj.get("message") or "")):
                return passed()
    return failed("trace.not_rejected", pod=pod, node=node or {"en": "any node", "ru": "каком-либо узле"},
                  plugin=plugin)


STAYED_COMPARISONS = ("equals", "one_of", "matches", "at_least", "at_most")


def _trace_stayed(body: dict[str, Any], reading: Reading) -> Outcome:
    """Once the value at `path` first compares as asked, it does so in every later recorded version of the object
    (a deleted object has no value). Kubernetes omits zero counts from a status, so for `at_least` and `at_most`
    a value that is not set counts as 0. With no recorded version, the object as it stands now decides."""
    kind = engine.canonical_kind(body["kind"]) or body["kind"]
    namespace = body.get("namespace", "default") if engine.kind_is_namespaced(kind) else ""
    name, path = body["name"], body["path"]
    comparison = {key: body[key] for key in STAYED_COMPARISONS if key in body}
    numeric = "at_least" in comparison or "at_most" in comparison
    what = _what(kind, name)

    def values_of(obj: dict[str, Any] | None) -> list[Any]:
        values = [value for value in engine.jsonpath_values(path, obj) if value is not None] if obj else []
        return values or ([0] if numeric else [])

    versions = [values_of(None if change.type == "DELETED" else change.object)
                for change in reading.changes({kind}) if change.namespace == namespace and change.name == name]
    if not versions:
        current = reading.get(kind, namespace, name)
        if current is None:
            return failed("object.missing", kind=kind, name=name, namespace=namespace or "-")
        versions = [values_of(current)]
    expected = {language: _stayed_text(comparison, language) for language in ("en", "ru")}
    reached = False
    for values in versions:
        if _compare(comparison, values, what=what, path_text=path).passed:
            reached = True
        elif reached:
            return failed("trace.not_stayed", what=what, path=path, expected=expected,
                          found=_show(values) if values else {"en": "not set", "ru": "не задано"})
    if reached:
        return passed()
    return failed("trace.never_reached", what=what, path=path, expected=expected)


def _stayed_text(comparison: dict[str, Any], language: str) -> str:
    key, value = next(iter(comparison.items()))
    shown = ", ".join(_show(item) for item in value) if key == "one_of" else _show(value)
    return word(f"stayed.{key}", language, value=shown)


def _step_matches(step: dict[str, Any], change: Change, reading: Reading) -> bool:
    actor = step.get("actor")
    if actor == "learner":
        if change.actor != reading.learner:
            return False
    elif actor == "controller":
        if change.actor.startswith("user:"):
            return False
    elif actor is not None and change.actor != actor:
        return False
    if "kind" in step and change.kind != (engine.canonical_kind(step["kind"]) or step["kind"]):
        return False
    if "verb" in step and change.verb != step["verb"]:
        return False
    if "type" in step and change.type != step["type"]:
        return False
    if "name" in step and change.name != step["name"]:
        return False
    if "name_prefix" in step and not change.name.startswith(step["name_prefix"]):
        return False
    if "namespace" in step and change.namespace != step["namespace"]:
        return False
    if "reason" in step and change.reason != step["reason"]:
        return False
    if "owner" in step:
        owner = step["owner"]
        refs = change.object.get("metadata", {}).get("ownerReferences") or ()
        if not any(ref.get("kind") == owner.get("kind") and ref.get("name") == owner.get("name") for ref in refs):
            return False
    if "path" in step:
        values = engine.jsonpath_values(str(step["path"]), change.object)
        if not _compare(step, values, what="", path_text="").passed:
            return False
    return True


def _uid_of(change: Change) -> str:
    return (change.object.get("metadata") or {}).get("uid", "")


def _step_text(step: dict[str, Any], language: str) -> str:
    actor = step.get("actor")
    if actor in ("learner", None, "controller"):
        actor = word({"learner": "you", None: "anyone", "controller": "a controller"}[actor], language)
    name = f" {step['name']}" if "name" in step else (f" {step['name_prefix']}…" if "name_prefix" in step else "")
    if step.get("same_object"):
        name += word("same object", language)
    text = word("step", language, verb=step.get("verb", step.get("type", "change")), kind=step.get("kind", ""),
                name=name, actor=actor)
    comparison = next((key for key in COMPARISONS if key in step), None)
    if "path" in step and comparison:
        text += word("where", language, path=step["path"], comparison=word(comparison, language),
                     value="" if comparison in ("exists", "absent") else _show(step[comparison])).rstrip()
    return text


def _anchors(steps: list[dict[str, Any]]) -> list[int | None]:
    """For each step with `same_object`, the nearest earlier step of the same kind (whose object it must be)."""
    def kind_of(step: dict[str, Any]) -> str | None:
        return (engine.canonical_kind(step["kind"]) or step["kind"]) if "kind" in step else None

    anchors: list[int | None] = []
    for index, step in enumerate(steps):
        earlier = [i for i in range(index) if kind_of(steps[i]) == kind_of(step)] if step.get("same_object") else []
        anchors.append(earlier[-1] if earlier else None)
    return anchors


def _trace_sequence(steps: list[dict[str, Any]], reading: Reading) -> Outcome:
    """The steps in order, each matched by a later change than the one before. A step with `same_object` must
    match the object that the nearest earlier step of its kind matched, so that earlier step's candidates are
    tried in turn; any other step takes its earliest match (it leaves the most history to the steps after it)."""
    kinds = {engine.canonical_kind(step["kind"]) or step["kind"] for step in steps if "kind" in step}
    changes = reading.changes(kinds) if kinds else reading.changes(_ALL_KINDS)
    candidates = [[c for c in changes if _step_matches(step, c, reading)] for step in steps]
    anchors = _anchors(steps)
    anchored = {anchor for anchor in anchors if anchor is not None}
    deepest = 0

    def match(index: int, after: int, uids: tuple[str, ...]) -> bool:
        nonlocal deepest
        deepest = max(deepest, index)
        if index == len(steps):
            return True
        anchor = anchors[index]
        for change in candidates[index]:
            if change.resource_version <= after or (anchor is not None and _uid_of(change) != uids[anchor]):
                continue
            if match(index + 1, change.resource_version, (*uids, _uid_of(change))):
                return True
            if index not in anchored:
                return False
        return False

    if match(0, 0, ()):
        return passed()
    missing = min(deepest, len(steps) - 1)
    text = {language: _step_text(steps[missing], language) for language in ("en", "ru")}
    if missing == 0:
        return failed("trace.step_missing", step=text)
    return failed("trace.step_missing_after", step=text,
                  previous={language: _step_text(steps[missing - 1], language) for language in ("en", "ru")})


_ALL_KINDS = frozenset({"Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service",
                        "Node", "ConfigMap", "Secret", "Namespace", "Event"})


def _trace_evaluate(spec: dict[str, Any], reading: Reading) -> Outcome:
    if "replaced" in spec:
        return _trace_replaced(spec["replaced"], reading)
    if "init_before_main" in spec:
        return _trace_init_before_main(spec["init_before_main"], reading)
    if "rolled_back" in spec:
        return _trace_rolled_back(spec["rolled_back"], reading)
    if "kept_uid" in spec:
        return _trace_kept_uid(spec["kept_uid"], reading)
    if "rejected" in spec:
        return _trace_rejected(spec["rejected"], reading)
    if "stayed" in spec:
        return _trace_stayed(spec["stayed"], reading)
    return _trace_sequence(spec["sequence"], reading)


TRACE = CheckType("trace", TRACE_FORMS, _trace_validate, _trace_kinds, _trace_evaluate)


# --- the learner's commands, where the tool is the point

def _command_validate(spec: dict[str, Any], path: str) -> None:
    _check_keys(spec, path, ("matches", "source"))
    if not isinstance(spec.get("matches"), str):
        raise CheckSpecError(f"{path}.matches", "a regular expression over command lines and API requests")
    try:
        re.compile(spec["matches"])
    except re.error as error:
        raise CheckSpecError(f"{path}.matches", f"not a regular expression: {error}") from error
    if spec.get("source") not in (None, "terminal", "editor", "kube-api"):
        raise CheckSpecError(f"{path}.source", "terminal, editor or kube-api")


def _command_evaluate(spec: dict[str, Any], reading: Reading) -> Outcome:
    pattern = re.compile(spec["matches"], re.MULTILINE)
    for command in reading.commands():
        if spec.get("source") and command.source != spec["source"]:
            continue
        if command.exit_code in (None, 0) and pattern.search(command.text):
            return passed()
    return failed("command.missing", expected=f"/{spec['matches']}/")


COMMAND = CheckType("command", ("matches", "source"), _command_validate, lambda _spec: {EVERY_CHANGE},
                    _command_evaluate)


# --- control-plane components

def _component_validate(spec: dict[str, Any], path: str) -> None:
    _check_keys(spec, path, ("name", "running"))
    name = spec.get("name")
    if name not in ("kube-scheduler", "kube-controller-manager") and not str(name).startswith("kubelet/"):
        raise CheckSpecError(f"{path}.name", "kube-scheduler, kube-controller-manager or kubelet/<node>")
    if not isinstance(spec.get("running"), bool):
        raise CheckSpecError(f"{path}.running", "true or false")


def _component_evaluate(spec: dict[str, Any], reading: Reading) -> Outcome:
    running = reading.components().get(spec["name"], False)
    if running == spec["running"]:
        return passed()

    def state(flag: bool) -> dict[str, str]:
        return {language: word("running" if flag else "stopped", language) for language in ("en", "ru")}

    return failed("component.state", name=spec["name"], found=state(running), expected=state(spec["running"]))


COMPONENT = CheckType("component", ("name", "running"), _component_validate, lambda _spec: {EVERY_CHANGE},
                      _component_evaluate)


# --- a simulated request

def _http_validate(spec: dict[str, Any], path: str) -> None:
    _check_keys(spec, path, ("url", "from_pod", "namespace", "status", "body_contains"))
    if not isinstance(spec.get("url"), str):
        raise CheckSpecError(f"{path}.url", "the URL curl would fetch (http://web, http://web.default.svc:8080/)")


def _http_evaluate(spec: dict[str, Any], reading: Reading) -> Outcome:
    namespace = spec.get("namespace", "default")
    source = (namespace, spec["from_pod"]) if spec.get("from_pod") else None
    if source and reading.get("Pod", *source) is None:
        return failed("object.missing", kind="Pod", name=spec["from_pod"], namespace=namespace)
    answer = reading.http(spec["url"], from_pod=source)
    if answer.get("error") or answer.get("status") is None:
        return failed("http.failed", url=spec["url"], found=answer.get("error") or "-")
    if "status" in spec and answer["status"] != spec["status"]:
        return failed("http.status", url=spec["url"], found=answer["status"], expected=spec["status"])
    if "body_contains" in spec and str(spec["body_contains"]) not in (answer.get("body") or ""):
        return failed("http.body", url=spec["url"], expected=spec["body_contains"])
    return passed()


HTTP = CheckType("http", ("url", "from_pod", "namespace", "status", "body_contains"), _http_validate,
                 lambda _spec: {"Pod", "Service", "EndpointSlice", "NetworkPolicy"}, _http_evaluate)


# --- Kubernetes Events

def _event_validate(spec: dict[str, Any], path: str) -> None:
    _check_keys(spec, path, ("reason", "kind", "name", "namespace", "message_contains", "type"))
    if not isinstance(spec.get("reason"), str):
        raise CheckSpecError(f"{path}.reason", "the Event's reason (FailedScheduling, BackOff, Killing, ...)")


def _event_evaluate(spec: dict[str, Any], reading: Reading) -> Outcome:
    namespace = spec.get("namespace", "default")
    seen = [c.object for c in reading.changes({"Event"}) if c.type != "DELETED" and c.namespace == namespace]
    seen += reading.objects("Event", namespace)
    for event in seen:
        involved = event.get("involvedObject") or {}
        if event.get("reason") != spec["reason"]:
            continue
        if "kind" in spec and involved.get("kind") != (engine.canonical_kind(spec["kind"]) or spec["kind"]):
            continue
        if "name" in spec and involved.get("name") != spec["name"]:
            continue
        if "type" in spec and event.get("type") != spec["type"]:
            continue
        if "message_contains" in spec and spec["message_contains"] not in (event.get("message") or ""):
            continue
        return passed()
    which = f"{spec.get('kind', '')} {spec.get('name', '')}".strip() or namespace
    return failed("event.missing", reason=spec["reason"], which=which)


EVENT = CheckType("event", ("reason", "kind", "name", "namespace", "message_contains", "type"), _event_validate,
                  lambda _spec: {"Event"}, _event_evaluate)


CHECK_TYPES: dict[str, CheckType] = {check.name: check for check in
                                     (OBJECT, PODS, SERVICE, TRACE, COMMAND, COMPONENT, HTTP, EVENT)}
