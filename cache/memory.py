"""The embedded entity cache: an LRU in this process, bounded in bytes, with tag eviction."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from cache.entity import CacheEntry, CacheWrite


@dataclass
class _Slot:
    entry: CacheEntry
    expires_at: float
    tags: tuple[str, ...]
    size: int


class MemoryCache:
    """Least recently used entries go first once `max_bytes` (values + keys) is exceeded."""

    def __init__(
        self, max_bytes: int = 64 * 1024 * 1024, clock: Callable[[], float] = time.time
    ) -> None:
        self._max_bytes = max_bytes
        self._clock = clock
        self._slots: OrderedDict[tuple[str, str], _Slot] = OrderedDict()
        self._tagged: dict[tuple[str, str], set[str]] = {}
        self.bytes = 0

    async def get_many(self, scope: str, keys: Sequence[str]) -> Mapping[str, CacheEntry]:
        now = self._clock()
        found: dict[str, CacheEntry] = {}
        for key in keys:
            slot = self._slots.get((scope, key))
            if slot is None:
                continue
            if slot.expires_at <= now:
                self._drop((scope, key))
                continue
            self._slots.move_to_end((scope, key))
            found[key] = slot.entry
        return found

    async def set_many(self, scope: str, writes: Sequence[CacheWrite], *, stale_for: float) -> None:
        now = self._clock()
        for write in writes:
            self._drop((scope, write.key))
            size = len(write.value) + len(write.key)
            if size > self._max_bytes:
                continue
            entry = CacheEntry(write.value, now + write.ttl)
            slot = _Slot(entry, now + write.ttl + stale_for, tuple(write.tags), size)
            self._slots[(scope, write.key)] = slot
            self.bytes += size
            for tag in slot.tags:
                self._tagged.setdefault((scope, tag), set()).add(write.key)
        while self.bytes > self._max_bytes and self._slots:
            self._drop(next(iter(self._slots)))

    async def invalidate(self, scope: str, tags: Sequence[str]) -> int:
        keys = set().union(*(self._tagged.pop((scope, tag), set()) for tag in tags))
        evicted = 0
        for key in keys:
            if (scope, key) in self._slots:
                self._drop((scope, key))
                evicted += 1
        return evicted

    async def close(self) -> None:
        self._slots.clear()
        self._tagged.clear()
        self.bytes = 0

    def _drop(self, slot_key: tuple[str, str]) -> None:
        slot = self._slots.pop(slot_key, None)
        if slot is None:
            return
        self.bytes -= slot.size
        scope, key = slot_key
        for tag in slot.tags:
            keys = self._tagged.get((scope, tag))
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._tagged[(scope, tag)]
