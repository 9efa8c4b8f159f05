"""The read path: fan a request out to every connected platform, merge what comes back.

A platform that fails does not fail the read: the answer is merged from the platforms that did
answer, and the failures travel with it so the GraphQL edge can report them next to the data.
Only when no platform answered does a read have nothing to say but the error. Nothing from a
platform whose answer did not validate is merged (its connector raised instead).

Reads by email are first answered from the store when it holds the person within the
freshness bound (`max_staleness`, hub/store_reads.py); the rest go the live way (cache,
single-flight, fan-out), and what that finds is stored (what changed since this process last
stored it, hub/live_keep.py). A bound of 0 reads live. A store that
cannot be reached sends every read the live way, each marked `store_unavailable`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from cache import BatchSingleFlight
from canonical_schema import (
    Customer,
    CustomerRecord,
    MergePolicy,
    Platform,
    merge_records,
    normalize_email,
)
from connectors import CustomerSource
from connectors.exceptions import ConnectorError
from hub.capabilities import ids_encode_pii
from hub.cursors import IndexCursor, ListCursor, decode_cursor
from hub.customer_cache import CustomerCache
from hub.customer_list import (
    NO_FILTER,
    CustomerFilter,
    CustomerList,
    cursor_value,
    sort_value,
)
from hub.exceptions import InvalidArgumentError, InvalidCursorError
from hub.identity import IdentityIndex
from hub.live_keep import KeptReads
from hub.response_cache import ResponseCache
from hub.stale_merge import merge_stale
from hub.store_reads import StoredCustomers

MAX_PAGE = 100
logger = logging.getLogger("mgw.read")


@dataclass(frozen=True)
class CustomerRead:
    """One customer as the platforms that answered see it, and the platforms that failed."""

    customer: Customer | None
    failures: tuple[ConnectorError, ...] = ()
    answered: int = 1
    stale: bool = False
    """True when every platform failed and the customer comes from an expired cache entry."""
    store_unavailable: bool = False
    """True when the store could not be reached, so the read went live (PostgreSQL down)."""


@dataclass(frozen=True)
class CustomerListPage:
    """Customers with the cursor to resume after each; the last cursor ends the page."""

    edges: Sequence[tuple[CustomerRead, str]]
    has_next_page: bool
    from_index: bool = False
    """True when the page came from the identity index (after a sync), False when from the
    first platform's own list (before one)."""

    @property
    def end_cursor(self) -> str | None:
        return self.edges[-1][1] if self.edges else None


@dataclass(frozen=True)
class _FanOut:
    records: dict[str, list[CustomerRecord]]
    failures: tuple[ConnectorError, ...]
    answered: int


