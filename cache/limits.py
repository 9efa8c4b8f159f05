"""Rate-limit state: rolling windows, concurrency leases and cost buckets, in memory or Redis.

Each limiter answers `try_*` at once with a `Grant`: granted, or how long to wait before the
attempt can succeed. Waiting, deadlines and priorities are the caller's (`cache/throttle.py`).
The Redis implementations are single Lua scripts on the server's own clock, so N replicas
share one budget with no read-then-write race and no clock skew between them.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from redis.asyncio import Redis


@dataclass(frozen=True)
class Grant:
    granted: bool
    wait: float = 0.0
    """Seconds until trying again can succeed (0 when granted)."""
    token: str | None = None
    """For concurrency leases: what to release."""


class Limiter(Protocol):
    async def try_window(self, key: str, *, limit: int, window: float, cost: int = 1) -> Grant:
        """At most `limit` acquisitions in any rolling `window` seconds."""
        ...

    async def try_lease(self, key: str, *, limit: int, lease: float) -> Grant:
        """At most `limit` held at once; a lease not released within `lease` s lapses."""
        ...

    async def release(self, key: str, token: str) -> None: ...

    async def try_bucket(self, key: str, *, capacity: float, rate: float, cost: float) -> Grant:
        """A bucket of `capacity` refilling at `rate`/s; take `cost` when it holds that much."""
        ...

    async def set_bucket(self, key: str, *, level: float, capacity: float) -> None:
        """What the platform says is left (Shopify's throttleStatus), so estimates converge."""
        ...

    async def learn_window(self, key: str, *, window: float, used: int) -> None:
        """The platform says `used` calls are in its window (others spend the same account):
        count at least that many, so the local view never thinks more is left than there is."""
        ...

    async def window_count(self, key: str, *, window: float) -> int:
        """Calls counted in the rolling window now."""
        ...

    async def lease_count(self, key: str) -> int:
        """Leases held now."""
        ...

    async def bucket_level(self, key: str, *, capacity: float, rate: float) -> float:
        """What the bucket holds now."""
        ...

    async def close(self) -> None: ...


class MemoryLimiter:
    """One process's limits (the embedded default)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, deque[float]] = {}
        self._leases: dict[str, dict[str, float]] = {}
        self._buckets: dict[str, tuple[float, float]] = {}

    async def try_window(self, key: str, *, limit: int, window: float, cost: int = 1) -> Grant:
        now = self._clock()
        times = self._windows.setdefault(key, deque())
        while times and times[0] <= now - window:
            times.popleft()
        if len(times) + cost <= limit:
            times.extend([now] * cost)
            return Grant(True)
        blocking = times[len(times) + cost - limit - 1] if cost <= limit else now
        return Grant(False, max(0.001, blocking + window - now))

    async def try_lease(self, key: str, *, limit: int, lease: float) -> Grant:
        now = self._clock()
        held = self._leases.setdefault(key, {})
        for token, expires in list(held.items()):
            if expires <= now:
                del held[token]
        if len(held) < limit:
            token = uuid.uuid4().hex
            held[token] = now + lease
            return Grant(True, token=token)
        return Grant(False, max(0.001, min(held.values()) - now))

    async def release(self, key: str, token: str) -> None:
        self._leases.get(key, {}).pop(token, None)

    async def try_bucket(self, key: str, *, capacity: float, rate: float, cost: float) -> Grant:
        now = self._clock()
        level, at = self._buckets.get(key, (capacity, now))
        level = min(capacity, level + (now - at) * rate)
        if level >= cost:
            self._buckets[key] = (level - cost, now)
            return Grant(True)
        self._buckets[key] = (level, now)
        return Grant(False, (cost - level) / rate if rate > 0 else 1.0)

    async def set_bucket(self, key: str, *, level: float, capacity: float) -> None:
        self._buckets[key] = (min(level, capacity), self._clock())

    async def learn_window(self, key: str, *, window: float, used: int) -> None:
        missing = used - await self.window_count(key, window=window)
        if missing > 0:  # now is the newest time, so the log stays in order
            self._windows.setdefault(key, deque()).extend([self._clock()] * missing)

    async def window_count(self, key: str, *, window: float) -> int:
        now = self._clock()
        times = self._windows.get(key, deque())
        while times and times[0] <= now - window:
            times.popleft()
        return len(times)

    async def lease_count(self, key: str) -> int:
        now = self._clock()
        return sum(1 for expires in self._leases.get(key, {}).values() if expires > now)

    async def bucket_level(self, key: str, *, capacity: float, rate: float) -> float:
        now = self._clock()
        level, at = self._buckets.get(key, (capacity, now))
        return min(capacity, level + (now - at) * rate)

    async def close(self) -> None:
        self._windows.clear()
        self._leases.clear()
        self._buckets.clear()


_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window, limit, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count + cost <= limit then
  for i = 1, cost do redis.call('ZADD', KEYS[1], now, ARGV[4] .. ':' .. i) end
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local i = count + cost - limit - 1
local oldest = redis.call('ZRANGE', KEYS[1], i, i, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
"""

_LEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 0
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(first[2]) - now)
"""

_BUCKET = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local capacity, rate, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'level', 'at')
local level, at = tonumber(state[1]) or capacity, tonumber(state[2]) or now
level = math.min(capacity, level + (now - at) * rate)
local wait = 0
if level >= cost then level = level - cost else wait = (cost - level) / math.max(rate, 0.000001) end
redis.call('HSET', KEYS[1], 'level', tostring(level), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], 3600)
return tostring(wait)
"""

