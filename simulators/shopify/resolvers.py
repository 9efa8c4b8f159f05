"""Resolvers for the served subset, attached once to the schema built from the introspection.

Every other field resolves with graphql-core's default resolver over the dicts `Renderer`
builds. Per-request state (the store, the clock, the change hook) travels in `Context`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graphql import GraphQLError, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema

from simulators.core.clock import Clock
from simulators.core.invariants import BrokenInvariant
from simulators.shopify.bulk import BulkOperations
from simulators.shopify.bulk import resolver as bulk_resolver
from simulators.shopify.paging import SortKey, connection, paginate
from simulators.shopify.records import Checkout, Customer, Order, parse_gid
from simulators.shopify.render import Renderer, order_key
from simulators.shopify.search import Field, Search
from simulators.shopify.store import ShopStore

T = TypeVar("T")


@dataclass
class Context:
    store: ShopStore
    clock: Clock
    changed: Callable[[str, Customer], None]  # (webhook topic, customer) after a write
    warnings: list[dict[str, Any]] = field(default_factory=list)
    bulk: BulkOperations | None = None
    app: str = ""  # the calling app (bulk operations are per app)
    origin: str = ""  # the shop's base URL as the caller reached it (bulk result URLs)

    @property
    def render(self) -> Renderer:
        return Renderer(self.store)


CUSTOMER_SEARCH: Search[Customer] = Search(
    {
        "email": Field("text", lambda c: c.email),
        "first_name": Field("text", lambda c: c.first_name),
        "last_name": Field("text", lambda c: c.last_name),
        "phone": Field("text", lambda c: c.phone),
        "state": Field("text", lambda c: c.state),
        "id": Field("number", lambda c: c.id),
        "orders_count": Field("number", lambda c: c.orders_count),
        "created_at": Field("time", lambda c: c.created_ms),
        "updated_at": Field("time", lambda c: c.updated_ms),
    },
    ("email", "first_name", "last_name", "phone"),
)
CUSTOMER_SORT: dict[str, Callable[[Customer], SortKey]] = {
    "CREATED_AT": lambda c: (c.created_ms, c.id),
    "UPDATED_AT": lambda c: (c.updated_ms, c.id),
    "NAME": lambda c: (c.display_name.lower(), c.id),
}


def _order_search(store: ShopStore) -> Search[Order]:
    def email(o: Order) -> str | None:
        customer = store.customers.get(o.customer_id)
        return customer.email if customer else None

    return Search(
        {
            "id": Field("number", lambda o: o.id),
            "name": Field("text", lambda o: o.name),
            "email": Field("text", email),
            "customer_id": Field("number", lambda o: o.customer_id),
            "financial_status": Field("text", lambda o: o.financial_status),
            "created_at": Field("time", lambda o: o.created_ms),
            "processed_at": Field("time", lambda o: o.processed),
            "updated_at": Field("time", lambda o: o.updated_ms),
        },
        ("name", "email"),
    )


CHECKOUT_SEARCH: Search[Checkout] = Search(
    {
        "id": Field("number", lambda k: k.id),
        "created_at": Field("time", lambda k: k.created_ms),
        "updated_at": Field("time", lambda k: k.updated_ms),
        "status": Field("text", lambda k: "closed" if k.completed_ms else "open"),
    },
    (),
)


def _page(
    info: GraphQLResolveInfo[Context],
    records: Iterable[T],
    search: Search[T],
    key: Callable[[T], SortKey] | None,
    render: Callable[[T], dict[str, Any]],
    args: dict[str, Any],
) -> dict[str, Any]:
    query = args.pop("query", None)
    args.pop("sortKey", None)
    predicate, unknown = search.compile(query)
    if unknown:
        info.context.warnings.append(
            {
                "path": [info.path.key],
                "query": query,
                "warnings": [
                    {"field": name, "message": "Invalid search field for this query."}
                    for name in unknown
                ],
            }
        )
    if predicate is not None:
        records = [r for r in records if predicate(r)]
    sort = key or (lambda r: (r.id, r.id))  # type: ignore[attr-defined]
    return connection(paginate(records, sort, presorted=key is None, **args), render)


def _searchable(ctx: Context) -> list[Customer]:
    """The customers search sees now (its index trails writes: `ShopStore.search_lag_ms`)."""
    now = int(ctx.clock.now() * 1000)
    return [c for c in ctx.store.customers.values() if ctx.store.searchable(c, now)]


def customers(_root: Any, info: GraphQLResolveInfo[Context], **args: Any) -> dict[str, Any]:
    ctx: Context = info.context
    key = CUSTOMER_SORT.get(args.get("sortKey") or "ID")
    values = _searchable(ctx) if args.get("query") else ctx.store.customers.values()
    return _page(info, values, CUSTOMER_SEARCH, key, ctx.render.customer, args)


COUNT_CAP = 10_000  # Shopify stops counting here and says AT_LEAST


def customers_count(
    _root: Any, info: GraphQLResolveInfo[Context], query: str | None = None
) -> dict[str, Any]:
    ctx: Context = info.context
    predicate, _ = CUSTOMER_SEARCH.compile(query)
    matched = sum(1 for c in _searchable(ctx) if predicate is None or predicate(c))
    precision = "EXACT" if matched <= COUNT_CAP else "AT_LEAST"
    return {"count": min(matched, COUNT_CAP), "precision": precision}


def customer_by_identifier(
    _root: Any, info: GraphQLResolveInfo[Context], identifier: dict[str, Any]
) -> dict[str, Any] | None:
    """A direct lookup (not search: no index lag) by `id`, `emailAddress` or `phoneNumber`."""
    ctx: Context = info.context
    given = [k for k in ("id", "emailAddress", "phoneNumber", "customId") if identifier.get(k)]
    if len(given) != 1:
        raise GraphQLError(
            "CustomerIdentifierInput requires exactly one of id, emailAddress, phoneNumber or "
            "customId",
            extensions={"code": "INVALID_FIELD_ARGUMENTS"},
        )
    found: Customer | None = None
    if given[0] == "id":
        number = global_id(str(identifier["id"]), "Customer")
        found = None if number is None else ctx.store.customers.get(number)
    elif given[0] == "emailAddress":
        found = ctx.store.by_mail(str(identifier["emailAddress"]))
    elif given[0] == "phoneNumber":
        phone = str(identifier["phoneNumber"])
        found = next((c for c in ctx.store.customers.values() if c.phone == phone), None)
    return None if found is None else ctx.render.customer(found)


def orders(_root: Any, info: GraphQLResolveInfo[Context], **args: Any) -> dict[str, Any]:
    ctx: Context = info.context
    sort = args.get("sortKey") or "ID"
    key = None if sort in ("ID", "RELEVANCE") else order_key(sort)
    search = _order_search(ctx.store)
    return _page(info, ctx.store.orders.values(), search, key, ctx.render.order, args)


def abandoned_checkouts(
    _root: Any, info: GraphQLResolveInfo[Context], **args: Any
) -> dict[str, Any]:
    ctx: Context = info.context
    key: Callable[[Checkout], SortKey] | None = None
    if args.get("sortKey") == "CREATED_AT":
        key = lambda k: (k.created_ms, k.id)  # noqa: E731
    elif args.get("sortKey") == "TOTAL_PRICE":
        key = lambda k: (k.total_cents, k.id)  # noqa: E731
    values = ctx.store.checkouts.values()
    return _page(info, values, CHECKOUT_SEARCH, key, ctx.render.checkout, args)


def global_id(value: str, kind: str) -> int | None:
    if not value.startswith("gid://"):
        raise GraphQLError(
            f"Invalid global id '{value}'",
            extensions={"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"},
        )
    return parse_gid(value, kind)


def customer(_root: Any, info: GraphQLResolveInfo[Context], id: str) -> dict[str, Any] | None:
    ctx: Context = info.context
    number = global_id(id, "Customer")
    found = None if number is None else ctx.store.customers.get(number)
    return None if found is None else ctx.render.customer(found)


def order(_root: Any, info: GraphQLResolveInfo[Context], id: str) -> dict[str, Any] | None:
    ctx: Context = info.context
    number = global_id(id, "Order")
    found = None if number is None else ctx.store.orders.get(number)
    return None if found is None else ctx.render.order(found)


# The shop itself, as `shop` reads it (one shop per simulator).
SHOP = {
    "id": "gid://shopify/Shop/1",
    "name": "Sim Shop",
    "email": "owner@sim-shop.example",
    "contactEmail": "hello@sim-shop.example",
    "myshopifyDomain": "sim-shop.myshopify.com",
    "currencyCode": "USD",
    "ianaTimezone": "America/New_York",
    "timezoneAbbreviation": "EST",
    "createdAt": "2020-01-01T00:00:00Z",
    "url": "https://sim-shop.myshopify.com",
}


NODE_KINDS = ("Customer", "Order", "AbandonedCheckout", "BulkOperation", "Shop")


def shop(_root: Any, info: GraphQLResolveInfo[Context]) -> dict[str, Any]:
    return dict(SHOP)


def node(_root: Any, info: GraphQLResolveInfo[Context], id: str) -> dict[str, Any] | None:
    """`node(id:)` for the kinds this shop simulates (`NODE_KINDS`): an id it does not hold is
    null, as Shopify answers; an id of another kind is a `NOT_SIMULATED` error, not a null."""
    ctx: Context = info.context
    global_id(id, "Customer")  # a malformed id is a coercion error
    found: dict[str, Any] | None = None
    if (number := parse_gid(id, "Customer")) is not None:
        customer_ = ctx.store.customers.get(number)
        found = None if customer_ is None else {**ctx.render.customer(customer_)}
    elif (number := parse_gid(id, "Order")) is not None:
        order_ = ctx.store.orders.get(number)
        found = None if order_ is None else {**ctx.render.order(order_)}
    elif (number := parse_gid(id, "AbandonedCheckout")) is not None:
        checkout = ctx.store.checkouts.get(number)
        found = None if checkout is None else {**ctx.render.checkout(checkout)}
    elif (number := parse_gid(id, "BulkOperation")) is not None and ctx.bulk is not None:
        operation = ctx.bulk.operations.get(number)
        if operation is not None and operation.app == ctx.app:
            found = ctx.bulk.render(operation, ctx.origin)
    elif id == SHOP["id"]:
        found = dict(SHOP)
    kind = id.split("/")[3] if id.count("/") >= 4 else ""
    if kind not in NODE_KINDS:  # a real object of a kind this shop does not simulate
        raise GraphQLError(
            f"Node of type '{kind}' is not simulated", extensions={"code": "NOT_SIMULATED"}
        )
    if found is not None:
        found["__typename"] = kind
    return found


def attach(schema: GraphQLSchema) -> None:
    from simulators.shopify.mutations import (
        customer_create,
        customer_email_marketing_consent_update,
        customer_update,
    )

    table: Mapping[GraphQLObjectType | None, dict[str, Callable[..., Any]]] = {
        schema.query_type: {
            "customers": customers,
            "customer": customer,
            "customerByIdentifier": customer_by_identifier,
            "customersCount": customers_count,
            "orders": orders,
            "order": order,
            "abandonedCheckouts": abandoned_checkouts,
            "currentBulkOperation": bulk_resolver("currentBulkOperation"),
            "node": node,
            "shop": shop,
        },
        schema.mutation_type: {
            "customerCreate": customer_create,
            "customerUpdate": customer_update,
            "customerEmailMarketingConsentUpdate": customer_email_marketing_consent_update,
            "bulkOperationRunQuery": bulk_resolver("bulkOperationRunQuery"),
            "bulkOperationCancel": bulk_resolver("bulkOperationCancel"),
        },
    }
    for root, fields in table.items():
        if root is None:
            raise BrokenInvariant("expected root is not None")
        for name, resolve in fields.items():
            root.fields[name].resolve = resolve
