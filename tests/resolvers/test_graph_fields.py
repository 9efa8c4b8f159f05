"""The graph beyond the customer's own fields, checked against what the platforms hold.

Ground truth is read from the simulators' own APIs by other endpoints than the gateway uses
(HubSpot's single-record association read, Shopify's `customer(id:)`), so a wrong join
in the gateway cannot agree with it by accident."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.resolvers.conftest import Post

WINDOW = timedelta(days=30)  # the default attribution window
GRAPH = """
query($email: String!) {
  customer(email: $email) {
    id email totalSpent { amount currencyCode } engagement { openRate clickRate }
    company { id name domain sources { platform externalId } customers(first: 100) { email } }
    deals(first: 100) { id name status company { id } sources { platform } }
    orders(first: 10) { id name total { amount currencyCode } placedAt utmCampaign
                        campaign { id utmCampaign attributedOrders } }
    events(first: 100) { id type platform occurredAt }
  }
}"""


def everywhere(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in people if len(p["external_ids"]) == 5]


async def credentials(sim: httpx.AsyncClient) -> dict[str, Any]:
    found: dict[str, Any] = (await sim.get("/_sim/credentials")).json()
    return found


async def hubspot_primary_company(sim: httpx.AsyncClient, contact_id: str) -> str | None:
    token = (await credentials(sim))["hubspot"]["private_app_token"]
    path = f"/hubspot/crm/v4/objects/contacts/{contact_id}/associations/companies"
    body = (await sim.get(path, headers={"authorization": f"Bearer {token}"})).json()
    links = body["results"]
    primary = [
        link for link in links if any(t.get("label") == "Primary" for t in link["associationTypes"])
    ]
    chosen = (primary or links)[:1]
    return str(chosen[0]["toObjectId"]) if chosen else None


async def shopify_orders(sim: httpx.AsyncClient, gid: str) -> list[str]:
    token = (await credentials(sim))["shopify"]["access_token"]
    query = (
        "query($id: ID!) { customer(id: $id) { orders(first: 10, sortKey: PROCESSED_AT, "
        "reverse: true) { nodes { name } } } }"
    )
    response = await sim.post(
        "/shopify/admin/api/2025-01/graphql.json",
        json={"query": query, "variables": {"id": gid}},
        headers={"x-shopify-access-token": token},
    )
    return [n["name"] for n in response.json()["data"]["customer"]["orders"]["nodes"]]


async def test_a_customer_answers_with_their_company_orders_and_events(
    sim: httpx.AsyncClient, post: Post, people: list[dict[str, Any]]
) -> None:
    person = everywhere(people)[0]
    ids = person["external_ids"]

    body = await post(GRAPH, email=person["email"])

    assert "errors" not in body, body["errors"]
    customer = body["data"]["customer"]
    company_id = await hubspot_primary_company(sim, ids["hubspot"])
    assert company_id is not None
    assert {"platform": "HUBSPOT", "externalId": company_id} in customer["company"]["sources"]
    assert customer["company"]["id"].startswith("com_")
    assert person["email"] in [c["email"] for c in customer["company"]["customers"]]
    assert [o["name"] for o in customer["orders"]] == await shopify_orders(sim, ids["shopify"])
    assert customer["totalSpent"]["currencyCode"] == "USD"
    assert customer["engagement"] is not None
    events = customer["events"]
    assert {e["platform"] for e in events} >= {"MARKETO", "SHOPIFY"}
    times = [e["occurredAt"] for e in events]
    assert times == sorted(times, reverse=True), "events are newest first"


async def test_events_keep_only_the_asked_types(post: Post, people: list[dict[str, Any]]) -> None:
    email = everywhere(people)[0]["email"]
    query = """query($email: String!, $types: [EventType!]) {
      customer(email: $email) { events(first: 100, types: $types) { type } } }"""

    every = (await post(query, email=email))["data"]["customer"]["events"]
    orders = (await post(query, email=email, types=["ORDER_PLACED"]))["data"]["customer"]["events"]

    assert orders
    assert {e["type"] for e in orders} == {"ORDER_PLACED"}
    assert len(orders) == sum(1 for e in every if e["type"] == "ORDER_PLACED")


async def test_an_order_is_attributed_to_the_campaign_with_its_utm_value(
    post: Post, people: list[dict[str, Any]]
) -> None:
    shoppers = [p for p in people if "shopify" in p["external_ids"]]
    orders = []
    for person in shoppers[:15]:
        body = await post(GRAPH, email=person["email"])
        orders += body["data"]["customer"]["orders"]

    attributed = [o for o in orders if o["campaign"] is not None]
    assert attributed, "the seeded shop has orders from email campaigns"
    campaigns = await post("{ campaigns(first: 100) { edges { node { id utmCampaign sentAt } } } }")
    listed = [e["node"] for e in campaigns["data"]["campaigns"]["edges"]]
    sent = {c["id"]: datetime.fromisoformat(c["sentAt"]) for c in listed if c["sentAt"]}
    for order in attributed:
        assert order["campaign"]["utmCampaign"].lower() == order["utmCampaign"].lower()
        assert order["campaign"]["attributedOrders"] >= 1
        placed = datetime.fromisoformat(order["placedAt"])
        assert sent[order["campaign"]["id"]] < placed <= sent[order["campaign"]["id"]] + WINDOW
    for order in orders:
        if order["campaign"] is None and order["utmCampaign"]:
            placed = datetime.fromisoformat(order["placedAt"])
            for campaign in listed:
                if campaign["utmCampaign"] == order["utmCampaign"] and campaign["sentAt"]:
                    opened = sent[campaign["id"]]
                    assert not opened < placed <= opened + WINDOW, "in the window, yet unclaimed"


async def test_attributed_orders_and_revenue_add_up_over_the_shop(post: Post) -> None:
    body = await post(
        "{ campaigns(first: 100) { totalCount edges { node { name status sentAt "
        "stats { sent openRate } attributedOrders attributedRevenue { amount currencyCode } } } } }"
    )

    assert "errors" not in body
    nodes = [edge["node"] for edge in body["data"]["campaigns"]["edges"]]
    assert len(nodes) == body["data"]["campaigns"]["totalCount"] > 0
    sent = [n["sentAt"] for n in nodes if n["sentAt"]]
    assert sent == sorted(sent, reverse=True)
    for node in nodes:
        if node["attributedOrders"]:
            assert float(node["attributedRevenue"]["amount"]) > 0
            assert node["attributedRevenue"]["currencyCode"] == "USD"
        else:
            assert node["attributedRevenue"] is None
    assert sum(n["attributedOrders"] for n in nodes) > 0


async def test_campaign_pages_cover_every_campaign_once(post: Post) -> None:
    query = """query($after: String) {
      campaigns(first: 3, after: $after) { totalCount edges { cursor node { id } }
                                          pageInfo { hasNextPage endCursor } } }"""
    seen: list[str] = []
    after = None
    while True:
        page = (await post(query, after=after))["data"]["campaigns"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert len(seen) == len(set(seen)) == page["totalCount"]
    bad = await post(query, after="not-a-cursor")
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_node_resolves_every_type_by_its_prefixed_id(
    post: Post, people: list[dict[str, Any]]
) -> None:
    customer = (await post(GRAPH, email=everywhere(people)[0]["email"]))["data"]["customer"]
    campaigns = await post("{ campaigns(first: 1) { edges { node { id } } } }")
    deals = await _some_deals(post, people)
    ids = {
        "Customer": customer["id"],
        "Company": customer["company"]["id"],
        "Order": customer["orders"][0]["id"],
        "Deal": deals[0]["id"],
        "Campaign": campaigns["data"]["campaigns"]["edges"][0]["node"]["id"],
    }
    query = "query($id: ID!) { node(id: $id) { __typename id } }"

    for typename, node_id in ids.items():
        body = await post(query, id=node_id)
        assert body == {"data": {"node": {"__typename": typename, "id": node_id}}}
    for unknown in (
        "com_aHVic3BvdDo5OTk5OTk5",
        "ord_bm9wZQ",
        "deal_",
        "nothing",
        "cus_" + "a" * 26,
    ):
        assert await post(query, id=unknown) == {"data": {"node": None}}


async def test_a_company_by_domain_is_the_company_by_id(
    post: Post, people: list[dict[str, Any]]
) -> None:
    company = (await post(GRAPH, email=everywhere(people)[0]["email"]))["data"]["customer"][
        "company"
    ]
    query = "query($d: String, $i: ID) { company(domain: $d, id: $i) { id name domain } }"

    by_domain = (await post(query, d=company["domain"].upper()))["data"]["company"]
    by_id = (await post(query, i=company["id"]))["data"]["company"]

    assert by_domain["domain"] == by_id["domain"] == company["domain"]
    assert by_id["id"] == company["id"]
    assert (await post(query, d="nobody-holds-this.example"))["data"]["company"] is None
    both = await post(query, d="a.com", i=company["id"])
    assert both["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_salesforce_deals_belong_to_the_customers_account(
    post: Post, people: list[dict[str, Any]]
) -> None:
    deals = await _some_deals(post, people, platform="SALESFORCE")

    assert deals, "some seeded Salesforce contacts have Opportunities"
    for deal in deals:
        assert deal["company"] is not None
        assert deal["company"]["id"].startswith("com_")


async def _some_deals(
    post: Post, people: list[dict[str, Any]], platform: str | None = None
) -> list[dict[str, Any]]:
    query = """{ customers(first: 100) { edges { node {
      deals(first: 100) { id sources { platform } company { id } } } } } }"""
    body = await post(query)
    return [
        deal
        for edge in body["data"]["customers"]["edges"]
        for deal in edge["node"]["deals"]
        if platform is None or deal["sources"][0]["platform"] == platform
    ]
