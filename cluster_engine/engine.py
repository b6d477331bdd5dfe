"""The Django side's only door into the simulated cluster (`cluster_engine.sim`).

Services, replies, the Kubernetes-compatible API (`kubeapi/`) and the grader call these functions and the names
listed in `__all__`; they translate between the sandbox row (JSON state, wall time) and the engine's facade, so
a change of the facade touches this file alone. No other Django-side module imports `sim`: the import contract
"One door into the simulated cluster" (pyproject.toml, `make lint`) fails one that does.
"""

from __future__ import annotations

import copy
import gc
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import yaml

from cluster_engine.sim import fieldvalidation, metrics, objects, portforward, scenario, schema
from cluster_engine.sim.apiserver import review
from cluster_engine.sim.authz import not_stored as review_not_stored
from cluster_engine.sim.authz import review_kind
from cluster_engine.sim.clock import speed_allowed, speed_refused
from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.discovery import served_kinds
from cluster_engine.sim.errors import (
    Cause,
    Status,
    bad_request,
    conflict,
    gone,
    internal_error,
    invalid,
    method_not_allowed,
    too_many_requests,
)
from cluster_engine.sim.events import EVENT_TTL
from cluster_engine.sim.managedfields import manager_problem, user_agent_manager
from cluster_engine.sim.manifests import MAX_MANIFEST_BYTES, field_problems, parse_documents, parse_objects
from cluster_engine.sim.objects import Kind
from cluster_engine.sim.patch import json_patch, merge_patch
from cluster_engine.sim.printers import selector_string, to_table
from cluster_engine.sim.scenario import KUBERNETES_VERSION
from cluster_engine.sim.schema import list_field
from cluster_engine.sim.selectors import parse_field_selector, parse_label_selector
from cluster_engine.sim.util import rfc3339

if TYPE_CHECKING:
    from cluster_engine.sim.kubectl.client import ClusterClient

# What the Django side may use of the simulated cluster besides this module's functions. The list is deliberate:
# anything else a caller needs becomes a function here, so a change inside `sim` touches this file alone (the
# import contract "One door into the simulated cluster" in pyproject.toml keeps it so). It holds:
# - the engine and the kinds it serves: Cluster, Kind, served_kinds, KUBERNETES_VERSION;
# - the errors: every refusal is a Kubernetes Status (Status, Cause and the constructors of sim/errors.py);
# - the API server's request path for the Kubernetes-compatible HTTP API (kubeapi/): reading manifests, field
#   validation (the module `fieldvalidation`), field managers, patches, selectors, access reviews, Table
#   conversion, list fields of the schema;
# - the modules `metrics` (the metrics.k8s.io API) and `portforward`: sim's halves of kubeapi/metrics.py and
#   kubeapi/portforward.py, whose every name those two use.
__all__ = [
    "KUBERNETES_VERSION",
    "MAX_MANIFEST_BYTES",
    "Cause",
    "Cluster",
    "Kind",
    "Status",
    "bad_request",
    "conflict",
    "field_problems",
    "fieldvalidation",
    "gone",
    "internal_error",
    "invalid",
    "json_patch",
    "list_field",
    "manager_problem",
    "merge_patch",
    "method_not_allowed",
    "metrics",
    "parse_documents",
    "parse_field_selector",
    "parse_label_selector",
    "parse_objects",
    "portforward",
    "review",
    "review_kind",
    "review_not_stored",
    "selector_string",
    "served_kinds",
    "to_table",
    "too_many_requests",
    "user_agent_manager",
]

SANDBOX_LOG_LIMIT = 100
GC_THRESHOLDS = (50_000, 20, 100)  # gc.set_threshold: Python's defaults are (700, 10, 10)
PLAYGROUND_SCENARIO = Path(__file__).resolve().parent / "scenarios" / "playground.yaml"


def warm_up() -> None:
    """Do at process start what the first request would otherwise pay for: reading and decoding the API
    schemas (once per server or worker process).

    Then everything loaded so far (modules, schemas) leaves the garbage collector's view: it lives as long as
    the process, and every full collection walked it again, stopping all request threads.

    And collections become rarer (GC_THRESHOLDS). An engine is no reference cycle: reference counting frees it
    as soon as its request is done. But at the default thresholds a collection ran every 700 allocations, moved
    the engines still in use into the older generations, and their growth set off full collections, each
    stopping every thread: most of a write's p99 under load (the figures: docs/performance.md)."""
    schema.preload()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def default_scenario() -> dict[str, Any]:
    """The playground's cluster: a control-plane node and workers, nothing deployed."""
    return yaml.safe_load(PLAYGROUND_SCENARIO.read_text(encoding="utf-8"))


