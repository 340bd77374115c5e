"""Cache backends.

``FailOpenRedisCache``: a Redis cache that fails open: a Redis outage must not
break pages or log-ins. Reads miss, writes are dropped, and ``add`` *succeeds* —
allauth's rate limiter and its TOTP replay guard call ``cache.add`` and would
otherwise refuse every log-in while Redis is down (rate limits are then not
enforced: availability wins over throttling for the length of the outage).

``QueryCache``: per process, for what is keyed on a search query or a page;
switched off by ``settings.SEARCH_QUERY_CACHES`` (docs/caches.md).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class _ReusedClient(RedisCacheClient):
    """Django's client makes a new ``redis.Redis`` for every command (~60 µs:
    it builds its reply table each time); one per pool serves them all (a
    ``redis.Redis`` is safe to share, its pool forks with the process)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            make = self._client  # type: ignore[attr-defined]
            client = self._clients[id(pool)] = make(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClient

    def _fail(self, op: str, exc: Exception) -> None:
        logger.warning("cache %s failed, failing open: %s", op, exc)

    def add(
        self, key: Any, value: Any, timeout: Any = None, version: Any = None
    ) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except RedisError as exc:
            self._fail("add", exc)
            return True

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except RedisError as exc:
            self._fail("get", exc)
            return default

    def set(
        self, key: Any, value: Any, timeout: Any = None, version: Any = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except RedisError as exc:
            self._fail("set", exc)

    def touch(self, key: Any, timeout: Any = None, version: Any = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except RedisError as exc:
            self._fail("touch", exc)
            return False

    def delete(self, key: Any, version: Any = None) -> bool:
        try:
            return super().delete(key, version)
        except RedisError as exc:
            self._fail("delete", exc)
            return False

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except RedisError as exc:
            self._fail("get_many", exc)
            return {}

    def set_many(
        self, data: Any, timeout: Any = None, version: Any = None
    ) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except RedisError as exc:
            self._fail("set_many", exc)
            return list(data)

    def delete_many(self, keys: Any, version: Any = None) -> None:
        try:
            super().delete_many(keys, version)
        except RedisError as exc:
            self._fail("delete_many", exc)

    def has_key(self, key: Any, version: Any = None) -> bool:
        try:
            return super().has_key(key, version)
        except RedisError as exc:
            self._fail("has_key", exc)
            return False

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        try:
            return super().incr(key, delta, version)
        except RedisError as exc:
            self._fail("incr", exc)
            return delta

    def clear(self) -> None:
        try:
            super().clear()
        except RedisError as exc:
            self._fail("clear", exc)


class QueryCache(LocMemCache):
    """A per-process cache that misses every read and keeps nothing while
    ``settings.SEARCH_QUERY_CACHES`` is off (read at each call, so a test or a
    benchmark run can switch it)."""

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        if not settings.SEARCH_QUERY_CACHES:
            return default
        return super().get(key, default, version)

    def set(
        self, key: Any, value: Any, timeout: Any = None, version: Any = None
    ) -> None:
        if settings.SEARCH_QUERY_CACHES:
            super().set(key, value, timeout, version)

    def add(
        self, key: Any, value: Any, timeout: Any = None, version: Any = None
    ) -> bool:
        if not settings.SEARCH_QUERY_CACHES:
            return True
        return super().add(key, value, timeout, version)
