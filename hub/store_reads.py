"""Serving customers from the store within a freshness bound, and keeping what live reads find.

A stored customer is as fresh as the least fresh of the connected platforms' word on them: for
each platform, the newest of when its record was last written or confirmed (sync, webhook,
poll, live read), when the store last caught up with the platform's account (a sync walk
ended: every change before then is stored), and, for a platform that holds no record of the
person, when a live read last asked every platform about them. A customer is served from the
store when that is within the bound, the store holds at least one record of them (a person it
has never seen is read live, then stored), and the gateway has not written to them since.
Their `synced_at` says how fresh the answer is. (docs/adr/0066-store-reads.md)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select

from canonical_schema import Customer, CustomerRecord, MergePolicy, Platform, merge_records
from hub.exceptions import InvalidArgumentError
from hub.identity import IdentityIndex
from hub.identity_tables import utc
from hub.store_accounts import watermarks
from hub.store_records import account_of, put_live
from hub.tables import customer_records, store_people

logger = logging.getLogger("mgw.store")
MAX_STALENESS = 30 * 24 * 3600
"""The largest bound a request or the configuration may set (30 days): beyond it, a bound is
a mistake, not a wish for old data."""
NEVER = datetime.min.replace(tzinfo=UTC)


class ReadSettings(BaseModel):
    max_staleness_seconds: int = Field(
        900,
        ge=0,
        le=MAX_STALENESS,
        description=(
            "How old stored data may be and still answer a read (seconds; the sync interval "
            "by default). 0 reads every platform live. A request overrides it with "
            "`maxStaleness`."
        ),
    )


def checked_staleness(seconds: int) -> int:
    """A request's `maxStaleness`, refused when negative or absurd."""
    if not 0 <= seconds <= MAX_STALENESS:
        raise InvalidArgumentError(
            f"`maxStaleness` must be between 0 (live) and {MAX_STALENESS} seconds "
            f"(30 days), not {seconds}"
        )
    return seconds


class StoredCustomers:
    """The store's customers for one gateway: its connected platforms and their accounts."""

    def __init__(
        self, identity: IdentityIndex, policy: MergePolicy, platforms: Sequence[Platform]
    ) -> None:
        self._identity = identity
        self._policy = policy
        self._platforms = tuple(platforms)

    def _accounts(self) -> dict[Platform, str]:
        return {p: account_of(self._identity.accounts, p) for p in self._platforms}

    async def fresh(
        self, keys: Sequence[str], bound: float, now: datetime | None = None
    ) -> dict[str, Customer]:
        """The customers of these normalized emails that the store can answer within `bound`
        seconds; the others are left out (read them live). Raises the store's error when it
        cannot be reached."""
        moment = now or datetime.now(UTC)
        if not keys or not self._platforms:
            return {}
        ids = {key: self._identity.customer_id(key) for key in keys}
        accounts = self._accounts()
        marks = await watermarks(self._identity.store, accounts)
        wanted = {(p.value, a) for p, a in accounts.items()}
        held: dict[str, list[tuple[CustomerRecord, datetime]]] = {}
        async with self._identity.store.engine.connect() as connection:
            rows = await connection.execute(
                select(
                    customer_records.c.platform,
                    customer_records.c.account,
                    customer_records.c.customer_id,
                    customer_records.c.record,
                    customer_records.c.synced_at,
                ).where(customer_records.c.customer_id.in_(sorted(set(ids.values()))))
            )
            for row in rows:
                if (row.platform, row.account) in wanted:
                    record = CustomerRecord.model_validate_json(row.record)
                    held.setdefault(row.customer_id, []).append(
                        (record, utc(row.synced_at) or NEVER)
                    )
            people = await connection.execute(
                select(store_people).where(store_people.c.customer_id.in_(sorted(held)))
            )
            seen = {row.customer_id: (utc(row.read_at), utc(row.written_at)) for row in people}
        oldest = moment - timedelta(seconds=bound)
        found: dict[str, Customer] = {}
        for key, customer_id in ids.items():
            records = held.get(customer_id)
            if not records:
                continue
            read_at, written_at = seen.get(customer_id, (None, None))
            synced = _freshness(records, marks, read_at)
            if synced < oldest or (written_at is not None and written_at >= synced):
                continue
            merged = merge_records(customer_id, [record for record, _ in records], self._policy)
            found[key] = merged.model_copy(update={"synced_at": synced})
        return found

    async def keep(
        self,
        found: Mapping[str, Sequence[CustomerRecord]],
        asked: Sequence[str],
        answered: Iterable[Platform],
        now: datetime,
    ) -> None:
        """Store what a live read of `asked` found on the platforms that answered. Best
        effort: a store that is down is logged, and the read still answers."""
        platforms = [p for p in answered if p in self._platforms]
        complete = len(platforms) == len(self._platforms)
        try:
            await put_live(
                self._identity.store,
                self._identity.minter,
                self._accounts(),
                found,
                asked,
                platforms,
                complete,
                now,
            )
        except Exception:
            logger.warning("store: could not keep %d live read(s)", len(asked), exc_info=True)


def _freshness(
    records: Sequence[tuple[CustomerRecord, datetime]],
    marks: Mapping[Platform, datetime | None],
    read_at: datetime | None,
) -> datetime:
    """The least fresh platform's word on the person (NEVER when one has none)."""
    synced = {record.platform: at for record, at in records}
    words = []
    for platform, caught_up in marks.items():
        candidates = [synced.get(platform), caught_up, read_at]
        words.append(max((c for c in candidates if c is not None), default=NEVER))
    return min(words, default=NEVER)
