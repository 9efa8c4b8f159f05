"""What the read path does while Redis is away: carries on without it, and says so.

Redis is shared state that makes replicas cheaper and fairer — the entity cache, the rate
windows — never the only way to answer. So an unreachable Redis is:

- for the entity cache (`TolerantCache`): a miss. The read goes to the platforms, nothing is
  stored, an eviction is skipped (the entry, if Redis kept it, still expires by its TTL);
- for rate limits (`FallbackLimiter`): this process's own limiter until Redis answers again,
  so calls keep flowing; each replica then counts only its own calls (the platforms' 429s,
  which the connectors already obey, catch what the replicas spend together meanwhile).

Each such moment is counted in `mgw_redis_unavailable_total{use}` (/metrics), and
`/health/ready` reports `degraded` while Redis does not answer (docs/adr/0087-redis-outage.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import RedisError

from cache.entity import CacheEntry, CacheWrite, EntityCache
from cache.limits import Grant, Limiter, MemoryLimiter, RedisLimiter
from cache.redis_cache import RedisCache

logger = logging.getLogger("mgw.redis")
UNREACHABLE: tuple[type[BaseException], ...] = (RedisError, OSError)
"""What redis-py raises when the server is down, restarting, or does not answer in time."""
SOCKET_TIMEOUT_SECONDS = 2.0
"""How long a Redis call on the read path may take before Redis counts as unreachable (a
Redis that stops answering, rather than refusing, must not hold a read for longer)."""
LOG_EVERY_SECONDS = 10.0
T = TypeVar("T")

REDIS_UNAVAILABLE = Counter(
    "mgw_redis_unavailable_total",
    "Redis calls that failed because Redis was unreachable, by what they were for "
    "(cache_get, cache_set, cache_evict, limiter, change_publish, change_subscribe); the "
    "gateway carried on without it.",
    ["use"],
)
_last_logged: dict[str, float] = {}


def read_path_redis(url: str) -> Redis:
    """A client for the read path's Redis uses: a call gives up after
    `SOCKET_TIMEOUT_SECONDS` rather than hold the read."""
    client: Redis = Redis.from_url(
        url, socket_timeout=SOCKET_TIMEOUT_SECONDS, socket_connect_timeout=SOCKET_TIMEOUT_SECONDS
    )
    return client


def shared_cache(url: str) -> TolerantCache:
    """The entity cache every replica shares, a miss while Redis is away."""
    return TolerantCache(RedisCache(read_path_redis(url)))


def shared_limiter(url: str) -> FallbackLimiter:
    """Rate limits every replica shares, this process's own while Redis is away."""
    return FallbackLimiter(RedisLimiter(read_path_redis(url)))


def went_without(use: str, exc: BaseException) -> None:
    """Count a Redis call `use` made without Redis, and log it (once in a while per use)."""
    REDIS_UNAVAILABLE.labels(use).inc()
    now = time.monotonic()
    if now - _last_logged.get(use, -LOG_EVERY_SECONDS) >= LOG_EVERY_SECONDS:
        _last_logged[use] = now
        logger.warning(
            "Redis unreachable (%s: %s): %s goes on without it", type(exc).__name__, exc, use
        )


class TolerantCache:
    """An `EntityCache` for which an unreachable backend is a miss, never an error."""

    def __init__(self, inner: EntityCache) -> None:
        self._inner = inner

    async def get_many(self, scope: str, keys: Sequence[str]) -> Mapping[str, CacheEntry]:
        try:
            return await self._inner.get_many(scope, keys)
        except UNREACHABLE as exc:
            went_without("cache_get", exc)
            return {}

    async def set_many(self, scope: str, writes: Sequence[CacheWrite], *, stale_for: float) -> None:
        try:
            await self._inner.set_many(scope, writes, stale_for=stale_for)
        except UNREACHABLE as exc:
            went_without("cache_set", exc)

    async def invalidate(self, scope: str, tags: Sequence[str]) -> int:
        try:
            return await self._inner.invalidate(scope, tags)
        except UNREACHABLE as exc:
            went_without("cache_evict", exc)
            return 0

    async def close(self) -> None:
        try:
            await self._inner.close()
        except UNREACHABLE as exc:
            logger.debug("closing the cache: %s", exc)


LOCAL = "local:"
"""Prefix of a lease token the local limiter gave, so it is released where it was taken."""


class FallbackLimiter:
    """A `Limiter` shared through Redis that falls back to this process's own while Redis
    does not answer (the two are not merged: when Redis is back, its windows count from what
    it holds)."""

    def __init__(self, shared: Limiter, local: Limiter | None = None) -> None:
        self._shared = shared
        self._local = local or MemoryLimiter()

    async def _either(
        self, shared: Callable[[], Awaitable[T]], local: Callable[[], Awaitable[T]]
    ) -> T:
        try:
            return await shared()
        except UNREACHABLE as exc:
            went_without("limiter", exc)
            return await local()

    async def try_window(self, key: str, *, limit: int, window: float, cost: int = 1) -> Grant:
        return await self._either(
            lambda: self._shared.try_window(key, limit=limit, window=window, cost=cost),
            lambda: self._local.try_window(key, limit=limit, window=window, cost=cost),
        )

    async def try_lease(self, key: str, *, limit: int, lease: float) -> Grant:
        async def local() -> Grant:
            grant = await self._local.try_lease(key, limit=limit, lease=lease)
            token = None if grant.token is None else LOCAL + grant.token
            return Grant(grant.granted, grant.wait, token)

        return await self._either(
            lambda: self._shared.try_lease(key, limit=limit, lease=lease), local
        )

    async def release(self, key: str, token: str) -> None:
        if token.startswith(LOCAL):
            await self._local.release(key, token.removeprefix(LOCAL))
            return
        try:
            await self._shared.release(key, token)
        except UNREACHABLE as exc:  # the lease lapses by itself
            went_without("limiter", exc)

    async def try_bucket(self, key: str, *, capacity: float, rate: float, cost: float) -> Grant:
        return await self._either(
            lambda: self._shared.try_bucket(key, capacity=capacity, rate=rate, cost=cost),
            lambda: self._local.try_bucket(key, capacity=capacity, rate=rate, cost=cost),
        )

    async def set_bucket(self, key: str, *, level: float, capacity: float) -> None:
        await self._either(
            lambda: self._shared.set_bucket(key, level=level, capacity=capacity),
            lambda: self._local.set_bucket(key, level=level, capacity=capacity),
        )

    async def learn_window(self, key: str, *, window: float, used: int) -> None:
        await self._either(
            lambda: self._shared.learn_window(key, window=window, used=used),
            lambda: self._local.learn_window(key, window=window, used=used),
        )

    async def window_count(self, key: str, *, window: float) -> int:
        return await self._either(
            lambda: self._shared.window_count(key, window=window),
            lambda: self._local.window_count(key, window=window),
        )

    async def lease_count(self, key: str) -> int:
        return await self._either(
            lambda: self._shared.lease_count(key), lambda: self._local.lease_count(key)
        )

    async def bucket_level(self, key: str, *, capacity: float, rate: float) -> float:
        return await self._either(
            lambda: self._shared.bucket_level(key, capacity=capacity, rate=rate),
            lambda: self._local.bucket_level(key, capacity=capacity, rate=rate),
        )

    async def close(self) -> None:
        await self._local.close()
        try:
            await self._shared.close()
        except UNREACHABLE as exc:
            logger.debug("closing the shared limiter: %s", exc)
