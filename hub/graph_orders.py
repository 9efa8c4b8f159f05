"""Orders: a customer's most recent orders, and orders by id, from every shop (`OrderSource`).

Many customers' orders are one call per shop (Shopify: one GraphQL query of customers with
their `orders` nested, as many customers a query as its cost allows — see the connector).

A customer's orders come from the store (`mgw_orders`, which attribution keeps: a bulk
backfill, then every change by poll and webhook) while the shop's feed was read within the
freshness bound; live otherwise, or with a bound of 0.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from canonical_schema import Order, Platform, RecordRef
from connectors.base import OrderSource
from hub.attribution import ORDERS, Attribution
from hub.exceptions import InvalidArgumentError
from hub.graph_base import Partial, PersonRef, by_source, settle
from hub.order_store import feed_mark, orders_of
from hub.store import Store

MAX_ORDERS = 100
logger = logging.getLogger("mgw.store")
Found = dict[str, list[Order]]  # by the shop's customer id


class StoredOrders:
    """People's orders from the shop's stored orders (attribution's feed)."""

    def __init__(self, store: Store, attribution: Attribution) -> None:
        self._store = store
        self._attribution = attribution

    async def of(
        self, people: Sequence[PersonRef], first: int, bound: float
    ) -> tuple[Platform, Found] | None:
        """The shop and its customers' `first` most recent stored orders (by their id there),
        when its orders were backfilled and last read within `bound` seconds; else None (read
        them live). A backfilled feed is kept warm: read again each TTL while people ask."""
        feed = self._attribution.order_feed
        if feed is None or bound <= 0:
            return None
        held = {p.email: i for p in people if (i := p.id_on(feed.platform))}
        try:
            mark = await feed_mark(self._store, feed.account, ORDERS)
            if mark is None or mark.backfilled_at is None:
                return None
            self._attribution.warm()
            oldest = datetime.now(UTC) - timedelta(seconds=bound)
            if mark.checked_at is None or mark.checked_at < oldest:
                return None
            stored = await orders_of(self._store, feed.account, list(held), first)
        except (SQLAlchemyError, OSError) as exc:
            logger.warning("store unreachable, reading orders live: %s", type(exc).__name__)
            return None
        return feed.platform, {held[email]: orders for email, orders in stored.items()}


class OrderReads:
    def __init__(self, sources: Sequence[OrderSource], stored: StoredOrders | None = None) -> None:
        self._sources = {source.platform: source for source in sources}
        self._stored = stored

    async def for_people(
        self, people: Sequence[PersonRef], first: int, bound: float = 0
    ) -> list[Partial[list[Order]]]:
        """Each person's `first` most recent orders, newest first, from every shop that
        holds them (none from a shop that does not); from the store within `bound` seconds."""
        if not 0 <= first <= MAX_ORDERS:
            raise InvalidArgumentError(f"`first` must be between 0 and {MAX_ORDERS}, not {first}")
        kept = await self._stored.of(people, first, bound) if self._stored and first else None
        calls: dict[Platform, Awaitable[Found]] = {}
        for platform, source in self._sources.items():
            customers = list(dict.fromkeys(i for p in people if (i := p.id_on(platform))))
            if customers and first > 0 and (kept is None or kept[0] is not platform):
                calls[platform] = source.orders_for_customers(customers, first)
        settled = await settle(calls)
        answers = dict(settled.answers)
        if kept is not None:
            answers[kept[0]] = kept[1]
        found: list[Partial[list[Order]]] = []
        for person in people:
            shops = [platform for platform in self._sources if person.held_by(platform)]
            orders = [
                order
                for platform in shops
                for order in answers.get(platform, {}).get(person.id_on(platform) or "", [])
            ]
            failures = settled.failures_for(shops) if shops else ()
            found.append(Partial(orders, failures))
        return found

    async def by_id(self, order_ids: Sequence[str]) -> list[Partial[Order | None]]:
        refs = [RecordRef.parse(order_id) for order_id in order_ids]
        named = [
            ref
            for ref in refs
            if ref
            and ref.kind == "order"
            and ref.platform in self._sources
            and self._sources[ref.platform].is_order_id(ref.external_id)
        ]
        wanted = by_source((ref.platform, ref.external_id) for ref in named)
        calls: dict[Platform, Awaitable[dict[str, Order]]] = {
            platform: self._sources[platform].orders_by_id(ids) for platform, ids in wanted.items()
        }
        settled = await settle(calls)
        return [
            Partial(
                settled.answers.get(ref.platform, {}).get(ref.external_id),
                settled.failures_for([ref.platform]),
            )
            if ref and ref in named
            else Partial(None)
            for ref in refs
        ]
