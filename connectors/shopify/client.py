"""Shopify Admin GraphQL (2025-01) customers, orders and abandoned checkouts, read as canonical
records; customers written back by create-or-update.

Every call is `POST /admin/api/2025-01/graphql.json` (api.py). Reads by email are one
`customers(query: "email:… OR email:…")` query per `LOOKUP_CHUNK` emails, the chunks
concurrent; lists page with Shopify's cursors (`after` is `pageInfo.endCursor`). Page sizes
come from each query's cost (queries.py), so no query asks for more than 1000 points.

`count_records` asks `customersCount`. Shopify stops counting at 10,000 and then answers
`precision: AT_LEAST`: that count is only a lower bound, so the exact number comes from paging
customer ids instead, 250 a call, counting those with an email (as for a shop API that does
not serve `customersCount`).

Search trails writes by seconds, so an upsert that decided "create" from a search can meet
"Email has already been taken": the customer is then read directly (`customerByIdentifier`)
and updated instead (writes.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import httpx

from canonical_schema import (
    DEFAULT_REGION,
    BehavioralEvent,
    CustomerRecord,
    Order,
    is_email,
    normalize_email,
)
from connectors.base import Held, RecordPage, UpsertResult
from connectors.exceptions import FatalError
from connectors.feeds import OrderNotice
from connectors.shopify import queries as q
from connectors.shopify.api import (
    API_VERSION,
    MAX_QUERY_COST,
    PLATFORM,
    GraphQLApi,
    ThrottleStatus,
    connection,
    dig,
    invalid,
    parse,
)
from connectors.shopify.bulk import bulk_orders
from connectors.shopify.mapping import parse_customer, to_canonical
from connectors.shopify.order_mapping import (
    checkout_event,
    order_event,
    parse_checkout,
    parse_order,
    to_order,
)
from connectors.shopify.order_webhooks import order_named
from connectors.shopify.writes import Outcome, RecordRejected, upsert

T = TypeVar("T")
LOOKUP_CHUNK = 50  # emails a search query: ~2,000 characters, 2 + 50 * 3 + 1 = 153 points
CUSTOMER_PAGE = q.page_cap(q.CUSTOMER_COST)
ORDER_PAGE = q.page_cap(q.ORDER_COST)
CHECKOUT_PAGE = q.page_cap(q.CHECKOUT_COST)


ORDER_EVENTS = 10  # most recent orders a customer's events include


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_after: str | None


class ShopifyConnector:
    """Customers of one shop. `http` carries the shop's base URL (`https://{shop}.myshopify.com`);
    `auth` the token (auth.py)."""

    platform = PLATFORM
    event_orders = ORDER_EVENTS  # a customer's events are their most recent orders

    def __init__(
        self,
        http: httpx.AsyncClient,
        auth: httpx.Auth,
        *,
        api_version: str = API_VERSION,
        phone_region: str = DEFAULT_REGION,
    ) -> None:
        self._api = GraphQLApi(http, auth, api_version=api_version)
        self._http = http
        self._count_served = True
        self._phone_region = phone_region  # phones without a country code are read in it

    @property
    def account(self) -> str:
        """The shop this connector reads: its base URL (what the store keys its data by)."""
        return str(self._http.base_url).rstrip("/")

    def order_named(self, topic: str, payload: Mapping[str, Any]) -> OrderNotice | None:
        return order_named(topic, payload)

    def every_order(self) -> AsyncIterator[Order]:
        """Every order of the shop through one bulk operation (a first backfill), instead of
        paging under the cost limit."""
        return bulk_orders(self._api, self._http)

    @property
    def throttle_status(self) -> ThrottleStatus | None:
        """The cost bucket after the latest answer: (currently available, maximum, restore/s)."""
        return self._api.throttle_status

    async def records_by_email(self, emails: Sequence[str]) -> dict[str, CustomerRecord]:
        """Entries that are not emails cannot be held, and are not asked for."""
        wanted = list(dict.fromkeys(normalize_email(e) for e in emails if is_email(e)))
        chunks = [wanted[i : i + LOOKUP_CHUNK] for i in range(0, len(wanted), LOOKUP_CHUNK)]
        found: dict[str, CustomerRecord] = {}
        for records in await asyncio.gather(*(self._by_email(chunk) for chunk in chunks)):
            found.update((r.email, r) for r in records if r.email in wanted)
        return found

    async def list_records(self, limit: int, after: str | None) -> RecordPage:
        _check(limit, CUSTOMER_PAGE, "customers")
        page = await self._customers(limit, after)
        return RecordPage(page.items, page.next_after)

    async def records_changed_since(
        self, since: datetime, limit: int = CUSTOMER_PAGE, after: str | None = None
    ) -> RecordPage:
        """Customers updated after `since`, oldest change first; page on with `next_after`."""
        _check(limit, CUSTOMER_PAGE, "customers")
        page = await self._customers(limit, after, q.updated_since(_timestamp(since)), "UPDATED_AT")
        return RecordPage(page.items, page.next_after)

    async def count_records(self) -> int:
        if self._count_served:
            data = await self._api.run(q.CUSTOMERS_COUNT, absent_ok=True)
            if data is not None:
                count = dig(data, "customersCount", "count")
                if not isinstance(count, int):
                    raise invalid("customersCount answered without an integer `count`")
                if dig(data, "customersCount", "precision") == "EXACT":
                    return count
            else:
                self._count_served = False
        total, after = 0, None
        while True:
            data = await self._api.data(q.CUSTOMER_IDS, {"first": q.MAX_PAGE, "after": after})
            nodes, after = connection(data, "customers")
            total += sum(1 for n in nodes if isinstance(n, dict) and _has_email(n.get("email")))
            if after is None:
                return total

    async def orders_for_customers(
        self, customer_ids: Sequence[str], first: int = 10
    ) -> dict[str, list[Order]]:
        """Each customer's most recent `first` orders, by customer id (GID). The simulator does
        not serve `nodes(ids:)`, so customers are found by `id:` search with nested orders."""
        per_customer = q.customer_orders_cost(first)
        chunk = min(LOOKUP_CHUNK, (MAX_QUERY_COST - q.CONNECTION_COST) // per_customer)
        if not 1 <= first <= q.MAX_ORDERS_A_CUSTOMER:
            raise ValueError(
                f"Shopify reads 1 to {q.MAX_ORDERS_A_CUSTOMER} orders a customer, not {first}"
            )
        numbers = {_gid_number(i): i for i in dict.fromkeys(customer_ids)}
        keys = list(numbers)
        chunks = [keys[i : i + chunk] for i in range(0, len(keys), chunk)]
        found: dict[str, list[Order]] = {gid: [] for gid in numbers.values()}
        for nodes in await asyncio.gather(*(self._orders_of(c, first) for c in chunks)):
            for node in nodes:
                gid = node.get("id") if isinstance(node, dict) else None
                if isinstance(gid, str) and gid in found:
                    found[gid] = _customer_orders(node)
        return found

    async def orders_by_id(self, order_ids: Sequence[str]) -> dict[str, Order]:
        """Order GID -> the order, for the ids the shop holds; one `id:` search a page of ids."""
        numbers = [_order_number(gid) for gid in dict.fromkeys(order_ids)]
        chunks = [numbers[i : i + ORDER_PAGE] for i in range(0, len(numbers), ORDER_PAGE)]
        found: dict[str, Order] = {}
        for chunk in chunks:
            variables = {"first": len(chunk), "query": " OR ".join(f"id:{n}" for n in chunk)}
            nodes, _ = connection(await self._api.data(q.ORDERS, variables), "orders")
            for order in (to_order(parse(parse_order, node)) for node in nodes):
                found[order.sources[0].external_id] = order
        return found

    def is_order_id(self, external_id: str) -> bool:
        head, _, number = external_id.rpartition("/")
        return head == "gid://shopify/Order" and number.isdigit()

    async def events_of(self, people: Held, since: datetime) -> dict[str, list[BehavioralEvent]]:
        """ORDER_PLACED for each person's `ORDER_EVENTS` most recent orders (by customer GID;
        one query for many customers, as for their orders)."""
        emails = {gid: email for email, gid in people.items()}
        if not emails:
            return {}
        orders = await self.orders_for_customers(list(emails), ORDER_EVENTS)
        return {emails[gid]: self.events_of_orders(held) for gid, held in orders.items()}

    def events_of_orders(self, orders: Sequence[Order]) -> list[BehavioralEvent]:
        """ORDER_PLACED for the `ORDER_EVENTS` most recent of a customer's orders (newest
        first), as `events_of` reads them: the store's orders answer for the shop."""
        return [order_event(order) for order in orders[:ORDER_EVENTS]]

    async def orders(
        self, limit: int = ORDER_PAGE, after: str | None = None, *, since: datetime | None = None
    ) -> Page[Order]:
        """The shop's orders (updated after `since`, when given), oldest processed first."""
        _check(limit, ORDER_PAGE, "orders")
        query = q.updated_since(_timestamp(since)) if since else None
        data = await self._api.data(q.ORDERS, {"first": limit, "after": after, "query": query})
        nodes, next_after = connection(data, "orders")
        return Page([to_order(parse(parse_order, n)) for n in nodes], next_after)

    async def order_events(
        self, limit: int = ORDER_PAGE, after: str | None = None, *, since: datetime | None = None
    ) -> Page[BehavioralEvent]:
        """ORDER_PLACED for each order of `orders`."""
        page = await self.orders(limit, after, since=since)
        return Page([order_event(order) for order in page.items], page.next_after)

    async def abandoned_checkouts(
        self, limit: int = CHECKOUT_PAGE, after: str | None = None, *, since: datetime | None = None
    ) -> Page[BehavioralEvent]:
        """CHECKOUT_ABANDONED for each abandoned checkout, oldest first."""
        _check(limit, CHECKOUT_PAGE, "abandoned checkouts")
        query = q.updated_since(_timestamp(since)) if since else None
        variables = {"first": limit, "after": after, "query": query}
        data = await self._api.data(q.ABANDONED_CHECKOUTS, variables)
        nodes, next_after = connection(data, "abandonedCheckouts")
        return Page([checkout_event(parse(parse_checkout, n)) for n in nodes], next_after)

    async def upsert(self, records: Sequence[CustomerRecord]) -> list[Outcome]:
        """Create or update each record; per record, its result or Shopify's refusal."""
        return await upsert(self._api, self.records_by_email, records, self._by_identifier)

    async def upsert_records(self, records: Sequence[CustomerRecord]) -> list[UpsertResult]:
        """Every write runs; then, if Shopify refused any record, one `FatalError` names each
        refused email and its `userErrors`."""
        outcomes = await self.upsert(records)
        refused = [o for o in outcomes if isinstance(o, RecordRejected)]
        if refused:
            detail = "; ".join(f"{o.email}: {', '.join(o.errors)}" for o in refused)
            raise FatalError(
                PLATFORM,
                f"refused {len(refused)} of {len(outcomes)} records: {detail}",
                status=200,
                endpoint=f"POST {self._api.path}",
            )
        return [o for o in outcomes if isinstance(o, UpsertResult)]

    async def _by_email(self, emails: list[str]) -> list[CustomerRecord]:
        records: list[CustomerRecord] = []
        after = None
        while True:  # more matches than emails would be odd, but a page is a page
            page = await self._customers(len(emails), after, q.any_of("email", emails))
            records += page.items
            if page.next_after is None:
                return records
            after = page.next_after

    async def _customers(
        self, first: int, after: str | None, query: str | None = None, sort: str | None = None
    ) -> Page[CustomerRecord]:
        variables = {"first": first, "after": after, "query": query, "sortKey": sort}
        nodes, next_after = connection(await self._api.data(q.CUSTOMERS, variables), "customers")
        records = [self._canonical(node) for node in nodes]
        return Page([r for r in records if r is not None], next_after)

    async def _by_identifier(self, email: str) -> CustomerRecord | None:
        data = await self._api.data(q.CUSTOMER_BY_EMAIL, {"email": email})
        node = data.get("customerByIdentifier")
        return None if node is None else self._canonical(node)

    def _canonical(self, node: Any) -> CustomerRecord | None:
        return to_canonical(parse(parse_customer, node), phone_region=self._phone_region)

    async def _orders_of(self, numbers: list[int], first: int) -> list[Any]:
        query = " OR ".join(f"id:{number}" for number in numbers)
        variables = {"first": len(numbers), "query": query, "orders": first}
        nodes, _ = connection(await self._api.data(q.CUSTOMER_ORDERS, variables), "customers")
        return nodes


def _customer_orders(node: dict[str, Any]) -> list[Order]:
    raw = dig(node, "orders", "nodes")
    if not isinstance(raw, list):
        raise invalid("a customer answered without `orders.nodes`")
    email = node.get("email")
    owner = email if isinstance(email, str) else None
    return [to_order(parse(parse_order, order), customer_email=owner) for order in raw]


def _has_email(value: Any) -> bool:
    return isinstance(value, str) and is_email(value)


def _gid_number(gid: str) -> int:
    tail = gid.rsplit("/", 1)[-1]
    if not gid.startswith("gid://shopify/Customer/") or not tail.isdigit():
        raise ValueError(f"not a Shopify customer id: {gid!r}")
    return int(tail)


def _order_number(gid: str) -> int:
    tail = gid.rsplit("/", 1)[-1]
    if not gid.startswith("gid://shopify/Order/") or not tail.isdigit():
        raise ValueError(f"not a Shopify order id: {gid!r}")
    return int(tail)


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("`since` must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check(limit: int, cap: int, what: str) -> None:
    if not 1 <= limit <= cap:
        raise ValueError(f"Shopify pages of {what} hold 1 to {cap}, not {limit}")
