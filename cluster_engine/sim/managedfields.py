"""Field ownership for server-side apply: `metadata.managedFields` as kube-apiserver's field manager keeps it
(`k8s.io/apimachinery/pkg/util/managedfields/internal`) on top of sigs.k8s.io/structured-merge-diff.

A field set is a frozenset of paths; a path is a tuple of path elements in upstream's FieldsV1 spelling:
`f:<field>`, `k:{"name":"nginx"}` (an item of an associative list, by its sorted merge keys), `v:"x"` (an
item of a set list). The schema (the 1.32 OpenAPI definitions `schema.py` reads) decides what is a leaf:
scalars, atomic maps, structs and lists (`x-kubernetes-map-type` / `x-kubernetes-list-type: atomic`) are
owned as a whole; granular maps and structs are walked; associative lists own their items (`.` in FieldsV1).

- `track_update` is the Update operation of every create, update and patch: the fields that request added
  or changed go to its manager and are taken from every other manager (removed fields leave every set).
- `apply` is the Apply operation: the applied configuration is merged into the live object, fields the
  manager applied last time and no longer applies are pruned unless someone else owns them, and a changed
  field another manager owns is a conflict (409) unless forced.

Simplified on purpose: the Go zero object a create is compared against is modelled by a small table
(`_ZERO`); field sets are never converted between API versions (each kind is served in one version); unions
are not normalised; the status subresource owns `status` only and the scale subresource `spec.replicas`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from .errors import Cause, Status, bad_request
from .schema import definition
from .util import strip_nulls

APPLY, UPDATE = "Apply", "Update"
FIELDS_V1 = "FieldsV1"
MAX_UPDATE_MANAGERS = 10  # capmanagers.go: older Update entries merge into "ancient-changes"
ANCIENT_CHANGES = "ancient-changes"
BEFORE_FIRST_APPLY = "before-first-apply"
KUBECTL_SERVER_SIDE = "kubectl"  # the manager whose apply takes over client-side apply (lastappliedmanager.go)
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"  # corev1.LastAppliedConfigAnnotation
MAX_MANAGER_BYTES = 128
STATUS, SCALE = "status", "scale"

Path = tuple[str, ...]
PathSet = frozenset[Path]
Managers = dict[tuple[str, str, str, str], "Entry"]

# Paths no manager ever owns (stripmeta.go).
_STRIPPED: PathSet = frozenset({
    ("f:apiVersion",), ("f:kind",), ("f:metadata",), ("f:metadata", "f:name"), ("f:metadata", "f:namespace"),
    ("f:metadata", "f:creationTimestamp"), ("f:metadata", "f:selfLink"), ("f:metadata", "f:uid"),
    ("f:metadata", "f:clusterName"), ("f:metadata", "f:generation"), ("f:metadata", "f:managedFields"),
    ("f:metadata", "f:resourceVersion"),
})
# List-map keys with a schema default, used when an item omits them (`+default="TCP"` upstream).
_KEY_DEFAULTS = {"protocol": "TCP"}
# Struct fields Go's zero value of a type already has: a non-pointer struct is `{}`, a non-omitempty slice
# `null`. A create is compared against that zero object, so these paths count as changed, not added, and
# carry no `.` of their own (`f:template` has none, `f:rollingUpdate` has one). Top-level metadata, spec and
# status are non-pointer structs in every kind.
_STRUCT, _NULL = "struct", "null"
_ZERO: dict[str, dict[str, str]] = {
    "PodSpec": {"containers": _NULL},
    "PodTemplateSpec": {"metadata": _STRUCT, "spec": _STRUCT},
    "DeploymentSpec": {"template": _STRUCT, "strategy": _STRUCT},
    "ReplicaSetSpec": {"template": _STRUCT},
    "StatefulSetSpec": {"template": _STRUCT, "updateStrategy": _STRUCT},
    "DaemonSetSpec": {"template": _STRUCT, "updateStrategy": _STRUCT},
    "JobSpec": {"template": _STRUCT},
    "CronJobSpec": {"jobTemplate": _STRUCT},
    "JobTemplateSpec": {"metadata": _STRUCT, "spec": _STRUCT},
    "ServiceStatus": {"loadBalancer": _STRUCT},
    "PersistentVolumeClaimSpec": {"resources": _STRUCT},
    "NodeStatus": {"daemonEndpoints": _STRUCT, "nodeInfo": _STRUCT},
    "NodeDaemonEndpoints": {"kubeletEndpoint": _STRUCT},
}
# Who writes for an internal actor that names no field manager (the User-Agent prefix upstream would see).
_COMPONENT_MANAGERS = {"kube-scheduler": "kube-scheduler", "api-server": "kube-apiserver",
                       "scenario": "kubectl-create", "horizontal-pod-autoscaler": "kube-controller-manager"}


def without_managed_fields(obj: Any) -> Any:
    """`obj` without `metadata.managedFields` (a shallow copy when it had them; `obj` itself otherwise)."""
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    if not isinstance(meta, dict) or "managedFields" not in meta:
        return obj
    return {**obj, "metadata": {key: value for key, value in meta.items() if key != "managedFields"}}


class _Missing:
    """An absent value (JSON `null` is a value, absence is not)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


# ------------------------------------------------------------------ schema


@dataclass(frozen=True)
class Atom:
    """How field ownership sees one schema type: `leaf` (owned whole), `struct` / `map` (granular: each field
    or key on its own), `list` (associative: items by `keys`, or by value when there are none)."""

    form: str
    ref: str = ""
    item: Atom | None = None
    keys: tuple[str, ...] = ()


