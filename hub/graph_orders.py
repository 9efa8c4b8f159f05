"""Orders: a customer's most recent orders, and orders by id, from Shopify.

Many customers' orders are one Shopify GraphQL query (`customers(query: "id:… OR id:…")` with
each customer's `orders` nested), as many customers a query as its cost allows: Shopify
refuses a query priced over 1000 points, and a customer with `first` orders costs
3 + 6·`first` points, so one query holds 15 customers at `first: 10`, 47 at `first: 3`, and
the connector's cap of 50 at `first: 2` or fewer. Past that a batch takes more queries, run
concurrently.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

from canonical_schema import Order, Platform, RecordRef
from connectors.shopify import ShopifyConnector
from hub.exceptions import InvalidArgumentError
from hub.graph_base import Partial, PersonRef, settle

SHOPIFY = Platform.SHOPIFY
MAX_ORDERS = 100


class OrderReads:
    def __init__(self, shopify: ShopifyConnector | None) -> None:
        self._shopify = shopify

    async def for_people(
        self, people: Sequence[PersonRef], first: int
    ) -> list[Partial[list[Order]]]:
        """Each person's `first` most recent orders (none when Shopify does not hold them)."""
        if not 0 <= first <= MAX_ORDERS:
            raise InvalidArgumentError(f"`first` must be between 0 and {MAX_ORDERS}, not {first}")
        gids = {p: gid for p in people if (gid := p.id_on(SHOPIFY))}
        calls: dict[Platform, Awaitable[dict[str, list[Order]]]] = {}
        if self._shopify is not None and gids and first > 0:
            calls[SHOPIFY] = self._shopify.orders_for_customers(list(set(gids.values())), first)
        settled = await settle(calls)
        held = settled.answers.get(SHOPIFY, {})
        return [
            Partial(held.get(gids[p], []), settled.failures) if p in gids else Partial([])
            for p in people
        ]

    async def by_id(self, order_ids: Sequence[str]) -> list[Partial[Order | None]]:
        refs = [RecordRef.parse(order_id) for order_id in order_ids]
        wanted = [
            ref.external_id
            for ref in refs
            if ref and ref.kind == "order" and ref.platform is SHOPIFY and _is_order_gid(ref)
        ]
        calls: dict[Platform, Awaitable[dict[str, Order]]] = {}
        if self._shopify is not None and wanted:
            calls[SHOPIFY] = self._shopify.orders_by_id(wanted)
        settled = await settle(calls)
        held = settled.answers.get(SHOPIFY, {})
        return [
            Partial(held.get(ref.external_id), settled.failures)
            if ref and ref.external_id in wanted
            else Partial(None)
            for ref in refs
        ]


def _is_order_gid(ref: RecordRef) -> bool:
    head, _, number = ref.external_id.rpartition("/")
    return head == "gid://shopify/Order" and number.isdigit()
