"""What live reads last stored, so that a live read stores only what changed.

A live read stores what the platforms answered (`StoredCustomers.keep`), for reads within a
freshness bound to answer from later. Read live again and again (a page polled by many
clients, `maxStaleness: 0`), the same people would be written with the same records every
time: a 100-row upsert, its fingerprints and a delete per page, most of a live page's CPU
(issue 22). `KeptReads` remembers, per person, a digest of what was last handed to the store
(their records, and which platforms answered) and when; a person read again with the same
digest within `refresh` seconds is not stored again.

The store is never made to look fresher than it is: a skipped write leaves the earlier
`synced_at` and `read_at`, which were true when written, so a later read within a bound goes
live sooner, never answers with data older than its bound. What changed (a record edited,
gone, or a platform that answered this time and not before) is stored at once. The memory is
per process and bounded (`limit` people; past it, forgotten all at once).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence

from canonical_schema import CustomerRecord, Platform

REFRESH_SECONDS = 15.0
LIMIT = 50_000


class KeptReads:
    def __init__(
        self,
        refresh: float = REFRESH_SECONDS,
        limit: int = LIMIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._refresh = refresh
        self._limit = limit
        self._clock = clock
        self._kept: dict[str, tuple[int, float]] = {}

    def changed(
        self,
        found: Mapping[str, Sequence[CustomerRecord]],
        asked: Sequence[str],
        answered: Collection[Platform],
    ) -> list[str]:
        """The people of `asked` to store: those whose answer differs from the one last
        stored, or was stored `refresh` seconds ago or more. They count as stored from now."""
        now = self._clock()
        platforms = frozenset(answered)
        if len(self._kept) > self._limit:
            self._kept.clear()
        fresh = []
        for key in dict.fromkeys(asked):
            digest = hash((platforms, tuple(found.get(key, ()))))
            last = self._kept.get(key)
            if last is not None and last[0] == digest and now - last[1] < self._refresh:
                continue
            self._kept[key] = (digest, now)
            fresh.append(key)
        return fresh
