"""The api-server's Event TTL (`--event-ttl`, etcd leases upstream): an Event expires EVENT_TTL after it was last
stamped. A core loop rather than a controller: it belongs to the api-server, so it runs while the controller
manager is stopped."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from cluster_engine.sim.events import EVENT_TTL
from cluster_engine.sim.store import DELETED
from cluster_engine.sim.util import parse_rfc3339

from . import DONE, Context, Result

NAME = "event-ttl"
API_SERVER = "api-server"


@functools.lru_cache(maxsize=1024)
def _event_expiry(stamp: str) -> float:
    """When an Event last stamped `stamp` expires (Events come in bursts of one second: parsed once)."""
    return parse_rfc3339(stamp) + EVENT_TTL


class EventTTL:
    """One timer for the earliest expiry; when it fires, every expired Event goes and the timer moves on. The
    recorder forgets an Event as it goes (it aggregates repeats into the Events it still knows)."""

    name = NAME
    kinds_watched = ("Event",)
    controller_manager = False

    def heard(self, ctx: Context, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None
              ) -> Sequence[str]:
        if event_type == DELETED:
            ctx.recorder.forget(obj)
        else:
            ctx.timers.schedule(_event_expiry(obj.get("lastTimestamp") or obj["metadata"].get("creationTimestamp")),
                                NAME, "")
        return ()

    def resync(self, ctx: Context) -> list[str]:
        return []

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        oldest: float | None = None
        for event in list(ctx.store.items("Event")):
            stamp = parse_rfc3339(event.get("lastTimestamp") or event["metadata"]["creationTimestamp"])
            if stamp + EVENT_TTL <= now:
                ctx.store.remove("Event", event["metadata"]["namespace"], event["metadata"]["name"],
                                 actor=API_SERVER, reason="EventExpired", now=now)
            else:
                oldest = stamp if oldest is None else min(oldest, stamp)
        if oldest is not None:
            ctx.timers.schedule(oldest + EVENT_TTL, NAME, "")
        return DONE


CONTROLLER = EventTTL()