LEAF = Atom("leaf")


def root_atom(ref: str) -> Atom:
    return Atom("struct", ref=ref)


@cache
def _fields(ref: str) -> dict[str, Atom]:
    return {name: _atom(spec) for name, spec in (definition(ref).get("properties") or {}).items()}


def _atom(spec: dict[str, Any]) -> Atom:
    """The Atom of one OpenAPI property (kube-openapi's schemaconv: list type first, then the patch strategy)."""
    if "$ref" in spec:
        ref = spec["$ref"].rsplit("/", 1)[-1]
        target = definition(ref)
        if not target.get("properties") or "atomic" in (target.get("x-kubernetes-map-type"),
                                                        spec.get("x-kubernetes-map-type")):
            return LEAF  # scalars in disguise (Quantity, IntOrString, Time), atomic structs, free-form JSON
        return Atom("struct", ref=ref)
    kind = spec.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "array":
        item = _atom(spec.get("items") or {})
        list_type = spec.get("x-kubernetes-list-type")
        if list_type == "map":
            return Atom("list", item=item, keys=tuple(spec.get("x-kubernetes-list-map-keys") or ()))
        if list_type == "set":
            return Atom("list", item=item)
        if list_type is None and "merge" in str(spec.get("x-kubernetes-patch-strategy", "")).split(","):
            key = spec.get("x-kubernetes-patch-merge-key")
            return Atom("list", item=item, keys=(key,) if key else ())
        return LEAF
    if kind == "object" and isinstance(spec.get("additionalProperties"), dict):
        if spec.get("x-kubernetes-map-type") == "atomic":
            return LEAF
        return Atom("map", item=_atom(spec["additionalProperties"]))
    return LEAF


def _child(atom: Atom, name: str) -> Atom:
    if atom.form == "struct":
        return _fields(atom.ref).get(name, LEAF)
    if atom.form == "map" and atom.item is not None:
        return atom.item
    return LEAF


def _element_atom(atom: Atom, element: str) -> Atom:
    if element.startswith("f:"):
        return _child(atom, element[2:])
    if atom.form == "list" and atom.item is not None:
        return atom.item
    return LEAF


@cache
def zero_object(ref: str) -> dict[str, Any]:
    """The JSON of Go's zero value of a kind, as far as field ownership can tell (see `_ZERO`); shared, never
    mutate it."""
    fields = _fields(ref)
    obj: dict[str, Any] = {"metadata": {}}
    for name in ("spec", "status"):
        atom = fields.get(name)
        if atom is not None and atom.form == "struct":
            obj[name] = _zero_struct(atom.ref)
    return obj


