"""The gradebook's WebSocket (`/ws/cohorts/<id>/`): the cohort's instructor (or staff) receives a `progress`
message whenever one of its learners opens an exercise, is graded, answers a quiz or is regraded."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import PermissionDenied

from cluster_engine import realtime
from cluster_engine.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED
from teaching import selectors, services
from teaching.models import Cohort


class CohortConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.cohort_id = self.scope["url_route"]["kwargs"]["cohort_id"]
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        try:
            await database_sync_to_async(selectors.cohort_for_instructor)(user=user, cohort_id=self.cohort_id)
        except (PermissionDenied, Cohort.DoesNotExist):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = realtime.topic_group(services.COHORT_TOPIC, self.cohort_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.send_json({"type": "error", "message": "this socket only sends"})

    async def cohort_progress(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "progress", **message["progress"]})
