"""The engines a worker process keeps in memory between its reconciles of the same sandbox."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.conf import settings

from cluster_engine import engine


class KeptEngines:
    """The engines a worker process stored last, by sandbox: the next reconcile of the same sandbox (a timer's
    wake-up) skips reading and decoding the state when nobody wrote in between. A kept engine and its stored
    state are interchangeable (test_properties: a reloaded cluster continues exactly as the original). An entry
    is taken out while in use, so a failed write leaves none behind, and kept only once its write committed.

    The least recently stored go first once the engines' estimated memory passes `budget_bytes`: an engine
    takes up to MEMORY_PER_STORED_BYTE times its stored (compressed) state (docs/performance.md)."""

    MEMORY_PER_STORED_BYTE = 50

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self._engines: OrderedDict[str, tuple[int, engine.Cluster, int]] = OrderedDict()
        self._used_bytes = 0
        self._lock = threading.Lock()

    def version_of(self, sandbox_id: Any) -> int | None:
        with self._lock:
            kept = self._engines.get(str(sandbox_id))
        return kept[0] if kept is not None else None

    def take(self, sandbox_id: Any, version: int | None) -> engine.Cluster | None:
        with self._lock:
            kept = self._engines.pop(str(sandbox_id), None)
            if kept is not None:
                self._used_bytes -= kept[2]
        return kept[1] if kept is not None and kept[0] == version else None

    def keep(self, sandbox_id: Any, version: int, cluster: engine.Cluster, *, stored_bytes: int) -> None:
        estimate = stored_bytes * self.MEMORY_PER_STORED_BYTE
        with self._lock:
            previous = self._engines.pop(str(sandbox_id), None)
            if previous is not None:
                self._used_bytes -= previous[2]
            if estimate > self.budget_bytes:
                return
            self._engines[str(sandbox_id)] = (version, cluster, estimate)
            self._used_bytes += estimate
            while self._used_bytes > self.budget_bytes:
                _, (_, _, evicted) = self._engines.popitem(last=False)
                self._used_bytes -= evicted

    def __len__(self) -> int:
        return len(self._engines)


this_process = KeptEngines(budget_bytes=settings.SANDBOX_KEPT_ENGINES_MB * 2**20)
