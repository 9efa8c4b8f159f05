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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from pydantic import BaseModel, Field
from sqlalchemy import bindparam, select

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


@dataclass
class _Held:
    """What the store holds of one person: records of the connected accounts (each with when
    it was last confirmed), when they were last read live and last written by the gateway."""

    records: list[tuple[CustomerRecord, datetime]]
    read_at: datetime | None
    written_at: datetime | None


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
        marks, asked = await watermarks(self._identity.store, accounts)
        held = await self._held(sorted(set(ids.values())), accounts)
        oldest = moment - timedelta(seconds=bound)
        found: dict[str, Customer] = {}
        for attempt in range(2):
            late = False
            for key, customer_id in ids.items():
                person = held.get(customer_id)
                if person is None or key in found:
                    continue
                synced = _freshness(person.records, marks, person.read_at)
                if synced < oldest:
                    late = True
                    continue
                if person.written_at is not None and person.written_at >= synced:
                    continue
                records = [record for record, _ in person.records]
                found[key] = merge_records(customer_id, records, self._policy, synced_at=synced)
            if not late or asked or attempt:
                break
            # the watermarks held in memory may be behind another replica's sync: ask again
            # before reading live what the store may hold fresh
            marks, asked = await watermarks(self._identity.store, accounts, fresh=True)
        return found

    async def _held(
        self, customer_ids: Sequence[str], accounts: Mapping[Platform, str]
    ) -> dict[str, _Held]:
        """The connected accounts' records of these customers, with when each was last
        confirmed, and when each customer was last read live and written: one query."""
        wanted = {(p.value, a) for p, a in accounts.items()}
        held: dict[str, _Held] = {}
        async with self._identity.store.engine.connect() as connection:
            rows = await connection.execute(_HELD, {"ids": list(customer_ids)})
        for row in rows:
            if (row.platform, row.account) not in wanted:
                continue
            person = held.get(row.customer_id)
            if person is None:
                person = held[row.customer_id] = _Held([], utc(row.read_at), utc(row.written_at))
            record = _record(row.record)
            person.records.append((record, utc(row.synced_at) or NEVER))
        return held

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


_c, _people = customer_records.c, store_people.c
_HELD = (  # built once: building the statement cost more CPU than running it (`ids` expands)
    select(
        _c.platform,
        _c.account,
        _c.customer_id,
        _c.record,
        _c.synced_at,
        _people.read_at,
        _people.written_at,
    )
    .select_from(customer_records.outerjoin(store_people, _people.customer_id == _c.customer_id))
    .where(_c.customer_id.in_(bindparam("ids", expanding=True)))
)


@lru_cache(maxsize=10_000)
def _record(body: str) -> CustomerRecord:
    """A stored record, parsed once per distinct body: records change far less often than
    they are read (a dashboard's page, again and again), and the same text always makes
    the same (frozen) record."""
    return CustomerRecord.model_validate_json(body)


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
