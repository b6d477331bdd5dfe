"""`deployment-controller` (`pkg/controller/deployment`): ReplicaSets named `<deployment>-<pod-template-hash>`,
RollingUpdate (maxSurge / maxUnavailable) and Recreate rollouts, proportional scaling, revisions and
revision history, rollback by template (`kubectl rollout undo`), pause / resume, progress deadlines and
the Progressing / Available conditions, `ScalingReplicaSet` events."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.conditions import find_condition, remove_condition, set_condition
from cluster_engine.sim.controllers import DONE, Context, Result, controller_ref, key_of, new_controller_ref, split_key
from cluster_engine.sim.controllers.workload import (
    POD_TEMPLATE_HASH,
    claim,
    compute_hash,
    int_or_percent,
    selector_of,
)
from cluster_engine.sim.errors import Status
from cluster_engine.sim.managedfields import LAST_APPLIED
from cluster_engine.sim.util import clone, parse_rfc3339, rfc3339

NAME = "deployment-controller"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
SKIPPED_ANNOTATIONS = (
    LAST_APPLIED,
    REVISION,
    REVISION_HISTORY,
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    "deprecated.deployment.rollback.to",
)
MAX_INT32 = 2**31 - 1

# condition reasons (pkg/controller/deployment/util)
NEW_RS_CREATED = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
RS_UPDATED = "ReplicaSetUpdated"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
TIMED_OUT = "ProgressDeadlineExceeded"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"
MIN_AVAILABLE = "MinimumReplicasAvailable"
MIN_UNAVAILABLE = "MinimumReplicasUnavailable"


# --- small pure helpers (deployment/util) -------------------------------------------------------------
def revision_of(rs: dict[str, Any] | None) -> int:
    try:
        return int(((rs or {}).get("metadata", {}).get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def _annotation_int(rs: dict[str, Any], key: str) -> int | None:
    try:
        return int((rs["metadata"].get("annotations") or {})[key])
    except (KeyError, ValueError):
        return None


def replicas_of(rs: dict[str, Any] | None) -> int:
    return (rs or {}).get("spec", {}).get("replicas", 0) if rs is not None else 0


def _status(rs: dict[str, Any] | None, key: str) -> int:
    return ((rs or {}).get("status") or {}).get(key, 0)


def _created(rs: dict[str, Any]) -> tuple[float, str]:
    return parse_rfc3339(rs["metadata"]["creationTimestamp"]), rs["metadata"]["name"]


def is_rolling(d: dict[str, Any]) -> bool:
    return (d["spec"].get("strategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"


def fenceposts(d: dict[str, Any]) -> tuple[int, int]:
    """`ResolveFenceposts`: (maxSurge rounded up, maxUnavailable rounded down; 1 if both are 0)."""
    rolling = (d["spec"].get("strategy") or {}).get("rollingUpdate") or {}
    desired = d["spec"].get("replicas", 1)
    surge = int_or_percent(rolling.get("maxSurge", "25%"), desired, round_up=True)
    unavailable = int_or_percent(rolling.get("maxUnavailable", "25%"), desired, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_surge(d: dict[str, Any]) -> int:
    return fenceposts(d)[0] if is_rolling(d) else 0


def max_unavailable(d: dict[str, Any]) -> int:
    desired = d["spec"].get("replicas", 1)
    if not is_rolling(d) or desired == 0:
        return 0
    return min(fenceposts(d)[1], desired)


def equal_ignore_hash(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """`EqualIgnoreHash`: pod templates equal apart from the pod-template-hash label."""

    def strip(template: dict[str, Any]) -> dict[str, Any]:
        meta = dict(template.get("metadata") or {})
        labels = {k: v for k, v in (meta.get("labels") or {}).items() if k != POD_TEMPLATE_HASH}
        if labels:
            meta["labels"] = labels
        else:
            meta.pop("labels", None)
        return {**template, "metadata": meta}

    return strip(a) == strip(b)


def deployment_complete(d: dict[str, Any], status: dict[str, Any]) -> bool:
    desired = d["spec"].get("replicas", 1)
    return (
        status.get("updatedReplicas", 0) == desired
        and status.get("replicas", 0) == desired
        and status.get("availableReplicas", 0) == desired
        and status.get("observedGeneration", 0) >= d["metadata"].get("generation", 1)
    )


def _has_deadline(d: dict[str, Any]) -> bool:
    deadline = d["spec"].get("progressDeadlineSeconds")
    return deadline is not None and deadline != MAX_INT32


def _set_condition(status: dict[str, Any], new: dict[str, Any]) -> None:
    """`SetDeploymentCondition`: same status and reason leaves it be; same status keeps its
    lastTransitionTime; the new condition goes last."""
    current = find_condition(status, new["type"])
    if current is not None and current["status"] == new["status"] and current.get("reason") == new.get("reason"):
        return
    set_condition(status, new, move_to_end=True)


def _condition(kind: str, status: str, reason: str, message: str, now: float) -> dict[str, Any]:
    stamp = rfc3339(now)
    return {
        "type": kind,
        "status": status,
        "lastUpdateTime": stamp,
        "lastTransitionTime": stamp,
        "reason": reason,
        "message": message,
    }


def rollback_patch(store: Any, namespace: str, name: str, to_revision: int = 0) -> tuple[list[dict[str, Any]], str]:
    """What `kubectl rollout undo [--to-revision=N]` sends (`DeploymentRollbacker`): a JSON Patch that
    replaces the template with the chosen ReplicaSet's (minus pod-template-hash) and the annotations;
    and the message kubectl prints. Raises Status when the revision does not exist."""
    d = store.get("Deployment", namespace, name)
    if d is None:
        raise Status(
            404,
            "NotFound",
            f'deployments.apps "{name}" not found',
            {"name": name, "group": "apps", "kind": "deployments"},
        )
    owned = [
        rs
        for rs in store.items("ReplicaSet", namespace)
        if (controller_ref(rs) or {}).get("uid") == d["metadata"]["uid"]
    ]
    by_revision = {revision_of(rs): rs for rs in owned}
    if to_revision == 0:
        revisions = sorted(by_revision)
        if len(revisions) < 2:
            raise Status(400, "BadRequest", "no rollout history found for deployment " + f'"{name}"')
        to_revision = revisions[-2]
    target = by_revision.get(to_revision)
    if target is None:
        raise Status(400, "BadRequest", f"unable to find specified revision {to_revision} in history")
    template = clone(target["spec"]["template"])
    labels = (template.get("metadata") or {}).get("labels") or {}
    labels.pop(POD_TEMPLATE_HASH, None)
    if equal_ignore_hash(template, d["spec"]["template"]):
        return [], f"skipped rollback (current template already matches revision {to_revision})"
    annotations = {k: v for k, v in (d["metadata"].get("annotations") or {}).items() if k in (LAST_APPLIED,)}
    for key, value in (target["metadata"].get("annotations") or {}).items():
        if key not in SKIPPED_ANNOTATIONS:
            annotations[key] = value
    annotations[REVISION] = (d["metadata"].get("annotations") or {}).get(REVISION, "")
    return [
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ], "rolled back"


class DeploymentController:
    """One `reconcile` is upstream's `syncDeployment`."""

    name = NAME
    kinds_watched = ("Deployment", "ReplicaSet", "Pod")

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        if kind == "Deployment":
            return [key_of(obj)]
        namespace = obj["metadata"].get("namespace", "")
        if kind == "ReplicaSet":
            keys: list[str] = []
            for version in (obj, old) if old is not None else (obj,):
                ref = controller_ref(version)
                if ref is None:
                    if version is obj and event_type != "DELETED":
                        keys.append(f"{namespace}/")
                elif ref.get("kind") == "Deployment" and f"{namespace}/{ref.get('name', '')}" not in keys:
                    keys.append(f"{namespace}/{ref.get('name', '')}")
            return keys
        # pods matter only to Recreate (it waits for the old pods to go): a deleted pod wakes its owner's owner
        if event_type != "DELETED":
            return []
        return self._owner_of_rs(obj, controller_ref(obj))

    @staticmethod
    def _owner_of_rs(pod: dict[str, Any], ref: dict[str, Any] | None) -> list[str]:
        # the RS's name is `<deployment>-<hash>`; the hash label tells where the deployment name ends
        if ref is None or ref.get("kind") != "ReplicaSet":
            return []
        template_hash = (pod["metadata"].get("labels") or {}).get(POD_TEMPLATE_HASH)
        rs_name = ref.get("name", "")
        if template_hash and rs_name.endswith("-" + template_hash):
            return [f"{pod['metadata']['namespace']}/{rs_name[: -len(template_hash) - 1]}"]
        return []

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        namespace, name = split_key(key)
        if not name:
            after = [
                r.requeue_after
                for d in list(ctx.store.items("Deployment", namespace))
                if (r := self.reconcile(ctx, key_of(d), now)).requeue_after is not None
            ]
            return Result(min(after)) if after else DONE
        d = ctx.store.get("Deployment", namespace, name)
        if d is None:
            return DONE
        return _Sync(ctx, d, now).run()