_SET_BUCKET = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('HSET', KEYS[1], 'level', ARGV[1], 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], 3600)
return 1
"""


_LEARN_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window, used = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local missing = used - redis.call('ZCARD', KEYS[1])
for i = 1, missing do redis.call('ZADD', KEYS[1], now, ARGV[3] .. ':' .. i) end
if missing > 0 then redis.call('PEXPIRE', KEYS[1], window) end
return math.max(0, missing)
"""

_COUNT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. (now - tonumber(ARGV[1])), '+inf')
"""

_LEVEL = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local capacity, rate = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'level', 'at')
local level, at = tonumber(state[1]) or capacity, tonumber(state[2]) or now
return tostring(math.min(capacity, level + (now - at) * rate))
"""


class RedisLimiter:
    """Limits shared by every replica that uses the same Redis."""

    def __init__(self, redis: Redis, prefix: str = "mgw:l:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._window: Any = redis.register_script(_WINDOW)
        self._lease: Any = redis.register_script(_LEASE)
        self._bucket: Any = redis.register_script(_BUCKET)
        self._set_bucket: Any = redis.register_script(_SET_BUCKET)
        self._learn_window: Any = redis.register_script(_LEARN_WINDOW)
        self._count: Any = redis.register_script(_COUNT)
        self._level: Any = redis.register_script(_LEVEL)

    @classmethod
    def from_url(cls, url: str) -> RedisLimiter:
        return cls(Redis.from_url(url))

    async def try_window(self, key: str, *, limit: int, window: float, cost: int = 1) -> Grant:
        wait_ms = await self._window(
            keys=[f"{self._prefix}w:{key}"],
            args=[max(1, round(window * 1000)), limit, cost, uuid.uuid4().hex],
        )
        return Grant(True) if int(wait_ms) == 0 else Grant(False, int(wait_ms) / 1000)

    async def try_lease(self, key: str, *, limit: int, lease: float) -> Grant:
        token = uuid.uuid4().hex
        wait_ms = await self._lease(
            keys=[f"{self._prefix}c:{key}"], args=[limit, max(1, round(lease * 1000)), token]
        )
        return Grant(True, token=token) if int(wait_ms) == 0 else Grant(False, int(wait_ms) / 1000)

    async def release(self, key: str, token: str) -> None:
        await self._redis.zrem(f"{self._prefix}c:{key}", token)

    async def try_bucket(self, key: str, *, capacity: float, rate: float, cost: float) -> Grant:
        wait = float(
            await self._bucket(keys=[f"{self._prefix}b:{key}"], args=[capacity, rate, cost])
        )
        return Grant(True) if wait == 0 else Grant(False, wait)

    async def set_bucket(self, key: str, *, level: float, capacity: float) -> None:
        await self._set_bucket(keys=[f"{self._prefix}b:{key}"], args=[min(level, capacity)])

    async def learn_window(self, key: str, *, window: float, used: int) -> None:
        await self._learn_window(
            keys=[f"{self._prefix}w:{key}"],
            args=[max(1, round(window * 1000)), used, uuid.uuid4().hex],
        )

    async def window_count(self, key: str, *, window: float) -> int:
        count = await self._count(
            keys=[f"{self._prefix}w:{key}"], args=[max(1, round(window * 1000))]
        )
        return int(count)

    async def lease_count(self, key: str) -> int:
        count = await self._count(keys=[f"{self._prefix}c:{key}"], args=[0])
        return int(count)

    async def bucket_level(self, key: str, *, capacity: float, rate: float) -> float:
        level = await self._level(keys=[f"{self._prefix}b:{key}"], args=[capacity, rate])
        return float(level)

    async def close(self) -> None:
        await self._redis.aclose()