def new_cluster(spec: dict[str, Any], *, seed: int, wall_now: float, first_resource_version: int = 0) -> Cluster:
    """A settled cluster built from a scenario, its clock anchored at `wall_now`.

    `first_resource_version` keeps resourceVersions rising across a reset, so open pages notice the jump.
    """
    # The database keeps every change with its object (SandboxChange), so the engine's own logs only need to
    # hold one write's or reconcile's changes until they are drained and stored (`dump` drops the rest).
    spec = {"historyLimit": SANDBOX_LOG_LIMIT, "changeLimit": SANDBOX_LOG_LIMIT, **copy.deepcopy(spec), "seed": seed}
    if "start" not in spec:
        # Simulated time begins where the wall clock is once the scenario has settled (and aged), so that the
        # real kubectl, which ages some things by its own clock (describe's Events, `--since`), agrees with
        # the page. A scenario that names its start keeps it.
        build_seconds = float(spec.get("settle", 120)) + (EVENT_TTL if spec.get("age", True) else 0.0)
        spec["start"] = rfc3339(float(int(wall_now - build_seconds)))
    cluster = scenario.build(spec)
    cluster.clock.sync(wall_now)
    if first_resource_version:
        cluster.store.rv = max(cluster.store.rv, first_resource_version) + 1
        cluster.store.drained_rv = cluster.store.rv
    return cluster


def load(state: dict[str, Any]) -> Cluster:
    """The engine of a stored state. Takes ownership of `state`: pass a dict freshly read from the row.
    Each kind's objects are decoded when first used (`dump`)."""
    return Cluster.from_json(state, decode=orjson.loads)


def dump(cluster: Cluster) -> dict[str, Any]:
    """The state to store. It shares structure with the live cluster: store it before the cluster changes
    again (every caller dumps last, then only reads).

    Changes already drained are left out of it: the same transaction records them with their objects in the
    change log (SandboxChange), where watches from a resourceVersion and the timeline read them. Keeping them
    in the state too doubled the cost of decoding and encoding it on every write.

    Each kind's objects are stored as JSON text of their own, which `load` decodes only when the kind is used,
    and a kind nobody wrote since its load is stored with the text it came with: a learner's write touches a
    kind or two, while Events and Pods, which it does not read, are most of a state."""
    return cluster.to_json(drained_logs=False, encode=_json_text)


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def resource_version(cluster: Cluster) -> int:
    return cluster.store.rv


def speed_and_paused(cluster: Cluster) -> tuple[int, bool]:
    return round(cluster.clock.speed), cluster.clock.paused


def sync_clock(cluster: Cluster, wall_now: float) -> None:
    """Bring simulated time up to `wall_now` for a write's timestamps without running any component:
    timers that fell due meanwhile are left for the worker's reconcile to fire."""
    cluster.clock.now = cluster.clock.target(wall_now)
    cluster.clock.sync(wall_now)


def advance(cluster: Cluster, wall_now: float) -> float:
    """Let the scheduler, controllers and kubelets act up to `wall_now`; returns simulated now."""
    return cluster.advance(wall_now)


def next_wakeup_wall(cluster: Cluster) -> float | None:
    return cluster.next_wakeup_wall()


def change_summary(rv: int, sim_time: float, event_type: str, actor: str, verb: str, reason: str, kind: str,  # noqa: PLR0917
                   namespace: str, name: str) -> dict[str, Any]:
    """One entry of a batch's `changes` (docs/realtime.md)."""
    return {"resourceVersion": str(rv), "time": rfc3339(sim_time), "type": event_type, "actor": actor,
            "verb": verb, "reason": reason, "kind": kind, "namespace": namespace, "name": name}


def drain_changes(cluster: Cluster) -> list[dict[str, Any]]:
    """Every change since the last drain, each with the object as it stood after the change."""
    drained = cluster.drain_changes()
    objects_by_rv = {int(event["object"]["metadata"]["resourceVersion"]): event["object"]
                     for event in drained["events"]}
    return [{**change, "resourceVersion": int(change["resourceVersion"]),
             "object": objects_by_rv.get(int(change["resourceVersion"])) or _deleted_stub(change)}
            for change in drained["changes"]]


SCENARIO_ACTOR = "scenario"


def initial_changes(cluster: Cluster) -> list[dict[str, Any]]:
    """The objects a new (or reset) cluster starts with, as changes of the actor `scenario`, one per object at its
    own resourceVersion: the change log then holds the sandbox's whole history from its first state, and the
    timeline can replay it from an empty cluster. Call before draining the cluster's first changes."""
    data = cluster.snapshot()
    drained = int(cluster.store.drained_rv)
    found = []
    for obj in data["objects"]:
        rv = int(obj["metadata"]["resourceVersion"])
        if rv > drained:  # changed since the build: its change is drained and recorded as it happened
            continue
        meta = obj["metadata"]
        found.append({"resourceVersion": rv, "time": cluster.now, "type": "ADDED", "actor": SCENARIO_ACTOR,
                      "verb": "create", "reason": "", "kind": obj["kind"], "namespace": meta.get("namespace", ""),
                      "name": meta["name"], "object": obj})
    found.sort(key=lambda change: change["resourceVersion"])
    return found


