"""Persistent storage: the persistent-volume binder (`pkg/controller/volume/persistentvolume`), the external
provisioner of the default class (rancher's local-path, as kind ships it), and the claim and volume protection
controllers that hold back the delete of what is in use (`pkg/controller/volume/pvcprotection`, `pvprotection`).

Binding, as upstream: a claim naming a volume is bound to it; otherwise to the smallest Available volume of its
class whose access modes, size, volume mode and labels fit. With none, a class that binds at once has its
provisioner make one now; a WaitForFirstConsumer class waits until the scheduler names a node on the claim
(`volume.kubernetes.io/selected-node`, VolumeBinding's PreBind), then the provisioner makes a volume on that
node. A volume whose claim is gone is Released, then deleted (Delete) or kept (Retain). Events carry upstream's
reasons and words (WaitForFirstConsumer, ExternalProvisioning, Provisioning, ProvisioningSucceeded, ...).

Keys: `namespace/name` for a claim, `name` for a volume (cluster-scoped).
"""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.admission import PV_PROTECTION, PVC_PROTECTION
from cluster_engine.sim.errors import Status
from cluster_engine.sim.kinds.storage import class_of
from cluster_engine.sim.quantity import QuantityError, parse_quantity
from cluster_engine.sim.scheduler.labels import label_selector, node_selector_term, node_selector_terms_match
from cluster_engine.sim.scheduler.volumes import SELECTED_NODE, WAIT_FOR_FIRST_CONSUMER
from cluster_engine.sim.util import clone, rfc3339

from . import DONE, Context, Result, split_key

NAME = "persistentvolume-binder-controller"
EVENT_SOURCE = "persistentvolume-controller"
PROVISIONER_NAME = "local-path-provisioner"
LOCAL_PATH = "rancher.io/local-path"
# the provisioner's event source: `<provisioner>_<its pod>_<its identity>`, as the sig-storage library names it
PROVISIONER_SOURCE = "rancher.io/local-path_local-path-provisioner-7577fdbbfb-podlab_0d5c5a1e-podlab"
LOCAL_PATH_ROOT = "/var/local-path-provisioner"
PVC_PROTECTION_NAME = "persistentvolumeclaim-protection-controller"
PV_PROTECTION_NAME = "persistentvolume-protection-controller"
STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"
BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"


def _storage(obj: dict[str, Any], *path: str) -> int:
    value: Any = obj
    for key in path:
        value = (value or {}).get(key)
    try:
        return int(parse_quantity(value or "0"))
    except QuantityError:
        return 0


def claims_of(pod: dict[str, Any]) -> list[str]:
    """The names of the claims a pod's volumes use."""
    return [c for v in (pod.get("spec") or {}).get("volumes") or ()
            if (c := (v.get("persistentVolumeClaim") or {}).get("claimName"))]


def _event(ctx: Context, obj: dict[str, Any], event_type: str, reason: str, message: str, *, source: str,
           actor: str, now: float) -> None:
    ctx.recorder.record(obj, event_type, reason, message, component=source, actor=actor, now=now)


