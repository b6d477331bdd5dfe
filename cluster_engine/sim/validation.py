"""Field validation of API objects, worded as kube-apiserver's `field.ErrorList` words it.

Each validator returns a list of `Cause`s; the request path turns a non-empty list into a 422
`Invalid` Status (`Pod "web" is invalid: spec.containers[0].image: Required value`).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from typing import Any

from .errors import Cause
from .quantity import QuantityError, parse_quantity

# --- upstream detail texts (apimachinery/pkg/util/validation) ---------------------------------------
DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + r"(\." + DNS1123_LABEL_FMT + ")*"
DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?"
ENV_VAR_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"
CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+"

DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
    f"regex used for validation is '{DNS1123_LABEL_FMT}')"
)
DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character (e.g. "
    f"'example.com', regex used for validation is '{DNS1123_SUBDOMAIN_FMT}')"
)
DNS1035_LABEL_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
    "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    f"'abc-123', regex used for validation is '{DNS1035_LABEL_FMT}')"
)
QUALIFIED_NAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
    "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    f"validation is '{QUALIFIED_NAME_FMT}')"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    f"'my_value',  or '12345', regex used for validation is '{LABEL_VALUE_FMT}')"
)
ENV_VAR_MSG = (
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
    "or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "
    f"'MyEnvName1', regex used for validation is '{ENV_VAR_FMT}')"
)
CONFIG_KEY_MSG = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    f"'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '{CONFIG_KEY_FMT}')"
)

_LABEL_RE = re.compile(f"^{DNS1123_LABEL_FMT}$")
_SUBDOMAIN_RE = re.compile(f"^{DNS1123_SUBDOMAIN_FMT}$")
_DNS1035_RE = re.compile(f"^{DNS1035_LABEL_FMT}$")
_QUALIFIED_RE = re.compile(f"^{QUALIFIED_NAME_FMT}$")
_LABEL_VALUE_RE = re.compile(f"^{LABEL_VALUE_FMT}$")
_ENV_RE = re.compile(f"^{ENV_VAR_FMT}$")
_CONFIG_KEY_RE = re.compile(f"^{CONFIG_KEY_FMT}$")
_IANA_RE = re.compile("^[-a-z0-9]+$")
_HAS_LETTER_RE = re.compile("[a-z]")

TOTAL_ANNOTATION_SIZE = 256 * 1024
MAX_CONFIG_SIZE = 1024 * 1024


def fmt(value: Any) -> str:
    """A value as field errors print it (Go's `%q` for strings, `%d` for numbers)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def invalid(path: str, value: Any, detail: str) -> Cause:
    return Cause("FieldValueInvalid", f"Invalid value: {fmt(value)}: {detail}", path)


def required(path: str, detail: str = "") -> Cause:
    return Cause("FieldValueRequired", "Required value" + (f": {detail}" if detail else ""), path)


def not_supported(path: str, value: Any, allowed: list[str]) -> Cause:
    options = ", ".join(fmt(a) for a in allowed)
    return Cause(
        "FieldValueNotSupported", f"Unsupported value: {fmt(value)}: supported values: {options}", path
    )


def duplicate(path: str, value: Any) -> Cause:
    return Cause("FieldValueDuplicate", f"Duplicate value: {fmt(value)}", path)


def forbidden(path: str, detail: str) -> Cause:
    return Cause("FieldValueForbidden", f"Forbidden: {detail}", path)


def too_long(path: str, limit: int) -> Cause:
    return Cause("FieldValueTooLong", f"Too long: must have at most {limit} bytes", path)


def not_found_field(path: str, value: Any) -> Cause:
    return Cause("FieldValueNotFound", f"Not found: {fmt(value)}", path)


# --- name checks: each returns upstream detail messages (empty list = valid) --------------------------
def dns1123_label(value: str) -> list[str]:
    errors = []
    if len(value) > 63:
        errors.append("must be no more than 63 characters")
    if not _LABEL_RE.match(value):
        errors.append(DNS1123_LABEL_MSG)
    return errors


def dns1123_subdomain(value: str) -> list[str]:
    errors = []
    if len(value) > 253:
        errors.append("must be no more than 253 characters")
    if not _SUBDOMAIN_RE.match(value):
        errors.append(DNS1123_SUBDOMAIN_MSG)
    return errors


def dns1035_label(value: str) -> list[str]:
    errors = []
    if len(value) > 63:
        errors.append("must be no more than 63 characters")
    if not _DNS1035_RE.match(value):
        errors.append(DNS1035_LABEL_MSG)
    return errors


def qualified_name(value: str) -> list[str]:
    """Label and annotation keys: `[prefix/]name` (apimachinery IsQualifiedName)."""
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
        errors = []
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errors = ["prefix part must be non-empty"]
        else:
            errors = ["prefix part " + msg for msg in dns1123_subdomain(prefix)]
    else:
        return [
            "a qualified name " + QUALIFIED_NAME_MSG + " with an optional DNS subdomain prefix and '/' "
            "(e.g. 'example.com/MyName')"
        ]
    if not name:
        errors.append("name part must be non-empty")
    elif len(name) > 63:
        errors.append("name part must be no more than 63 characters")
    if name and not _QUALIFIED_RE.match(name):
        errors.append("name part " + QUALIFIED_NAME_MSG)
    return errors


def label_value(value: str) -> list[str]:
    errors = []
    if len(value) > 63:
        errors.append("must be no more than 63 characters")
    if not _LABEL_VALUE_RE.match(value):
        errors.append(LABEL_VALUE_MSG)
    return errors


def port_name(value: str) -> list[str]:
    """IANA_SVC_NAME, for container and service port names."""
    errors = []
    if len(value) > 15:
        errors.append("must be no more than 15 characters")
    if not _IANA_RE.match(value):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if "--" in value:
        errors.append("must not contain consecutive hyphens")
    if value and (value[0] == "-" or value[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    if not _HAS_LETTER_RE.search(value):
        errors.append("must contain at least one letter (a-z)")
    return errors


NameCheck = Callable[[str], list[str]]


def _mask_prefix(name: str) -> str:
    # generateName may end with '-': upstream validates the prefix with that dash masked out.
    return name[:-1] + "a" if name.endswith("-") else name


def validate_labels(labels: Any, path: str) -> list[Cause]:
    causes: list[Cause] = []
    for key, value in (labels or {}).items():
        for msg in qualified_name(key):
            causes.append(invalid(path, key, msg))
        for msg in label_value(str(value)):
            causes.append(invalid(path, value, msg))
    return causes


def validate_annotations(annotations: Any, path: str) -> list[Cause]:
    causes: list[Cause] = []
    total = 0
    for key, value in (annotations or {}).items():
        for msg in qualified_name(key.lower()):
            causes.append(invalid(path, key, msg))
        total += len(key) + len(value)
    if total > TOTAL_ANNOTATION_SIZE:
        causes.append(too_long(path, TOTAL_ANNOTATION_SIZE))
    return causes


def validate_metadata(obj: dict[str, Any], name_check: NameCheck, namespaced: bool) -> list[Cause]:
    """ValidateObjectMeta: name/generateName, namespace presence, labels, annotations, owners, finalizers."""
    meta = obj.get("metadata") or {}
    causes: list[Cause] = []
    name = meta.get("name", "")
    generate = meta.get("generateName", "")
    if generate:
        for msg in name_check(_mask_prefix(generate)):
            causes.append(invalid("metadata.generateName", generate, msg))
    if not name:
        causes.append(required("metadata.name", "name or generateName is required"))
    else:
        for msg in name_check(name):
            causes.append(invalid("metadata.name", name, msg))
    namespace = meta.get("namespace", "")
    if namespaced:
        if not namespace:
            causes.append(required("metadata.namespace"))
        else:
            for msg in dns1123_label(namespace):
                causes.append(invalid("metadata.namespace", namespace, msg))
    elif namespace:
        causes.append(forbidden("metadata.namespace", "not allowed on this type"))
    causes += validate_labels(meta.get("labels"), "metadata.labels")
    causes += validate_annotations(meta.get("annotations"), "metadata.annotations")
    for index, ref in enumerate(meta.get("ownerReferences") or []):
        path = f"metadata.ownerReferences[{index}]"
        for key in ("apiVersion", "kind", "name", "uid"):
            if not ref.get(key):
                causes.append(invalid(f"{path}.{key}", ref.get(key, ""), f"{key} must not be empty"))
    controllers = [r for r in meta.get("ownerReferences") or [] if r.get("controller")]
    if len(controllers) > 1:
        causes.append(
            invalid(
                "metadata.ownerReferences",
                meta["ownerReferences"],
                "Only one reference can have Controller set to true",
            )
        )
    for index, finalizer in enumerate(meta.get("finalizers") or []):
        for msg in qualified_name(finalizer):
            causes.append(invalid(f"metadata.finalizers[{index}]", finalizer, msg))
    return causes


def validate_metadata_update(new: dict[str, Any], old: dict[str, Any]) -> list[Cause]:
    """ValidateObjectMetaUpdate: identity fields never change."""
    causes: list[Cause] = []
    nm, om = new["metadata"], old["metadata"]
    for key in ("name", "namespace", "uid", "creationTimestamp"):
        if nm.get(key) != om.get(key):
            causes.append(invalid(f"metadata.{key}", nm.get(key, ""), "field is immutable"))
    return causes


# --- kinds -------------------------------------------------------------------------------------------
RESTART_POLICIES = ["Always", "OnFailure", "Never"]
PULL_POLICIES = ["Always", "IfNotPresent", "Never"]
DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
PROTOCOLS = ["SCTP", "TCP", "UDP"]
TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
TOLERATION_OPERATORS = ["Equal", "Exists"]
PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


def _validate_resources(resources: dict[str, Any], path: str) -> list[Cause]:
    causes: list[Cause] = []
    values: dict[str, dict[str, Any]] = {}
    for section in ("limits", "requests"):
        values[section] = {}
        for name, raw in (resources.get(section) or {}).items():
            try:
                amount = parse_quantity(raw)
            except QuantityError:
                continue  # the decoder has already rejected it
            values[section][name] = amount
            if amount < 0:
                causes.append(
                    invalid(f"{path}.{section}[{name}]", str(raw), "must be greater than or equal to 0")
                )
    for name, request in values["requests"].items():
        limit = values["limits"].get(name)
        if limit is not None and request > limit:
            raw_limit = resources["limits"][name]
            causes.append(
                invalid(
                    f"{path}.requests",
                    str(resources["requests"][name]),
                    f"must be less than or equal to {name} limit of {raw_limit}",
                )
            )
    return causes


def _validate_probe(probe: dict[str, Any] | None, path: str) -> list[Cause]:
    if not probe:
        return []
    handlers = [h for h in PROBE_HANDLERS if probe.get(h) is not None]
    if not handlers:
        return [required(path, "must specify a handler type")]
    if len(handlers) > 1:
        return [forbidden(f"{path}.{handlers[1]}", "may not specify more than 1 handler type")]
    causes: list[Cause] = []
    for key in (
        "initialDelaySeconds",
        "periodSeconds",
        "timeoutSeconds",
        "failureThreshold",
        "successThreshold",
    ):
        value = probe.get(key)
        if isinstance(value, int) and value < 0:
            causes.append(invalid(f"{path}.{key}", value, "must be greater than or equal to 0"))
    if probe.get("exec") is not None and not probe["exec"].get("command"):
        causes.append(required(f"{path}.exec.command"))
    return causes


def _validate_containers(
    containers: list[dict[str, Any]], path: str, volumes: set[str], seen: set[str]
) -> list[Cause]:
    causes: list[Cause] = []
    for index, container in enumerate(containers):
        cpath = f"{path}[{index}]"
        name = container.get("name", "")
        if not name:
            causes.append(required(f"{cpath}.name"))
        else:
            for msg in dns1123_label(name):
                causes.append(invalid(f"{cpath}.name", name, msg))
            if name in seen:
                causes.append(duplicate(f"{cpath}.name", name))
            seen.add(name)
        if not container.get("image"):
            causes.append(required(f"{cpath}.image"))
        policy = container.get("imagePullPolicy")
        if policy is not None and policy not in PULL_POLICIES:
            causes.append(not_supported(f"{cpath}.imagePullPolicy", policy, PULL_POLICIES))
        port_names: set[str] = set()
        for pindex, port in enumerate(container.get("ports") or []):
            ppath = f"{cpath}.ports[{pindex}]"
            number = port.get("containerPort", 0)
            if not number:
                causes.append(required(f"{ppath}.containerPort"))
            elif not 1 <= number <= 65535:
                causes.append(
                    invalid(f"{ppath}.containerPort", number, "must be between 1 and 65535, inclusive")
                )
            if port.get("name"):
                for msg in port_name(port["name"]):
                    causes.append(invalid(f"{ppath}.name", port["name"], msg))
                if port["name"] in port_names:
                    causes.append(duplicate(f"{ppath}.name", port["name"]))
                port_names.add(port["name"])
            protocol = port.get("protocol")
            if protocol is not None and protocol not in PROTOCOLS:
                causes.append(not_supported(f"{ppath}.protocol", protocol, PROTOCOLS))
        env_seen: set[str] = set()
        for eindex, env in enumerate(container.get("env") or []):
            ename = env.get("name", "")
            if not ename:
                causes.append(required(f"{cpath}.env[{eindex}].name"))
            elif not _ENV_RE.match(ename):
                causes.append(invalid(f"{cpath}.env[{eindex}].name", ename, ENV_VAR_MSG))
            env_seen.add(ename)
        causes += _validate_resources(container.get("resources") or {}, f"{cpath}.resources")
        for probe_key in ("livenessProbe", "readinessProbe", "startupProbe"):
            causes += _validate_probe(container.get(probe_key), f"{cpath}.{probe_key}")
        for mindex, mount in enumerate(container.get("volumeMounts") or []):
            mpath = f"{cpath}.volumeMounts[{mindex}]"
            if not mount.get("name"):
                causes.append(required(f"{mpath}.name"))
            elif mount["name"] not in volumes:
                causes.append(not_found_field(f"{mpath}.name", mount["name"]))
            if not mount.get("mountPath"):
                causes.append(required(f"{mpath}.mountPath"))
    return causes


def validate_tolerations(tolerations: list[dict[str, Any]], path: str) -> list[Cause]:
    causes: list[Cause] = []
    for index, tol in enumerate(tolerations or []):
        tpath = f"{path}[{index}]"
        key = tol.get("key", "")
        operator = tol.get("operator", "Equal")
        if key:
            for msg in qualified_name(key):
                causes.append(invalid(f"{tpath}.key", key, msg))
        elif operator != "Exists":
            causes.append(
                invalid(
                    f"{tpath}.operator",
                    operator,
                    'operator must be Exists when `key` is empty, which means "match all values '
                    'and all keys"',
                )
            )
        if operator not in TOLERATION_OPERATORS:
            causes.append(not_supported(f"{tpath}.operator", operator, TOLERATION_OPERATORS))
        elif operator == "Exists" and tol.get("value"):
            causes.append(
                invalid(f"{tpath}.operator", tol["value"], "value must be empty when `operator` is 'Exists'")
            )
        effect = tol.get("effect")
        if effect and effect not in TAINT_EFFECTS:
            causes.append(not_supported(f"{tpath}.effect", effect, TAINT_EFFECTS))
        if tol.get("tolerationSeconds") is not None and effect != "NoExecute":
            causes.append(
                invalid(
                    f"{tpath}.effect",
                    effect or "",
                    "effect must be 'NoExecute' when `tolerationSeconds` is set",
                )
            )
    return causes


def validate_pod(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    causes = validate_metadata(obj, dns1123_subdomain, True)
    spec = obj.get("spec") or {}
    volumes: set[str] = set()
    for index, volume in enumerate(spec.get("volumes") or []):
        vname = volume.get("name", "")
        if not vname:
            causes.append(required(f"spec.volumes[{index}].name"))
            continue
        for msg in dns1123_label(vname):
            causes.append(invalid(f"spec.volumes[{index}].name", vname, msg))
        if vname in volumes:
            causes.append(duplicate(f"spec.volumes[{index}].name", vname))
        volumes.add(vname)
    seen: set[str] = set()
    if not spec.get("containers"):
        causes.append(required("spec.containers"))
    else:
        causes += _validate_containers(spec["containers"], "spec.containers", volumes, seen)
    causes += _validate_containers(spec.get("initContainers") or [], "spec.initContainers", volumes, seen)
    policy = spec.get("restartPolicy")
    if policy is not None and policy not in RESTART_POLICIES:
        causes.append(not_supported("spec.restartPolicy", policy, RESTART_POLICIES))
    dns = spec.get("dnsPolicy")
    if dns is not None and dns not in DNS_POLICIES:
        causes.append(not_supported("spec.dnsPolicy", dns, DNS_POLICIES))
    causes += validate_labels(spec.get("nodeSelector"), "spec.nodeSelector")
    causes += validate_tolerations(spec.get("tolerations") or [], "spec.tolerations")
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and deadline <= 0:
        causes.append(
            invalid("spec.activeDeadlineSeconds", deadline, "must be between 1 and 2147483647, inclusive")
        )
    if spec.get("nodeName"):
        for msg in dns1123_subdomain(spec["nodeName"]):
            causes.append(invalid("spec.nodeName", spec["nodeName"], msg))
    if old is not None:
        causes += validate_metadata_update(obj, old)
        causes += _validate_pod_spec_update(spec, old.get("spec") or {})
    return causes


POD_UPDATE_FORBIDDEN = (
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
    "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
    "(allow it to be set to 1 if it was previously negative)"
)


def _validate_pod_spec_update(new: dict[str, Any], old: dict[str, Any]) -> list[Cause]:
    """ValidatePodUpdate: only images, activeDeadlineSeconds and added tolerations may change."""
    causes: list[Cause] = []
    old_tolerations = old.get("tolerations") or []
    new_tolerations = new.get("tolerations") or []
    if any(t not in new_tolerations for t in old_tolerations):
        causes.append(
            forbidden(
                "spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"
            )
        )
    old_deadline, new_deadline = old.get("activeDeadlineSeconds"), new.get("activeDeadlineSeconds")
    if old_deadline is not None and (new_deadline is None or new_deadline > old_deadline):
        causes.append(
            invalid(
                "spec.activeDeadlineSeconds",
                new_deadline or 0,
                "must be less than or equal to previous value",
            )
        )

    def masked(spec: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
        result = dict(spec)
        for key in ("containers", "initContainers"):
            mine, theirs = spec.get(key) or [], reference.get(key) or []
            if len(mine) == len(theirs):
                result[key] = [dict(c, image=t.get("image")) for c, t in zip(mine, theirs, strict=True)]
        result.pop("activeDeadlineSeconds", None)
        result.pop("tolerations", None)
        result.pop("terminationGracePeriodSeconds", None)
        return result

    if masked(new, old) != masked(old, old):
        causes.append(forbidden("spec", POD_UPDATE_FORBIDDEN))
    return causes


def validate_namespace(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    causes = validate_metadata(obj, dns1123_label, False)
    if old is not None:
        causes += validate_metadata_update(obj, old)
    return causes


def validate_node(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    causes = validate_metadata(obj, dns1123_subdomain, False)
    seen: set[tuple[str, str]] = set()
    for index, taint in enumerate((obj.get("spec") or {}).get("taints") or []):
        tpath = f"spec.taints[{index}]"
        key = taint.get("key", "")
        if not key:
            causes.append(required(f"{tpath}.key"))
        for msg in qualified_name(key) if key else []:
            causes.append(invalid(f"{tpath}.key", key, msg))
        if taint.get("value"):
            for msg in label_value(taint["value"]):
                causes.append(invalid(f"{tpath}.value", taint["value"], msg))
        effect = taint.get("effect", "")
        if not effect:
            causes.append(required(f"{tpath}.effect"))
        elif effect not in TAINT_EFFECTS:
            causes.append(not_supported(f"{tpath}.effect", effect, TAINT_EFFECTS))
        if (key, effect) in seen:
            causes.append(duplicate(f"{tpath}", f"{key}:{effect}"))
        seen.add((key, effect))
    if old is not None:
        causes += validate_metadata_update(obj, old)
    return causes


def _validate_config_keys(obj: dict[str, Any], sections: tuple[str, ...]) -> list[Cause]:
    causes: list[Cause] = []
    size = 0
    keys: set[str] = set()
    for section in sections:
        for key, value in (obj.get(section) or {}).items():
            if not _CONFIG_KEY_RE.match(key) or len(key) > 253:
                causes.append(invalid(f"{section}[{key}]", key, CONFIG_KEY_MSG))
            if key in keys and section != "stringData":
                causes.append(invalid(f"{section}[{key}]", key, "duplicate of key present in data"))
            keys.add(key)
            size += len(str(value))
    if size > MAX_CONFIG_SIZE:
        causes.append(too_long("data", MAX_CONFIG_SIZE))
    return causes


def validate_configmap(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    causes = validate_metadata(obj, dns1123_subdomain, True)
    causes += _validate_config_keys(obj, ("data", "binaryData"))
    if old is not None:
        causes += validate_metadata_update(obj, old)
        if old.get("immutable") and (obj.get("data") != old.get("data") or obj.get("immutable") is not True):
            causes.append(forbidden("data", "field is immutable when `immutable` is set"))
    return causes


def secret_base64_error(obj: dict[str, Any]) -> str | None:
    """The decode error for a Secret whose `data` is not base64 (`illegal base64 data at input byte N`)."""
    for value in (obj.get("data") or {}).values():
        if not isinstance(value, str):
            continue
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            stripped = value.rstrip("=")
            bad = next((i for i, ch in enumerate(value) if not (ch.isalnum() or ch in "+/=")), len(stripped))
            return f"illegal base64 data at input byte {bad}"
    return None


def validate_secret(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    causes = validate_metadata(obj, dns1123_subdomain, True)
    causes += _validate_config_keys(obj, ("data",))
    if old is not None:
        causes += validate_metadata_update(obj, old)
        if obj.get("type") != old.get("type"):
            causes.append(invalid("type", obj.get("type", ""), "field is immutable"))
        if old.get("immutable") and obj.get("data") != old.get("data"):
            causes.append(forbidden("data", "field is immutable when `immutable` is set"))
    return causes


def validate_event(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    causes = validate_metadata(obj, dns1123_subdomain, True)
    involved = obj.get("involvedObject") or {}
    namespace = obj["metadata"].get("namespace", "")
    if involved.get("namespace") and involved["namespace"] != namespace:
        causes.append(
            invalid("involvedObject.namespace", involved["namespace"], "does not match event.namespace")
        )
    if old is not None:
        causes += validate_metadata_update(obj, old)
    return causes