def _deleted_stub(change: dict[str, Any]) -> dict[str, Any]:
    """What is known of an object whose full body fell out of the engine's history."""
    kind = objects.lookup(change["kind"])
    api_version = f"{kind.group}/{kind.version}" if kind and kind.group else "v1"
    metadata = {"name": change["name"], "resourceVersion": str(change["resourceVersion"])}
    if change["namespace"]:
        metadata["namespace"] = change["namespace"]
    return {"apiVersion": api_version, "kind": change["kind"], "metadata": metadata}


def batch(cluster: Cluster, changes: list[dict[str, Any]], *, previous_resource_version: int) -> dict[str, Any]:
    """A `batch` message body (docs/realtime.md) for drained changes."""
    return {
        "previousResourceVersion": str(previous_resource_version),
        "resourceVersion": str(cluster.store.rv),
        "time": rfc3339(cluster.now),
        "events": [{"type": change["type"], "object": change["object"]} for change in changes],
        "changes": [change_summary(change["resourceVersion"], change["time"], change["type"], change["actor"],
                                   change["verb"], change["reason"], change["kind"], change["namespace"],
                                   change["name"]) for change in changes],
    }


def snapshot(cluster: Cluster) -> dict[str, Any]:
    data = cluster.snapshot()
    return {"resourceVersion": data["resourceVersion"], "time": data["timestamp"], "objects": data["objects"]}


def sim_time_text(cluster: Cluster) -> str:
    return rfc3339(cluster.now)


def components(cluster: Cluster) -> dict[str, bool]:
    return cluster.component_states()


def scheduling_explanation(cluster: Cluster, namespace: str, name: str) -> dict[str, Any] | None:
    return cluster.scheduling.explanation(namespace, name)


def list_objects(cluster: Cluster, kind: str, *, namespace: str | None = None) -> list[dict[str, Any]]:
    return cluster.api.list(kind, namespace=namespace)["items"]


def kubectl_name(obj: dict[str, Any]) -> str:
    """`deployment.apps/web`, `pod/web`: how kubectl names an object in its messages."""
    group = obj.get("apiVersion", "v1").rpartition("/")[0]
    kind = obj.get("kind", "").lower()
    return f"{kind}.{group}/{obj['metadata']['name']}" if group else f"{kind}/{obj['metadata']['name']}"


# ------------------------------------------------------------------ verbs

def apply(cluster: Cluster, body: dict[str, Any], *, actor: str, namespace: str, dry_run: bool) -> dict[str, Any]:
    obj, action = cluster.api.apply(body, namespace=namespace, actor=actor, dry_run=dry_run)
    return {"object": obj, "action": action}


def set_paused(cluster: Cluster, *, paused: bool, wall_now: float) -> None:
    cluster.set_paused(paused, wall_now)


def set_speed(cluster: Cluster, *, speed: float, wall_now: float) -> None:
    if not speed_allowed(speed):
        raise bad_request(speed_refused(speed))
    cluster.set_speed(speed, wall_now)


def step(cluster: Cluster, *, seconds: float, wall_now: float) -> None:
    if not 0 < seconds <= 3600:
        raise bad_request(f"a step must be between 0 and 3600 seconds (got {seconds:g})")
    cluster.advance(wall_now)
    cluster.step(seconds)


def set_component(cluster: Cluster, name: str, *, running: bool, actor: str, wall_now: float) -> None:
    del actor  # the engine records the component itself as the actor of what follows
    cluster.advance(wall_now)
    cluster.set_component(name, running=running)


def delete_pod(cluster: Cluster, *, namespace: str, name: str, actor: str, wall_now: float) -> None:
    del wall_now
    cluster.api.delete("Pod", name, namespace=namespace, actor=actor)


@dataclass(frozen=True)
class CommandOutput:
    text: str  # stdout then stderr, as a terminal shows them
    exit_code: int


def run_kubectl(cluster: Cluster, command: str, *, actor: str, language: str, stdin: str = "",
                server_url: str = "", context_name: str = "") -> CommandOutput:
    """Run one in-page kubectl command line against the cluster (see `cluster_engine.sim.kubectl`)."""
    from cluster_engine.sim.kubectl.client import run_command

    result = run_command(cluster, command, actor=actor, language=language, stdin=stdin, server_url=server_url,
                         context_name=context_name)
    return CommandOutput(text=result.stdout + result.stderr, exit_code=result.exit_code)


# ------------------------------------------------------------------ reads for the grader (never change the engine)