def _typed(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    body = clone(obj)
    body.setdefault("apiVersion", "v1")
    body.setdefault("kind", kind)
    return body


class PersistentVolumeBinder:
    """`persistentvolume-binder-controller`: claims to volumes, dynamic provisioning asked of the provisioner,
    released volumes reclaimed."""

    name = NAME
    kinds_watched = ("PersistentVolumeClaim", "PersistentVolume", "StorageClass")

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        meta = obj["metadata"]
        if kind == "PersistentVolumeClaim":
            volume = (obj.get("spec") or {}).get("volumeName")
            if event_type == "DELETED":
                return [volume] if volume else []
            if (obj.get("status") or {}).get("phase") == "Bound" and old is not None and \
                    (old.get("status") or {}).get("phase") == "Bound":
                return []
            return [f"{meta['namespace']}/{meta['name']}"]
        if kind == "PersistentVolume":
            if event_type == "DELETED":
                ref = (obj.get("spec") or {}).get("claimRef")
                return [f"{ref.get('namespace', '')}/{ref.get('name', '')}"] if ref else []
            return [meta["name"]]
        return []  # a new class: its claims are retried when they next change (upstream resyncs every 15 s)

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        try:
            if "/" in key:
                self._sync_claim(ctx, *split_key(key), now)
            else:
                self._sync_volume(ctx, key, now)
        except Status:
            return DONE
        return DONE

    # --- claims ------------------------------------------------------------------------------------------
    def _sync_claim(self, ctx: Context, namespace: str, name: str, now: float) -> None:
        claim = ctx.store.get("PersistentVolumeClaim", namespace, name)
        if claim is None or claim["metadata"].get("deletionTimestamp"):
            return
        spec = claim.get("spec") or {}
        phase = (claim.get("status") or {}).get("phase")
        if spec.get("volumeName"):
            volume = ctx.store.get("PersistentVolume", "", spec["volumeName"])
            if volume is None:
                if phase == "Bound":
                    self._claim_status(ctx, claim, "Lost", now)
                    _event(ctx, claim, "Warning", "ClaimLost",
                           "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
                           source=EVENT_SOURCE, actor=NAME, now=now)
                return
            ref = (volume.get("spec") or {}).get("claimRef")
            if ref and (ref.get("name"), ref.get("namespace")) != (name, namespace):
                if phase != "Bound":
                    _event(ctx, claim, "Warning", "FailedBinding",
                           "volume \"" + spec["volumeName"] + "\" already bound to a different claim.",
                           source=EVENT_SOURCE, actor=NAME, now=now)
                return
            self._bind(ctx, claim, volume, now)
            return
        volume = self._find_volume(ctx, claim)
        if volume is not None:
            self._bind(ctx, claim, volume, now)
            return
        self._provision_or_wait(ctx, claim, now)

    def _find_volume(self, ctx: Context, claim: dict[str, Any]) -> dict[str, Any] | None:
        """`findBestMatchForClaim`: a volume pre-bound to the claim, else the smallest Available one that fits
        (for a WaitForFirstConsumer claim only once a node is chosen, and only one reachable from it)."""
        meta, spec = claim["metadata"], claim.get("spec") or {}
        class_name = class_of(claim)
        storage_class = ctx.store.get("StorageClass", "", class_name) if class_name else None
        delayed = storage_class is not None and storage_class.get("volumeBindingMode") == WAIT_FOR_FIRST_CONSUMER
        selected = (meta.get("annotations") or {}).get(SELECTED_NODE, "")
        node = ctx.store.get("Node", "", selected) if selected else None
        wanted_modes = set(spec.get("accessModes") or ())
        wanted_size = _storage(spec, "resources", "requests", "storage")
        selector = label_selector(spec["selector"]) if spec.get("selector") else None
        best: tuple[bool, int, str] | None = None
        found = None
        for volume in ctx.store.items("PersistentVolume"):
            vspec = volume.get("spec") or {}
            ref = vspec.get("claimRef")
            pre_bound = bool(ref) and (ref.get("namespace"), ref.get("name")) == (meta["namespace"], meta["name"]) \
                and ref.get("uid") in (None, "", meta.get("uid"))
            if ref and not pre_bound:
                continue
            if volume["metadata"].get("deletionTimestamp") or (not pre_bound and (volume.get("status") or {}).get(
                    "phase") not in ("Available", "Pending")):
                continue
            if class_of(volume) != class_name or vspec.get("volumeMode", "Filesystem") != spec.get(
                    "volumeMode", "Filesystem"):
                continue
            if not wanted_modes <= set(vspec.get("accessModes") or ()) or _storage(vspec, "capacity", "storage") \
                    < wanted_size:
                continue
            if selector is not None and not selector.matches(volume["metadata"].get("labels") or {}):
                continue
            if delayed and not pre_bound and (node is None or not _reachable(volume, node)):
                continue
            rank = (not pre_bound, _storage(vspec, "capacity", "storage"), volume["metadata"]["name"])
            if best is None or rank < best:
                best, found = rank, volume
        return found

    def _provision_or_wait(self, ctx: Context, claim: dict[str, Any], now: float) -> None:
        """No volume fits: ask the class's provisioner for one, or say why the claim waits."""
        class_name = class_of(claim)
        meta = claim["metadata"]
        if not class_name:
            _event(ctx, claim, "Normal", "FailedBinding",
                   "no persistent volumes available for this claim and no storage class is set",
                   source=EVENT_SOURCE, actor=NAME, now=now)
            return
        storage_class = ctx.store.get("StorageClass", "", class_name)
        if storage_class is None:
            _event(ctx, claim, "Warning", "ProvisioningFailed",
                   f'storageclass.storage.k8s.io "{class_name}" not found', source=EVENT_SOURCE, actor=NAME, now=now)
            return
        provisioner = storage_class.get("provisioner", "")
        delayed = storage_class.get("volumeBindingMode") == WAIT_FOR_FIRST_CONSUMER
        if delayed and not (meta.get("annotations") or {}).get(SELECTED_NODE):
            _event(ctx, claim, "Normal", "WaitForFirstConsumer",
                   "waiting for first consumer to be created before binding", source=EVENT_SOURCE, actor=NAME,
                   now=now)
            return
        # Every provisioner is external here, `kubernetes.io/no-provisioner` included (upstream waits for it too,
        # for an administrator to create a volume by hand).
        annotations = meta.get("annotations") or {}
        if annotations.get(STORAGE_PROVISIONER) != provisioner:
            body = _typed(claim, "PersistentVolumeClaim")
            body["metadata"]["annotations"] = {**annotations, STORAGE_PROVISIONER: provisioner,
                                               BETA_STORAGE_PROVISIONER: provisioner}
            claim = ctx.api.update(body, namespace=meta["namespace"], actor=NAME, now=now)
        _event(ctx, claim, "Normal", "ExternalProvisioning",
               f"Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually "
               "by the system administrator. If volume creation is delayed, please verify that the provisioner is "
               "running and correctly registered.", source=EVENT_SOURCE, actor=NAME, now=now)

    def _bind(self, ctx: Context, claim: dict[str, Any], volume: dict[str, Any], now: float) -> None:
        """`bind`: the volume's claimRef and phase Bound, then the claim's volumeName and phase Bound, with the
        annotations upstream leaves (`bind-completed`, `bound-by-controller`)."""
        meta = claim["metadata"]
        vspec = volume.get("spec") or {}
        ref = vspec.get("claimRef") or {}
        if ref.get("uid") != meta.get("uid"):
            body = _typed(volume, "PersistentVolume")
            body["spec"]["claimRef"] = {"kind": "PersistentVolumeClaim", "namespace": meta["namespace"],
                                        "name": meta["name"], "uid": meta["uid"], "apiVersion": "v1",
                                        "resourceVersion": meta["resourceVersion"]}
            if not ref:
                body["metadata"].setdefault("annotations", {})[BOUND_BY_CONTROLLER] = "yes"
            volume = ctx.api.update(body, actor=NAME, now=now)
        if (volume.get("status") or {}).get("phase") != "Bound":
            body = _typed(volume, "PersistentVolume")
            body["status"] = {"phase": "Bound", "lastPhaseTransitionTime": _stamp(now)}
            volume = ctx.api.update_status(body, actor=NAME, now=now)
        spec = claim.get("spec") or {}
        annotations = meta.get("annotations") or {}
        if spec.get("volumeName") != volume["metadata"]["name"] or annotations.get(BIND_COMPLETED) != "yes":
            body = _typed(claim, "PersistentVolumeClaim")
            body["spec"]["volumeName"] = volume["metadata"]["name"]
            body["metadata"]["annotations"] = dict(annotations)
            body["metadata"]["annotations"][BIND_COMPLETED] = "yes"
            if not spec.get("volumeName"):
                body["metadata"]["annotations"][BOUND_BY_CONTROLLER] = "yes"
            claim = ctx.api.update(body, namespace=meta["namespace"], actor=NAME, now=now)
        vspec = volume.get("spec") or {}
        status = {"phase": "Bound", "accessModes": list(vspec.get("accessModes") or []),
                  "capacity": dict(vspec.get("capacity") or {})}
        if (claim.get("status") or {}) != status:
            body = _typed(claim, "PersistentVolumeClaim")
            body["status"] = status
            ctx.api.update_status(body, namespace=meta["namespace"], actor=NAME, now=now)

    def _claim_status(self, ctx: Context, claim: dict[str, Any], phase: str, now: float) -> None:
        body = _typed(claim, "PersistentVolumeClaim")
        body["status"] = dict(body.get("status") or {}, phase=phase)
        ctx.api.update_status(body, namespace=claim["metadata"]["namespace"], actor=NAME, now=now)

    # --- volumes -----------------------------------------------------------------------------------------
    def _sync_volume(self, ctx: Context, name: str, now: float) -> None:
        volume = ctx.store.get("PersistentVolume", "", name)
        if volume is None or volume["metadata"].get("deletionTimestamp"):
            return
        spec, phase = volume.get("spec") or {}, (volume.get("status") or {}).get("phase")
        ref = spec.get("claimRef")
        if not ref:
            if phase != "Available":
                self._volume_phase(ctx, volume, "Available", now)
            self._bind_waiting_claims(ctx, volume, now)
            return
        claim = ctx.store.get("PersistentVolumeClaim", ref.get("namespace", ""), ref.get("name", ""))
        if claim is not None and ref.get("uid") in (None, "", claim["metadata"].get("uid")):
            if not ref.get("uid") or (claim.get("spec") or {}).get("volumeName") != name:
                self._sync_claim(ctx, claim["metadata"]["namespace"], claim["metadata"]["name"], now)
            elif phase != "Bound":
                self._volume_phase(ctx, volume, "Bound", now)
            return
        if not ref.get("uid"):
            return  # pre-bound to a claim that does not exist yet
        if phase != "Released":
            volume = self._volume_phase(ctx, volume, "Released", now)
        policy = spec.get("persistentVolumeReclaimPolicy", "Retain")
        if policy == "Delete":
            ctx.api.delete("PersistentVolume", name, actor=NAME, now=now)
        elif policy == "Recycle":
            body = _typed(volume, "PersistentVolume")
            body["spec"].pop("claimRef", None)
            ctx.api.update(body, actor=NAME, now=now)
            _event(ctx, volume, "Normal", "VolumeRecycled", "Volume recycled", source=EVENT_SOURCE, actor=NAME,
                   now=now)

    def _bind_waiting_claims(self, ctx: Context, volume: dict[str, Any], now: float) -> None:
        """A volume became Available: the pending claims it may satisfy get another look (upstream's periodic
        claim resync does this within 15 s)."""
        class_name = class_of(volume)
        for claim in list(ctx.store.items("PersistentVolumeClaim")):
            if (claim.get("status") or {}).get("phase") == "Pending" and class_of(claim) == class_name and \
                    not (claim.get("spec") or {}).get("volumeName"):
                self._sync_claim(ctx, claim["metadata"]["namespace"], claim["metadata"]["name"], now)
                if (ctx.store.get("PersistentVolume", "", volume["metadata"]["name"]) or {}).get(
                        "spec", {}).get("claimRef"):
                    return

    def _volume_phase(self, ctx: Context, volume: dict[str, Any], phase: str, now: float) -> dict[str, Any]:
        body = _typed(volume, "PersistentVolume")
        body["status"] = {"phase": phase, "lastPhaseTransitionTime": _stamp(now)}
        return ctx.api.update_status(body, actor=NAME, now=now)


def _stamp(now: float) -> str:
    return rfc3339(now)


def _reachable(volume: dict[str, Any], node: dict[str, Any]) -> bool:
    """Whether a volume's required node affinity admits the node."""
    terms = (((volume.get("spec") or {}).get("nodeAffinity") or {}).get("required") or {}).get("nodeSelectorTerms")
    if not terms:
        return True
    meta = node["metadata"]
    return node_selector_terms_match(tuple(node_selector_term(t) for t in terms), meta["name"],
                                     meta.get("labels") or {})


class LocalPathProvisioner:
    """The external provisioner of `rancher.io/local-path` (kind's default class): a hostPath volume
    `pvc-<claim uid>` under /var/local-path-provisioner on the node the scheduler chose, pinned to that node.
    Simulated in the controller manager (kind runs it as a Deployment in `local-path-storage`)."""

    name = PROVISIONER_NAME
    kinds_watched = ("PersistentVolumeClaim",)

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        meta = obj["metadata"]
        if event_type == "DELETED" or (obj.get("spec") or {}).get("volumeName"):
            return []
        if (meta.get("annotations") or {}).get(STORAGE_PROVISIONER) != LOCAL_PATH:
            return []
        return [f"{meta['namespace']}/{meta['name']}"]

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        namespace, name = split_key(key)
        claim = ctx.store.get("PersistentVolumeClaim", namespace, name)
        if claim is None or claim["metadata"].get("deletionTimestamp") or (claim.get("spec") or {}).get("volumeName"):
            return DONE
        meta, spec = claim["metadata"], claim.get("spec") or {}
        volume_name = f"pvc-{meta['uid']}"
        if ctx.store.get("PersistentVolume", "", volume_name) is not None:
            return DONE
        node = (meta.get("annotations") or {}).get(SELECTED_NODE, "")
        storage_class = ctx.store.get("StorageClass", "", class_of(claim)) or {}
        _event(ctx, claim, "Normal", "Provisioning",
               f'External provisioner is provisioning volume for claim "{namespace}/{name}"',
               source=PROVISIONER_SOURCE, actor=PROVISIONER_NAME, now=now)
        modes = list(spec.get("accessModes") or [])
        if not node or (modes != ["ReadWriteOnce"] and not set(modes) <= {"ReadWriteOnce", "ReadWriteOncePod"}):
            why = ("configuration error, no node was specified" if not node
                   else "Only support ReadWriteOnce access mode")
            _event(ctx, claim, "Warning", "ProvisioningFailed",
                   f"failed to provision volume with StorageClass \"{class_of(claim)}\": {why}",
                   source=PROVISIONER_SOURCE, actor=PROVISIONER_NAME, now=now)
            return DONE
        volume = {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {
                "name": volume_name,
                "annotations": {PROVISIONED_BY: LOCAL_PATH, "local.path.provisioner/selected-node": node},
            },
            "spec": {
                "accessModes": modes,
                "capacity": {"storage": ((spec.get("resources") or {}).get("requests") or {}).get("storage", "0")},
                "claimRef": {"kind": "PersistentVolumeClaim", "namespace": namespace, "name": name,
                             "uid": meta["uid"], "apiVersion": "v1", "resourceVersion": meta["resourceVersion"]},
                "hostPath": {"path": f"{LOCAL_PATH_ROOT}/{volume_name}_{namespace}_{name}",
                             "type": "DirectoryOrCreate"},
                "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                    {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}},
                "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy", "Delete"),
                "storageClassName": class_of(claim),
                "volumeMode": spec.get("volumeMode", "Filesystem"),
            },
        }
        try:
            ctx.api.create(volume, actor=PROVISIONER_NAME, now=now)
        except Status as error:
            _event(ctx, claim, "Warning", "ProvisioningFailed",
                   f"failed to provision volume with StorageClass \"{class_of(claim)}\": {error.message}",
                   source=PROVISIONER_SOURCE, actor=PROVISIONER_NAME, now=now)
            return DONE
        _event(ctx, claim, "Normal", "ProvisioningSucceeded", f"Successfully provisioned volume {volume_name}",
               source=PROVISIONER_SOURCE, actor=PROVISIONER_NAME, now=now)
        return DONE


