"""The number of upstream calls a query makes does not grow with the customers it returns.

`customers(first: N)` selecting company, deals, orders and engagement, for N = 10 and N = 50,
each on a fresh gateway, counted by the simulators' `/_sim/stats`: every platform with a
batch read makes exactly as many calls for 50 customers as for 10. Mailchimp has no batch
read of members, so its member reads are one per customer (at most 5 at a time) — pinned
too, so a change there is seen. Orders ask for 2 a customer: Shopify prices a query by what
it may return, and 50 customers with 2 orders each is the most one query may hold
(hub/graph_orders.py); at `orders(first: 10)` it holds 15. The gateway reads live (a default
freshness bound of 0): this is about the live path, not the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.resolvers.conftest import open_gateway

QUERY = """query($n: Int!) { customers(first: $n) { edges { node {
  email company { name } deals { name } orders(first: 2) { name } engagement { openRate }
} } } }"""


async def calls_for(
    n: int, sim_app: object, sim: httpx.AsyncClient, tmp_path: Path
) -> tuple[dict[str, dict[str, int]], int, int]:
    """Per platform, the calls by route for one query of `n` customers (token grants and
    Mailchimp's one-time audience check left out); how many customers came back; how many of
    them are in the Mailchimp audience."""
    database = f"sqlite+aiosqlite:///{tmp_path / f'calls-{n}.db'}"
    async with open_gateway(sim_app, sim, database, live=True) as gateway:
        await gateway.post("/graphql", json={"query": "{ campaigns(first: 1) { totalCount } }"})
        await sim.post("/_sim/reset")
        response = await gateway.post("/graphql", json={"query": QUERY, "variables": {"n": n}})
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    edges = body["data"]["customers"]["edges"]
    stats = (await sim.get("/_sim/stats")).json()
    counted = {
        platform: {
            route: calls
            for route, calls in found["requests_by_route"].items()
            if "token" not in route and route != "GET /3.0/lists/{list_id}"
        }
        for platform, found in stats.items()
    }
    in_audience = sum(1 for edge in edges if edge["node"]["engagement"] is not None)
    return counted, len(edges), in_audience


async def test_calls_do_not_grow_with_the_customers_returned(
    sim_app: object, sim: httpx.AsyncClient, tmp_path: Path
) -> None:
    ten, returned_ten, audience_ten = await calls_for(10, sim_app, sim, tmp_path)
    fifty, returned_fifty, audience_fifty = await calls_for(50, sim_app, sim, tmp_path)

    assert (returned_ten, returned_fifty) == (10, 50)
    for platform in ("hubspot", "salesforce", "shopify", "marketo"):
        assert fifty[platform] == ten[platform], platform
    member = "GET /3.0/lists/{list_id}/members/{subscriber_hash}"
    mailchimp_ten = {r: c for r, c in ten["mailchimp"].items() if r != member}
    mailchimp_fifty = {r: c for r, c in fifty["mailchimp"].items() if r != member}
    assert mailchimp_fifty == mailchimp_ten == {}
    assert ten["mailchimp"].get(member, 0) >= audience_ten
    assert fifty["mailchimp"].get(member, 0) - ten["mailchimp"].get(member, 0) >= (
        audience_fifty - audience_ten
    )


async def test_the_graph_fields_cost_their_batched_minimum(
    sim_app: object, sim: httpx.AsyncClient, tmp_path: Path
) -> None:
    fifty, _, _ = await calls_for(50, sim_app, sim, tmp_path)

    associations = "POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read"
    # contacts -> companies and contacts -> deals: one v4 batch read each.
    assert fifty["hubspot"][associations] == 2
    assert fifty["hubspot"]["POST /crm/v3/objects/companies/batch/read"] == 1
    assert fifty["hubspot"].get("POST /crm/v3/objects/deals/batch/read", 0) <= 1
    # Shopify: the customers by email, then every customer's orders in one query.
    assert sum(fifty["shopify"].values()) == 2
