"""Cross-channel attribution: which orders each email campaign brought in.

An order belongs to the campaign whose UTM value (Mailchimp's `tracking.google_analytics`,
canonical `Campaign.utm_campaign`) equals the UTM campaign of the order's last visit
(`Order.utm_campaign`), compared case-insensitively. A campaign's attributed orders are the
count of such orders, its attributed revenue their total in the shop's currency (the
currency of the first order read; an order in another currency is counted but not summed).

Nothing here reads every order on every request (docs/adr/0012-attribution-index.md):

- the campaign list (one Mailchimp list call, plus a report call per sent campaign) is kept
  for `ttl` seconds;
- the order ledger (order id -> UTM campaign and total) is built in the background by paging
  through the shop's orders at the pace Shopify's cost limit allows (a large shop takes
  minutes), then refreshed in the background every `ttl` seconds with only the orders updated
  since the newest one seen, and rebuilt in full every `full_every` seconds (which is when a
  deleted order leaves it). Requests never wait for a refresh, only (briefly, `warm_wait`)
  for the very first build; the numbers are at most about `ttl` seconds behind Shopify.

When a refresh fails, the last good list or ledger keeps answering and the failure is reported
next to it; before the first build completes, the tallies are unknown and say why.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from canonical_schema import Campaign, Money, Order
from canonical_schema.invariants import BrokenInvariant
from connectors.base import CampaignSource, OrderLedgerSource
from connectors.exceptions import ConnectorError, RateLimitedError
from hub.graph_base import Partial
from hub.refreshing import Refreshing

THROTTLE_RETRIES = 60  # waits on Shopify's cost limit within one build before giving up


@dataclass(frozen=True)
class Tally:
    orders: int
    revenue: Money | None


@dataclass(frozen=True)
class Ledger:
    entries: dict[str, tuple[str | None, Money]] = field(default_factory=dict)
    """Order id -> (its lower-cased UTM campaign, its total)."""
    through: datetime | None = None
    built_at: float = 0.0

    def tallies(self) -> dict[str, Tally]:
        currency = next((total.currency_code for _, total in self.entries.values()), None)
        counts: dict[str, int] = {}
        sums: dict[str, Decimal] = {}
        for utm, total in self.entries.values():
            if utm is None:
                continue
            counts[utm] = counts.get(utm, 0) + 1
            if total.currency_code == currency:
                sums[utm] = sums.get(utm, Decimal(0)) + total.amount
        return {
            utm: Tally(n, Money(amount=sums[utm], currency_code=currency) if currency else None)
            for utm, n in counts.items()
        }


def utm_key(value: str | None) -> str | None:
    return value.strip().lower() if value and value.strip() else None


class AttributionIndex:
    def __init__(
        self,
        shop: OrderLedgerSource | None,
        mail: CampaignSource | None,
        *,
        ttl: float = 300.0,
        full_every: float = 3600.0,
        warm_wait: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._shop = shop
        self._mail = mail
        self._ttl = ttl
        self._full_every = full_every
        self._warm_wait = warm_wait
        self._clock = clock
        self._campaigns: Refreshing[tuple[Campaign, ...]] = Refreshing(
            self._read_campaigns, ttl, clock
        )
        self._ledger: Ledger | None = None
        self._checked_at: float | None = None
        self._failure: ConnectorError | None = None
        self._building: asyncio.Task[None] | None = None
        self._progress = 0

    async def campaigns(self) -> Partial[tuple[Campaign, ...]]:
        """Every campaign, most recently sent first (unsent ones last)."""
        if self._mail is None:
            return Partial(())
        read = await self._campaigns.get()
        return Partial(read.value or (), read.failures)

    async def campaigns_by_utm(self) -> Partial[dict[str, Campaign]]:
        read = await self.campaigns()
        by_utm: dict[str, Campaign] = {}
        for campaign in reversed(read.value):  # the most recent wins a shared UTM value
            if key := utm_key(campaign.utm_campaign):
                by_utm[key] = campaign
        return Partial(by_utm, read.failures)

    async def tallies(self) -> Partial[dict[str, Tally] | None]:
        """Attributed orders and revenue by lower-cased UTM value; None while the orders were
        never read in full (with the reason), {} when Shopify is not connected."""
        if self._shop is None:
            return Partial({})
        building = self.warm()
        if self._ledger is None and building is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(building), self._warm_wait)
        failures = (self._failure,) if self._failure else ()
        if self._ledger is None:
            return Partial(None, failures or (self._warming(),))
        return Partial(self._ledger.tallies(), failures)

    def warm(self) -> asyncio.Task[None] | None:
        """Start a refresh in the background when the ledger is missing or older than `ttl`
        (and none runs); the running refresh, if any."""
        if self._shop is None:
            return None
        due = self._checked_at is None or self._clock() - self._checked_at >= self._ttl
        if due and (self._building is None or self._building.done()):
            # A context of its own: the refresh must not inherit a request's deadline.
            loop = asyncio.get_running_loop()
            self._building = loop.create_task(self._refresh(), context=contextvars.Context())
        return self._building

    async def close(self) -> None:
        if self._building is not None:
            self._building.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._building

    def _warming(self) -> ConnectorError:
        if self._shop is None:
            raise BrokenInvariant("the order ledger is built only with a shop")
        return RateLimitedError(
            self._shop.platform,
            f"attribution is still counting the shop's orders within Shopify's rate limit "
            f"({self._progress} read so far); ask again shortly",
            retry_after=self._warm_wait,
        )

    async def _read_campaigns(self, previous: tuple[Campaign, ...] | None) -> tuple[Campaign, ...]:
        if self._mail is None:
            raise BrokenInvariant("expected self._mail is not None")
        found = await self._mail.campaigns()
        sent = sorted(
            (c for c in found if c.sent_at), key=lambda c: (c.sent_at, c.id), reverse=True
        )
        return (*sent, *sorted((c for c in found if not c.sent_at), key=lambda c: c.id))

    async def _refresh(self) -> None:
        started = self._clock()
        try:
            self._ledger = await self._read_ledger(self._ledger)
        except ConnectorError as exc:
            self._failure = exc
        else:
            self._failure = None
        self._checked_at = started

    async def _read_ledger(self, previous: Ledger | None) -> Ledger:
        if self._shop is None:
            raise BrokenInvariant("expected self._shop is not None")
        now = self._clock()
        full = previous is None or now - previous.built_at >= self._full_every
        entries = {} if full or previous is None else dict(previous.entries)
        through = None if full or previous is None else previous.through
        # Shopify's `updated_at:>` is to the second: step back one to miss nothing (re-reads
        # replace their entry).
        since = through - timedelta(seconds=1) if through else None
        after: str | None = None
        self._progress = 0
        waits = 0
        while True:
            try:
                page = await self._shop.orders(after=after, since=since)
            except RateLimitedError as exc:
                waits += 1
                if waits > THROTTLE_RETRIES:
                    raise
                await asyncio.sleep(exc.retry_after or 1.0)
                continue
            for order in page.items:
                entries[_external_id(order)] = (utm_key(order.utm_campaign), order.total)
                updated = order.sources[0].updated_at if order.sources else None
                if updated is not None and (through is None or updated > through):
                    through = updated
            self._progress += len(page.items)
            if page.next_after is None:
                break
            after = page.next_after
        built_at = now if full or previous is None else previous.built_at
        return Ledger(entries, through, built_at)


def _external_id(order: Order) -> str:
    return order.sources[0].external_id if order.sources else order.id
