"""A WebSocket message makes a round trip through the real Redis channel layer and the ASGI app."""

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings

from config.asgi import application


def test_channel_layer_is_redis():
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis.")


@pytest.mark.asyncio
@pytest.mark.django_db  # the auth middleware reads the (empty) session
async def test_echo_travels_through_the_channel_layer():
    communicator = WebsocketCommunicator(application, "/ws/health/", headers=[(b"origin", b"http://localhost")])
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"ping": 42})
    assert await communicator.receive_json_from(timeout=5) == {"echo": {"ping": 42}, "via": "channel-layer"}
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db
async def test_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(application, "/ws/health/", headers=[(b"origin", b"http://evil.example")])
    connected, _ = await communicator.connect()
    assert not connected
