"""Orders: a customer's most recent orders, and orders by id, from every shop (`OrderSource`).

Many customers' orders are one call per shop (Shopify: one GraphQL query of customers with
their `orders` nested, as many customers a query as its cost allows — see the connector).
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

from canonical_schema import Order, Platform, RecordRef
from connectors.base import OrderSource
from hub.exceptions import InvalidArgumentError
from hub.graph_base import Partial, PersonRef, by_source, settle

MAX_ORDERS = 100


class OrderReads:
    def __init__(self, sources: Sequence[OrderSource]) -> None:
        self._sources = {source.platform: source for source in sources}

    async def for_people(
        self, people: Sequence[PersonRef], first: int
    ) -> list[Partial[list[Order]]]:
        """Each person's `first` most recent orders, newest first, from every shop that
        holds them (none from a shop that does not)."""
        if not 0 <= first <= MAX_ORDERS:
            raise InvalidArgumentError(f"`first` must be between 0 and {MAX_ORDERS}, not {first}")
        calls: dict[Platform, Awaitable[dict[str, list[Order]]]] = {}
        for platform, source in self._sources.items():
            customers = list(dict.fromkeys(i for p in people if (i := p.id_on(platform))))
            if customers and first > 0:
                calls[platform] = source.orders_for_customers(customers, first)
        settled = await settle(calls)
        found: list[Partial[list[Order]]] = []
        for person in people:
            shops = [platform for platform in self._sources if person.held_by(platform)]
            orders = [
                order
                for platform in shops
                for order in settled.answers.get(platform, {}).get(person.id_on(platform) or "", [])
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
