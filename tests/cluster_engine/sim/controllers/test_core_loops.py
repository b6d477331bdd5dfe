"""The core loops beside the controllers (`controllers/registry.py: CORE_LOOPS`): adding one is one line in the
registry; it hears changes of its kinds, runs its keys before the controllers', and waits for a stopped
controller manager unless it is the api-server's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sim_helpers import small_cluster

from cluster_engine.sim.controllers import DONE, Context, Result, registry
from cluster_engine.sim.controllers.registry import CONTROLLERS, CORE_LOOPS


class Probe:
    """A core loop that records what it hears and reconciles, and follows a key up once."""

    kinds_watched = ("ConfigMap",)

    def __init__(self, name: str, *, controller_manager: bool) -> None:
        self.name = name
        self.controller_manager = controller_manager
        self.heard_keys: list[str] = []
        self.reconciled: list[str] = []

    def heard(self, ctx: Context, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None
              ) -> Sequence[str]:
        self.heard_keys.append(obj["metadata"]["name"])
        return [obj["metadata"]["name"]]

    def resync(self, ctx: Context) -> list[str]:
        return ["resynced"]

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        self.reconciled.append(key)
        return Result(follow_up=(f"{key}-again",)) if not key.endswith("-again") and key != "resynced" else DONE


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch):
    def add(*, controller_manager: bool = True) -> Probe:
        loop = Probe("probe-loop", controller_manager=controller_manager)
        monkeypatch.setitem(CORE_LOOPS, loop.name, loop)
        registry.core_hearers.cache_clear()
        return loop

    yield add
    monkeypatch.undo()
    registry.core_hearers.cache_clear()


def _configmap(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "1"}}


def test_every_core_loop_is_keyed_by_its_name_and_none_is_also_a_controller():
    assert all(name == loop.name for name, loop in CORE_LOOPS.items())
    assert list(CORE_LOOPS) == ["node-lifecycle-controller", "taint-eviction-controller", "pod-garbage-collector",
                                "event-ttl", "namespace-controller", "garbage-collector"]
    assert not set(CORE_LOOPS) & set(CONTROLLERS)


def test_a_core_loop_added_to_the_registry_hears_its_kinds_and_reconciles_its_keys(probe):
    cluster = small_cluster()
    loop = probe()
    cluster.api.create(_configmap("settings"))
    cluster.run_until_idle()
    assert loop.heard_keys == ["settings"]
    assert loop.reconciled == ["settings", "settings-again"]  # Result.follow_up is looked at at once


def test_a_core_loop_waits_for_a_stopped_controller_manager_and_resyncs_when_it_starts(probe):
    cluster = small_cluster()
    loop = probe()
    cluster.set_component("kube-controller-manager", running=False)
    cluster.api.create(_configmap("settings"))
    cluster.run_until_idle()
    assert loop.heard_keys == ["settings"]  # it hears the change ...
    assert loop.reconciled == []  # ... but reconciles nothing while the controller manager is stopped
    cluster.set_component("kube-controller-manager", running=True)
    assert loop.reconciled == ["resynced"]


def test_the_api_servers_loops_run_while_the_controller_manager_is_stopped(probe):
    cluster = small_cluster()
    loop = probe(controller_manager=False)
    cluster.set_component("kube-controller-manager", running=False)
    cluster.api.create(_configmap("settings"))
    cluster.run_until_idle()
    assert loop.reconciled == ["settings", "settings-again"]
