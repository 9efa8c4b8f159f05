"""`customers(first, after, filter)` and `triggerSync` through the graph, over all five
simulated platforms: a sync started from the graph fills the index the list pages over."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import Settings
from gateway.simulated import with_simulators
from hub.store_reads import ReadSettings
from sync_jobs.sync_settings import SyncSettings
from tests.sync_jobs.sync_services import SIM, ground_truth

PAGE = """query($first: Int, $after: String, $filter: CustomerFilter) {
  customers(first: $first, after: $after, filter: $filter) {
    totalCount edges { cursor node { email sources { platform } } }
    pageInfo { hasNextPage endCursor } } }"""
TRIGGER = """mutation($platform: Platform, $full: Boolean) {
  triggerSync(platform: $platform, full: $full) {
    id platform full status recordsRead recordsWritten startedAt finishedAt } }"""
FOLLOW = "query($id: ID!) { syncRun(id: $id) { status recordsRead recordsWritten finishedAt } }"


async def gateway_for(
    sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path, platforms: str = "all"
) -> AsyncIterator[httpx.AsyncClient]:
    settings = with_simulators(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'g.db'}",
            platforms=platforms,
            sync=SyncSettings(schedule=False, retry_delays=()),
        ),
        SIM,
        (await sim.get("/_sim/credentials")).json(),
    )
    app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
            yield client


@pytest.fixture
async def graph(sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path) -> AsyncIterator[Any]:
    async for client in gateway_for(sim_app, sim, tmp_path):
        yield poster(client)


def poster(client: httpx.AsyncClient) -> Any:
    async def post(query: str, **variables: object) -> dict[str, Any]:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
        body: dict[str, Any] = response.json()
        return body

    return post


async def synced(graph: Any) -> dict[str, Any]:
    run = (await graph(TRIGGER, full=True))["data"]["triggerSync"]
    # What a caller can rely on: the run asked for, which has not failed. How far a runner
    # got with it before the answer was written (QUEUED, RUNNING) is a race it may lose.
    assert (run["platform"], run["full"]) == (None, True)
    assert run["status"] in ("QUEUED", "RUNNING", "SUCCEEDED"), run
    give_up = time.monotonic() + 120  # a bound for a hung run, not a speed requirement
    while time.monotonic() < give_up:
        followed: dict[str, Any] = (await graph(FOLLOW, id=run["id"]))["data"]["syncRun"]
        if followed["finishedAt"] is not None:
            assert followed["status"] == "SUCCEEDED", followed
            return followed
        await asyncio.sleep(0.02)
    raise AssertionError("the sync did not finish")


async def walk(graph: Any, first: int, wanted: dict[str, Any] | None) -> tuple[list[str], int]:
    emails: list[str] = []
    after, totals = None, set()
    while True:
        body = await graph(PAGE, first=first, after=after, filter=wanted)
        assert "errors" not in body, body["errors"]
        page = body["data"]["customers"]
        totals.add(page["totalCount"])
        emails += [edge["node"]["email"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            assert len(totals) == 1
            return emails, totals.pop()
        after = page["pageInfo"]["endCursor"]


async def test_trigger_sync_then_page_each_filter(graph: Any, sim: httpx.AsyncClient) -> None:
    run = await synced(graph)
    people = await ground_truth(sim)
    assert run["status"] == "SUCCEEDED"
    assert run["recordsWritten"] > len(people)

    emails, total = await walk(graph, 40, None)
    assert sorted(emails) == sorted(p["email"] for p in people)
    assert total == len(people)

    held = sorted(p["email"] for p in people if "marketo" in p["external_ids"])
    emails, total = await walk(graph, 15, {"platform": "MARKETO"})
    assert sorted(emails) == held
    assert total == len(held)

    domain = people[1]["email"].split("@")[1]
    at = sorted(p["email"] for p in people if p["email"].endswith("@" + domain))
    emails, total = await walk(graph, 2, {"emailDomain": domain})
    assert sorted(emails) == at
    assert total == len(at)

    emails, total = await walk(graph, 10, {"lifecycleStage": "LEAD", "platform": "HUBSPOT"})
    assert total == len(emails) > 0

    emails, total = await walk(graph, 10, {"updatedSince": "2999-01-01T00:00:00Z"})
    assert (emails, total) == ([], 0)


async def test_bad_list_arguments_are_user_errors(graph: Any) -> None:
    await synced(graph)
    first = (await graph(PAGE, first=3))["data"]["customers"]["pageInfo"]["endCursor"]
    for variables in (
        {"first": 3, "after": first, "filter": {"platform": "SHOPIFY"}},
        {"first": 3, "after": "not-a-cursor"},
        {"first": 3, "filter": {"emailDomain": "x@y"}},
        {"first": 0},
    ):
        body = await graph(PAGE, **variables)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", variables


async def test_trigger_sync_of_a_platform_not_connected_is_a_user_error(
    sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path
) -> None:
    async for client in gateway_for(sim_app, sim, tmp_path, platforms="hubspot"):
        query = {"query": TRIGGER, "variables": {"platform": "MARKETO"}}
        body = (await client.post("/graphql", json=query)).json()
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "MARKETO is not connected" in body["errors"][0]["message"]


async def hubspot_calls(sim: httpx.AsyncClient) -> dict[str, int]:
    found: dict[str, int] = (await sim.get("/_sim/stats")).json()["hubspot"]["requests_by_route"]
    return {route: calls for route, calls in found.items() if "token" not in route}


async def test_a_page_through_the_index_costs_what_the_platform_page_costs(
    sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path
) -> None:
    """Live (cache off, maxStaleness 0): once sync has filled the index, a page of 100 is one
    batch read, as the platform's own page was one list call; concurrent pages make one call
    each at most (the same page asked at once is read once) (issue 22)."""
    settings = with_simulators(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'live.db'}",
            platforms="hubspot",
            cache="off",
            read=ReadSettings(max_staleness_seconds=0),
            sync=SyncSettings(schedule=False, retry_delays=()),
        ),
        SIM,
        (await sim.get("/_sim/credentials")).json(),
    )
    query = "{ customers(first: 100) { edges { node { email firstName } } } }"
    app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
            graph = poster(client)
            await sim.post("/_sim/reset")
            listed = await graph(query)
            from_platform = await hubspot_calls(sim)
            await synced(graph)

            await sim.post("/_sim/reset")
            indexed = await asyncio.gather(*(graph(query) for _ in range(8)))
            from_index = await hubspot_calls(sim)

    assert from_platform == {"GET /crm/v3/objects/contacts": 1}
    assert len(listed["data"]["customers"]["edges"]) == 100
    assert set(from_index) == {"POST /crm/v3/objects/contacts/batch/read"}
    assert 1 <= from_index["POST /crm/v3/objects/contacts/batch/read"] <= len(indexed)
    for body in indexed:
        assert "errors" not in body, body["errors"]
        assert len(body["data"]["customers"]["edges"]) == 100
