"""The shared entity cache: Redis, so every gateway replica reads and evicts the same entries.

An entry is a hash `{v: value, f: fresh_until}` at `mgw:c:{scope}:e:{key}` that expires when
its stale window ends; each tag is a set of keys at `mgw:c:{scope}:t:{tag}`. Eviction by tag is
one Lua script, so a concurrent write cannot slip between reading a tag and deleting its keys.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from redis.asyncio import Redis

from cache.entity import CacheEntry, CacheWrite

_INVALIDATE = """
local evicted = 0
for i, tag in ipairs(KEYS) do
  local keys = redis.call('SMEMBERS', tag)
  for _, key in ipairs(keys) do
    evicted = evicted + redis.call('DEL', ARGV[1] .. key)
  end
  redis.call('DEL', tag)
end
return evicted
"""


class RedisCache:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._invalidate: Any = redis.register_script(_INVALIDATE)

    @classmethod
    def from_url(cls, url: str) -> RedisCache:
        return cls(Redis.from_url(url))

    async def get_many(self, scope: str, keys: Sequence[str]) -> Mapping[str, CacheEntry]:
        if not keys:
            return {}
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.hmget(_entry(scope, key), ["v", "f"])
            rows = await pipe.execute()
        found: dict[str, CacheEntry] = {}
        for key, (value, fresh_until) in zip(keys, rows, strict=True):
            if value is not None and fresh_until is not None:
                found[key] = CacheEntry(bytes(value), float(fresh_until))
        return found

    async def set_many(self, scope: str, writes: Sequence[CacheWrite], *, stale_for: float) -> None:
        if not writes:
            return
        now = float((await self._redis.time())[0])
        async with self._redis.pipeline(transaction=True) as pipe:
            for write in writes:
                lifetime_ms = max(1, math.ceil((write.ttl + stale_for) * 1000))
                name = _entry(scope, write.key)
                pipe.hset(name, mapping={"v": write.value, "f": str(now + write.ttl)})
                pipe.pexpire(name, lifetime_ms)
                for tag in write.tags:
                    pipe.sadd(_tag(scope, tag), write.key)
                    pipe.pexpire(_tag(scope, tag), lifetime_ms, gt=True)
                    pipe.pexpire(_tag(scope, tag), lifetime_ms, nx=True)
            await pipe.execute()

    async def invalidate(self, scope: str, tags: Sequence[str]) -> int:
        if not tags:
            return 0
        evicted = await self._invalidate(
            keys=[_tag(scope, tag) for tag in tags], args=[_entry(scope, "")]
        )
        return int(evicted)

    async def close(self) -> None:
        await self._redis.aclose()


def _entry(scope: str, key: str) -> str:
    return f"mgw:c:{scope}:e:{key}"


def _tag(scope: str, tag: str) -> str:
    return f"mgw:c:{scope}:t:{tag}"
