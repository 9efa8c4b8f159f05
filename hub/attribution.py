"""Cross-channel attribution from the store: which stored orders each email campaign brought in.

The rule (hub/attribution_windows.py): an order belongs to the campaign whose UTM value its
last visit carried, when placed after the campaign was sent and within the attribution window
(`MGW_GRAPH__ATTRIBUTION_WINDOW_DAYS`, 30 by default). Counting is a query over the orders in
the store, so it is exact, survives restarts, and moves as soon as an order is stored.

What feeds the store (docs/adr/0070-attribution-from-the-store.md):

- a shop's first backfill reads every order in one bulk export (`OrderFeed.every_order`), not
  page by page under the API's cost limit; a full pass again every `rebuild` seconds, after
  which orders it did not see (deleted upstream) leave the store;
- in between, every `ttl` seconds at most, only the orders updated since the newest one stored
  (one call when nothing changed);
- an order webhook stores that order within seconds (`orders_changed`, from the webhook job).

Campaigns (with their stats) are stored too, read again every `ttl` seconds in the background.
Requests never wait for a refresh except the very first read of campaigns, and (briefly,
`warm_wait`) the very first backfill: until it completes, attributed orders are unknown (None,
with the reason), never 0. A refresh that fails leaves the stored data answering, with the
failure reported next to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from canonical_schema import Campaign, Order
from canonical_schema.invariants import BrokenInvariant
from connectors.exceptions import ConnectorError, FatalError, RateLimitedError, RetriableError
from connectors.feeds import CampaignFeed, OrderFeed
from hub.attribution_windows import Tally, campaign_of, count, windows
from hub.graph_base import Partial
from hub.order_store import (
    FeedMark,
    feed_mark,
    forget_orders,
    forget_orders_before,
    mark_feed,
    save_campaigns,
    save_orders,
    stored_campaigns,
)
from hub.store import Store

logger = logging.getLogger("mgw.attribution")
THROTTLE_RETRIES = 60  # waits on the cost limit within one incremental refresh
BACKFILL_BATCH = 1000  # orders stored a transaction during a backfill
ORDERS, CAMPAIGNS = "orders", "campaigns"

__all__ = ["Attribution", "Tally"]


class Attribution:
    def __init__(
        self,
        store: Store | None,
        order_feed: OrderFeed | None,
        campaign_feed: CampaignFeed | None,
        *,
        window_days: int = 30,
        ttl: float = 300.0,
        rebuild: float = 86_400.0,
        warm_wait: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if store is None and (order_feed or campaign_feed):
            raise ValueError("attribution over feeds needs a store to keep what they give")
        self._store = store
        self._orders = order_feed
        self._campaigns = campaign_feed
        self.window = timedelta(days=window_days)
        self._ttl = ttl
        self._rebuild = timedelta(seconds=rebuild)
        self._warm_wait = warm_wait
        self._clock = clock
        self._checked_at: float | None = None
        self._failure: ConnectorError | None = None
        self._building: asyncio.Task[None] | None = None
        self._progress = 0
        self._campaigns_at: float | None = None
        self._campaign_failure: ConnectorError | None = None
        self._campaign_lock = asyncio.Lock()
        self._campaign_task: asyncio.Task[None] | None = None

    @property
    def _db(self) -> Store:
        if self._store is None:  # __init__ refuses feeds without a store
            raise RuntimeError("attribution has no store")
        return self._store

    # Campaigns.

    async def campaigns(self) -> Partial[tuple[Campaign, ...]]:
        """Every campaign, most recently sent first (unsent ones last)."""
        if self._campaigns is None:
            return Partial(())
        account = self._campaigns.account
        if self._campaigns_at is None and await feed_mark(self._db, account, CAMPAIGNS) is None:
            await self._refresh_campaigns()  # never read: the first read is waited for
        elif self._campaigns_at is None or self._clock() - self._campaigns_at >= self._ttl:
            self._background_campaigns()
        found = await stored_campaigns(self._db, account)
        sent = sorted(
            (c for c in found if c.sent_at), key=lambda c: (c.sent_at, c.id), reverse=True
        )
        unsent = sorted((c for c in found if not c.sent_at), key=lambda c: c.id)
        failures = (self._campaign_failure,) if self._campaign_failure else ()
        return Partial((*sent, *unsent), failures)

    def _background_campaigns(self) -> None:
        if self._campaign_task is None or self._campaign_task.done():
            loop = asyncio.get_running_loop()
            self._campaign_task = loop.create_task(
                self._refresh_campaigns(), context=contextvars.Context()
            )

    async def _refresh_campaigns(self) -> None:
        if self._campaigns is None:
            raise BrokenInvariant("expected self._campaigns is not None")
        async with self._campaign_lock:
            started = self._clock()
            if self._campaigns_at is not None and started - self._campaigns_at < self._ttl:
                return  # another caller just read them
            account = self._campaigns.account
            try:
                await save_campaigns(self._db, account, await self._campaigns.campaigns())
            except ConnectorError as exc:
                self._campaign_failure = exc
                await mark_feed(self._db, account, CAMPAIGNS, failure=str(exc)[:2000])
            else:
                self._campaign_failure = None
                now = datetime.now(UTC)
                await mark_feed(self._db, account, CAMPAIGNS, checked_at=now, failure=None)
            self._campaigns_at = started

    async def campaign_for(
        self, orders: Sequence[tuple[str | None, datetime]]
    ) -> Partial[list[Campaign | None]]:
        """The campaign each (UTM value, placed at) order is attributed to, if any."""
        if not any(utm for utm, _ in orders):
            return Partial([None for _ in orders])
        read = await self.campaigns()
        found = [campaign_of(utm, placed, read.value, self.window) for utm, placed in orders]
        return Partial(found, read.failures)

    # Attributed orders.

    async def tallies(self, wanted: Sequence[Campaign]) -> Partial[dict[str, Tally] | None]:
        """Each wanted campaign's attributed orders and revenue, by campaign id; None while the
        account's orders were never read in full (with the reason); {} without an order feed."""
        if self._orders is None:
            return Partial({})
        building = self.warm()
        mark = await feed_mark(self._db, self._orders.account, ORDERS)
        if (mark is None or mark.backfilled_at is None) and building is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(building), self._warm_wait)
            mark = await feed_mark(self._db, self._orders.account, ORDERS)
        failures = (self._failure,) if self._failure else ()
        if mark is None or mark.backfilled_at is None:
            return Partial(None, failures or (self._warming(),))
        every = await self.campaigns()
        spans = windows(every.value, self.window)
        asked = {c.id: spans[c.id] for c in wanted if c.id in spans}
        counted = await count(self._db, self._orders.account, asked, mark.currency)
        empty = Tally(0, None)
        return Partial({c.id: counted.get(c.id, empty) for c in wanted}, failures)

    def warm(self) -> asyncio.Task[None] | None:
        """Start a refresh of the stored orders in the background when the last one is older
        than `ttl` (and none runs); the running refresh, if any."""
        if self._orders is None:
            return None
        due = self._checked_at is None or self._clock() - self._checked_at >= self._ttl
        if due and (self._building is None or self._building.done()):
            # A context of its own: the refresh must not inherit a request's deadline.
            loop = asyncio.get_running_loop()
            self._building = loop.create_task(self._refresh(), context=contextvars.Context())
        return self._building

    async def backfill(self) -> None:
        """Bring the stored orders and campaigns up to date now (a demo before its banner)."""
        building = self.warm()
        if building is not None:
            await building
        await self.campaigns()

    async def orders_changed(self, found: Sequence[Order], gone: Sequence[str] = ()) -> None:
        """Orders a webhook announced (read again), and ids of orders deleted upstream."""
        if self._orders is None:
            return
        await save_orders(self._db, self._orders.account, found)
        await forget_orders(self._db, self._orders.account, gone)

    @property
    def order_feed(self) -> OrderFeed | None:
        return self._orders

    async def close(self) -> None:
        for task in (self._building, self._campaign_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def _warming(self) -> ConnectorError:
        if self._orders is None:
            raise BrokenInvariant("expected self._orders is not None")
        return RetriableError(
            self._orders.platform,
            f"attribution is still reading the shop's orders ({self._progress} stored so far); "
            "ask again shortly",
            retry_after=self._warm_wait,
        )

    async def _refresh(self) -> None:
        if self._orders is None:
            raise BrokenInvariant("expected self._orders is not None")
        started = self._clock()
        account = self._orders.account
        try:
            mark = await feed_mark(self._db, account, ORDERS)
            if _due_for_full_pass(mark, self._rebuild):
                await self._full_pass(account)
            else:
                if mark is None:
                    raise BrokenInvariant("expected mark is not None")
                await self._catch_up(account, mark)
        except ConnectorError as exc:
            self._failure = exc
            logger.warning("could not refresh the stored orders of %s: %s", account, exc)
            await mark_feed(self._db, account, ORDERS, failure=str(exc)[:2000])
        else:
            self._failure = None
        self._checked_at = started

    async def _full_pass(self, account: str) -> None:
        """Every order again (one bulk export; pages when the export is refused)."""
        if self._orders is None:
            raise BrokenInvariant("expected self._orders is not None")
        started = datetime.now(UTC)
        self._progress = 0
        through: datetime | None = None
        try:
            batch: list[Order] = []
            async for order in self._orders.every_order():
                batch.append(order)
                if len(batch) >= BACKFILL_BATCH:
                    through = _newest(batch, through)
                    self._progress += await save_orders(self._db, account, batch)
                    batch = []
            through = _newest(batch, through)
            self._progress += await save_orders(self._db, account, batch)
        except FatalError as exc:
            logger.warning("bulk export of %s's orders failed (%s); paging instead", account, exc)
            through = await self._page(account, None)
        await forget_orders_before(self._db, account, started)
        done = {"backfilled_at": started, "through": through, "checked_at": datetime.now(UTC)}
        await mark_feed(self._db, account, ORDERS, **done, failure=None)

    async def _catch_up(self, account: str, mark: FeedMark) -> None:
        # Change times are to the second: step back one to miss nothing (re-reads replace).
        since = mark.through - timedelta(seconds=1) if mark.through else None
        through = await self._page(account, since)
        newest = max((t for t in (mark.through, through) if t is not None), default=None)
        checked = datetime.now(UTC)
        await mark_feed(self._db, account, ORDERS, through=newest, checked_at=checked, failure=None)

    async def _page(self, account: str, since: datetime | None) -> datetime | None:
        """Store every order updated after `since`, page by page, waiting out the cost limit;
        the newest change time read."""
        if self._orders is None:
            raise BrokenInvariant("expected self._orders is not None")
        after: str | None = None
        through: datetime | None = None
        waits = 0
        while True:
            try:
                page = await self._orders.orders(after=after, since=since)
            except RateLimitedError as exc:
                waits += 1
                if waits > THROTTLE_RETRIES:
                    raise
                await asyncio.sleep(exc.retry_after or 1.0)
                continue
            through = _newest(page.items, through)
            self._progress += await save_orders(self._db, account, page.items)
            if page.next_after is None:
                return through
            after = page.next_after


def _due_for_full_pass(mark: FeedMark | None, every: timedelta) -> bool:
    if mark is None or mark.backfilled_at is None:
        return True
    return datetime.now(UTC) - mark.backfilled_at >= every


def _newest(found: Sequence[Order], through: datetime | None) -> datetime | None:
    for order in found:
        updated = order.sources[0].updated_at if order.sources else None
        if updated is not None and (through is None or updated > through):
            through = updated
    return through
