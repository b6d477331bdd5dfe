"""WebSocket consumers of the pages (the sandbox stream lives in `cluster_engine.consumers`)."""

import json
import uuid

from channels.generic.websocket import AsyncWebsocketConsumer


class HealthConsumer(AsyncWebsocketConsumer):
    """Echoes each message back *through the channel layer*, so a round trip proves Redis carries group traffic."""

    async def connect(self) -> None:
        self.group_name = f"health.{uuid.uuid4().hex}"
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            payload = json.loads(text_data or "")
        except json.JSONDecodeError:
            await self.send(text_data=json.dumps({"error": "invalid JSON"}))
            return
        await self.channel_layer.group_send(self.group_name, {"type": "health.echo", "payload": payload})

    async def health_echo(self, message: dict) -> None:
        await self.send(text_data=json.dumps({"echo": message["payload"], "via": "channel-layer"}))