class ClaimProtection:
    """`persistentvolumeclaim-protection-controller`: a deleted claim keeps its finalizer while a pod that has
    not finished uses it."""

    name = PVC_PROTECTION_NAME
    kinds_watched = ("PersistentVolumeClaim", "Pod")

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        meta = obj["metadata"]
        if kind == "PersistentVolumeClaim":
            if event_type != "DELETED" and meta.get("deletionTimestamp") and PVC_PROTECTION in (
                    meta.get("finalizers") or ()):
                return [f"{meta['namespace']}/{meta['name']}"]
            return []
        finished = (obj.get("status") or {}).get("phase") in ("Succeeded", "Failed")
        if event_type == "DELETED" or finished:
            return [f"{meta['namespace']}/{claim}" for claim in claims_of(obj)]
        return []

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        namespace, name = split_key(key)
        claim = ctx.store.get("PersistentVolumeClaim", namespace, name)
        if claim is None or not claim["metadata"].get("deletionTimestamp"):
            return DONE
        finalizers = list(claim["metadata"].get("finalizers") or [])
        if PVC_PROTECTION not in finalizers:
            return DONE
        for pod in ctx.store.items("Pod", namespace):
            if (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed") and name in claims_of(pod):
                return DONE
        finalizers.remove(PVC_PROTECTION)
        body = _typed(claim, "PersistentVolumeClaim")
        body["metadata"]["finalizers"] = finalizers
        try:
            ctx.api.update(body, namespace=namespace, actor=PVC_PROTECTION_NAME, now=now)
        except Status:
            return DONE
        return DONE


class VolumeProtection:
    """`persistentvolume-protection-controller`: a deleted volume keeps its finalizer while it is Bound."""

    name = PV_PROTECTION_NAME
    kinds_watched = ("PersistentVolume",)

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        meta = obj["metadata"]
        if event_type != "DELETED" and meta.get("deletionTimestamp") and PV_PROTECTION in (
                meta.get("finalizers") or ()):
            return [meta["name"]]
        return []

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        volume = ctx.store.get("PersistentVolume", "", key)
        if volume is None or not volume["metadata"].get("deletionTimestamp"):
            return DONE
        finalizers = list(volume["metadata"].get("finalizers") or [])
        if PV_PROTECTION not in finalizers or (volume.get("status") or {}).get("phase") == "Bound":
            return DONE
        finalizers.remove(PV_PROTECTION)
        body = _typed(volume, "PersistentVolume")
        body["metadata"]["finalizers"] = finalizers
        try:
            ctx.api.update(body, actor=PV_PROTECTION_NAME, now=now)
        except Status:
            return DONE
        return DONE


BINDER = PersistentVolumeBinder()
PROVISIONER = LocalPathProvisioner()
CLAIM_PROTECTION = ClaimProtection()
VOLUME_PROTECTION = VolumeProtection()
