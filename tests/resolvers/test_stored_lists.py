"""A page of customers on synced data is served from the store, whatever its size: Mailchimp
engagement is part of each member's stored record (synced `stats.avg_open_rate` and
`avg_click_rate`), and companies and orders are stored too (docs/adr/0067-entity-store.md),
so `customers(first: N) { company orders engagement }` makes no platform call, for N = 10
as for N = 40. `maxStaleness: 0` reads the page live: one member read per person in the
audience. Calls counted by the simulators (`/_sim/stats`)."""

from __future__ import annotations

from typing import Any

from tests.resolvers import test_freshness as freshness

world, sync = freshness.world, freshness.sync

PAGE = """query ($n: Int!, $stale: Int) { customers(first: $n, maxStaleness: $stale) {
  edges { node { email syncedAt engagement { openRate clickRate }
    company { name } orders(first: 2) { name } } } } }"""
MEMBER = "GET /3.0/lists/{list_id}/members/{subscriber_hash}"


async def page(world: dict[str, Any], n: int, stale: int | None = None) -> tuple[Any, dict]:
    """The page's customers, and the calls each platform took for it, by route."""
    sim = world["sim"]
    await sim.post("/_sim/reset")
    variables = {"n": n, "stale": stale}
    response = await world["gateway"].post("/graphql", json={"query": PAGE, "variables": variables})
    body = response.json()
    assert "errors" not in body, body["errors"]
    stats = (await sim.get("/_sim/stats")).json()
    routes = {p: found["requests_by_route"] for p, found in stats.items() if found["requests"]}
    return body["data"]["customers"]["edges"], routes


async def synced(world: dict[str, Any]) -> None:
    """Every platform synced and the shop's orders stored (the backfill a start begins)."""
    await sync(world)
    await world["app"].state.services.graph.attribution.backfill()


async def test_a_synced_page_with_company_orders_and_engagement_costs_no_call(
    world: dict[str, Any],
) -> None:
    await synced(world)
    ten, ten_calls = await page(world, 10)
    forty, forty_calls = await page(world, 40)

    assert (len(ten), len(forty)) == (10, 40)
    assert ten_calls == forty_calls == {}  # not one platform call, for 10 people or 40
    for field in ("company", "orders"):
        assert any(edge["node"][field] for edge in forty), field  # someone has one
    engaged = [edge["node"]["engagement"] for edge in forty if edge["node"]["engagement"]]
    assert engaged, "nobody on the page is in the Mailchimp audience"
    assert all(0 <= e["openRate"] <= 1 and 0 <= e["clickRate"] <= 1 for e in engaged)
    assert all(edge["node"]["syncedAt"] for edge in forty)


async def test_a_page_with_max_staleness_0_reads_live_with_the_same_answer(
    world: dict[str, Any],
) -> None:
    await synced(world)
    stored, _ = await page(world, 40)
    live, calls = await page(world, 40, stale=0)

    audience = sum(1 for edge in live if edge["node"]["engagement"] is not None)
    assert calls["mailchimp"][MEMBER] >= audience > 0  # one member read each, live
    assert {"hubspot", "shopify"} <= set(calls)  # companies and orders, live

    def answers(edges: Any) -> dict[str, Any]:
        kept = ("engagement", "company", "orders")
        return {e["node"]["email"]: {k: e["node"][k] for k in kept} for e in edges}

    assert answers(live) == answers(stored)


async def test_a_page_refuses_a_negative_max_staleness(world: dict[str, Any]) -> None:
    response = await world["gateway"].post(
        "/graphql", json={"query": PAGE, "variables": {"n": 5, "stale": -1}}
    )
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_rates_that_move_without_the_change_feed_are_stored_by_a_full_pass(
    world: dict[str, Any],
) -> None:
    """Opens and clicks move a member's rates without moving `last_changed` (the change
    feed's key): the incremental sync does not see them, a full pass (the scheduler makes one
    every `full_every_hours`) stores them, and a page then shows them without a call."""
    await synced(world)
    edges, _ = await page(world, 40)
    email = next(edge["node"]["email"] for edge in edges if edge["node"]["engagement"])
    member = world["sim_app"].state.sim.platforms["mailchimp"].store.find(email)
    member.avg_open_rate, member.avg_click_rate = 0.875, 0.125  # a campaign's opens came in

    await sync(world, full=True)
    after, calls = await page(world, 40)

    assert calls == {}
    [engagement] = [edge["node"]["engagement"] for edge in after if edge["node"]["email"] == email]
    assert engagement == {"openRate": 0.875, "clickRate": 0.125}