class _Sync:
    """One sync of one Deployment; `self.d` is the stored deployment (re-read after writes)."""

    def __init__(self, ctx: Context, d: dict[str, Any], now: float) -> None:
        self.ctx = ctx
        self.d = d
        self.now = now
        self.namespace = d["metadata"]["namespace"]

    # --- reads ---------------------------------------------------------------------------------------
    def _replica_sets(self) -> list[dict[str, Any]]:
        """`getReplicaSetsForDeployment`: claim (adopt / release) the ReplicaSets the selector matches."""
        return claim(self.ctx, self.d, "ReplicaSet", selector_of(self.d), component=NAME, now=self.now)

    def _fresh(self, rs: dict[str, Any]) -> dict[str, Any]:
        return self.ctx.store.get("ReplicaSet", self.namespace, rs["metadata"]["name"]) or rs

    def _split(self, rs_list: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """`FindNewReplicaSet` (oldest whose template equals the deployment's) and the old ones."""
        ordered = sorted(rs_list, key=_created)
        new = next(
            (rs for rs in ordered if equal_ignore_hash(rs["spec"].get("template") or {}, self.d["spec"]["template"])),
            None,
        )
        return new, [rs for rs in ordered if rs is not new]

    # --- writes --------------------------------------------------------------------------------------
    def _update_rs(self, rs: dict[str, Any], *, reason: str = "") -> dict[str, Any] | None:
        try:
            self.ctx.api.update(rs, actor=NAME, now=self.now, reason=reason)
        except Status:
            return None
        return self.ctx.store.get("ReplicaSet", self.namespace, rs["metadata"]["name"])

    def _update_status(self, status: dict[str, Any]) -> None:
        current = self.ctx.store.get("Deployment", self.namespace, self.d["metadata"]["name"])
        if current is None or current.get("status") == status:
            return
        new = clone(current)
        new["status"] = status
        try:
            self.ctx.api.update_status(new, actor=NAME, now=self.now)
        except Status:
            return
        self.d = self.ctx.store.get("Deployment", self.namespace, self.d["metadata"]["name"]) or self.d

    def _event(self, reason: str, message: str, event_type: str = "Normal") -> None:
        self.ctx.event(self.d, event_type, reason, message, component=NAME, now=self.now)

    # --- syncDeployment ------------------------------------------------------------------------------
    def run(self) -> Result:
        rs_list = self._replica_sets()
        if self.d["metadata"].get("deletionTimestamp"):
            new_rs, old = self._split(rs_list)
            self._sync_status(old + ([new_rs] if new_rs else []), new_rs)
            return DONE
        self._check_paused_conditions()
        if self.d["spec"].get("paused"):
            return self._sync(rs_list)
        if self._is_scaling_event(rs_list):
            return self._sync(rs_list)
        if is_rolling(self.d):
            return self._rollout_rolling(rs_list)
        return self._rollout_recreate(rs_list)

    def _check_paused_conditions(self) -> None:
        if not _has_deadline(self.d):
            return
        status = clone(self.d.get("status") or {})
        cond = find_condition(status, "Progressing")
        if cond is not None and cond.get("reason") == TIMED_OUT:
            return
        paused_exists = cond is not None and cond.get("reason") == PAUSED
        if self.d["spec"].get("paused") and not paused_exists:
            _set_condition(status, _condition("Progressing", "Unknown", PAUSED, "Deployment is paused", self.now))
        elif not self.d["spec"].get("paused") and paused_exists:
            _set_condition(status, _condition("Progressing", "Unknown", RESUMED, "Deployment is resumed", self.now))
        else:
            return
        self._update_status(status)

    def _is_scaling_event(self, rs_list: list[dict[str, Any]]) -> bool:
        new_rs, old = self._split(rs_list)
        desired = self.d["spec"].get("replicas", 1)
        for rs in [*old, *([new_rs] if new_rs else [])]:
            if replicas_of(rs) > 0:
                annotated = _annotation_int(rs, DESIRED_REPLICAS)
                if annotated is not None and annotated != desired:
                    return True
        return False

    def _new_and_old(
        self, rs_list: list[dict[str, Any]], create: bool
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """`getAllReplicaSetsAndSyncRevision`."""
        existing, old = self._split(rs_list)
        return self._get_new_rs(existing, old, create), old

    def _get_new_rs(
        self, existing: dict[str, Any] | None, old: list[dict[str, Any]], create: bool
    ) -> dict[str, Any] | None:
        """`getNewReplicaSet`: bring the existing new RS's revision annotations up to date, or create it."""
        new_revision = str(max((revision_of(rs) for rs in old), default=0) + 1)
        status = clone(self.d.get("status") or {})
        if existing is not None:
            rs = clone(existing)
            changed = self._set_new_rs_annotations(rs, new_revision, exists=True)
            if rs["spec"].get("minReadySeconds", 0) != self.d["spec"].get("minReadySeconds", 0):
                rs["spec"]["minReadySeconds"] = self.d["spec"].get("minReadySeconds", 0)
                changed = True
            if changed:
                existing = self._update_rs(rs) or existing
            revision = (existing["metadata"].get("annotations") or {}).get(REVISION, "")
            self._set_deployment_revision(revision)
            if _has_deadline(self.d) and find_condition(self.d.get("status") or {}, "Progressing") is None:
                status = clone(self.d.get("status") or {})
                _set_condition(
                    status,
                    _condition(
                        "Progressing",
                        "True",
                        FOUND_NEW_RS,
                        f'Found new replica set "{existing["metadata"]["name"]}"',
                        self.now,
                    ),
                )
                self._update_status(status)
            return existing
        if not create:
            return None
        collision = (self.d.get("status") or {}).get("collisionCount")
        template = clone(self.d["spec"]["template"])
        template_hash = compute_hash(template, collision)
        template.setdefault("metadata", {}).setdefault("labels", {})[POD_TEMPLATE_HASH] = template_hash
        selector = clone(self.d["spec"]["selector"])
        selector.setdefault("matchLabels", {})[POD_TEMPLATE_HASH] = template_hash
        all_rs = [*old]
        desired = self.new_rs_replicas(all_rs, None)
        name = f"{self.d['metadata']['name']}-{template_hash}"
        rs: dict[str, Any] = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "namespace": self.namespace,
                "labels": dict(template["metadata"]["labels"]),
                "ownerReferences": [new_controller_ref(self.d)],
            },
            "spec": {
                "replicas": 0,
                "minReadySeconds": self.d["spec"].get("minReadySeconds", 0),
                "selector": selector,
                "template": template,
            },
        }
        if not rs["spec"]["minReadySeconds"]:
            del rs["spec"]["minReadySeconds"]
        self._set_new_rs_annotations(rs, new_revision, exists=False)
        annotations = rs["metadata"].setdefault("annotations", {})
        annotations[DESIRED_REPLICAS] = str(self.d["spec"].get("replicas", 1))
        annotations[MAX_REPLICAS] = str(self.d["spec"].get("replicas", 1) + max_surge(self.d))
        rs["spec"]["replicas"] = desired
        try:
            self.ctx.api.create(rs, actor=NAME, now=self.now, reason="ScalingReplicaSet")
        except Status as error:
            clash = self.ctx.store.get("ReplicaSet", self.namespace, name)
            if error.code == 409 and clash is not None:
                if (controller_ref(clash) or {}).get("uid") == self.d["metadata"]["uid"] and equal_ignore_hash(
                    clash["spec"]["template"], self.d["spec"]["template"]
                ):
                    return clash
                # a hash collision: bump collisionCount so the next sync computes another name
                status["collisionCount"] = (collision or 0) + 1
                self._update_status(status)
                return None
            _set_condition(
                status,
                _condition(
                    "Progressing",
                    "False",
                    "FailedRSCreate",
                    f'Failed to create new replica set "{name}": {error.message}',
                    self.now,
                ),
            )
            self._update_status(status)
            self._event("FailedCreate", f"Failed to create new replica set {name}: {error.message}", "Warning")
            return None
        created = self.ctx.store.get("ReplicaSet", self.namespace, name)
        if desired > 0:
            self._event("ScalingReplicaSet", f"Scaled up replica set {name} from 0 to {desired}")
        self._set_deployment_revision(new_revision)
        if _has_deadline(self.d):
            status = clone(self.d.get("status") or {})
            _set_condition(
                status, _condition("Progressing", "True", NEW_RS_CREATED, f'Created new replica set "{name}"', self.now)
            )
            self._update_status(status)
        return created

    def _set_new_rs_annotations(self, rs: dict[str, Any], new_revision: str, *, exists: bool) -> bool:
        """`SetNewReplicaSetAnnotations`: copy the deployment's annotations, move the revision forward
        and remember the replaced revision in revision-history (a rollback reuses an old RS)."""
        annotations = rs["metadata"].setdefault("annotations", {})
        before = dict(annotations)
        for key, value in (self.d["metadata"].get("annotations") or {}).items():
            if key not in SKIPPED_ANNOTATIONS:
                annotations[key] = value
        old_revision = annotations.get(REVISION)
        old_number = int(old_revision) if old_revision and old_revision.isdigit() else 0
        if old_number < int(new_revision):
            annotations[REVISION] = new_revision
            if old_revision and exists:
                history = annotations.get(REVISION_HISTORY)
                annotations[REVISION_HISTORY] = f"{history},{old_revision}" if history else old_revision
        if not exists and DESIRED_REPLICAS not in annotations:
            annotations[DESIRED_REPLICAS] = str(self.d["spec"].get("replicas", 1))
        return annotations != before

    def _set_deployment_revision(self, revision: str) -> None:
        annotations = self.d["metadata"].get("annotations") or {}
        if not revision or annotations.get(REVISION) == revision:
            return
        try:
            self.ctx.api.patch(
                "Deployment",
                self.d["metadata"]["name"],
                {"metadata": {"annotations": {REVISION: revision}}},
                namespace=self.namespace,
                patch_type="merge",
                actor=NAME,
                now=self.now,
            )
        except Status:
            return
        self.d = self.ctx.store.get("Deployment", self.namespace, self.d["metadata"]["name"]) or self.d

    # --- scaling --------------------------------------------------------------------------------------
    def new_rs_replicas(self, all_rs: list[dict[str, Any]], new_rs: dict[str, Any] | None) -> int:
        """`NewRSNewReplicas`: how far the new RS may grow now."""
        desired = self.d["spec"].get("replicas", 1)
        if not is_rolling(self.d):
            return desired
        current = sum(replicas_of(rs) for rs in all_rs)
        new_replicas = replicas_of(new_rs)
        max_total = desired + max_surge(self.d)
        if current >= max_total:
            return new_replicas
        return new_replicas + min(max_total - current, desired - new_replicas)

    def _scale(self, rs: dict[str, Any], count: int) -> tuple[bool, dict[str, Any]]:
        """`scaleReplicaSetAndRecordEvent`: set replicas and the replica annotations; ScalingReplicaSet."""
        rs = self._fresh(rs)
        old = replicas_of(rs)
        desired = self.d["spec"].get("replicas", 1)
        surge_total = desired + max_surge(self.d)
        annotations = rs["metadata"].get("annotations") or {}
        needs_annotations = annotations.get(DESIRED_REPLICAS) != str(desired) or annotations.get(MAX_REPLICAS) != str(
            surge_total
        )
        if old == count and not needs_annotations:
            return False, rs
        new = clone(rs)
        new["spec"]["replicas"] = count
        new_annotations = new["metadata"].setdefault("annotations", {})
        new_annotations[DESIRED_REPLICAS] = str(desired)
        new_annotations[MAX_REPLICAS] = str(surge_total)
        updated = self._update_rs(new, reason="ScalingReplicaSet")
        if updated is None:
            return False, rs
        if old != count:
            direction = "up" if old < count else "down"
            self._event(
                "ScalingReplicaSet", f"Scaled {direction} replica set {rs['metadata']['name']} from {old} to {count}"
            )
        return old != count, updated

    def _sync(self, rs_list: list[dict[str, Any]]) -> Result:
        """`sync`: scaling while paused or on a replicas change, then status."""
        new_rs, old = self._new_and_old(rs_list, create=False)
        self._proportional_scale(new_rs, old)
        new_rs = self._fresh(new_rs) if new_rs else None
        old = [self._fresh(rs) for rs in old]
        if self.d["spec"].get("paused"):
            self._cleanup(old)
        self._sync_status([*old, *([new_rs] if new_rs else [])], new_rs)
        return DONE

    def _proportional_scale(self, new_rs: dict[str, Any] | None, old: list[dict[str, Any]]) -> None:
        """`scale`: the one active RS gets all replicas; a saturated new RS retires the old ones; else
        RollingUpdate spreads the difference in proportion to each RS's size."""
        desired = self.d["spec"].get("replicas", 1)
        all_rs = [*old, *([new_rs] if new_rs else [])]
        active = [rs for rs in all_rs if replicas_of(rs) > 0]
        if len(active) <= 1:
            target = active[0] if active else (new_rs or (max(old, key=_created) if old else None))
            if target is not None:
                self._scale(target, desired)  # also refreshes the replica annotations
            return
        if (
            new_rs is not None
            and _annotation_int(new_rs, DESIRED_REPLICAS) == desired
            and _status(new_rs, "availableReplicas") == desired
        ):
            for rs in old:
                if replicas_of(rs) > 0:
                    self._scale(rs, 0)
            return
        if not is_rolling(self.d):
            return
        total = sum(replicas_of(rs) for rs in active)
        allowed = desired + max_surge(self.d) if desired > 0 else 0
        to_add = allowed - total
        if to_add > 0:
            ordered = sorted(active, key=lambda rs: (-replicas_of(rs), -_created(rs)[0], rs["metadata"]["name"]))
        else:
            ordered = sorted(active, key=lambda rs: (-replicas_of(rs), _created(rs)))
        added = 0
        sizes: dict[str, int] = {}
        for rs in ordered:
            proportion = self._proportion(rs, to_add, added)
            sizes[rs["metadata"]["name"]] = replicas_of(rs) + proportion
            added += proportion
        if to_add != 0 and ordered:
            first = ordered[0]["metadata"]["name"]
            sizes[first] = max(0, sizes[first] + to_add - added)
        for rs in ordered:
            self._scale(rs, sizes[rs["metadata"]["name"]])

    def _proportion(self, rs: dict[str, Any], to_add: int, added: int) -> int:
        """`GetProportion` / `getReplicaSetFraction`."""
        if replicas_of(rs) == 0 or to_add in (0, added):
            return 0
        desired = self.d["spec"].get("replicas", 1)
        if desired == 0:
            fraction = -replicas_of(rs)
        else:
            total = desired + max_surge(self.d)
            annotated = _annotation_int(rs, MAX_REPLICAS)
            if not annotated:
                annotated = (self.d.get("status") or {}).get("replicas", 0) or 1
            size = replicas_of(rs) * total / annotated
            fraction = int(size + 0.5) if size >= 0 else -int(-size + 0.5)
            fraction -= replicas_of(rs)
        allowed = to_add - added
        return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)

    # --- rolling update -------------------------------------------------------------------------------
    def _rollout_rolling(self, rs_list: list[dict[str, Any]]) -> Result:
        new_rs, old = self._new_and_old(rs_list, create=True)
        all_rs = [*old, *([new_rs] if new_rs else [])]
        if new_rs is not None and self._reconcile_new(all_rs, new_rs):
            return self._sync_rollout_status(new_rs)
        if new_rs is not None and self._reconcile_old(old, new_rs):
            return self._sync_rollout_status(new_rs)
        return self._finish(new_rs)

    def _reconcile_new(self, all_rs: list[dict[str, Any]], new_rs: dict[str, Any]) -> bool:
        desired = self.d["spec"].get("replicas", 1)
        if replicas_of(new_rs) == desired:
            return False
        if replicas_of(new_rs) > desired:
            return self._scale(new_rs, desired)[0]
        return self._scale(new_rs, self.new_rs_replicas(all_rs, new_rs))[0]

    def _reconcile_old(self, old: list[dict[str, Any]], new_rs: dict[str, Any]) -> bool:
        """`reconcileOldReplicaSets`: first drop unhealthy old replicas, then scale old RSs down as far as
        maxUnavailable allows."""
        old = [self._fresh(rs) for rs in old]
        new_rs = self._fresh(new_rs)
        if sum(replicas_of(rs) for rs in old) == 0:
            return False
        all_count = sum(replicas_of(rs) for rs in [*old, new_rs])
        min_available = self.d["spec"].get("replicas", 1) - max_unavailable(self.d)
        new_unavailable = replicas_of(new_rs) - _status(new_rs, "availableReplicas")
        max_scaled_down = all_count - min_available - new_unavailable
        if max_scaled_down <= 0:
            return False
        cleaned = 0
        for rs in sorted(old, key=_created):
            if cleaned >= max_scaled_down:
                break
            replicas, available = replicas_of(rs), _status(rs, "availableReplicas")
            if replicas in (0, available):
                continue
            count = min(max_scaled_down - cleaned, replicas - available)
            self._scale(rs, replicas - count)
            cleaned += count
        old = [self._fresh(rs) for rs in old]
        available_total = sum(_status(rs, "availableReplicas") for rs in [*old, self._fresh(new_rs)])
        scaled = 0
        if available_total > min_available:
            total_to_scale = available_total - min_available
            for rs in sorted(old, key=_created):
                if scaled >= total_to_scale:
                    break
                if replicas_of(rs) == 0:
                    continue
                count = min(replicas_of(rs), total_to_scale - scaled)
                self._scale(rs, replicas_of(rs) - count)
                scaled += count
        return cleaned + scaled > 0

    # --- recreate -------------------------------------------------------------------------------------
    def _rollout_recreate(self, rs_list: list[dict[str, Any]]) -> Result:
        new_rs, old = self._new_and_old(rs_list, create=False)
        scaled_down = False
        for rs in old:
            if replicas_of(rs) > 0:
                scaled_down = self._scale(rs, 0)[0] or scaled_down
        if scaled_down:
            return self._sync_rollout_status(new_rs)
        if self._old_pods_running(old):
            return self._sync_rollout_status(new_rs)
        if new_rs is None:
            new_rs, old = self._new_and_old(self._replica_sets(), create=True)
        if new_rs is not None:
            self._scale(new_rs, self.d["spec"].get("replicas", 1))
        return self._finish(new_rs)

    def _old_pods_running(self, old: list[dict[str, Any]]) -> bool:
        if any(_status(self._fresh(rs), "replicas") > 0 for rs in old):
            return True
        uids = {rs["metadata"]["uid"] for rs in old}
        for rs_uid in uids:
            for where in self.ctx.store.dependents.get(rs_uid, ()):
                pod = self.ctx.store.get(*where) if where[0] == "Pod" else None
                if pod is not None and (pod.get("status") or {}).get("phase") not in ("Failed", "Succeeded"):
                    return True
        return False

    # --- status ---------------------------------------------------------------------------------------
    def _finish(self, new_rs: dict[str, Any] | None) -> Result:
        rs_list = [self._fresh(rs) for rs in self._replica_sets()]
        new_rs = self._fresh(new_rs) if new_rs else None
        old = [rs for rs in rs_list if new_rs is None or rs["metadata"]["uid"] != new_rs["metadata"]["uid"]]
        if deployment_complete(self.d, self.d.get("status") or {}):
            self._cleanup(old)
        return self._sync_rollout_status(new_rs)

    def _all(self, new_rs: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        rs_list = [self._fresh(rs) for rs in self._owned()]
        new = next(
            (rs for rs in rs_list if new_rs is not None and rs["metadata"]["uid"] == new_rs["metadata"]["uid"]), None
        )
        return new, [rs for rs in rs_list if rs is not new]

    def _owned(self) -> list[dict[str, Any]]:
        uid = self.d["metadata"]["uid"]
        return [
            rs
            for rs in self.ctx.store.items("ReplicaSet", self.namespace)
            if (controller_ref(rs) or {}).get("uid") == uid
        ]

    def _cleanup(self, old: list[dict[str, Any]]) -> None:
        """`cleanupDeployment`: delete the oldest unused ReplicaSets beyond revisionHistoryLimit."""
        limit = self.d["spec"].get("revisionHistoryLimit")
        if limit is None:
            return
        alive = [rs for rs in old if not rs["metadata"].get("deletionTimestamp")]
        diff = len(alive) - limit
        if diff <= 0:
            return
        for rs in sorted(alive, key=lambda rs: (revision_of(rs), _created(rs)))[:diff]:
            if (
                _status(rs, "replicas")
                or replicas_of(rs)
                or rs["metadata"].get("generation", 1) > _status(rs, "observedGeneration")
            ):
                continue
            try:
                self.ctx.api.delete(
                    "ReplicaSet",
                    rs["metadata"]["name"],
                    namespace=self.namespace,
                    actor=NAME,
                    now=self.now,
                    reason="DeploymentCleanup",
                )
            except Status:
                continue

    def calculate_status(self, all_rs: list[dict[str, Any]], new_rs: dict[str, Any] | None) -> dict[str, Any]:
        """`calculateStatus` plus the Available condition."""
        available = sum(_status(rs, "availableReplicas") for rs in all_rs)
        total = sum(replicas_of(rs) for rs in all_rs)
        previous = self.d.get("status") or {}
        status: dict[str, Any] = {
            "observedGeneration": self.d["metadata"].get("generation", 1),
            "replicas": sum(_status(rs, "replicas") for rs in all_rs),
            "updatedReplicas": _status(new_rs, "replicas") if new_rs else 0,
            "readyReplicas": sum(_status(rs, "readyReplicas") for rs in all_rs),
            "availableReplicas": available,
            "unavailableReplicas": max(0, total - available),
        }
        status = {k: v for k, v in status.items() if v}
        if previous.get("collisionCount") is not None:
            status["collisionCount"] = previous["collisionCount"]
        if previous.get("conditions"):
            status["conditions"] = clone(previous["conditions"])
        if available >= self.d["spec"].get("replicas", 1) - max_unavailable(self.d):
            _set_condition(
                status, _condition("Available", "True", MIN_AVAILABLE, "Deployment has minimum availability.", self.now)
            )
        else:
            _set_condition(
                status,
                _condition(
                    "Available", "False", MIN_UNAVAILABLE, "Deployment does not have minimum availability.", self.now
                ),
            )
        return status

    def _sync_status(self, all_rs: list[dict[str, Any]], new_rs: dict[str, Any] | None) -> None:
        """`syncDeploymentStatus` (no progress bookkeeping: paused, scaling, being deleted)."""
        self._update_status(
            self.calculate_status([self._fresh(rs) for rs in all_rs], self._fresh(new_rs) if new_rs else None)
        )

    def _sync_rollout_status(self, new_rs: dict[str, Any] | None) -> Result:
        """`syncRolloutStatus`: status plus the Progressing condition and the progress deadline."""
        new_rs, old = self._all(new_rs)
        all_rs = [*old, *([new_rs] if new_rs else [])]
        status = self.calculate_status(all_rs, new_rs)
        if not _has_deadline(self.d):
            remove_condition(status, "Progressing")
        current = find_condition(status, "Progressing")
        complete = (
            status.get("replicas", 0) == status.get("updatedReplicas", 0)
            and current is not None
            and current.get("reason") == NEW_RS_AVAILABLE
        )
        if _has_deadline(self.d) and not complete:
            rs_name = new_rs["metadata"]["name"] if new_rs else None
            if deployment_complete(self.d, status):
                message = (
                    f'ReplicaSet "{rs_name}" has successfully progressed.'
                    if rs_name
                    else f'Deployment "{self.d["metadata"]["name"]}" has successfully progressed.'
                )
                _set_condition(status, _condition("Progressing", "True", NEW_RS_AVAILABLE, message, self.now))
            elif self._progressing(status):
                message = (
                    f'ReplicaSet "{rs_name}" is progressing.'
                    if rs_name
                    else f'Deployment "{self.d["metadata"]["name"]}" is progressing.'
                )
                cond = _condition("Progressing", "True", RS_UPDATED, message, self.now)
                if current is not None:
                    if current["status"] == "True":
                        cond["lastTransitionTime"] = current["lastTransitionTime"]
                    remove_condition(status, "Progressing")
                _set_condition(status, cond)
            elif self._timed_out(status):
                message = (
                    f'ReplicaSet "{rs_name}" has timed out progressing.'
                    if rs_name
                    else f'Deployment "{self.d["metadata"]["name"]}" has timed out progressing.'
                )
                _set_condition(status, _condition("Progressing", "False", TIMED_OUT, message, self.now))
        failure = next(
            (
                c
                for rs in ([new_rs] if new_rs else []) + old
                if (c := find_condition(rs.get("status") or {}, "ReplicaFailure")) is not None
                and c.get("status") == "True"
            ),
            None,
        )
        if failure is not None:
            _set_condition(
                status,
                {
                    **_condition(
                        "ReplicaFailure",
                        "True",
                        failure.get("reason", "FailedCreate"),
                        failure.get("message", ""),
                        self.now,
                    )
                },
            )
        else:
            remove_condition(status, "ReplicaFailure")
        if status == (self.d.get("status") or {}):
            return self._requeue_stuck(status)
        self._update_status(status)
        return self._requeue_stuck(status)

    def _progressing(self, new: dict[str, Any]) -> bool:
        old = self.d.get("status") or {}
        old_old = old.get("replicas", 0) - old.get("updatedReplicas", 0)
        new_old = new.get("replicas", 0) - new.get("updatedReplicas", 0)
        return (
            new.get("updatedReplicas", 0) > old.get("updatedReplicas", 0)
            or new_old < old_old
            or new.get("readyReplicas", 0) > old.get("readyReplicas", 0)
            or new.get("availableReplicas", 0) > old.get("availableReplicas", 0)
        )

    def _timed_out(self, status: dict[str, Any]) -> bool:
        cond = find_condition(status, "Progressing")
        if cond is None or cond.get("reason") == NEW_RS_AVAILABLE:
            return False
        if cond.get("reason") == TIMED_OUT:
            return True
        since = parse_rfc3339(cond["lastUpdateTime"])
        return since + self.d["spec"]["progressDeadlineSeconds"] < self.now

    def _requeue_stuck(self, status: dict[str, Any]) -> Result:
        """`requeueStuckDeployment`: check again just after the progress deadline passes."""
        cond = find_condition(status, "Progressing")
        if (
            not _has_deadline(self.d)
            or cond is None
            or deployment_complete(self.d, status)
            or cond.get("reason") in (TIMED_OUT, PAUSED)
        ):
            return DONE
        due = parse_rfc3339(cond["lastUpdateTime"]) + self.d["spec"]["progressDeadlineSeconds"] + 1
        return Result(max(1.0, due - self.now))


CONTROLLER = DeploymentController()
