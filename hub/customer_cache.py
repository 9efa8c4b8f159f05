"""Cache-aside for customers read by email, shared by every replica when Redis backs it.

A merged customer is cached under `customer:<email>`, tagged with its id and `email:<email>`,
so a write or webhook that names either evicts it. An email no platform holds is cached too,
briefly (`missing_ttl`), so a personalization engine asking for unknown visitors does not
cost an upstream round trip each time. Only complete answers are cached: a read where some
platform failed is not, so a degraded answer is never served later as a fresh one. Expired
entries are kept for `stale_for` seconds and served only when every platform fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from cache import CacheWrite, EntityCache
from canonical_schema import Customer

_MISSING = b"null"


@dataclass(frozen=True)
class CachedCustomers:
    fresh: dict[str, Customer | None]
    stale: dict[str, Customer | None]


class CustomerCache:
    def __init__(
        self,
        cache: EntityCache,
        *,
        scope: str = "default",
        ttl: float = 60.0,
        missing_ttl: float = 10.0,
        stale_for: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._cache = cache
        self._scope = scope
        self._ttl = ttl
        self._missing_ttl = missing_ttl
        self._stale_for = stale_for
        self._clock = clock

    async def lookup(self, emails: Sequence[str], within: float | None = None) -> CachedCustomers:
        """The cached answers for `emails`: fresh ones (at most `within` seconds old when
        given, a client's `maxStaleness`; else within the cache's own lifetimes), and stale
        ones, which only a read whose every platform failed may answer with
        (docs/adr/0096-max-staleness-bounds-the-caches.md)."""
        entries = await self._cache.get_many(self._scope, [_key(email) for email in emails])
        now = self._clock()
        fresh: dict[str, Customer | None] = {}
        stale: dict[str, Customer | None] = {}
        for email in emails:
            entry = entries.get(_key(email))
            if entry is None:
                continue
            missing = entry.value == _MISSING
            value = None if missing else _decoded(entry.value)
            read_at = value.synced_at if value is not None else None  # when it was read
            written = entry.fresh_until - (self._missing_ttl if missing else self._ttl)
            age = now - (read_at.timestamp() if read_at is not None else written)
            young = within is None or age <= within
            (fresh if entry.is_fresh(now) and young else stale)[email] = value
        return CachedCustomers(fresh, stale)

    async def store(self, customers: dict[str, Customer | None]) -> None:
        writes = [
            CacheWrite(
                key=_key(email),
                value=_MISSING if customer is None else customer.model_dump_json().encode(),
                ttl=self._missing_ttl if customer is None else self._ttl,
                tags=[f"email:{email}"] + ([customer.id] if customer else []),
            )
            for email, customer in customers.items()
        ]
        await self._cache.set_many(self._scope, writes, stale_for=self._stale_for)

    async def close(self) -> None:
        await self._cache.close()

    async def evict(self, *, customer_ids: Sequence[str] = (), emails: Sequence[str] = ()) -> int:
        tags = [*customer_ids, *(f"email:{email}" for email in emails)]
        return await self._cache.invalidate(self._scope, tags)


@lru_cache(maxsize=10_000)
def _decoded(raw: bytes) -> Customer:
    """A cached entry's customer, parsed once per distinct entry: a warm read is mostly this
    parse, and the same bytes always make the same (frozen) customer."""
    return Customer.model_validate_json(raw)


def _key(email: str) -> str:
    return f"customer:{email}"
