"""What a real shop does that a friendly stand-in would not: search trails writes by seconds,
and `customersCount` stops counting at 10,000 (then `precision: AT_LEAST`)."""

from __future__ import annotations

import httpx
import pytest

from canonical_schema import CustomerRecord, Platform
from connectors.shopify import ShopifyConnector
from simulators.shopify import resolvers
from tests.connectors.shopify.conftest import graphql_requests, people_in_shopify


def person(email: str, **fields: object) -> CustomerRecord:
    return CustomerRecord(platform=Platform.HUBSPOT, external_id="1", email=email, **fields)


async def test_a_customer_created_a_moment_ago_is_updated_not_refused(
    sim_app, shopify: ShopifyConnector
) -> None:
    """The lookup is a search, which does not see the customer yet: the create meets "Email
    has already been taken", and the record goes to that customer as an update."""
    sim_app.state.sim.platforms["shopify"].store.search_lag_ms = 30_000
    [first] = await shopify.upsert_records([person("fresh@example.com", first_name="Ann")])
    assert first.created

    [again] = await shopify.upsert_records([person("fresh@example.com", last_name="Lee")])

    assert (again.created, again.external_id) == (False, first.external_id)
    direct = await shopify._by_identifier("fresh@example.com")
    assert direct is not None
    assert (direct.first_name, direct.last_name) == ("Ann", "Lee")


async def test_a_count_shopify_gives_as_at_least_is_not_taken_as_exact(
    sim, shopify: ShopifyConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    holders = await people_in_shopify(sim)
    await sim.post("/_sim/reset")
    assert await shopify.count_records() == len(holders)
    assert await graphql_requests(sim) == 1  # EXACT: one customersCount

    monkeypatch.setattr(resolvers, "COUNT_CAP", 5)  # Shopify's is 10,000
    assert await shopify.count_records() == len(holders)


async def test_the_simulator_serves_customers_count_and_by_identifier(
    shop_http: httpx.AsyncClient, shopify_credentials: dict[str, str], sim
) -> None:
    holders = await people_in_shopify(sim)
    email = next(iter(holders))
    query = (
        "{ customersCount { count precision } "
        f'customerByIdentifier(identifier: {{emailAddress: "{email}"}}) {{ id }} }}'
    )
    answer = await shop_http.post(
        "/admin/api/2025-01/graphql.json",
        json={"query": query},
        headers={"X-Shopify-Access-Token": shopify_credentials["access_token"]},
    )
    data = answer.json()["data"]
    assert data["customersCount"] == {"count": len(holders), "precision": "EXACT"}
    assert data["customerByIdentifier"]["id"] == holders[email]
