"""Realtime: the one place that names channel-layer groups and sends to them."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings

from cluster_engine import redis_pool


def sandbox_group(sandbox_id: uuid.UUID | str) -> str:
    return f"sandbox.{sandbox_id}"


def topic_group(topic: str, key: Any) -> str:
    """The group of a topic of a layer above (`cohort.7` for teaching's gradebooks): named here, like every
    group, so no two layers can pick the same name."""
    if topic == "sandbox":
        raise ValueError("sandbox groups are named by sandbox_group")
    return f"{topic}.{key}"


def _send(sandbox_id: uuid.UUID | str, message: dict[str, Any]) -> None:
    _send_to_group(sandbox_group(sandbox_id), message)


def publish_to_topic(topic: str, key: Any, message: dict[str, Any]) -> None:
    """Send `message` (a channel-layer message with its `type`) to every member of `topic_group(topic, key)`."""
    _send_to_group(topic_group(topic, key), message)


def _send_to_group(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    config = settings.CHANNEL_LAYERS["default"].get("CONFIG", {})
    hosts = config.get("hosts") or []
    if isinstance(layer, RedisPubSubChannelLayer) and len(hosts) == 1 and isinstance(hosts[0], str):
        # What `group_send` does, without its detour: writers run in threads (web) or outside any event loop
        # (workers), and `async_to_sync` would queue each publish behind the server's event loop and the
        # layer's one connection lock (or open a new loop and connection per message in a worker). A group
        # is the Redis channel `<prefix>__group__<group>`; the message is the layer's own serialisation.
        channel = f"{config.get('prefix', 'asgi')}__group__{group}"
        redis_pool.connection(hosts[0]).publish(channel, layer.serialize(message))
        return
    async_to_sync(layer.group_send)(group, message)


def publish_batch(sandbox_id: uuid.UUID | str, batch: dict[str, Any]) -> None:
    """Send one `batch` message (docs/realtime.md) to every open page of the sandbox.

    It travels as the WebSocket text itself, encoded once here (in the writer's thread or the worker): the
    server's event loop, which every page shares, then only forwards it instead of decoding a nested message
    and encoding it again for each page."""
    text = orjson.dumps({"type": "batch", **batch}, option=orjson.OPT_NON_STR_KEYS).decode()
    _send(sandbox_id, {"type": "sandbox.batch", "text": text})


def publish_sandbox(sandbox_id: uuid.UUID | str, sandbox: dict[str, Any]) -> None:
    """Tell every open page that speed, pause or component state changed."""
    _send(sandbox_id, {"type": "sandbox.settings", "sandbox": sandbox})


def publish_checks(sandbox_id: uuid.UUID | str, checks: dict[str, Any]) -> None:
    """Send live check results (docs/realtime.md, `checks`) to every open page of the sandbox. Messages travel
    in both languages; each page's consumer keeps its own."""
    _send(sandbox_id, {"type": "sandbox.checks", "checks": checks})


def publish_terminal(sandbox_id: uuid.UUID | str, entry: dict[str, Any]) -> None:
    """Send what the owner typed in the terminal or applied from the editor, with its answer, to the sandbox's
    read-only watchers (docs/realtime.md, `terminal`); the owner's own pages drop it."""
    _send(sandbox_id, {"type": "sandbox.terminal", "terminal": entry})
