"""The in-page kubectl as a client of the simulated cluster: `ClusterClient` binds the learner (actor) and
the cluster's simulated clock to the `Client` protocol of `context`, so the terminal goes through the same
api-server functions as the Kubernetes-compatible HTTP API. `run_command` is the one call the web layer
needs."""

from __future__ import annotations

from typing import Any, Protocol

from cluster_engine.sim import managedfields
from cluster_engine.sim.apiserver import ApiServer
from cluster_engine.sim.errors import Cause, Status

from .commands import run
from .context import Result, Session


class ClusterFacade(Protocol):
    """The part of `cluster_engine.sim.cluster.Cluster` this client uses: its clock, its api-server's verbs, and
    the node-side requests (logs, curl from a pod)."""

    @property
    def now(self) -> float: ...

    @property
    def api(self) -> ApiServer: ...

    def logs(
        self,
        name: str,
        *,
        namespace: str = "default",
        container: str | None = None,
        previous: bool = False,
        timestamps: bool = False,
        tail: int | None = None,
    ) -> str: ...

    def http_request(self, url: str, *, from_pod: str | None = None, namespace: str = "default") -> dict[str, Any]: ...


DEFAULT_SERVER_VERSION = "v1.32.2"


def _check_manager(manager: str | None, options: str, *, required: bool = False) -> None:
    """What kube-apiserver answers for a `fieldManager` it refuses (ValidateFieldManager, and none for an
    apply patch): 422 Invalid."""
    problem = managedfields.manager_problem(manager) if manager else ""
    if required and not manager:
        problem = "Required value: is required for apply patch"
    if problem:
        reason = {"Too": "FieldValueTooLong", "Req": "FieldValueRequired"}.get(problem[:3], "FieldValueInvalid")
        raise Status(422, "Invalid", f'{options}.meta.k8s.io "" is invalid: fieldManager: {problem}',
                     {"group": "meta.k8s.io", "kind": options}, (Cause(reason, problem, "fieldManager"),))


