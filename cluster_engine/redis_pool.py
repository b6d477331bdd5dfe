"""The process's Redis connections (wake-ups, rate limits, live checks, publishing to the channel layer): one pool
per process and URL, shared by its threads."""

from __future__ import annotations

import functools
from typing import Any

import redis
from django.conf import settings


@functools.cache
def _connection_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def connection(url: str | None = None) -> redis.Redis:
    """The connection (pool) to `url`, by default `settings.REDIS_URL`."""
    return _connection_for(url or settings.REDIS_URL)


@functools.cache
def _script_for(url: str, source: str) -> Any:
    return _connection_for(url).register_script(source)


def script(source: str) -> Any:
    """A Lua script registered once per process: call it with `keys=` and `args=` (one round trip)."""
    return _script_for(settings.REDIS_URL, source)