def _zero_struct(ref: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, how in _ZERO.get(ref.rsplit(".", 1)[-1], {}).items():
        atom = _fields(ref).get(name)
        if how == _NULL:
            out[name] = None
        elif atom is not None and atom.form == "struct":
            out[name] = _zero_struct(atom.ref)
    return out


# ------------------------------------------------------------------ path elements


class ItemError(ValueError):
    """A list item that cannot be named by its keys (missing key, duplicate): upstream's typed conversion
    error; `path` is where, in `.spec.containers` form."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path_string(path)}: {message}")


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def _item_element(atom: Atom, item: Any, path: Path, index: int) -> str:
    if not atom.keys:
        return "v:" + _json(item)
    if not isinstance(item, dict):
        raise ItemError(path, f"element {index}: associative list with keys may not have non-map elements")
    key: dict[str, Any] = {}
    for name in sorted(atom.keys):
        if name in item:
            key[name] = item[name]
        elif name in _KEY_DEFAULTS:
            key[name] = _KEY_DEFAULTS[name]
        else:
            raise ItemError(path, f'element {index}: associative list with keys has an element that omits key '
                                  f'field "{name}" (and doesn\'t have default value)')
    return "k:" + _json(key)


@lru_cache(maxsize=8192)
def _element_order(element: str) -> tuple[Any, ...]:
    """Sort key of a path element: fields, then keys, then values, then indexes (PathElement.Compare)."""
    kind, text = element[:1], element[2:]
    if kind == "f":
        return (0, text)
    if kind == "k":
        return (1, tuple((name, _value_order(value)) for name, value in json.loads(text).items()))
    if kind == "v":
        return (2, _value_order(json.loads(text)))
    return (3, int(text) if text.isdigit() else text)


def _value_order(value: Any) -> tuple[Any, ...]:
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, int | float):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (3, _json(value))


def _value_string(value: Any) -> str:
    """value.ToString: strings quoted as Go's %q, numbers and booleans bare."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(_value_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return "".join(f"{k}={_value_string(v)}" for k, v in value.items())
    return str(value)


def path_string(path: Path) -> str:
    """`.spec.containers[name="nginx"].image`, as fieldpath.Path.String() prints a path."""
    parts = []
    for element in path:
        kind, text = element[:1], element[2:]
        if kind == "f":
            parts.append("." + text)
        elif kind == "k":
            parts.append("[" + ",".join(f"{k}={_value_string(v)}" for k, v in json.loads(text).items()) + "]")
        elif kind == "v":
            parts.append("[=" + _value_string(json.loads(text)) + "]")
        else:
            parts.append(f"[{text}]")
    return "".join(parts)


# ------------------------------------------------------------------ field sets of values


def field_set(value: Any, atom: Atom, path: Path = ()) -> set[Path]:
    """The fields a configuration sets (typed ToFieldSet): its leaves and its list items. Empty maps and lists
    set nothing. Raises ItemError for an item without its keys or a duplicate item."""
    out: set[Path] = set()
    _field_set(value, atom, path, out)
    return out


def _field_set(value: Any, atom: Atom, path: Path, out: set[Path]) -> None:
    form = atom.form
    if form in ("struct", "map") and isinstance(value, dict):
        for name, child in value.items():
            _field_set(child, _child(atom, name), (*path, "f:" + name), out)
        return
    if form == "list" and isinstance(value, list) and atom.item is not None:
        seen: set[str] = set()
        for index, item in enumerate(value):
            element = _item_element(atom, item, path, index)
            if element in seen:
                raise ItemError(path, f"duplicate entries for key {path_string((element,))}")
            seen.add(element)
            item_path = (*path, element)
            _field_set(item, atom.item, item_path, out)
            out.add(item_path)
        return
    out.add(path)


@dataclass
class Comparison:
    """What changed between two versions of an object, as paths (typed Compare)."""

    added: set[Path] = field(default_factory=set)
    modified: set[Path] = field(default_factory=set)
    removed: set[Path] = field(default_factory=set)

    @property
    def changed(self) -> set[Path]:
        return self.added | self.modified


def compare(old: Any, new: Any, atom: Atom) -> Comparison:
    """Added, modified and removed paths from `old` to `new`. A granular map or list item that appears or
    disappears is itself added or removed (so FieldsV1 gets its `.`); subtrees that are the same object are
    skipped without a walk."""
    result = Comparison()
    _compare(old, new, atom, (), result)
    return result


def _compare(lhs: Any, rhs: Any, atom: Atom, path: Path, out: Comparison) -> None:
    if lhs is rhs:
        return
    if lhs is MISSING:
        _added(rhs, atom, path, out.added)
        return
    form = atom.form
    if form in ("struct", "map") and (isinstance(lhs, dict) or isinstance(rhs, dict)):
        left = lhs if isinstance(lhs, dict) else {}
        right = rhs if isinstance(rhs, dict) else {}
        if left or right:
            for name in _union(left, right):
                _compare(left.get(name, MISSING), right.get(name, MISSING), _child(atom, name),
                         (*path, "f:" + name), out)
            _mark(lhs, rhs, path, out)
            return
    elif form == "list" and atom.item is not None and (isinstance(lhs, list) or isinstance(rhs, list)):
        left_items = lhs if isinstance(lhs, list) else []
        right_items = rhs if isinstance(rhs, list) else []
        if left_items or right_items:
            _compare_items(left_items, right_items, atom, path, out)
            _mark(lhs, rhs, path, out)
            return
    if lhs is MISSING:
        out.added.add(path)
    elif rhs is MISSING:
        out.removed.add(path)
    elif lhs != rhs or isinstance(lhs, bool) != isinstance(rhs, bool):
        out.modified.add(path)


def _added(value: Any, atom: Atom, path: Path, out: set[Path]) -> None:
    """`_compare` of a value against nothing (most of a create): every path in it is added."""
    form = atom.form
    if form in ("struct", "map") and isinstance(value, dict) and value:
        for name, child in value.items():
            _added(child, _child(atom, name), (*path, "f:" + name), out)
    elif form == "list" and atom.item is not None and isinstance(value, list) and value:
        seen: set[str] = set()
        for index, item in enumerate(value):
            try:
                element = _item_element(atom, item, path, index)
            except ItemError:
                continue
            if element not in seen:
                seen.add(element)
                _added(item, atom.item, (*path, element), out)
    out.add(path)


def _mark(lhs: Any, rhs: Any, path: Path, out: Comparison) -> None:
    if path and lhs is MISSING:
        out.added.add(path)
    elif path and rhs is MISSING:
        out.removed.add(path)


def _union(left: dict[str, Any], right: dict[str, Any]) -> Iterator[str]:
    yield from left
    for name in right:
        if name not in left:
            yield name


def _index(items: list[Any], atom: Atom, path: Path) -> dict[str, list[Any]]:
    indexed: dict[str, list[Any]] = {}
    for index, item in enumerate(items):
        try:
            element = _item_element(atom, item, path, index)
        except ItemError:
            continue  # an item the object could not have been validated with: nothing to own
        indexed.setdefault(element, []).append(item)
    return indexed


def _compare_items(left: list[Any], right: list[Any], atom: Atom, path: Path, out: Comparison) -> None:
    assert atom.item is not None
    lhs, rhs = _index(left, atom, path), _index(right, atom, path)
    for element in _union(lhs, rhs):
        old, new = lhs.get(element, []), rhs.get(element, [])
        item_path = (*path, element)
        if len(old) <= 1 and len(new) <= 1:
            _compare(old[0] if old else MISSING, new[0] if new else MISSING, atom.item, item_path, out)
        elif len(old) >= 2 and len(new) >= 2:  # duplicates on both sides: compared as a whole
            if old != new:
                out.modified.add(item_path)
        elif len(old) >= 2:
            if new:
                _compare(MISSING, new[0], atom.item, item_path, out)
            out.removed.add(item_path)
        else:
            if old:
                _compare(old[0], MISSING, atom.item, item_path, out)
            out.added.add(item_path)


def merge(live: Any, config: Any, atom: Atom) -> Any:
    """The live object with the configuration merged in (typed Merge): configured leaves win, granular maps
    merge key by key, associative lists item by item in upstream's order. Shares subtrees with its inputs."""
    if config is MISSING:
        return live
    if live is MISSING:
        return config
    form = atom.form
    if form in ("struct", "map") and isinstance(live, dict) and isinstance(config, dict):
        if not live and not config:
            return config
        out = dict(live)
        for name, value in config.items():
            out[name] = merge(live.get(name, MISSING), value, _child(atom, name))
        return out
    if form == "list" and atom.item is not None and isinstance(live, list) and isinstance(config, list):
        if not live and not config:
            return config
        return _merge_items(live, config, atom)
    return config


def _merge_items(live: list[Any], config: list[Any], atom: Atom) -> list[Any]:
    """mergingWalker.visitListItems: live order kept, configured items merged in at their shared position."""
    assert atom.item is not None
    try:
        right = [_item_element(atom, item, (), i) for i, item in enumerate(config)]
        left = [_item_element(atom, item, (), i) for i, item in enumerate(live)]
    except ItemError:
        return config
    right_items = dict(zip(right, config, strict=True))
    left_items: dict[str, Any] = {}
    for element, item in zip(left, live, strict=True):
        left_items[element] = MISSING if element in left_items else item  # a duplicate merges with nothing
    shared = [element for element in right if element in left_items]
    next_shared = shared.pop(0) if shared else None
    merged: set[str] = set()
    out: list[Any] = []
    li = ri = 0
    while li < len(left) or ri < len(right):
        if li < len(left) and ri < len(right):
            element = left[li]
            if element == right[ri]:
                merged.add(element)
                out.append(merge(left_items[element], right_items[element], atom.item))
                li += 1
                ri += 1
                next_shared = shared.pop(0) if shared else None
                continue
            if element in right_items and next_shared is not None and next_shared != element:
                li += 1
                continue
        if li < len(left):
            element = left[li]
            if element not in right_items:
                out.append(live[li])
                li += 1
                continue
            if element in merged:
                li += 1
        if ri < len(right):
            element = right[ri]
            merged.add(element)
            out.append(merge(left_items.get(element, MISSING), right_items[element], atom.item))
            ri += 1
            if next_shared is not None and next_shared == element:
                next_shared = shared.pop(0) if shared else None
    return out


def _trie(paths: Iterable[Path]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for path in paths:
        node = root
        for element in path:
            node = node.setdefault(element, {})
        node["."] = True
    return root


def remove_items(value: Any, paths: Iterable[Path], atom: Atom) -> Any:
    """`value` without the fields and list items at `paths` (typed RemoveItems); a map or list left empty by
    the removal goes too (MISSING for the root)."""
    return _remove(value, _trie(paths), atom)


def _remove(value: Any, trie: dict[str, Any], atom: Atom) -> Any:
    if atom.form in ("struct", "map") and isinstance(value, dict):
        out: dict[str, Any] = {}
        for name, child in value.items():
            sub = trie.get("f:" + name)
            if sub is None:
                out[name] = child
            elif "." not in sub:
                kept = _remove(child, sub, _child(atom, name))
                if kept is not MISSING:
                    out[name] = kept
        return out if out else MISSING
    if atom.form == "list" and atom.item is not None and isinstance(value, list):
        items: list[Any] = []
        for index, item in enumerate(value):
            try:
                sub = trie.get(_item_element(atom, item, (), index))
            except ItemError:
                sub = None
            if sub is None:
                items.append(item)
            elif "." not in sub:
                kept = _remove(item, sub, atom.item)
                if kept is not MISSING:
                    items.append(kept)
        return items if items else MISSING
    return value


def with_named_fields(paths: Iterable[Path], root: Atom) -> set[Path]:
    """`paths` plus every struct field on their way (EnsureNamedFieldsAreMembers): pruning may remove a struct
    field as a whole, never a key of a map."""
    out = set(paths)
    for path in list(out):
        atom = root
        for depth, element in enumerate(path[:-1]):
            if atom.form == "struct" and element.startswith("f:") and element[2:] in _fields(atom.ref):
                out.add(path[: depth + 1])
            atom = _element_atom(atom, element)
    return out


# ------------------------------------------------------------------ FieldsV1


def encode_fields(paths: Iterable[Path]) -> dict[str, Any]:
    """FieldsV1 of a field set: a member leaf is `{}`, a member with children carries `".": {}` (last), as
    structured-merge-diff serialises (elements in its order: fields, keys, values, indexes). Equal sets share
    one (never mutated) object: the pods of one template all have the same."""
    return _encode_cached(paths if isinstance(paths, frozenset) else frozenset(paths))


@lru_cache(maxsize=2048)
def _encode_cached(paths: PathSet) -> dict[str, Any]:
    return _render(_trie(paths))


def _render(node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for element in sorted((e for e in node if e != "."), key=_element_order):
        child = node[element]
        if len(child) == 1 and "." in child:
            out[element] = {}
        else:
            rendered = _render(child)
            if "." in child:
                rendered["."] = {}
            out[element] = rendered
    return out


def decode_fields(fields: Any) -> PathSet:
    """The field set of a FieldsV1 object; raises ValueError when it is not one."""
    if not isinstance(fields, dict):
        raise ValueError("fieldsV1 must be an object")
    out: set[Path] = set()
    _decode_into(fields, (), out)
    return frozenset(out)


def _decode_into(node: dict[str, Any], path: Path, out: set[Path]) -> None:
    for element, child in node.items():
        if element == ".":
            out.add(path)
            continue
        if element[:2] not in ("f:", "k:", "v:", "i:") or not isinstance(child, dict):
            continue  # an element type a later version may know: dropped, as upstream drops it
        child_path = (*path, element)
        if child:
            _decode_into(child, child_path, out)
        else:
            out.add(child_path)


def _has(fields: dict[str, Any], path: Path) -> bool:
    """Whether the FieldsV1 object `fields` has `path` as a member (no decoding)."""
    if not path:
        return False
    node: Any = fields
    for element in path:
        node = node.get(element)
        if not isinstance(node, dict):
            return False
    return not node or "." in node


def iterate(paths: Iterable[Path]) -> list[Path]:
    """Paths in Set.Iterate order: at each level the members, then the children, each in element order."""
    out: list[Path] = []

    def walk(node: dict[str, Any], prefix: Path) -> None:
        elements = sorted((e for e in node if e != "."), key=_element_order)
        out.extend((*prefix, e) for e in elements if "." in node[e])
        for element in elements:
            if len(node[element]) > 1 or "." not in node[element]:
                walk(node[element], (*prefix, element))

    walk(_trie(paths), ())
    return out


# ------------------------------------------------------------------ managers


@dataclass(frozen=True, eq=False)
class Entry:
    """One `managedFields` entry. `fields` is decoded lazily from `source` (the stored entry, reused as is
    while the entry does not change)."""

    manager: str
    operation: str
    api_version: str
    subresource: str = ""
    time: str | None = None
    fields_v1: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] | None = None
    decoded: PathSet | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """The manager identifier: appliers are one manager whatever apiVersion they applied."""
        return (self.manager, self.operation, self.api_version if self.operation == UPDATE else "",
                self.subresource)

    @property
    def fields(self) -> PathSet:
        return self.decoded if self.decoded is not None else decode_fields(self.fields_v1)

    def has(self, path: Path) -> bool:
        return path in self.decoded if self.decoded is not None else _has(self.fields_v1, path)

    def identifier(self) -> str:
        """The JSON manager identifier upstream sorts conflicts by (BuildManagerIdentifier)."""
        body = {"manager": self.manager, "operation": self.operation}
        if self.operation == UPDATE:
            body["apiVersion"] = self.api_version
        if self.subresource:
            body["subresource"] = self.subresource
        return json.dumps(body, separators=(",", ":"))

    def described(self) -> str:
        """`"kubectl" with subresource "scale" using apps/v1`, as conflict messages name a manager."""
        text = json.dumps(self.manager, ensure_ascii=False)
        if self.subresource:
            text += f" with subresource {json.dumps(self.subresource, ensure_ascii=False)}"
        if self.operation == UPDATE:
            text += f" using {self.api_version}"
        return text

    def with_fields(self, fields: Iterable[Path], *, time: str | _Missing | None = MISSING) -> Entry:
        paths = frozenset(fields)
        return Entry(self.manager, self.operation, self.api_version, self.subresource,
                     self.time if time is MISSING else time, encode_fields(paths), None, paths)

    def to_dict(self) -> dict[str, Any]:
        if self.source is not None:
            return self.source
        body: dict[str, Any] = {"manager": self.manager, "operation": self.operation, "apiVersion": self.api_version}
        if self.time is not None:
            body["time"] = self.time
        body["fieldsType"] = FIELDS_V1
        body["fieldsV1"] = self.fields_v1
        if self.subresource:
            body["subresource"] = self.subresource
        return body


def decode(entries: Any) -> Managers:
    """The managers of a `metadata.managedFields` list; raises ValueError on a malformed one."""
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise ValueError("managedFields must be a list")
    managers: Managers = {}
    for number, raw in enumerate(entries):
        if not isinstance(raw, dict):
            raise ValueError(f"managed fields entry {number} is not an object")
        operation = raw.get("operation")
        if operation not in (APPLY, UPDATE):
            raise ValueError("operation must be `Apply` or `Update`")
        if not raw.get("apiVersion"):
            raise ValueError("apiVersion must not be empty")
        if raw.get("fieldsType") != FIELDS_V1:
            raise ValueError(f"missing fieldsType in managed fields entry {number}" if not raw.get("fieldsType")
                             else f'invalid fieldsType "{raw["fieldsType"]}" in managed fields entry {number}')
        fields_v1 = raw.get("fieldsV1") or {}
        if not isinstance(fields_v1, dict):
            raise ValueError(f"error decoding set in managed fields entry {number}")
        entry = Entry(str(raw.get("manager") or ""), operation, str(raw["apiVersion"]),
                      str(raw.get("subresource") or ""), raw.get("time"), fields_v1, raw)
        managers[entry.key] = entry
    return managers


def encode(managers: Managers) -> list[dict[str, Any]] | None:
    """The `metadata.managedFields` list of `managers` (None when empty), in upstream's order: Apply before
    Update, then by time, manager, apiVersion and subresource."""
    if not managers:
        return None
    ordered = sorted(managers.values(), key=lambda e: (e.operation, e.time or "", e.manager, e.api_version,
                                                       e.subresource))
    return [entry.to_dict() for entry in ordered]


def _cap_updaters(managers: Managers) -> Managers:
    """capmanagers.go: beyond 10 Update entries the oldest merge into one `ancient-changes` entry per version."""
    updaters = [key for key, entry in managers.items() if entry.operation == UPDATE]
    if len(updaters) <= MAX_UPDATE_MANAGERS:
        return managers
    updaters.sort(key=lambda key: (managers[key].time or "", managers[key].identifier()))
    out = dict(managers)
    first_of_version: dict[str, tuple[str, str, str, str]] = {}
    length = len(updaters)
    for key in updaters:
        if length <= MAX_UPDATE_MANAGERS:
            break
        entry = out[key]
        bucket_key = (ANCIENT_CHANGES, UPDATE, entry.api_version, "")
        first = first_of_version.get(entry.api_version)
        if first is None:
            first_of_version[entry.api_version] = key
            continue
        if bucket_key not in out:
            out[bucket_key] = Entry(ANCIENT_CHANGES, UPDATE, entry.api_version).with_fields(out.pop(first).fields)
        bucket = out[bucket_key]
        out[bucket_key] = bucket.with_fields(bucket.fields | entry.fields, time=entry.time)
        del out[key]
        length -= 1
    return out


def _take(managers: Managers, paths: set[Path], *, skip: tuple[str, str, str, str] | None = None) -> Managers:
    """Every manager (but `skip`) without `paths`; a manager left with nothing goes."""
    if not paths:
        return dict(managers)
    out: Managers = {}
    for key, entry in managers.items():
        if key != skip and any(entry.has(path) for path in paths):
            remaining = entry.fields - paths
            if remaining:
                out[key] = entry.with_fields(remaining)
            continue
        out[key] = entry
    return out


# ------------------------------------------------------------------ the two operations


@dataclass(frozen=True)
class Scope:
    """What a write covers: the kind's root schema and version, and the subresource (`status` owns `status`,
    `scale` owns `spec.replicas`, the main resource everything but `status` when the kind has a status)."""

    ref: str
    api_version: str
    subresource: str = ""
    has_status: bool = True

    @property
    def atom(self) -> Atom:
        return root_atom(self.ref)

    def view(self, obj: dict[str, Any]) -> dict[str, Any]:
        """The part of `obj` this write can own, without `metadata.managedFields`."""
        if self.subresource == STATUS:
            return {"status": obj["status"]} if "status" in obj else {}
        if self.subresource == SCALE:
            return {"spec": {"replicas": obj["spec"]["replicas"]}} if "replicas" in (obj.get("spec") or {}) else {}
        out = {key: value for key, value in obj.items() if not (key == "status" and self.has_status)}
        meta = out.get("metadata")
        if isinstance(meta, dict) and "managedFields" in meta:
            out["metadata"] = {key: value for key, value in meta.items() if key != "managedFields"}
        return out


def default_manager(actor: str) -> str:
    """The manager of a write that names none: what kube-apiserver derives from the User-Agent of the
    component the actor stands for (`kubectl` for a learner, `kube-controller-manager` for controllers)."""
    if actor.startswith("user:"):
        return "kubectl"
    if actor.startswith("kubelet"):
        return "kubelet"
    if actor in _COMPONENT_MANAGERS:
        return _COMPONENT_MANAGERS[actor]
    if actor.endswith(("-controller", "-collector", "-publisher")):
        return "kube-controller-manager"
    return actor or "unknown"


def tracks_creates(actor: str) -> bool:
    """Whether what `actor` creates without naming a field manager gets managedFields: a learner's and a
    lesson's objects do; the simulated components' (pods of a ReplicaSet, ReplicaSets of a Deployment, Nodes)
    do not, so that their churn stays cheap (a later write by anyone leaves them untracked, as upstream leaves
    an object without managedFields)."""
    return actor.startswith("user:") or actor == "scenario"


def user_agent_manager(user_agent: str) -> str:
    """The manager of a request without `fieldManager` (prefixFromUserAgent): the User-Agent up to its first
    `/`, non-printable characters dropped, cut to 128 bytes; `unknown` when nothing is left."""
    out, size = [], 0
    for char in user_agent.split("/", 1)[0]:
        if not char.isprintable():
            continue
        size += len(char.encode())
        if size > MAX_MANAGER_BYTES:
            break
        out.append(char)
    return "".join(out) or "unknown"


def manager_problem(manager: str) -> str:
    """What ValidateFieldManager says of an explicit `fieldManager` (empty when it is fine)."""
    if len(manager.encode()) > MAX_MANAGER_BYTES:
        return f"Too long: may not be more than {MAX_MANAGER_BYTES} bytes"
    for index, char in enumerate(manager):
        if not char.isprintable():
            return f'Invalid value: {json.dumps(manager)}: invalid character U+{ord(char):04X} (at position {index})'
    return ""


def track_update(scope: Scope, live: dict[str, Any] | None, new: dict[str, Any], *, manager: str, now: str,
                 sent: Any = MISSING) -> list[dict[str, Any]] | None:
    """The `managedFields` of `new` after an Update operation (create, update or patch) by `manager`.

    `live` is the stored object (None on create: the kind's zero object stands in); `sent` the managedFields
    the request body carried (main resource only: a valid non-empty list replaces the stored one, `[]` or
    `[{}]` resets it). Objects without managedFields are not tracked after their creation, as upstream.
    Returns None when the object has no managedFields."""
    managers = _managers_for_update(live, sent, scope.subresource)
    if not managers and live is not None:
        return None
    before = scope.view(live if live is not None else zero_object(scope.ref))
    changes = compare(before, scope.view(new), scope.atom)
    changed = changes.changed
    managers = _take(managers, changed | changes.removed)
    owned = changed - _STRIPPED
    if owned:
        mine = Entry(manager or "unknown", UPDATE, scope.api_version, scope.subresource)
        previous = managers.get(mine.key)
        if previous is not None:
            owned |= previous.fields
        managers[mine.key] = mine.with_fields(owned, time=now)
    return encode(_cap_updaters(managers))


def _managers_for_update(live: dict[str, Any] | None, sent: Any, subresource: str) -> Managers:
    stored = (live or {}).get("metadata", {}).get("managedFields")
    if not subresource and sent is not MISSING and sent is not None:
        if sent in ([], [{}]):
            return {}
        try:
            managers = decode(sent)
        except ValueError:
            managers = {}
        if managers:
            return managers
    try:
        return decode(stored)
    except ValueError:
        return {}


class Conflicts(Exception):  # noqa: N818 - upstream's merge.Conflicts
    """Changed fields other managers own: manager entry -> paths."""

    def __init__(self, found: dict[Entry, list[Path]]) -> None:
        super().__init__("conflicts")
        self.found = found

    def without(self, allowed: set[Path]) -> Conflicts:
        kept = {entry: [p for p in paths if p not in allowed] for entry, paths in self.found.items()}
        return Conflicts({entry: paths for entry, paths in kept.items() if paths})

    def status(self) -> Status:
        """The 409 kube-apiserver answers (NewConflictError): one cause per conflict, the message one line for
        one conflict, else grouped by manager."""
        found = sorted(self.found.items(), key=lambda pair: pair[0].identifier())
        causes = tuple(Cause("FieldManagerConflict", f"conflict with {entry.described()}", path_string(path))
                       for entry, paths in found for path in iterate(paths))
        if len(causes) == 1:
            entry, paths = found[0]
            message = f"Apply failed with 1 conflict: conflict with {entry.described()}: {path_string(paths[0])}"
        else:
            lines = []
            for entry, paths in found:
                lines.append(f"conflicts with {entry.described()}:")
                lines.extend(f"- {path_string(path)}" for path in iterate(paths))
            message = f"Apply failed with {len(causes)} conflicts: " + "\n".join(lines)
        return Status(409, "Conflict", message, {}, causes)


@dataclass(frozen=True)
class Applied:
    """The result of an apply: the merged object (defaults not yet filled) and its managedFields."""

    obj: dict[str, Any]
    managed_fields: list[dict[str, Any]] | None
    changed: bool


def apply(scope: Scope, live: dict[str, Any] | None, config: dict[str, Any], *, manager: str, force: bool,
          now: str, where: str) -> Applied:
    """Server-side apply of `config` by `manager` to `live` (None: the object is created).

    Raises a 400 Status for managedFields in the configuration or another apiVersion, a 500 Status for a list
    item without its keys, and the 409 Conflict Status when a changed field has another manager (unless
    `force`; `kubectl` may take over what client-side apply last applied, as upstream lets it)."""
    meta = config.get("metadata") if isinstance(config.get("metadata"), dict) else {}
    if meta.get("managedFields") is not None:
        raise bad_request("metadata.managedFields must be nil")
    if config.get("apiVersion") != scope.api_version:
        raise bad_request(f"Incorrect version specified in apply patch. Specified patch version: "
                          f"{config.get('apiVersion')}, expected: {scope.api_version}")
    try:
        managers = decode((live or {}).get("metadata", {}).get("managedFields"))
    except ValueError as error:
        raise Status(500, "", f"failed to decode managed fields: {error}") from error
    if not managers and live is not None:
        # skipnonapplied.go: an object nobody tracked yet is first owned as a whole by "before-first-apply"
        managers = decode(track_update(scope, None, live, manager=BEFORE_FIRST_APPLY, now=now))
    config_view = scope.view(config)
    try:
        applied = frozenset(field_set(config_view, scope.atom))
    except ItemError as error:
        raise Status(500, "", f"failed to create typed patch object ({where}): {error}") from error
    entry = Entry(manager, APPLY, scope.api_version, scope.subresource)
    try:
        merged, managers = _apply_once(scope, live, config_view, applied, managers, entry, force)
    except Conflicts as conflicts:
        if manager != KUBECTL_SERVER_SIDE or live is None:
            raise conflicts.status() from None
        allowed = _last_applied_fields(scope, live)
        remaining = conflicts.without(allowed)
        if remaining.found:
            raise remaining.status() from None
        merged, managers = _apply_once(scope, live, config_view, applied, managers, entry, True)
    before = scope.view(live) if live is not None else None
    changed = merged != before
    mine = managers.get(entry.key)
    if mine is not None:
        previous = _previous_time(live, entry.key)
        managers[entry.key] = Entry(mine.manager, mine.operation, mine.api_version, mine.subresource,
                                    now if changed else previous, mine.fields_v1, None, mine.decoded)
    obj = _whole(scope, live, merged)
    if manager == KUBECTL_SERVER_SIDE and live is not None:
        _sync_last_applied(obj, config)
    return Applied(obj, encode(managers), changed)


def _previous_time(live: dict[str, Any] | None, key: tuple[str, str, str, str]) -> str | None:
    try:
        entry = decode((live or {}).get("metadata", {}).get("managedFields")).get(key)
    except ValueError:
        return None
    return entry.time if entry is not None else None


def _apply_once(scope: Scope, live: dict[str, Any] | None, config: dict[str, Any], applied: PathSet,  # noqa: PLR0917
                managers: Managers, entry: Entry, force: bool) -> tuple[dict[str, Any], Managers]:
    atom = scope.atom
    if live is None:
        return config, ({entry.key: entry.with_fields(applied - _STRIPPED)} if applied - _STRIPPED else {})
    before = scope.view(live)
    merged = merge(before, config, atom)
    last = managers.get(entry.key)
    managers = dict(managers)
    managers[entry.key] = entry.with_fields(applied)
    if last is not None:
        owned: set[Path] = set()
        for manager in managers.values():
            owned |= manager.fields
        removal = with_named_fields(last.fields, atom) - with_named_fields(owned, atom)
        if removal:
            pruned = remove_items(merged, removal, atom)
            merged = pruned if pruned is not MISSING else {}
    changes = compare(before, merged, atom)
    changed = changes.changed
    conflicts = {other: hits for key, other in managers.items() if key != entry.key
                 if (hits := [path for path in changed if other.has(path)])}
    if conflicts and not force:
        raise Conflicts(conflicts)
    managers = _take(managers, changed | changes.removed, skip=entry.key)
    kept = managers[entry.key].fields - _STRIPPED
    if kept:
        managers[entry.key] = managers[entry.key].with_fields(kept)
    else:
        del managers[entry.key]
    return merged, managers


def _whole(scope: Scope, live: dict[str, Any] | None, merged: dict[str, Any]) -> dict[str, Any]:
    """The object to write: the merged view put back into the live object it was cut from."""
    if live is None:
        return dict(merged)
    if scope.subresource == STATUS:
        return {**live, "status": merged.get("status", {})}
    if scope.subresource == SCALE:
        return {**live, "spec": {**live.get("spec", {}), **merged.get("spec", {})}}
    out = dict(merged)
    if scope.has_status and "status" in live:
        out["status"] = live["status"]
    return out


def _last_applied_fields(scope: Scope, live: dict[str, Any]) -> set[Path]:
    """The fields client-side apply last applied that still hold their applied value (allowed takeovers)."""
    text = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    if not text:
        return set()
    try:
        last = strip_nulls(json.loads(text))
    except ValueError:
        return set()
    if not isinstance(last, dict) or last.get("apiVersion") != scope.api_version:
        return set()
    try:
        fields = field_set(last, scope.atom)
    except ItemError:
        return set()
    differences = compare(last, live, scope.atom)
    return fields - differences.modified - differences.added - differences.removed


def _sync_last_applied(obj: dict[str, Any], config: dict[str, Any]) -> None:
    """lastappliedupdater.go: `kubectl`'s server-side apply keeps an existing last-applied annotation equal to
    what it applied, so a later client-side apply starts from it."""
    meta = obj.get("metadata")
    annotations = (meta or {}).get("annotations") or {}
    if not isinstance(meta, dict) or not annotations.get(LAST_APPLIED):
        return
    recorded = dict(config)
    config_meta = dict(config.get("metadata") or {})
    if "annotations" in config_meta:
        config_meta["annotations"] = {k: v for k, v in config_meta["annotations"].items() if k != LAST_APPLIED}
    recorded["metadata"] = config_meta
    obj["metadata"] = {**meta, "annotations": {**annotations, LAST_APPLIED: encode_last_applied(recorded)}}


# Go's encoding/json escapes these inside strings (HTML-safe output, its default); Python's json does not.
_GO_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                             "\u2029": "\\u2029"})


