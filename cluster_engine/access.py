"""Who may read a sandbox besides its owner: a registry the layers above fill (teaching: an instructor reads
their cohorts' learners' sandboxes), so `cluster_engine` never imports them.

A reader is `reader(user, sandbox) -> bool`: True grants *read-only* access (the live stream, the change log,
scheduling explanations); nothing registered here can grant a write. Readers must be cheap (one indexed query
at most): the WebSocket consumer and the REST API ask on every connection or request of someone who is not the
owner. The owner's own access is decided before any reader is asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SandboxReader = Callable[[Any, Any], bool]

_readers: dict[str, SandboxReader] = {}


def register_reader(name: str, reader: SandboxReader) -> None:
    """Add (or replace, by `name`: an app's `ready()` may run twice in tests) a read-access rule."""
    _readers[name] = reader


def unregister_reader(name: str) -> None:
    _readers.pop(name, None)


def may_read(user: Any, sandbox: Any) -> bool:
    """Whether some registered rule lets `user` (authenticated, not the owner) read `sandbox`."""
    return any(reader(user, sandbox) for reader in list(_readers.values()))