class ReadService:
    def __init__(
        self,
        sources: Sequence[CustomerSource],
        identity: IdentityIndex,
        policy: MergePolicy | None = None,
        cache: CustomerCache | None = None,
        *,
        responses: ResponseCache | None = None,
        max_staleness: float = 0,
    ) -> None:
        self._sources = {source.platform: source for source in sources}
        self._identity = identity
        self._policy = policy or MergePolicy()
        self._cache = cache
        self.max_staleness = max_staleness
        """The default freshness bound, in seconds (0: every read is live)."""
        self._stored = StoredCustomers(identity, self._policy, list(self._sources))
        self._kept = KeptReads()
        self._flights: BatchSingleFlight[str, CustomerRead] = BatchSingleFlight()
        self._listing = CustomerList(identity.store)
        self.responses = responses
        """Whole answers to repeated queries, when configured (resolvers/extensions)."""

    @property
    def platforms(self) -> tuple[Platform, ...]:
        return tuple(self._sources)

    def stand_in_id(self, platform: Platform, external_id: str) -> str | None:
        """An opaque id to show instead of `external_id` to a caller who may not read
        personal data, when the platform's ids encode it (`ids_encode_pii`); else None."""
        if not ids_encode_pii(platform):
            return None
        return self._identity.opaque_id(platform, external_id)

    async def customers_by_email(
        self, emails: Sequence[str], max_staleness: float | None = None
    ) -> list[CustomerRead]:
        """One read per email, in order; the batch function behind the email DataLoader.

        People the store holds within `max_staleness` seconds (default: the service's bound)
        answer from it. For the others, fresh cache entries answer at once; the misses of
        concurrent requests are loaded once (single-flight) in one fan-out; when every
        platform fails, stale entries answer with the failures attached."""
        keys = [normalize_email(email) for email in emails]
        bound = self.max_staleness if max_staleness is None else max_staleness
        if bound <= 0:
            return await self._live(keys, max_staleness)
        try:
            stored = await self._stored.fresh(list(dict.fromkeys(keys)), bound)
        except (SQLAlchemyError, OSError) as exc:
            logger.warning("store unreachable, reading live: %s", type(exc).__name__)
            reads = await self._live(keys, max_staleness)
            return [replace(read, store_unavailable=True) for read in reads]
        rest = [key for key in keys if key not in stored]
        live = dict(zip(rest, await self._live(rest, max_staleness), strict=True)) if rest else {}
        answered = len(self._sources)
        return [
            CustomerRead(stored[key], (), answered) if key in stored else live[key] for key in keys
        ]

    async def _live(self, keys: list[str], within: float | None = None) -> list[CustomerRead]:
        """`keys` read the live way; a cached answer serves only while it is at most `within`
        seconds old (a client's `maxStaleness`; 0 asks every platform and looks the cache up
        only for a stale copy to answer with when they fail), else within the cache's own
        lifetime."""
        if not keys:
            return []
        cache = self._cache
        cached = await cache.lookup(keys, within) if cache and within != 0 else None
        hits = cached.fresh if cached else {}
        misses = [key for key in dict.fromkeys(keys) if key not in hits]
        loaded = await self._flights.do_many(misses, self._load) if misses else {}
        failed = [key for key, read in loaded.items() if read.failures]
        if cache and cached is None and failed:
            cached = await cache.lookup(failed, within)
        reads = {key: CustomerRead(customer) for key, customer in hits.items()}
        for key, read in loaded.items():
            stale = cached.stale if cached else {}
            if read.answered == 0 and key in stale:
                read = CustomerRead(stale[key], read.failures, 0, stale=True)
            elif read.failures and (old := stale.get(key)) is not None:  # fill the failed part
                failed_on = {failure.platform for failure in read.failures}
                filled = merge_stale(read.customer, old, failed_on, self._policy)
                read = CustomerRead(filled, read.failures, read.answered, stale=True)
            reads[key] = read
        return [reads[key] for key in keys]

    async def _load(self, keys: list[str]) -> dict[str, CustomerRead]:
        fan = await self._fan_out(keys, list(self._sources.values()))
        now = datetime.now(UTC)
        customers = {key: self._merge(records, now) for key, records in fan.records.items()}
        await self._identity.remember(list(customers.values()))
        failed = {failure.platform for failure in fan.failures}
        answered = [platform for platform in self._sources if platform not in failed]
        changed = self._kept.changed(fan.records, keys, answered)
        if changed:
            await self._stored.keep(fan.records, changed, answered, now)
        if self._cache is not None and not fan.failures:
            await self._cache.store({key: customers.get(key) for key in keys})
        return {key: CustomerRead(customers.get(key), fan.failures, fan.answered) for key in keys}

    async def customers_by_id(
        self, customer_ids: Sequence[str], max_staleness: float | None = None
    ) -> list[CustomerRead]:
        """One read per id, in order; an id the identity index has never seen reads as None."""
        emails = await self._identity.emails_for(customer_ids)
        reads = dict(
            zip(
                emails.values(),
                await self.customers_by_email(list(emails.values()), max_staleness),
                strict=True,
            )
        )
        unknown = CustomerRead(None, (), len(self._sources))
        return [reads[emails[i]] if i in emails else unknown for i in customer_ids]

    async def list_customers(
        self,
        first: int,
        after: str | None,
        wanted: CustomerFilter | None = None,
        max_staleness: float | None = None,
    ) -> CustomerListPage:
        """A page of customers from the identity index in customer-id order, filtered, each
        read as `customers_by_email` reads it (from the store within `max_staleness`, else
        live). Until a sync has filled the index, an unfiltered list pages the first connected
        platform instead (live), and a filtered one is empty."""
        if not 1 <= first <= MAX_PAGE:
            raise InvalidArgumentError(f"`first` must be between 1 and {MAX_PAGE}, not {first}")
        start = decode_cursor(after) if after is not None else None
        if isinstance(start, ListCursor):
            if wanted is not None and wanted != NO_FILTER:
                raise InvalidCursorError("`after` pages the unfiltered list; drop the filter")
            return await self._list_platform(first, start)
        if start is not None or wanted is not None or not await self._listing.is_empty():
            return await self._list_index(wanted or NO_FILTER, first, start, max_staleness)
        return await self._list_platform(first, None)

    async def _list_index(
        self,
        wanted: CustomerFilter,
        first: int,
        start: IndexCursor | None,
        max_staleness: float | None,
    ) -> CustomerListPage:
        if start is not None and start.filter_key != wanted.key:
            raise InvalidCursorError("`after` was issued for a different `filter` or `sort`")
        after_value = sort_value(start.value, wanted.sort) if start else None
        after_id = start.after_id if start else None
        found, more = await self._listing.page(wanted, first, after_id, after_value)
        reads = await self.customers_by_email([entry.email for entry in found], max_staleness)
        key = wanted.key
        cursors = (
            IndexCursor(entry.customer_id, key, cursor_value(entry.value)).encode()
            for entry in found
        )
        return CustomerListPage(
            edges=tuple(zip(reads, cursors, strict=True)), has_next_page=more, from_index=True
        )

    async def _list_platform(self, first: int, start: ListCursor | None) -> CustomerListPage:
        if not self._sources:
            return CustomerListPage(edges=(), has_next_page=False)
        platform = start.platform if start else next(iter(self._sources))
        source = self._sources.get(platform)
        if source is None:
            raise InvalidCursorError(f"`after` pages {platform.value}, which is not connected")
        position = start or ListCursor(platform, None)
        page = await source.list_records(min(MAX_PAGE, position.skip + first), position.after)
        listed = list(page.records[position.skip : position.skip + first])
        rest_of_page = len(page.records) > position.skip + len(listed)
        others = [s for s in self._sources.values() if s is not source]
        fan = await self._fan_out([record.email for record in listed], others)
        now = datetime.now(UTC)
        customers = [self._merge([r, *fan.records.get(r.email, [])], now) for r in listed]
        await self._identity.remember(customers)
        cursors = [
            ListCursor(platform, position.after, position.skip + i + 1) for i in range(len(listed))
        ]
        if cursors and not rest_of_page and page.next_after is not None:
            cursors[-1] = ListCursor(platform, page.next_after)
        reads = [CustomerRead(c, fan.failures, 1 + fan.answered) for c in customers]
        return CustomerListPage(
            edges=tuple(zip(reads, (c.encode() for c in cursors), strict=True)),
            has_next_page=rest_of_page or page.next_after is not None,
        )

    async def count_customers(
        self, wanted: CustomerFilter | None = None, *, from_index: bool = True
    ) -> int:
        """How many customers the index holds that pass `wanted` (exact: a COUNT with the
        list's filter), or, for a list that paged a platform, how many that platform holds."""
        if from_index:
            return await self._listing.count(wanted or NO_FILTER)
        if not self._sources:
            return 0
        return await next(iter(self._sources.values())).count_records()

    def _merge(self, records: Sequence[CustomerRecord], now: datetime | None = None) -> Customer:
        customer_id = self._identity.customer_id(records[0].email)
        return merge_records(customer_id, records, self._policy, synced_at=now)

    async def _fan_out(self, emails: Sequence[str], sources: Sequence[CustomerSource]) -> _FanOut:
        if not emails or not sources:
            return _FanOut({}, (), len(sources))
        outcomes = await asyncio.gather(
            *(source.records_by_email(emails) for source in sources), return_exceptions=True
        )
        records: dict[str, list[CustomerRecord]] = {}
        failures: list[ConnectorError] = []
        for outcome in outcomes:
            if isinstance(outcome, ConnectorError):
                failures.append(outcome)
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                for email, record in outcome.items():
                    records.setdefault(email, []).append(record)
        return _FanOut(records, tuple(failures), len(sources) - len(failures))
