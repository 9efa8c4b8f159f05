"""Shopify customers over GraphQL: paging, search syntax, errors at HTTP 200, ground truth."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from simulators import SimConfig, create_app

GRAPHQL = "/shopify/admin/api/2025-01/graphql.json"
PAGE = """query($after: String, $query: String) {
  customers(first: 7, after: $after, query: $query) {
    edges { cursor node { id email updatedAt } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"""


@pytest.fixture
async def sim() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SimConfig(people=60, rate_limits="off"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim"
    ) as client:
        token = (await client.get("/_sim/credentials")).json()["shopify"]["access_token"]
        client.headers["X-Shopify-Access-Token"] = token
        yield client


async def gql(sim: httpx.AsyncClient, document: str, **variables: Any) -> dict[str, Any]:
    response = await sim.post(GRAPHQL, json={"query": document, "variables": variables})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert "cost" in body["extensions"]
    return body


async def walk(sim: httpx.AsyncClient, query: str | None = None) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await gql(sim, PAGE, after=after, query=query))["data"]["customers"]
        nodes.extend(edge["node"] for edge in page["edges"])
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_paging_walks_every_customer_exactly_once(sim: httpx.AsyncClient) -> None:
    nodes = await walk(sim)
    ids = [n["id"] for n in nodes]
    truth = (await sim.get("/_sim/people", params={"limit": 1000})).json()["people"]
    expected = {p["external_ids"]["shopify"] for p in truth if "shopify" in p["external_ids"]}
    assert len(ids) == len(set(ids)) == len(expected) > 14
    assert set(ids) == expected
    assert all(i.startswith("gid://shopify/Customer/") for i in ids)


async def test_people_agree_with_email_search(sim: httpx.AsyncClient) -> None:
    truth = (await sim.get("/_sim/people", params={"limit": 1000})).json()["people"]
    held = [p for p in truth if "shopify" in p["external_ids"]][:5]
    query = " OR ".join(f"email:{p['email'].upper()}" for p in held)
    nodes = await walk(sim, query)
    assert {n["id"] for n in nodes} == {p["external_ids"]["shopify"] for p in held}
    one = held[0]
    found = f'{{ customer(id: "{one["external_ids"]["shopify"]}") {{ email }} }}'
    body = await gql(sim, found)
    assert body["data"]["customer"]["email"] == one["email"]


async def test_updated_at_and_id_search(sim: httpx.AsyncClient) -> None:
    everyone = await walk(sim)
    stamps = sorted(n["updatedAt"] for n in everyone)
    middle = stamps[len(stamps) // 2]
    later = await walk(sim, f"updated_at:>'{middle}'")
    assert {n["id"] for n in later} == {n["id"] for n in everyone if n["updatedAt"] > middle}
    since = await walk(sim, f"updated_at:>='{middle}'")
    assert len(since) == len(later) + stamps.count(middle)
    target = everyone[3]["id"]
    numeric = target.rsplit("/", 1)[1]
    assert [n["id"] for n in await walk(sim, f"id:{numeric}")] == [target]
    assert len(await walk(sim, f"id:>{numeric}")) == len(everyone) - 4
    assert [n["id"] for n in await walk(sim, f"-id:<={numeric} AND id:<={numeric}")] == []


async def test_unknown_search_field_warns_and_matches_everything(sim: httpx.AsyncClient) -> None:
    body = await gql(sim, '{ customers(first: 3, query: "colour:blue") { nodes { id } } }')
    assert len(body["data"]["customers"]["nodes"]) == 3
    warning = body["extensions"]["search"][0]["warnings"][0]
    assert warning == {"field": "colour", "message": "Invalid search field for this query."}


async def test_sort_key_reverse_and_backward_paging(sim: httpx.AsyncClient) -> None:
    query = """query($before: String) { customers(last: 5, before: $before, sortKey: UPDATED_AT,
      reverse: true) { nodes { updatedAt } pageInfo { hasPreviousPage startCursor } } }"""
    page = (await gql(sim, query))["data"]["customers"]
    stamps = [n["updatedAt"] for n in page["nodes"]]
    assert stamps == sorted(stamps, reverse=True)
    assert page["pageInfo"]["hasPreviousPage"] is True
    before = page["pageInfo"]["startCursor"]
    earlier = (await gql(sim, query, before=before))["data"]["customers"]["nodes"]
    assert min(n["updatedAt"] for n in earlier) >= max(stamps)


async def test_orders_carry_names_statuses_and_campaign_utms(sim: httpx.AsyncClient) -> None:
    query = """{ orders(first: 100) { nodes { name displayFinancialStatus
      totalPriceSet { shopMoney { amount currencyCode } } customer { id email }
      customerJourneySummary { lastVisit { utmParameters { campaign source medium } } } } } }"""
    nodes = (await gql(sim, query))["data"]["orders"]["nodes"]
    assert nodes[0]["name"] == "#1001"
    assert {n["displayFinancialStatus"] for n in nodes} >= {"PAID", "REFUNDED"}
    campaigns = {
        n["customerJourneySummary"]["lastVisit"]["utmParameters"]["campaign"]
        for n in nodes
        if n["customerJourneySummary"]["lastVisit"]
        and n["customerJourneySummary"]["lastVisit"]["utmParameters"]
    }
    assert any(c.endswith("_2025") for c in campaigns)
    assert any(not c[-1].isdigit() for c in campaigns)  # unrelated utm values too
    query = "{ abandonedCheckouts(first: 5) { nodes { id abandonedCheckoutUrl customer { id } } } }"
    checkouts = (await gql(sim, query))["data"]["abandonedCheckouts"]["nodes"]
    assert checkouts
    assert all(k["customer"]["id"].startswith("gid://") for k in checkouts)


async def test_graphql_errors_are_http_200_like_shopify(sim: httpx.AsyncClient) -> None:
    body = await gql(sim, "{ customers(first: 1) { nodes { id shoeSize } } }")
    assert "data" not in body
    error = body["errors"][0]
    assert error["message"] == "Field 'shoeSize' doesn't exist on type 'Customer'"
    assert error["extensions"] == {
        "code": "undefinedField",
        "typeName": "Customer",
        "fieldName": "shoeSize",
    }
    assert error["path"] == ["query", "customers", "nodes", "shoeSize"]
    body = await gql(sim, "{ customers(first: 1) { nodes { id } ")
    assert body["errors"][0]["message"] == "Unexpected end of document"
    body = await gql(sim, "{ customers(first: 1) { nodes { id ) } }")
    assert body["errors"][0]["message"] == 'Parse error on ")" (RPAREN) at [1, 36]'
    body = await gql(sim, "{ customers(frist: 1) { nodes { id } } }")
    assert body["errors"][0]["extensions"]["code"] == "argumentNotAccepted"
    body = await gql(sim, "{ customers { nodes { id } } }")
    assert body["errors"][0]["message"] == "you must provide one of first or last"
    assert body["data"] is None


async def test_bad_token_and_bad_body(sim: httpx.AsyncClient) -> None:
    for token in ("nope", ""):
        response = await sim.post(
            GRAPHQL,
            json={"query": "{ customers(first: 1) { nodes { id } } }"},
            headers={"X-Shopify-Access-Token": token},
        )
        assert response.status_code == 401
        assert response.json() == {
            "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
        }
    response = await sim.post(
        GRAPHQL, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"errors": {"query": "Required parameter missing or invalid"}}


async def test_drift_retypes_or_renames_customer_fields(sim: httpx.AsyncClient) -> None:
    fault = {"platform": "shopify", "drift_rate": 1.0}
    assert (await sim.post("/_sim/faults", json=fault)).status_code == 200
    query = """{ customers(first: 3) { nodes { amountSpent { amount }
      emailMarketingConsent { marketingState } } } }"""
    seen = set()
    for _ in range(6):
        nodes = (await gql(sim, query))["data"]["customers"]["nodes"]
        for node in nodes:
            if isinstance(node["amountSpent"]["amount"], float):
                seen.add("retyped")
            if "emailMarketingConsentState" in node:
                seen.add("renamed")
    assert seen == {"retyped", "renamed"}
