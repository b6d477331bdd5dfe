"""Realtime: the one place that names channel-layer groups and sends to them."""

from __future__ import annotations

import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def sandbox_group(sandbox_id: uuid.UUID | str) -> str:
    return f"sandbox.{sandbox_id}"


def _send(sandbox_id: uuid.UUID | str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(sandbox_group(sandbox_id), message)


def publish_batch(sandbox_id: uuid.UUID | str, batch: dict[str, Any]) -> None:
    """Send one `batch` message (docs/realtime.md) to every open page of the sandbox."""
    _send(sandbox_id, {"type": "sandbox.batch", "batch": batch})


def publish_sandbox(sandbox_id: uuid.UUID | str, sandbox: dict[str, Any]) -> None:
    """Tell every open page that speed, pause or component state changed."""
    _send(sandbox_id, {"type": "sandbox.settings", "sandbox": sandbox})
