"""The documents the connector sends: search values quoted, every query within the cost cap."""

from __future__ import annotations

from connectors.shopify import queries as q
from connectors.shopify.api import MAX_QUERY_COST
from connectors.shopify.client import CHECKOUT_PAGE, CUSTOMER_PAGE, LOOKUP_CHUNK, ORDER_PAGE


def test_search_values_are_quoted_and_escaped() -> None:
    assert q.any_of("email", ["a@x.com", "o'b@y.com"]) == 'email:"a@x.com" OR email:"o\'b@y.com"'
    assert q.quoted('we"ird\\@x.com') == '"we\\"ird\\\\@x.com"'
    assert q.updated_since("2026-01-01T00:00:00Z") == "updated_at:>'2026-01-01T00:00:00Z'"


def test_every_query_asks_for_at_most_the_cap() -> None:
    def cost(first: int, item: int) -> int:
        return q.CONNECTION_COST + first * item

    assert cost(LOOKUP_CHUNK, q.CUSTOMER_COST) <= MAX_QUERY_COST
    assert cost(CUSTOMER_PAGE, q.CUSTOMER_COST) <= MAX_QUERY_COST
    assert cost(ORDER_PAGE, q.ORDER_COST) <= MAX_QUERY_COST
    assert cost(CHECKOUT_PAGE, q.CHECKOUT_COST) <= MAX_QUERY_COST
    assert cost(q.MAX_PAGE, q.CUSTOMER_ID_COST) <= MAX_QUERY_COST
    most = q.MAX_ORDERS_A_CUSTOMER
    assert cost(1, q.customer_orders_cost(most)) <= MAX_QUERY_COST
    assert cost(1, q.customer_orders_cost(most + 1)) > MAX_QUERY_COST


def test_upserts_go_as_aliased_mutations_in_one_document() -> None:
    document = q.upsert_document(["customerCreate", "customerUpdate"])
    assert "mutation Upsert($i0: CustomerInput!, $i1: CustomerInput!)" in document
    assert "w0: customerCreate(input: $i0)" in document
    assert "w1: customerUpdate(input: $i1)" in document
