"""The entity cache interface.

An entry is fresh until `fresh_until`; after that it is stale but still kept for `stale_for`
seconds more, so a read whose platforms all fail can answer with it (stale-if-error) instead
of nothing. Every entry carries tags (e.g. the customer id it holds); invalidating a tag
evicts every entry that carries it, whatever its key. Keys and tags are namespaced by a data
scope, so one tenant or credential scope never reads another's entries.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from prometheus_client import Counter


@dataclass(frozen=True)
class CacheEntry:
    value: bytes
    fresh_until: float
    """Epoch seconds after which the value is stale (still served only if upstream fails)."""

    def is_fresh(self, now: float) -> bool:
        return now < self.fresh_until


@dataclass(frozen=True)
class CacheWrite:
    key: str
    value: bytes
    ttl: float
    tags: Sequence[str] = ()


class EntityCache(Protocol):
    async def get_many(self, scope: str, keys: Sequence[str]) -> Mapping[str, CacheEntry]:
        """The entries held for `keys` (fresh or stale); absent keys are left out."""
        ...

    async def set_many(self, scope: str, writes: Sequence[CacheWrite], *, stale_for: float) -> None:
        """Store each value fresh for its `ttl`, then stale for `stale_for` more seconds."""
        ...

    async def invalidate(self, scope: str, tags: Sequence[str]) -> int:
        """Evict every entry carrying any of `tags`; returns how many were evicted."""
        ...

    async def close(self) -> None: ...


CACHE_LOOKUPS = Counter(
    "mgw_cache_lookups_total",
    "Entity-cache lookups by key kind (`customer`) and result: hit (fresh), stale, miss.",
    ["kind", "result"],
)


class CountedCache:
    """An `EntityCache` that counts hits, stale hits and misses per key kind (the part of the
    key before its first `:`) in `mgw_cache_lookups_total`; everything else passes through."""

    def __init__(self, inner: EntityCache, clock: Callable[[], float] = time.time) -> None:
        self._inner = inner
        self._clock = clock

    async def get_many(self, scope: str, keys: Sequence[str]) -> Mapping[str, CacheEntry]:
        found = await self._inner.get_many(scope, keys)
        now = self._clock()
        for key in keys:
            entry = found.get(key)
            result = "miss" if entry is None else "hit" if entry.is_fresh(now) else "stale"
            CACHE_LOOKUPS.labels(key.split(":", 1)[0], result).inc()
        return found

    async def set_many(self, scope: str, writes: Sequence[CacheWrite], *, stale_for: float) -> None:
        await self._inner.set_many(scope, writes, stale_for=stale_for)

    async def invalidate(self, scope: str, tags: Sequence[str]) -> int:
        return await self._inner.invalidate(scope, tags)

    async def close(self) -> None:
        await self._inner.close()
