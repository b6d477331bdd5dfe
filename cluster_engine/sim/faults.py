"""Faults declared as data: what a lesson's scenario breaks on purpose, at the start or some simulated seconds
after the learner receives the cluster (`at`). Each fault is one mapping:

- `{stop: kube-scheduler | kube-controller-manager | kubelet/<node>}` and `{start: ...}`: a component stops
  (a node whose kubelet stops turns NotReady after the grace period, its pods are evicted later);
- `{apply: <manifest>}`: an object created or changed (a broken image, a wrong selector);
- `{patch: {kind, name, namespace?, patch}}`: a JSON merge patch of an existing object;
- `{delete: {kind, name, namespace?}}`;
- `{join: {name, cpu?, memory?, labels?, taints?, ...}}`: a node joins (as `kubeadm join` brings one, the keys of
  a scenario's `nodes`); its kubelet registers it, so it acts as `kubelet/<node>`, and DaemonSets follow.

A timed fault waits in the cluster's timers, keyed by the fault itself (JSON), so it survives a save and load
like any other timer. Faults act as `ACTOR`, which the change log and the diagram show.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from .clock import Timers
from .errors import Status
from .node_join import Joining, join_node

OWNER = "scenario-fault"
ACTOR = "podlab-scenario"
FORMS = ("stop", "start", "apply", "patch", "delete", "join")


class Cluster(Joining, Protocol):
    """What a fault acts on (`cluster.Cluster`)."""

    timers: Timers

    def set_component(self, name: str, *, running: bool) -> None: ...

    def run_until_idle(self) -> None: ...


def validate(fault: Any) -> str:
    """The problem with a fault's data, or "" when it is well formed."""
    if not isinstance(fault, dict):
        return "a fault is a mapping such as {stop: kubelet/worker-2, at: 60}"
    forms = [key for key in FORMS if key in fault]
    if len(forms) != 1 or set(fault) - {*FORMS, "at"}:
        return f"name exactly one of {', '.join(FORMS)} (and optionally at: seconds)"
    at = fault.get("at", 0)
    if not isinstance(at, (int, float)) or at < 0:
        return "at: simulated seconds after the cluster is handed out, 0 or more"
    form = forms[0]
    if form in ("stop", "start") and not isinstance(fault[form], str):
        return f"{form}: a component name (kube-scheduler, kube-controller-manager, kubelet/<node>)"
    if form == "apply" and not (isinstance(fault["apply"], dict) and "kind" in fault["apply"]):
        return "apply: a manifest"
    if form in ("patch", "delete") and not (isinstance(fault[form], dict) and {"kind", "name"} <= set(fault[form])):
        return f"{form}: kind and name (and namespace)"
    if form == "patch" and not isinstance(fault["patch"].get("patch"), dict):
        return "patch: a JSON merge patch under patch.patch"
    if form == "join" and not (isinstance(fault["join"], dict) and isinstance(fault["join"].get("name"), str)):
        return "join: a node as in a scenario's nodes, with at least its name"
    return ""


def schedule(cluster: Cluster, faults: list[dict[str, Any]]) -> None:
    """Apply the faults due now and set timers for the later ones. Raises ValueError for malformed data."""
    for fault in faults:
        problem = validate(fault)
        if problem:
            raise ValueError(f"fault {json.dumps(fault)[:120]}: {problem}")
        delay = float(fault.get("at", 0))
        if delay <= 0:
            apply(cluster, fault)
        else:
            cluster.timers.schedule(cluster.now + delay, OWNER, json.dumps(fault, sort_keys=True))
    cluster.run_until_idle()


def fire(cluster: Cluster, key: str) -> None:
    """A timed fault came due (its timer's key is the fault itself)."""
    apply(cluster, json.loads(key))


def apply(cluster: Cluster, fault: dict[str, Any]) -> None:
    """Do what the fault says; a fault whose target is gone (the learner deleted it) does nothing."""
    try:
        if "stop" in fault or "start" in fault:
            cluster.set_component(fault.get("stop") or fault["start"], running="start" in fault)
        elif "apply" in fault:
            cluster.api.apply(json.loads(json.dumps(fault["apply"])), actor=ACTOR, now=cluster.now)
        elif "join" in fault:
            join_node(cluster, fault["join"])
        elif "patch" in fault:
            target = fault["patch"]
            cluster.api.patch(target["kind"], target["name"], target["patch"],
                              namespace=target.get("namespace", "default"), patch_type="merge", actor=ACTOR,
                              now=cluster.now)
        else:
            target = fault["delete"]
            cluster.api.delete(target["kind"], target["name"], namespace=target.get("namespace", "default"),
                               actor=ACTOR, now=cluster.now)
    except Status:
        return