def stored_objects(cluster: Cluster, kind: str, *, namespace: str | None = None) -> list[dict[str, Any]]:
    """The stored objects of `kind` (canonical name, e.g. `Deployment`), in one namespace or all. Not copies:
    the caller only reads them."""
    return list(cluster.store.items(kind, namespace))


def stored_object(cluster: Cluster, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
    """One stored object (not a copy) or None; `namespace` is "" for cluster-scoped kinds."""
    return cluster.store.get(kind, namespace, name)


def canonical_kind(text: str) -> str | None:
    """`Deployment` for `deployment`, `deploy`, `deployments`, `Deployment`; None for an unknown kind."""
    kind = objects.lookup(text)
    return kind.kind if kind is not None else None


def kind_is_namespaced(kind: str) -> bool:
    found = objects.lookup(kind)
    return bool(found and found.namespaced)


def probe_http(cluster: Cluster, url: str, *, from_pod: tuple[str, str] | None = None) -> dict[str, Any]:
    """What `curl <url>` from pod `(namespace, name)` (or from a node) would get, routed by kube-proxy, without
    moving the cluster's random draws: a check may look as often as it likes and change nothing."""
    from cluster_engine.sim import proxy
    from cluster_engine.sim.util import Draws

    source = cluster.store.get("Pod", *from_pod) if from_pod else None
    draws = Draws(cluster.draws.seed, cluster.draws.counter)
    return proxy.request(cluster.store, cluster.kubelets, draws, url, from_pod=source).to_dict()


def jsonpath_values(expression: str, obj: Any) -> list[Any]:
    """The values kubectl's `-o jsonpath=` would select (relaxed: `spec.replicas`, `.spec.replicas` and
    `{.spec.replicas}` alike). Raises ValueError for a malformed expression."""
    from cluster_engine.sim.kubectl import jsonpath

    try:
        found = jsonpath.find(jsonpath.relaxed(expression), obj)
    except jsonpath.JSONPathError as error:
        raise ValueError(str(error)) from error
    return [value for values in found for value in values]


def label_selector_matches(selector: str | dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether `labels` match a selector given as text (`app=web,tier!=db`) or as a LabelSelector object."""
    from cluster_engine.sim import selectors

    parsed = selectors.parse_label_selector(selector) if isinstance(selector, str) \
        else selectors.selector_from_object(selector)
    return parsed.matches(labels)


def check_label_selector(text: str) -> None:
    """Raise ValueError if `text` is not a valid label selector."""
    from cluster_engine.sim import selectors

    try:
        selectors.parse_label_selector(text)
    except Status as error:
        raise ValueError(error.message) from error


def quantity(value: Any) -> float:
    """A Kubernetes quantity (`100m`, `1Gi`, `3`) as a number; raises ValueError."""
    from cluster_engine.sim.quantity import QuantityError, parse_quantity

    try:
        return float(parse_quantity(value))
    except QuantityError as error:
        raise ValueError(str(error)) from error


def sim_now(cluster: Cluster) -> float:
    return cluster.now


def fault_problem(fault: Any) -> str:
    """What is wrong with a scenario fault's data (`sim/faults.py`), or ""."""
    from cluster_engine.sim import faults

    return faults.validate(fault)


# ------------------------------------------------------------------ for the Kubernetes-compatible API (kubeapi/)

def lookup_kind(text: str) -> Kind | None:
    """The served kind named by `text` (kind, plural, singular or short name, any case), or None."""
    return objects.lookup(text)


def stored_kind(kind: str) -> Kind:
    """The kind `kind` (canonical name) as it is stored: its storage version. Raises KeyError for an unknown
    kind."""
    return objects.by_kind(kind)


def schema_definitions() -> Mapping[str, Any]:
    """Every definition of the API's schema by name, read-only (the OpenAPI documents serve them)."""
    return schema.definitions()


def kubectl_client(cluster: Cluster, *, actor: str) -> ClusterClient:
    """The client the in-page kubectl uses: the API server's verbs on `cluster`, as `actor`."""
    from cluster_engine.sim.kubectl.client import ClusterClient

    return ClusterClient(cluster, actor=actor)


def run_in_container(client: ClusterClient, pod: dict[str, Any], container: dict[str, Any],
                     argv: list[str]) -> tuple[str, str, int]:
    """Run `argv` in the simulated container: its stdout, stderr and exit code. Raises a Status with the
    kubelet's refusal when the command cannot run as a process (the runtime could not start it, or the
    simulation does not model it)."""
    from cluster_engine.sim.kubectl.execute import ExecError
    from cluster_engine.sim.kubectl.execute import run_in_container as run

    try:
        return run(client, pod, container, argv)
    except ExecError as failure:
        raise Status(failure.code, failure.reason, failure.message, {}) from failure