class ClusterClient:
    """kubectl's `Client` over a `Cluster`: every write is made by `actor` (`user:<name>`) at the cluster's
    simulated `now`, recorded in managedFields under the field manager the command names (None: `kubectl`,
    what the api-server derives from kubectl's User-Agent). Reads return copies; every failure is the
    api-server's `Status`. The client never runs the controllers: as with a real api-server, a write returns
    at once and the engine reacts later."""

    def __init__(self, cluster: ClusterFacade, *, actor: str) -> None:
        self.cluster = cluster
        self.actor = actor

    @property
    def now(self) -> float:
        return self.cluster.now

    def get(self, kind: str, name: str, namespace: str = "default") -> dict[str, Any]:
        return self.cluster.api.get(kind, name, namespace=namespace)

    def list(
        self, kind: str, namespace: str | None = None, *, label_selector: str = "", field_selector: str = ""
    ) -> dict[str, Any]:
        return self.cluster.api.list(
            kind, namespace=namespace, label_selector=label_selector, field_selector=field_selector
        )

    def create(
        self, body: dict[str, Any], *, namespace: str | None, dry_run: bool, field_manager: str | None = None
    ) -> dict[str, Any]:
        _check_manager(field_manager, "CreateOptions")
        return self.cluster.api.create(
            body, namespace=namespace, actor=self.actor, dry_run=dry_run, field_manager=field_manager
        )

    def apply(
        self, manifest: dict[str, Any], *, namespace: str | None, dry_run: bool, field_manager: str | None
    ) -> tuple[dict[str, Any], str]:
        """Client-side apply, recorded under `field_manager` (None: kubectl sent none). A manager the api-server
        refuses fails as kubectl's POST (a new object) or PATCH (an existing one) would."""
        if field_manager and managedfields.manager_problem(field_manager):
            _check_manager(field_manager, "PatchOptions" if self._exists(manifest, namespace) else "CreateOptions")
        return self.cluster.api.apply(
            manifest, namespace=namespace, actor=self.actor, dry_run=dry_run, field_manager=field_manager
        )

    def _exists(self, manifest: dict[str, Any], namespace: str | None) -> bool:
        meta = manifest.get("metadata") if isinstance(manifest.get("metadata"), dict) else {}
        try:
            self.cluster.api.get(str(manifest.get("kind", "")), str(meta.get("name", "")),
                             namespace=namespace or meta.get("namespace") or "default")
        except Status:
            return False
        return True

    def server_side_apply(
        self,
        kind: str,
        name: str,
        manifest: dict[str, Any],
        *,
        namespace: str,
        field_manager: str,
        force: bool,
        dry_run: bool,
    ) -> tuple[dict[str, Any], bool]:
        _check_manager(field_manager, "PatchOptions", required=True)
        return self.cluster.api.server_side_apply(
            kind,
            name,
            manifest,
            namespace=namespace,
            field_manager=field_manager,
            force=force,
            actor=self.actor,
            dry_run=dry_run,
        )

    def patch(
        self,
        kind: str,
        name: str,
        body: Any,
        *,
        namespace: str,
        patch_type: str,
        dry_run: bool,
        field_manager: str | None = None,
        subresource: str = "",
    ) -> dict[str, Any]:
        _check_manager(field_manager, "PatchOptions")
        return self.cluster.api.patch(
            kind,
            name,
            body,
            namespace=namespace,
            patch_type=patch_type,
            actor=self.actor,
            dry_run=dry_run,
            subresource=subresource,
            field_manager=field_manager,
        )

    def delete(
        self,
        kind: str,
        name: str,
        *,
        namespace: str,
        propagation_policy: str | None,
        grace_period_seconds: int | None,
        dry_run: bool,
    ) -> dict[str, Any]:
        return self.cluster.api.delete(
            kind,
            name,
            namespace=namespace,
            actor=self.actor,
            propagation_policy=propagation_policy,
            grace_period_seconds=grace_period_seconds,
            dry_run=dry_run,
        )

    def evict(self, name: str, *, namespace: str, grace_period_seconds: int | None, dry_run: bool) -> dict[str, Any]:
        options = {} if grace_period_seconds is None else {"gracePeriodSeconds": grace_period_seconds}
        return self.cluster.api.evict(name, namespace=namespace, delete_options=options, actor=self.actor,
                                  dry_run=dry_run)

    def logs(
        self,
        name: str,
        *,
        namespace: str,
        container: str | None,
        previous: bool,
        timestamps: bool,
        tail: int | None,
    ) -> str:
        return self.cluster.logs(
            name,
            namespace=namespace,
            container=container,
            previous=previous,
            timestamps=timestamps,
            tail=tail,
        )

    def http_request(self, url: str, *, from_pod: str, namespace: str) -> dict[str, Any]:
        """`curl URL` from a pod through the simulated DNS and kube-proxy: {status, body, pod, node,
        service, error}."""
        return self.cluster.http_request(url, from_pod=from_pod, namespace=namespace)

    def server_version(self) -> str:
        """The control plane's version: what its kubelets report (kubeadm keeps them equal)."""
        for node in self.cluster.api.list("Node").get("items") or []:
            labels = node["metadata"].get("labels") or {}
            if "node-role.kubernetes.io/control-plane" in labels:
                version = ((node.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion")
                if version:
                    return version
        return DEFAULT_SERVER_VERSION


def run_command(
    cluster: ClusterFacade,
    line: str,
    *,
    actor: str,
    namespace: str = "default",
    language: str = "en",
    stdin: str = "",
    server_url: str = "",
    context_name: str = "",
) -> Result:
    """Run one terminal line (`kubectl get pods`) against `cluster` as `actor` (`user:<name>`).

    Returns what the terminal shows (stdout, stderr, exit code) and never raises for a learner's mistake.
    Writes go into the cluster's store at its current simulated time; the caller saves the cluster and
    schedules its reconcile, as for any other API write. `server_url` and `context_name` are what the
    sandbox's kubeconfig says (`cluster-info`, `config view`); by default the control plane node's address.
    """
    session = Session(namespace, language, stdin, server_url, context_name)
    return run(line, ClusterClient(cluster, actor=actor), session)
