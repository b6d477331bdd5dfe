"""The page's time control and fault injection: pause, resume, speed, step, stopping and starting a component,
deleting a pod. Each is one write (`services.sandbox_write`) that also publishes the sandbox's new settings."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from cluster_engine import engine, realtime, selectors, services, wakeups, wallclock
from cluster_engine.engine import Status
from cluster_engine.models import Sandbox

CONTROL_ACTIONS = {"pause", "resume", "speed", "step", "stop-component", "start-component", "delete-pod"}


def sandbox_control(*, sandbox_id: Any, user: AbstractBaseUser, request: dict[str, Any]) -> services.WriteResult:
    """Time control and fault injection. Raises Status 400 for an unknown action or a missing argument."""
    services.rate_limit(user=user)
    action = request.get("action")
    if action not in CONTROL_ACTIONS:
        raise Status(400, "BadRequest", f"unknown control action {action!r}; expected one of "
                                        + ", ".join(sorted(CONTROL_ACTIONS)))
    actor = services.actor_for(user)

    def required(name: str) -> Any:
        if request.get(name) in (None, ""):
            raise Status(400, "BadRequest", f"the action {action!r} needs '{name}'")
        return request[name]

    def number(name: str) -> float:
        try:
            return float(required(name))
        except (TypeError, ValueError) as error:
            raise Status(400, "BadRequest", f"'{name}' must be a number") from error

    def act(cluster: engine.Cluster, now: float) -> None:
        if action in ("pause", "resume"):
            engine.set_paused(cluster, paused=action == "pause", wall_now=now)
        elif action == "speed":
            engine.set_speed(cluster, speed=number("value"), wall_now=now)
        elif action == "step":
            engine.step(cluster, seconds=number("seconds"), wall_now=now)
        elif action in ("stop-component", "start-component"):
            engine.set_component(cluster, str(required("component")), running=action == "start-component",
                                 actor=actor, wall_now=now)
        else:
            engine.delete_pod(cluster, namespace=str(request.get("namespace") or "default"),
                              name=str(required("name")), actor=actor, wall_now=now)

    def operate(cluster: engine.Cluster) -> tuple[dict[str, bool], str]:
        act(cluster, wallclock.wall_now())
        return engine.components(cluster), engine.sim_time_text(cluster)

    result = services.sandbox_write(sandbox_id=sandbox_id, operation=operate, always_store=True, author=user)
    sandbox = Sandbox.objects.get(pk=sandbox_id)
    components, sim_time = result.value
    # The simulated time at the change: a page runs its clock on from there at the new speed (or holds it).
    settings_message = {**selectors.sandbox_settings(sandbox, read_only=False, components=components),
                        "time": sim_time}
    # Even with no object changed (a stopped kubelet, a new speed) timers moved: let a worker look now.
    transaction.on_commit(lambda: (realtime.publish_sandbox(sandbox_id, settings_message),
                                   wakeups.reconcile_soon(sandbox_id)))
    return result
