"""The request path of the simulated kube-apiserver: decode strictly, resolve the namespace, admit,
default, validate, check preconditions, then write through the store. What comes before decoding, the request's
`fieldValidation` mode (unknown fields dropped, warned of or left for the strict decoding to refuse), is
`fieldvalidation.py`.

Every verb either returns a copy of the resulting object or raises a `Status`; a failed request
changes nothing (not even the random draws used for names and uids).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from . import admission, authz, errors, eviction, managedfields, objects, patch, quota
from .clock import Clock
from .defaults import admit_pod, admit_toleration_seconds
from .errors import Status, bad_request
from .objects import Kind
from .schema import DecodeError, root_ref, strict_decode
from .selectors import parse_field_selector, parse_label_selector
from .store import ADDED, DELETED, MODIFIED, Store
from .util import Draws, clone, rfc3339, strip_nulls
from .validation import secret_base64_error

CLIENT_SIDE_APPLY = "kubectl-client-side-apply"  # the field manager of kubectl's client-side apply
SYSTEM_META = (
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "managedFields",
    "selfLink",
)
FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"
PROPAGATION_POLICIES = ("Foreground", "Background", "Orphan")
UNDELETABLE_NAMESPACES = ("default", "kube-system", "kube-public")
BUILTIN_PRIORITY_CLASSES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}
API_SERVER = "api-server"  # the actor of the api-server's own writes (a quota's usage grown by admission)
USER_ADMIN = "user:admin"  # who asks when a request names no actor (the sandbox's own user)
ADMITTED_KINDS = frozenset({"Pod", "PersistentVolumeClaim", "PersistentVolume"})  # what `admission.mutate` changes
QUOTA_UPDATED_KINDS = frozenset({"Service", "PersistentVolumeClaim"})  # whose usage an update can grow


def _allow(kind: Kind, verb: str) -> None:
    """A verb the kind does not serve (read-only kinds: CustomResourceDefinitions) is refused as kube-apiserver
    refuses it: 405 MethodNotAllowed."""
    if verb not in kind.verbs:
        raise errors.method_not_allowed("the server does not allow this method on the requested resource")


def _cannot_handle(kind: Kind, detail: str, *, fields: tuple[str, ...] = (),
                   version: objects.Version | None = None) -> Status:
    """The decoder's refusal of a body, naming the version it was sent in; `fields` are the offending paths
    (what the in-page editor marks)."""
    name = version.version if version else kind.version
    status = bad_request(f'{kind.kind} in version "{name}" cannot be handled as a {kind.kind}: {detail}')
    status.fields = fields
    return status


class ApiServer:
    """Verbs over one sandbox's store. `actor` names who asks (`user:alice`, `kube-scheduler`, ...; by default
    the sandbox's user); a write happens at the clock's simulated time unless the caller passes its own `now` (a
    component that reconciles at a time it was handed)."""

    def __init__(
        self,
        store: Store,
        draws: Draws,
        limits: quota.Limits | None = quota.SANDBOX_LIMITS,
        *,
        clock: Clock | None = None,
    ) -> None:
        self.store = store
        self.draws = draws
        self.limits = limits
        self.clock = clock if clock is not None else Clock(0.0)
        # Whether the ServiceAccount controller runs (the controller manager does): then a namespace's missing
        # `default` account is about to exist, and the ServiceAccount admission plugin waits for it.
        self.service_accounts_managed = True

    # --- helpers --------------------------------------------------------------------------------
    def _time(self, now: float | None) -> float:
        """The simulated time of a request: the caller's `now`, else the clock's."""
        return self.clock.now if now is None else now

    def _atomic(self, action: Callable[[], Any], dry_run: bool = False) -> Any:
        """Run a request; on failure (or for a dry run) restore the draw counter so nothing changed."""
        counter = self.draws.counter
        try:
            result = action()
            if dry_run:
                self.draws.counter = counter
            return result
        except Status:
            self.draws.counter = counter
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            # a body shaped unlike any Kubernetes object: the decoder would have refused it
            self.draws.counter = counter
            raise bad_request(f"the body of the request was in an unknown format: {error}") from error

    def resolve(self, kind_name: str) -> Kind:
        """The stored kind a verb other than create names; a review (created, never stored) is a 405."""
        kind = objects.lookup(kind_name)
        if kind is None:
            if authz.review_kind(kind_name) is not None:
                raise authz.not_stored()
            raise Status(404, "NotFound", f'the server doesn\'t have a resource type "{kind_name}"')
        return kind

    @staticmethod
    def decode(kind: Kind, body: Any) -> dict[str, Any]:
        """Strict decoding of a request body into a clean object tree (nulls dropped)."""
        if not isinstance(body, dict):
            raise bad_request(
                "the body of the request was in an unknown format - accepted media types include: "
                "application/json, application/yaml, application/vnd.kubernetes.protobuf"
            )
        obj = strip_nulls(clone(body))
        other = kind.served_version(obj.get("apiVersion"))  # a body of another served version is converted
        try:
            unknown = strict_decode(obj, root_ref(kind.group, other.version, kind.kind) if other else kind.schema_ref)
        except DecodeError as error:
            raise _cannot_handle(kind, str(error), fields=(error.field,) if error.field else (),
                                 version=other) from error
        if unknown:
            fields = ", ".join(f'unknown field "{path}"' for path in unknown)
            raise _cannot_handle(kind, f"strict decoding error: {fields}", fields=tuple(unknown), version=other)
        if other is not None:
            obj = other.to_stored(obj)
        if kind.kind == "Secret":
            problem = secret_base64_error(obj)
            if problem:
                raise _cannot_handle(kind, problem)
        if not isinstance(obj.get("metadata"), dict):
            obj["metadata"] = {}
        return obj

    def _namespace(self, kind: Kind, obj: dict[str, Any], namespace: str | None) -> str:
        meta = obj["metadata"]
        if not kind.namespaced:
            meta.pop("namespace", None)
            return ""
        requested = namespace or meta.get("namespace") or "default"
        if meta.get("namespace") and meta["namespace"] != requested:
            raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
        meta["namespace"] = requested
        return requested

    def _require_namespace(self, kind: Kind, namespace: str, name: str) -> None:
        """NamespaceLifecycle admission: the namespace must exist and not be terminating."""
        if not kind.namespaced:
            return
        ns = self.store.get("Namespace", "", namespace)
        if ns is None:
            raise errors.not_found("namespaces", namespace)
        if ns["metadata"].get("deletionTimestamp"):
            raise Status(
                403,
                "Forbidden",
                f'{kind.qualified_plural} "{name}" is forbidden: unable to create new content in '
                f"namespace {namespace} because it is being terminated",
                {"name": name, "kind": kind.plural},
            )

    def _existing(self, kind: Kind, namespace: str, name: str) -> dict[str, Any]:
        current = self.store.get(kind.kind, namespace, name)
        if current is None:
            raise errors.not_found(kind.plural, name, kind.group)
        return current

    def _invalid(self, kind: Kind, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        causes = kind.validate(obj, old)
        if causes:
            name = obj["metadata"].get("name") or obj["metadata"].get("generateName", "")
            raise errors.invalid(kind.kind, name, causes, kind.group)

    def _manage(
        self,
        kind: Kind,
        old: dict[str, Any] | None,
        obj: dict[str, Any],
        *,
        subresource: str,
        field_manager: str | None,
        actor: str,
        now: float,
        sent: Any,
    ) -> list[dict[str, Any]] | None:
        """The managedFields after this create/update/patch (an Update operation by `field_manager`, or by the
        component `actor` stands for when it names none). What the simulated controllers create is not tracked:
        it keeps their churn (a rollout's pods and ReplicaSets) cheap; their writes to tracked objects are."""
        if old is None and field_manager is None and not managedfields.tracks_creates(actor):
            return None
        manager = field_manager or managedfields.default_manager(actor)
        scope = managedfields.Scope(kind.schema_ref, kind.api_version, subresource, kind.has_status)
        return managedfields.track_update(scope, old, obj, manager=manager, now=rfc3339(now), sent=sent)

    def _admit(self, kind: Kind, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        """The kind's storage step (IP and port allocation, generated selectors); 422 on field errors."""
        if kind.admit is None:
            return
        causes = kind.admit(obj, old, self.store, self.draws)
        if causes:
            raise errors.invalid(kind.kind, obj["metadata"].get("name", ""), causes, kind.group)

    # --- create ---------------------------------------------------------------------------------
    def create(
        self,
        body: dict[str, Any],
        *,
        namespace: str | None = None,
        actor: str = USER_ADMIN,
        now: float | None = None,
        dry_run: bool = False,
        reason: str = "",
        field_manager: str | None = None,
    ) -> dict[str, Any]:
        """POST: returns the created object (a copy); raises Status (AlreadyExists, Invalid, ...).

        `field_manager` owns the fields the object is created with (default: the component `actor` is). A review
        (`kubectl auth can-i`, `whoami`) is answered for `actor` and stores nothing."""
        now = self._time(now)
        if isinstance(body, dict) and authz.review_kind(str(body.get("kind", ""))) is not None:
            return review(body, actor=actor, now=now)
        return self._atomic(
            lambda: self._create(
                body,
                namespace=namespace,
                actor=actor,
                now=now,
                dry_run=dry_run,
                reason=reason,
                field_manager=field_manager,
            ),
            dry_run,
        )

    def _create(
        self,
        body: dict[str, Any],
        *,
        namespace: str | None,
        actor: str,
        now: float,
        dry_run: bool,
        reason: str,
        field_manager: str | None = None,
        managed_fields: Any = managedfields.MISSING,
    ) -> dict[str, Any]:
        """Create; `managed_fields` (server-side apply's) replaces the Update operation's bookkeeping."""
        kind = objects.kind_of(body) if isinstance(body, dict) else objects.kind_of({})
        _allow(kind, "create")
        obj = self.decode(kind, body)
        ns = self._namespace(kind, obj, namespace)
        meta = obj["metadata"]
        sent = meta.get("managedFields", managedfields.MISSING)
        for key in SYSTEM_META:
            meta.pop(key, None)
        request_name = meta.get("name") or meta.get("generateName", "")  # what mutating admission sees
        if not meta.get("name") and meta.get("generateName"):
            base = meta["generateName"][:58]
            meta["name"] = base + self.draws.suffix(5)
            while self.store.get(kind.kind, ns, meta["name"]) is not None:
                meta["name"] = base + self.draws.suffix(5)
        kind.prepare(obj)
        kind.default(obj)
        if managed_fields is managedfields.MISSING:
            # as upstream: what the request set, defaults included, before admission adds its own fields
            managed_fields = self._manage(kind, None, obj, subresource="", field_manager=field_manager, actor=actor,
                                          now=now, sent=sent)
        kind.strategy(obj, None)
        if kind.kind == "Pod":
            self._invalid(kind, obj, None)  # validate what the user sent before admission adds volumes
        account = self._mutate(kind, obj, request_name)
        if kind.kind == "Pod":
            self._admit_priority(obj)
            admit_pod(obj, self.draws, automount=(account or {}).get("automountServiceAccountToken"))
        self._invalid(kind, obj, None)
        self._require_namespace(kind, ns, meta["name"])
        if self.store.get(kind.kind, ns, meta["name"]) is not None:
            raise errors.already_exists(kind.plural, meta["name"], kind.group)
        quota.admit_create(self.limits, self.store, kind, obj)
        charges = admission.validate(self.store, kind, obj, None, name=meta["name"]) if kind.namespaced else []
        meta["uid"] = self.draws.uid()
        meta["creationTimestamp"] = rfc3339(now)
        if kind.tracks_generation:
            meta["generation"] = 1
        self._admit(kind, obj, None)
        if managed_fields:
            meta["managedFields"] = managed_fields
        obj = _ordered(obj)
        if dry_run:
            return clone(obj)
        stored = clone(self.store.put(kind.kind, obj, actor=actor, reason=reason, verb="create", now=now))
        admission.charge(self.store, charges, actor=API_SERVER, now=now)
        return stored

    def _mutate(self, kind: Kind, obj: dict[str, Any], request_name: str) -> dict[str, Any] | None:
        """The mutating admission plugins that read other objects (`admission.mutate`), skipped while the
        namespace does not exist (NamespaceLifecycle refuses the request later with its own error)."""
        if kind.kind not in ADMITTED_KINDS:
            return None
        namespace = obj["metadata"].get("namespace", "")
        if kind.namespaced and self.store.get("Namespace", "", namespace) is None:
            return None
        return admission.mutate(self.store, kind, obj, request_name=request_name,
                                default_account_coming=self.service_accounts_managed)

    def _admit_priority(self, pod: dict[str, Any]) -> None:
        """Priority admission: resolve priorityClassName to spec.priority (built-in or PriorityClass)."""
        spec = pod["spec"]
        class_name = spec.get("priorityClassName")
        if not class_name:
            default = next((pc for pc in self.store.items("PriorityClass") if pc.get("globalDefault")), None)
            if default is not None:
                spec["priorityClassName"] = default["metadata"]["name"]
                spec["priority"] = int(default.get("value", 0))
            return
        value = BUILTIN_PRIORITY_CLASSES.get(class_name)
        found = self.store.get("PriorityClass", "", class_name)
        if found is not None:
            value = int(found.get("value", 0))
            if found.get("preemptionPolicy"):
                spec["preemptionPolicy"] = found["preemptionPolicy"]
        if value is None:
            name = pod["metadata"].get("name") or pod["metadata"].get("generateName", "")
            raise Status(
                403,
                "Forbidden",
                f'pods "{name}" is forbidden: no PriorityClass with name {class_name} was found',
                {"name": name, "kind": "pods"},
            )
        if spec.get("priority") is not None and spec["priority"] != value:
            name = pod["metadata"].get("name", "")
            raise Status(
                403,
                "Forbidden",
                f'pods "{name}" is forbidden: the integer value of priority ({spec["priority"]}) '
                f"must not be provided in pod spec; priority admission controller computed {value} from the "
                "given PriorityClass name",
                {"name": name, "kind": "pods"},
            )
        spec["priority"] = value

    # --- reads ----------------------------------------------------------------------------------
    def get(self, kind_name: str, name: str, *, namespace: str = "default") -> dict[str, Any]:
        """GET: a copy of the object (`kind_name` may be `Pod`, `pods`, `pod`, `po`); 404 NotFound."""
        kind = self.resolve(kind_name)
        return clone(self._existing(kind, namespace if kind.namespaced else "", name))

    def list(
        self,
        kind_name: str,
        *,
        namespace: str | None = None,
        label_selector: str = "",
        field_selector: str = "",
    ) -> dict[str, Any]:
        """A `<Kind>List` sorted by namespace and name, with the store's current resourceVersion."""
        kind = self.resolve(kind_name)
        labels = parse_label_selector(label_selector)
        fields = parse_field_selector(field_selector, kind)
        items = [
            clone(obj)
            for obj in self.store.items(kind.kind, namespace if kind.namespaced else None)
            if labels.matches(obj["metadata"].get("labels")) and fields.matches(kind, obj)
        ]
        items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        for item in items:
            item.setdefault("apiVersion", kind.api_version)
            item.setdefault("kind", kind.kind)
        return {
            "apiVersion": kind.api_version,
            "kind": f"{kind.kind}List",
            "metadata": {"resourceVersion": str(self.store.rv)},
            "items": items,
        }

    def watch(
        self,
        since_rv: int | str,
        *,
        kind: str | None = None,
        namespace: str | None = None,
        label_selector: str = "",
        field_selector: str = "",
    ) -> list[dict[str, Any]]:
        """Watch events `{type, object}` after `since_rv`; 410 Expired if history no longer reaches it, 400 for a
        resourceVersion that is not a number.

        With a selector, an object that starts matching arrives as ADDED and one that stops matching as
        DELETED, as the watch cache reports them (the previous version comes from the retained history).
        """
        try:
            since = int(since_rv or 0)
        except ValueError as error:
            raise bad_request(f'invalid resource version "{since_rv}"') from error
        return self._watch(since, kind, namespace, label_selector=label_selector, field_selector=field_selector)

    def _watch(
        self, since_rv: int, kind_name: str | None, namespace: str | None, *, label_selector: str, field_selector: str
    ) -> list[dict[str, Any]]:
        kind = self.resolve(kind_name) if kind_name else None
        labels = parse_label_selector(label_selector)
        fields = parse_field_selector(field_selector, kind) if kind else None
        self.store.events_since(since_rv)  # 410 Expired when the window no longer reaches since_rv
        selective = not labels.empty() or bool(fields and fields.requirements)

        def matches(obj: dict[str, Any]) -> bool:
            if not labels.matches(obj["metadata"].get("labels")):
                return False
            return fields is None or kind is None or fields.matches(kind, obj)

        previous: dict[tuple[str, str, str], dict[str, Any]] = {}
        events = []
        for rv, event, event_kind, obj in self.store.history:
            if kind is not None and event_kind != kind.kind:
                continue
            meta = obj["metadata"]
            key = (event_kind, meta.get("namespace", ""), meta["name"])
            before = previous.pop(key, None)
            if event != DELETED:
                previous[key] = obj
            if rv <= since_rv or (namespace is not None and meta.get("namespace", "") != namespace):
                continue
            now_matches = matches(obj)
            was_matching = (
                now_matches if before is None and event == MODIFIED else (before is not None and matches(before))
            )
            shown = event
            if selective and event == MODIFIED:
                if now_matches and not was_matching:
                    shown = ADDED
                elif was_matching and not now_matches:
                    shown = DELETED
                elif not now_matches:
                    continue
            elif not (now_matches or (event == DELETED and was_matching)):
                continue
            events.append({"type": shown, "object": clone(obj)})
        return events

    # --- update / patch ---------------------------------------------------------------------------
    def update(
        self,
        body: dict[str, Any],
        *,
        namespace: str | None = None,
        actor: str = USER_ADMIN,
        now: float | None = None,
        dry_run: bool = False,
        reason: str = "",
        subresource: str = "",
        field_manager: str | None = None,
    ) -> dict[str, Any]:
        """PUT (or PUT to `status`): optimistic concurrency on metadata.resourceVersion (409 Conflict)."""
        now = self._time(now)

        def run() -> dict[str, Any]:
            kind = objects.kind_of(body)
            _allow(kind, "update")
            # a subresource write never sets managedFields: not copying them keeps status writes cheap
            obj = self.decode(kind, managedfields.without_managed_fields(body) if subresource else body)
            ns = self._namespace(kind, obj, namespace)
            name = obj["metadata"].get("name", "")
            if not name:
                raise bad_request("name is required")  # kubectl never sends a nameless update
            old = self._existing(kind, ns, name)
            return self._write(
                kind,
                old,
                obj,
                actor=actor,
                now=now,
                dry_run=dry_run,
                reason=reason,
                subresource=subresource,
                verb="update",
                field_manager=field_manager,
            )

        return self._atomic(run)

    def update_status(
        self,
        body: dict[str, Any],
        *,
        namespace: str | None = None,
        actor: str = USER_ADMIN,
        now: float | None = None,
        dry_run: bool = False,
        reason: str = "",
        field_manager: str | None = None,
    ) -> dict[str, Any]:
        return self.update(
            body,
            namespace=namespace,
            actor=actor,
            now=now,
            dry_run=dry_run,
            reason=reason,
            subresource="status",
            field_manager=field_manager,
        )

    def patch(
        self,
        kind_name: str,
        name: str,
        body: Any,
        *,
        namespace: str = "default",
        patch_type: str = "strategic",
        actor: str = USER_ADMIN,
        now: float | None = None,
        dry_run: bool = False,
        reason: str = "",
        subresource: str = "",
        field_manager: str | None = None,
        api_version: str | None = None,
    ) -> dict[str, Any]:
        """PATCH with `patch_type` merge / json / strategic (or their media types). `subresource` `status`
        changes the status only; `scale` is recorded as the scale subresource's write of `spec.replicas`.
        `api_version` names another served version of the kind: the patch applies to the object in that version,
        and the result is converted back, as kube-apiserver patches the version a request addresses."""
        now = self._time(now)

        def run() -> dict[str, Any]:
            kind = self.resolve(kind_name)
            _allow(kind, "patch")
            ns = namespace if kind.namespaced else ""
            stored = self._existing(kind, ns, name)
            other = kind.served_version(api_version)
            old = other.from_stored(stored) if other is not None else stored
            ref = root_ref(kind.group, other.version, kind.kind) if other is not None else kind.schema_ref
            media = patch.PATCH_TYPES.get(patch_type)
            if media is None:
                raise Status(
                    415,
                    "UnsupportedMediaType",
                    f"the body of the request was in an unknown format - "
                    f"accepted media types include: {', '.join(sorted(set(patch.PATCH_TYPES.values())))}",
                )
            if media == patch.JSON_PATCH:
                result = patch.json_patch(old, body)
            elif not isinstance(body, dict):
                raise bad_request("json: cannot unmarshal array into Go value of type map[string]interface {}")
            elif media == patch.MERGE:
                result = patch.merge_patch(old, body)
            else:
                result = patch.strategic_merge(old, body, ref)
            if not isinstance(result, dict):
                raise bad_request("patched object is not an object")
            result.setdefault("apiVersion", old.get("apiVersion") or kind.api_version)
            result.setdefault("kind", kind.kind)
            if subresource or result.get("metadata", {}).get("managedFields") is old["metadata"].get("managedFields"):
                # untouched by the patch: the stored ones stay, uncopied
                result = managedfields.without_managed_fields(result)
            obj = self.decode(kind, result)
            return self._write(
                kind,
                stored,
                obj,
                actor=actor,
                now=now,
                dry_run=dry_run,
                reason=reason,
                subresource=subresource,
                verb="patch",
                field_manager=field_manager,
            )

        return self._atomic(run)

    def _write(
        self,
        kind: Kind,
        old: dict[str, Any],
        obj: dict[str, Any],
        *,
        actor: str,
        now: float,
        dry_run: bool,
        reason: str,
        subresource: str,
        verb: str,
        field_manager: str | None = None,
        managed_fields: Any = managedfields.MISSING,
    ) -> dict[str, Any]:
        """Store `obj` over `old`. The managedFields are `managed_fields` (server-side apply's) or those of an
        Update operation by `field_manager`, computed after defaulting and before the strategy, as upstream."""
        meta, old_meta = obj["metadata"], old["metadata"]
        if meta.get("namespace", "") != old_meta.get("namespace", "") and kind.namespaced:
            raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
        sent_rv = meta.get("resourceVersion")
        if sent_rv and sent_rv != old_meta.get("resourceVersion"):
            raise errors.stale_conflict(kind.plural, old_meta["name"], kind.group)
        sent = meta.get("managedFields", managedfields.MISSING)
        charges: list[admission.Charge] = []
        for key in SYSTEM_META:
            if key in old_meta:
                meta[key] = old_meta[key]
            else:
                meta.pop(key, None)
        if subresource == "status":
            obj = dict(old, status=obj.get("status", {}))
            if managed_fields is managedfields.MISSING:
                managed_fields = self._manage(kind, old, obj, subresource=subresource, field_manager=field_manager,
                                              actor=actor, now=now, sent=sent)
        else:
            kind.prepare(obj)
            if kind.has_status and "status" in old:
                obj["status"] = old["status"]
            elif kind.has_status:
                obj.pop("status", None)
            kind.default(obj)
            if managed_fields is managedfields.MISSING:
                managed_fields = self._manage(kind, old, obj, subresource=subresource, field_manager=field_manager,
                                              actor=actor, now=now, sent=sent)
            kind.strategy(obj, old)
            if kind.kind == "Pod" and not subresource:
                admit_toleration_seconds(obj)  # mutating admission (not for subresources) runs before validation
            self._invalid(kind, obj, old)
            self._admit(kind, obj, old)
            quota.admit_update(self.limits, kind, obj)
            if kind.kind in QUOTA_UPDATED_KINDS:
                charges = admission.validate(self.store, kind, obj, old, name=meta["name"])
            if kind.tracks_generation and obj.get("spec") != old.get("spec"):
                meta["generation"] = old_meta.get("generation", 1) + 1
        obj = _with_managed_fields(obj, managed_fields)
        obj = _ordered(obj)
        if obj == old:
            return clone(old)  # a no-op write does not bump resourceVersion
        if dry_run:
            return clone(obj)
        if (
            meta.get("deletionTimestamp")
            and not meta.get("finalizers")
            and (kind.kind != "Pod" or meta.get("deletionGracePeriodSeconds") == 0)
        ):
            final = self.store.remove(
                kind.kind,
                meta.get("namespace", ""),
                meta["name"],
                actor=actor,
                reason=reason,
                verb=verb,
                now=now,
            )
            return clone(final)
        stored = clone(
            self.store.put(
                kind.kind,
                obj,
                actor=actor,
                reason=reason,
                verb=f"{verb}/status" if subresource == "status" else verb,
                now=now,
            )
        )
        admission.charge(self.store, charges, actor=API_SERVER, now=now)
        return stored

    # --- delete ---------------------------------------------------------------------------------
    def delete(
        self,
        kind_name: str,
        name: str,
        *,
        namespace: str = "default",
        actor: str = USER_ADMIN,
        now: float | None = None,
        propagation_policy: str | None = None,
        grace_period_seconds: int | None = None,
        preconditions: dict[str, str] | None = None,
        dry_run: bool = False,
        reason: str = "",
    ) -> dict[str, Any]:
        """DELETE: graceful for pods on a node (Terminating), finalizers honoured, propagation recorded as
        the `foregroundDeletion` / `orphan` finalizer for the garbage collector. Returns the object."""
        now = self._time(now)

        def run() -> dict[str, Any]:
            kind = self.resolve(kind_name)
            _allow(kind, "delete")
            ns = namespace if kind.namespaced else ""
            old = self._existing(kind, ns, name)
            meta = old["metadata"]
            for key, field in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
                wanted = (preconditions or {}).get(key)
                if wanted and wanted != meta.get(key):
                    raise errors.conflict(
                        kind.plural,
                        name,
                        kind.group,
                        why=f"Precondition failed: {field} in precondition: {wanted}, "
                        f"{field} in object meta: {meta.get(key, '')}",
                    )
            if propagation_policy is not None and propagation_policy not in PROPAGATION_POLICIES:
                raise errors.invalid(
                    "DeleteOptions",
                    "",
                    [
                        errors.Cause(
                            "FieldValueNotSupported",
                            f'Unsupported value: "{propagation_policy}": supported values: "Foreground", '
                            '"Background", "Orphan"',
                            "propagationPolicy",
                        )
                    ],
                )
            if grace_period_seconds is not None and grace_period_seconds < 0:
                raise errors.invalid(
                    "DeleteOptions",
                    "",
                    [
                        errors.Cause(
                            "FieldValueInvalid",
                            f"Invalid value: {grace_period_seconds}: must be >= 0",
                            "gracePeriodSeconds",
                        )
                    ],
                )
            grace = self._grace(kind, old, grace_period_seconds)
            finalizers = list(meta.get("finalizers") or [])
            if (
                propagation_policy == "Foreground"
                and FOREGROUND not in finalizers
                and (self.store.dependents.get(meta.get("uid", "")))
            ):
                finalizers.append(FOREGROUND)
            if propagation_policy == "Orphan" and ORPHAN not in finalizers:
                finalizers.append(ORPHAN)
            already = meta.get("deletionTimestamp")
            if (
                already
                and grace is not None
                and grace >= meta.get("deletionGracePeriodSeconds", 0)
                and (finalizers == (meta.get("finalizers") or []))
            ):
                return clone(old)  # already terminating; a longer grace period cannot extend it
            if kind.kind == "Namespace":
                if name in UNDELETABLE_NAMESPACES:
                    raise Status(
                        403,
                        "Forbidden",
                        f'namespaces "{name}" is forbidden: this namespace may not be deleted',
                        {"name": name, "kind": "namespaces"},
                    )
                if already:
                    return clone(old)
                if (old.get("spec") or {}).get("finalizers"):
                    new = dict(
                        old,
                        metadata=dict(meta, deletionTimestamp=rfc3339(now), deletionGracePeriodSeconds=0),
                        status=dict(old.get("status") or {}, phase="Terminating"),
                    )
                    if dry_run:
                        return clone(new)
                    return clone(self.store.put(kind.kind, new, actor=actor, reason=reason, verb="delete", now=now))
            if not finalizers and not grace:
                if dry_run:
                    return clone(old)
                final = self.store.remove(kind.kind, ns, name, actor=actor, reason=reason, now=now)
                return clone(final)
            new_meta = dict(meta)
            if finalizers:
                new_meta["finalizers"] = finalizers
            if not already or grace is not None:
                new_meta["deletionTimestamp"] = rfc3339(now + (grace or 0))
                new_meta["deletionGracePeriodSeconds"] = grace or 0
            new = dict(old, metadata=new_meta)
            if dry_run:
                return clone(new)
            return clone(self.store.put(kind.kind, new, actor=actor, reason=reason, verb="delete", now=now))

        return self._atomic(run)

    def evict(
        self,
        name: str,
        *,
        namespace: str = "default",
        delete_options: dict[str, Any] | None = None,
        actor: str = USER_ADMIN,
        now: float | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """The `pods/eviction` subresource: a delete its PodDisruptionBudget allows (`eviction.py`); returns the
        pod as deleted, raises 429 TooManyRequests when the budget refuses."""
        return eviction.evict(self, self.store, namespace, name, delete_options=delete_options, actor=actor,
                              now=self._time(now), dry_run=dry_run)

    def _grace(self, kind: Kind, obj: dict[str, Any], requested: int | None) -> int | None:
        """Seconds of graceful termination: only pods bound to a node that are still running get any."""
        if kind.kind != "Pod":
            return None
        spec, status = obj.get("spec") or {}, obj.get("status") or {}
        if not spec.get("nodeName") or status.get("phase") in ("Succeeded", "Failed"):
            return 0
        if requested is not None:
            return requested
        return int(spec.get("terminationGracePeriodSeconds", 30))

    # --- apply ----------------------------------------------------------------------------------
    def apply(
        self,
        manifest: dict[str, Any],
        *,
        namespace: str | None = None,
        actor: str = USER_ADMIN,
        now: float | None = None,
        dry_run: bool = False,
        field_manager: str | None = CLIENT_SIDE_APPLY,
    ) -> tuple[dict[str, Any], str]:
        """`kubectl apply` (client-side): create with the last-applied annotation, or three-way merge
        over the live object; `field_manager` owns what the write changes (kubectl's `--field-manager`).
        Returns (object, "created" | "configured" | "unchanged").

        The annotation is the text kubectl 1.32 computes (GetModifiedConfiguration): the manifest with its
        namespace filled in and its annotations minus the last-applied one, `"annotations":{}` when none are
        left, encoded as Go's encoding/json does."""
        now = self._time(now)

        def run() -> tuple[dict[str, Any], str]:
            kind = objects.kind_of(manifest) if isinstance(manifest, dict) else objects.kind_of({})
            _allow(kind, "patch")
            modified = self.decode(kind, manifest)
            name = modified["metadata"].get("name")
            if not name:
                raise bad_request("resource name may not be empty")
            ns = self._namespace(kind, modified, namespace)
            annotations = dict(modified["metadata"].get("annotations") or {})
            annotations.pop(managedfields.LAST_APPLIED, None)
            recorded = clone(manifest)
            recorded_meta = recorded["metadata"]  # decode refused a manifest without metadata
            if kind.namespaced and not recorded_meta.get("namespace"):
                recorded_meta["namespace"] = ns  # kubectl's builder sets the namespace it resolved
            # kubectl reads the manifest's annotations into a map (nil becomes empty), drops its own and sets
            # the map back: an empty map stays in the recorded configuration as `{}`.
            recorded_meta["annotations"] = dict(annotations)
            annotations[managedfields.LAST_APPLIED] = managedfields.encode_last_applied(recorded)
            modified["metadata"]["annotations"] = annotations
            live = self.store.get(kind.kind, ns, name)
            if live is None:
                created = self._create(modified, namespace=ns, actor=actor, now=now, dry_run=dry_run, reason="",
                                       field_manager=field_manager)
                return created, "created"
            original_text = (live["metadata"].get("annotations") or {}).get(managedfields.LAST_APPLIED)
            original = strip_nulls(json.loads(original_text)) if original_text else {}
            # the manifest's nulls (dropped by decoding) delete fields, as kubectl's patch carries them
            with_nulls = dict(clone(manifest), metadata=modified["metadata"])
            merged = patch.three_way(live, original, with_nulls, kind.schema_ref)
            merged["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
            obj = self.decode(kind, merged)
            result = self._write(
                kind,
                live,
                obj,
                actor=actor,
                now=now,
                dry_run=dry_run,
                reason="",
                subresource="",
                verb="patch",
                field_manager=field_manager,
            )
            unchanged = result["metadata"].get("resourceVersion") == live["metadata"].get("resourceVersion")
            return result, "unchanged" if unchanged else "configured"

        return self._atomic(run, dry_run)

    def server_side_apply(
        self,
        kind_name: str,
        name: str,
        body: dict[str, Any],
        *,
        namespace: str = "default",
        field_manager: str,
        force: bool = False,
        actor: str = USER_ADMIN,
        now: float | None = None,
        dry_run: bool = False,
        subresource: str = "",
    ) -> tuple[dict[str, Any], bool]:
        """PATCH `application/apply-patch+yaml`: merge the configuration into the object (created when missing)
        with `field_manager` owning exactly what it applied; fields it applied before and no longer does are
        removed unless another manager owns them. Returns (object, created). Raises the 409 Conflict Status when
        a field it changes has another manager, unless `force` takes it over."""
        now = self._time(now)

        def run() -> tuple[dict[str, Any], bool]:
            kind = self.resolve(kind_name)
            _allow(kind, "patch")
            ns = namespace if kind.namespaced else ""
            config = self.decode(kind, body)
            if kind.namespaced:
                config["metadata"].setdefault("namespace", ns)
            config["metadata"].setdefault("name", name)
            live = self.store.get(kind.kind, ns, name)
            if live is None and subresource:
                raise errors.not_found(kind.plural, name, kind.group)
            scope = managedfields.Scope(kind.schema_ref, kind.api_version, subresource, kind.has_status)
            group_version = f"{kind.group}/{kind.version}" if kind.group else f"/{kind.version}"
            applied = managedfields.apply(
                scope,
                live,
                config,
                manager=field_manager,
                force=force,
                now=rfc3339(now),
                where=f"{ns}/{name}; {group_version}, Kind={kind.kind}",
            )
            if live is None:
                created = self._create(
                    applied.obj,
                    namespace=ns or None,
                    actor=actor,
                    now=now,
                    dry_run=dry_run,
                    reason="",
                    managed_fields=applied.managed_fields,
                )
                return created, True
            obj = self.decode(kind, applied.obj)
            result = self._write(
                kind,
                live,
                obj,
                actor=actor,
                now=now,
                dry_run=dry_run,
                reason="",
                subresource=subresource,
                verb="patch",
                managed_fields=applied.managed_fields,
            )
            return result, False

        return self._atomic(run, dry_run)


_TOP_ORDER = ("apiVersion", "kind", "metadata", "spec", "status")


def review(body: Any, *, actor: str, now: float) -> dict[str, Any]:
    """POST of a SelfSubjectAccessReview, SelfSubjectRulesReview or SelfSubjectReview (`body` as sent, its kind
    one of `authz.REVIEW_KINDS`): decoded strictly, then answered for `actor`'s user. Stores nothing, reads no
    object; raises Status (400, 422) as upstream."""
    kind = authz.review_kind(str(body.get("kind", ""))) if isinstance(body, dict) else None
    if kind is None:
        raise bad_request("the body of the request was in an unknown format - it must be a review")
    if body.get("apiVersion") != kind.api_version:
        raise _cannot_handle(kind, f'no kind "{kind.kind}" is registered for version "{body.get("apiVersion")}"')
    return authz.review(ApiServer.decode(kind, body), actor=actor, now=now)


def _with_managed_fields(obj: dict[str, Any], managed_fields: list[dict[str, Any]] | None) -> dict[str, Any]:
    """`obj` with these managedFields, on a metadata dict of its own (a status write shares the stored one)."""
    meta = obj["metadata"]
    if meta.get("managedFields") == managed_fields or (not managed_fields and "managedFields" not in meta):
        return obj
    meta = {key: value for key, value in meta.items() if key != "managedFields"}
    if managed_fields:
        meta["managedFields"] = managed_fields
    return {**obj, "metadata": meta}


def _ordered(obj: dict[str, Any]) -> dict[str, Any]:
    """apiVersion, kind, metadata, spec, other fields, status: the order upstream serialises them in."""
    head = {key: obj[key] for key in _TOP_ORDER[:4] if key in obj}
    rest = {key: value for key, value in obj.items() if key not in _TOP_ORDER}
    tail = {"status": obj["status"]} if "status" in obj else {}
    return head | rest | tail
