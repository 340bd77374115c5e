"""Cache backends.

``FailOpenRedisCache``: a Redis cache that fails open: a Redis outage must not
break pages or log-ins. Reads miss, writes are dropped, and ``add`` *succeeds* —
allauth's rate limiter and its TOTP replay guard call ``cache.add`` and would
otherwise refuse every log-in while Redis is down (rate limits are then not
enforced: availability wins over throttling for the length of the outage).

``LayeredCache``: this process's memory, then Redis, for parts drawn once per
mentor and shared by every worker.

``QueryCache``: per process, for what is keyed on a search query or a page;
switched off by ``settings.SEARCH_QUERY_CACHES`` (docs/caches.md).

``StringMemoryCache``: this process's memory without pickling, for drawn HTML.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
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


class LayeredCache(BaseCache):
    """Reads each layer in turn (``OPTIONS["LAYERS"]``: aliases, nearest
    first), fills the nearer layers with what a farther one had, and writes
    to all. For entity parts drawn once and shared: this process's memory,
    then Redis for the other processes (a part drawn by one gunicorn worker
    serves them all). Only for keys that are never stale (versioned): a
    nearer layer is filled with this cache's timeout, not the farther one's
    remaining time."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self._layer_names: list[str] = list(params.get("OPTIONS", {})["LAYERS"])

    @property
    def _layers(self) -> list[BaseCache]:
        from django.core.cache import caches

        return [caches[name] for name in self._layer_names]

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        missed: list[BaseCache] = []
        for layer in self._layers:
            value = layer.get(key, _MISSING, version)
            if value is not _MISSING:
                for nearer in missed:
                    nearer.set(key, value, self.default_timeout, version)
                return value
            missed.append(layer)
        return default

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        found: dict[Any, Any] = {}
        wanted = list(keys)
        missed: list[BaseCache] = []
        for layer in self._layers:
            if not wanted:
                break
            got = layer.get_many(wanted, version)
            if got:
                for nearer in missed:
                    nearer.set_many(got, self.default_timeout, version)
                found |= got
                wanted = [key for key in wanted if key not in got]
            missed.append(layer)
        return found

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        timeout = self.default_timeout if timeout is DEFAULT_TIMEOUT else timeout
        for layer in self._layers:
            layer.set(key, value, timeout, version)

    def set_many(
        self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> list[Any]:
        timeout = self.default_timeout if timeout is DEFAULT_TIMEOUT else timeout
        failed: set[Any] = set()
        for layer in self._layers:
            failed.update(layer.set_many(data, timeout, version) or [])
        return list(failed)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        if self.get(key, _MISSING, version) is not _MISSING:
            return False
        self.set(key, value, timeout, version)
        return True

    def delete(self, key: Any, version: Any = None) -> bool:
        deleted = [layer.delete(key, version) for layer in self._layers]  # all
        return any(deleted)

    def clear(self) -> None:
        for layer in self._layers:
            layer.clear()


_MISSING = object()


class StringMemoryCache(LocMemCache):
    """Django's per-process memory cache (LRU, timeouts, a lock), holding
    values as they are instead of pickled: only for values that never change
    once stored (strings: the drawn parts of pages). LocMemCache pickles each
    value in and out so that a reader cannot change the cached object; a
    string cannot be changed, and a directory page unpickled its 21 cards one
    by one (``get_many`` here reads them under one lock)."""

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:  # type: ignore[attr-defined]
            if self._has_expired(key):  # type: ignore[attr-defined]
                self._set(key, value, timeout)  # type: ignore[attr-defined]
                return True
            return False

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:  # type: ignore[attr-defined]
            return self._read(key, default)

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        found = {}
        with self._lock:  # type: ignore[attr-defined]
            for key in keys:
                value = self._read(self.make_key(key, version=version), _MISSING)
                if value is not _MISSING:
                    found[key] = value
        return found

    def _read(self, key: str, default: Any) -> Any:
        if self._has_expired(key):  # type: ignore[attr-defined]
            self._delete(key)  # type: ignore[attr-defined]
            return default
        self._cache.move_to_end(key, last=False)  # type: ignore[attr-defined]
        return self._cache[key]  # type: ignore[attr-defined]

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:  # type: ignore[attr-defined]
            self._set(key, value, timeout)  # type: ignore[attr-defined]

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:  # type: ignore[attr-defined]
            if self._has_expired(key):  # type: ignore[attr-defined]
                self._delete(key)  # type: ignore[attr-defined]
                raise ValueError(f"Key '{key}' not found")
            value = self._cache[key] + delta  # type: ignore[attr-defined]
            self._cache[key] = value  # type: ignore[attr-defined]
            self._cache.move_to_end(key, last=False)  # type: ignore[attr-defined]
        return value


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
