"""The sandbox WebSocket (docs/realtime.md): a snapshot, then batches of changes; requests answered in order."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from cluster_engine import realtime, replies, selectors, services
from cluster_engine.engine import Status
from cluster_engine.models import Sandbox

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
READ_ONLY_ALLOWED = {"resync", "explain"}
WATCH_SECONDS = 600  # a read-only page marks the sandbox watched this long, renewed well within it
WATCH_RENEW_SECONDS = 240


@functools.cache
def _request_threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=settings.SANDBOX_REQUEST_THREADS, thread_name_prefix="sandbox-request")


def in_worker_thread(function: Any) -> Any:
    """Run blocking ORM/engine work in the sandbox requests' thread pool, not in the one thread every consumer
    would otherwise queue behind (`thread_sensitive=True`): each request is independent and opens its own
    connection, so several sandboxes are served at once. The pool is small (settings.SANDBOX_REQUEST_THREADS):
    past a few threads, requests only wait longer for the GIL."""
    return database_sync_to_async(function, thread_sensitive=False, executor=_request_threads())


class SandboxConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.sandbox_id = self.scope["url_route"]["kwargs"]["sandbox_id"]
        user = self.scope.get("user")
        try:
            self.read_only = await in_worker_thread(self._authorize)(user)
        except PermissionDenied:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        except (Sandbox.DoesNotExist, ValidationError):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user = user
        self.language = self._language()
        await self.channel_layer.group_add(realtime.sandbox_group(self.sandbox_id), self.channel_name)
        await self.accept()
        if self.read_only:
            # Someone who may only read (an instructor) watches: the owner's terminal answers come too.
            self.watch_renewal = asyncio.get_running_loop().create_task(self._keep_watching())
        since = self._since_from_query()
        await self.send_json(await in_worker_thread(replies.sandbox_catch_up)(
            sandbox_id=self.sandbox_id, since=since, read_only=self.read_only))

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch, without closing old database connections first. Channels does that for every
        message in its one thread-sensitive thread, which every page of the process shares: each frame and each
        batch made a round trip through it. Nothing here uses a connection in that thread; the database work
        runs in `in_worker_thread`, which closes old connections around every call in its own thread."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"no handler for message type {message['type']}")
        await handler(message)

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        # Batches and snapshots are the largest messages the server sends: orjson encodes them several times
        # faster than the standard library, on the event loop every page shares.
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS).decode()

    def _authorize(self, user: Any) -> bool:
        _sandbox, read_only = selectors.sandbox_for_viewer(sandbox_id=self.sandbox_id, user=user)
        return read_only

    def _language(self) -> str:
        for segment in (self.scope.get("query_string") or b"").decode().split("&"):
            if segment.startswith("lang="):
                return "ru" if segment[5:].startswith("ru") else "en"
        return "en"

    def _since_from_query(self) -> int | None:
        for segment in (self.scope.get("query_string") or b"").decode().split("&"):
            if segment.startswith("since=") and segment[6:].isdigit():
                return int(segment[6:])
        return None

    async def _keep_watching(self) -> None:
        while True:
            await in_worker_thread(services.sandbox_set_watched)(sandbox_id=self.sandbox_id, seconds=WATCH_SECONDS)
            await asyncio.sleep(WATCH_RENEW_SECONDS)

    async def disconnect(self, code: int) -> None:
        renewal = getattr(self, "watch_renewal", None)
        if renewal is not None:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewal
        if hasattr(self, "user"):
            await self.channel_layer.group_discard(realtime.sandbox_group(self.sandbox_id), self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_json({"type": "error", "message": "messages are JSON objects with a 'type'"})
            return
        kind = content["type"]
        request_id = content.get("id")
        if self.read_only and kind not in READ_ONLY_ALLOWED:
            await self.send_json(replies.reply(request_id, error=Status(
                403, "Forbidden", "this sandbox is read-only for you"), language=self.language))
            return
        handler = {
            "command": self._command, "apply": self._apply, "control": self._control, "resync": self._resync,
            "explain": self._explain,
        }.get(kind)
        if handler is None:
            await self.send_json({"type": "error", "message": f"unknown message type {kind!r}"})
            return
        await self.send_json(await in_worker_thread(self._in_language(handler))(content))

    def _in_language(self, handler: Any) -> Any:
        def run(content: dict[str, Any]) -> dict[str, Any]:
            with translation.override(self.language):
                return handler(content)
        return run

    def _command(self, content: dict[str, Any]) -> dict[str, Any]:
        return replies.sandbox_command_reply(sandbox_id=self.sandbox_id, user=self.user,
                                              command=str(content.get("command", "")),
                                              request_id=content.get("id"), language=self.language)

    def _apply(self, content: dict[str, Any]) -> dict[str, Any]:
        return replies.sandbox_apply_reply(sandbox_id=self.sandbox_id, user=self.user,
                                            text=str(content.get("yaml", "")), dry_run=bool(content.get("dryRun")),
                                            request_id=content.get("id"), language=self.language)

    def _control(self, content: dict[str, Any]) -> dict[str, Any]:
        return replies.sandbox_control_reply(sandbox_id=self.sandbox_id, user=self.user, request=content,
                                              request_id=content.get("id"), language=self.language)

    def _explain(self, content: dict[str, Any]) -> dict[str, Any]:
        return replies.sandbox_explanation_reply(sandbox_id=self.sandbox_id,
                                                  namespace=str(content.get("namespace") or "default"),
                                                  name=str(content.get("name", "")), request_id=content.get("id"),
                                                  language=self.language)

    def _resync(self, content: dict[str, Any]) -> dict[str, Any]:
        since = content.get("since")
        return replies.sandbox_catch_up(sandbox_id=self.sandbox_id,
                                         since=int(since) if str(since).isdigit() else None,
                                         read_only=self.read_only)

    async def sandbox_batch(self, message: dict[str, Any]) -> None:
        await self.send(text_data=message["text"])  # already the `batch` message's JSON (realtime.publish_batch)

    async def sandbox_checks(self, message: dict[str, Any]) -> None:
        """Live check results, published in both languages (realtime.publish_checks): the page gets its own."""
        checks = message["checks"]
        language = self.language
        results = [{**result, "title": result["title"].get(language, ""),
                    "message": result["message"].get(language, "")} for result in checks.get("results", ())]
        await self.send_json({"type": "checks", **checks, "results": results})

    async def sandbox_terminal(self, message: dict[str, Any]) -> None:
        """The owner's terminal line or editor apply with its answer: for read-only watchers only (the owner's
        own page printed it already)."""
        if self.read_only:
            await self.send_json({"type": "terminal", **message["terminal"]})

    async def sandbox_settings(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "sandbox", "sandbox": {**message["sandbox"], "readOnly": self.read_only}})
