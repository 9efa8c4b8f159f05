"""The entity cache interface.

An entry is fresh until `fresh_until`; after that it is stale but still kept for `stale_for`
seconds more, so a read whose platforms all fail can answer with it (stale-if-error) instead
of nothing. Every entry carries tags (e.g. the customer id it holds); invalidating a tag
evicts every entry that carries it, whatever its key. Keys and tags are namespaced by a data
scope, so one tenant or credential scope never reads another's entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


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
