"""`Query.integrations` and a HubSpot outage as a client sees it: the breaker opens, reads
answer at once with the other platforms' data and HubSpot's last known values, and everything
recovers by itself once HubSpot does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cache.rate_rules import LimitSettings
from gateway.app import create_app
from gateway.settings import Settings
from gateway.simulated import with_simulators
from hub.store_reads import ReadSettings

SIM = "http://sim.test"
CUSTOMER = """query ($email: String!) { customer(email: $email) {
  email lifecycleStage displayName sources { platform externalId } fieldSources { field platform }
} }"""
INTEGRATIONS = """{ integrations { platform status authValid circuit lastSyncAt freshnessSeconds
  rateLimit { limit remaining windowSeconds } } }"""
OUTAGE = {"platform": "hubspot", "error_rate": 1.0, "status": 503}


@pytest.fixture
async def client(sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path) -> AsyncIterator[Any]:
    credentials = (await sim.get("/_sim/credentials")).json()
    settings = with_simulators(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'mgw.db'}",
            platforms="hubspot,salesforce",
            cache="memory",
            cache_ttl_seconds=0,  # every read goes upstream; the last answer stays as stale
            read=ReadSettings(max_staleness_seconds=0),  # the live path, not the store
            limits={
                "hubspot": LimitSettings(
                    # open long enough for the reads below to find it open on a loaded machine
                    retry_delays=(0.01,),
                    breaker_min_calls=4,
                    breaker_open_seconds=3,
                )
            },
        ),
        SIM,
        credentials,
    )
    app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:

            async def post(query: str, **variables: Any) -> dict[str, Any]:
                response = await http.post(
                    "/graphql", json={"query": query, "variables": variables}
                )
                body: dict[str, Any] = response.json()
                return body

            yield post


async def people_in_both(sim: httpx.AsyncClient) -> list[str]:
    people = (await sim.get("/_sim/people", params={"limit": 200})).json()["people"]
    return [p["email"] for p in people if {"hubspot", "salesforce"} <= set(p["external_ids"])]


async def hubspot_calls(sim: httpx.AsyncClient) -> int:
    calls: int = (await sim.get("/_sim/stats")).json()["hubspot"]["requests"]
    return calls


def by_platform(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["platform"]: i for i in body["data"]["integrations"]}


async def test_every_connected_platform_reports_its_health_and_budget(client) -> None:
    found = by_platform(await client(INTEGRATIONS))
    assert set(found) == {"HUBSPOT", "SALESFORCE"}
    hubspot = found["HUBSPOT"]
    assert hubspot["status"] == "HEALTHY"
    assert hubspot["circuit"] == "CLOSED"
    assert hubspot["authValid"] is True
    assert hubspot["lastSyncAt"] is None
    assert hubspot["rateLimit"]["limit"] == 100
    assert hubspot["rateLimit"]["windowSeconds"] == pytest.approx(10.25)
    assert found["SALESFORCE"]["rateLimit"]["windowSeconds"] == 86_400

    await client(CUSTOMER, email="someone@example.com")
    after = by_platform(await client(INTEGRATIONS))["HUBSPOT"]["rateLimit"]
    assert after["remaining"] < hubspot["rateLimit"]["remaining"]


async def test_a_hubspot_outage_opens_the_breaker_and_heals_by_itself(client, sim) -> None:
    cached, never_cached = (await people_in_both(sim))[:2]
    before = await client(CUSTOMER, email=cached)
    assert "errors" not in before

    await sim.post("/_sim/faults", json=OUTAGE)
    for _ in range(5):  # each read fails HubSpot twice (a call and its retry)
        degraded = await client(CUSTOMER, email=cached)
        if "circuit open" in degraded["errors"][0]["message"]:
            break
    else:
        pytest.fail(f"the breaker did not open: {degraded}")
    assert by_platform(await client(INTEGRATIONS))["HUBSPOT"]["circuit"] == "OPEN"

    calls = await hubspot_calls(sim)
    stale = await client(CUSTOMER, email=cached)
    partial = await client(CUSTOMER, email=never_cached)
    assert await hubspot_calls(sim) == calls  # answered without calling HubSpot
    assert stale["data"] == before["data"]  # HubSpot's part from the stale copy
    [error] = stale["errors"]
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert error["extensions"]["platform"] == "HUBSPOT"
    assert "circuit open" in error["message"]
    assert [s["platform"] for s in partial["data"]["customer"]["sources"]] == ["SALESFORCE"]
    hubspot = by_platform(await client(INTEGRATIONS))["HUBSPOT"]
    assert (hubspot["status"], hubspot["circuit"]) == ("DOWN", "OPEN")

    await sim.delete("/_sim/faults")
    give_up = time.monotonic() + 60  # a bound for a breaker that never closes, not a speed bar
    while True:
        await asyncio.sleep(0.1)
        healed = await client(CUSTOMER, email=never_cached)
        if "errors" not in healed:
            break
        if time.monotonic() > give_up:
            pytest.fail(f"HubSpot did not come back: {healed}")
    assert {s["platform"] for s in healed["data"]["customer"]["sources"]} == {
        "HUBSPOT",
        "SALESFORCE",
    }
    hubspot = by_platform(await client(INTEGRATIONS))["HUBSPOT"]
    assert (hubspot["status"], hubspot["circuit"]) == ("HEALTHY", "CLOSED")