def encode_last_applied(obj: Any) -> str:
    """The text of a last-applied-configuration annotation, byte for byte as kubectl's client-side apply and
    the api-server's lastappliedupdater write it (`unstructured.UnstructuredJSONScheme`, i.e. Go's
    encoding/json): keys sorted, no spaces, `<` `>` `&` U+2028 U+2029 escaped, other text as UTF-8, integral
    numbers without a fraction (`1.0` is `1`), a trailing newline. Raises a 400 Status for NaN or infinity,
    which Go cannot encode."""
    return _go_json(obj).translate(_GO_ESCAPES) + "\n"


def _go_json(value: Any) -> str:
    if isinstance(value, dict):
        items = sorted(((_go_key(key), item) for key, item in value.items()), key=lambda pair: pair[0])
        return "{" + ",".join(f"{json.dumps(key, ensure_ascii=False)}:{_go_json(item)}" for key, item in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_go_json(item) for item in value) + "]"
    if value is None or isinstance(value, bool | int):
        return json.dumps(value)
    if isinstance(value, float):
        return _go_float(value)
    return json.dumps(str(value), ensure_ascii=False)  # a YAML date or the like: its text


def _go_key(key: Any) -> str:
    """A map key as sigs.k8s.io/yaml turns it into a JSON key."""
    if isinstance(key, str):
        return key
    return _go_json(key) if isinstance(key, bool | int | float) or key is None else str(key)


def _go_float(number: float) -> str:
    """encoding/json's float64: what the JSON decoder reads as an integer is one; otherwise the shortest
    digits, positional from 1e-6 up to 1e21 and exponential outside (`1.5e-7`, `2.5e+22`)."""
    if not math.isfinite(number):
        raise bad_request(f"json: unsupported value: {'NaN' if math.isnan(number) else f'{number:+}'.title()}")
    if number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    digits = Decimal(repr(number))
    return format(digits, "e" if abs(number) < 1e-6 or abs(number) >= 1e21 else "f")
