from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from simulators import SimConfig
from simulators.core.clock import ManualClock

TYPES = "/rest/v1/activities/types.json"


@pytest.fixture
async def mk(app: Starlette, sim: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    creds = (await sim.get("/_sim/credentials")).json()["marketo"]
    params = {"grant_type": "client_credentials", **creds}
    token = (await sim.get("/marketo/identity/oauth/token", params=params)).json()["access_token"]
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sim/marketo", headers=headers
    ) as client:
        yield client


def codes(responses: list[httpx.Response]) -> list[str | None]:
    assert all(r.status_code == 200 for r in responses)
    return [None if r.json()["success"] else r.json()["errors"][0]["code"] for r in responses]


async def test_eleventh_concurrent_call_gets_one_615(
    mk: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    await sim.post("/_sim/faults", json={"platform": "marketo", "latency_ms": 30})
    responses = await asyncio.gather(*(mk.get(TYPES) for _ in range(11)))
    got = codes(list(responses))
    assert got.count("615") == 1
    assert got.count(None) == 10
    refused = next(r.json() for r in responses if not r.json()["success"])
    assert refused["errors"][0]["message"] == "Concurrent access limit reached"
    assert (await sim.get("/_sim/stats")).json()["marketo"]["max_in_flight"] == 11
    await sim.delete("/_sim/faults")
    ten = await asyncio.gather(*(mk.get(TYPES) for _ in range(10)))
    assert codes(list(ten)) == [None] * 10


async def test_101st_call_in_20_seconds_is_606(mk: httpx.AsyncClient, clock: ManualClock) -> None:
    for _ in range(100):
        assert (await mk.get(TYPES)).json()["success"] is True
        clock.advance(0.1)
    refused = await mk.get(TYPES)
    assert codes([refused]) == ["606"]
    assert (
        refused.json()["errors"][0]["message"] == "Max rate limit '100' exceeded with in '20' secs"
    )
    clock.advance(10.5)  # the first call left the rolling window
    assert (await mk.get(TYPES)).json()["success"] is True


async def test_daily_quota_is_607_until_the_day_turns(
    app: Starlette, mk: httpx.AsyncClient, sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    app.state.sim.platforms["marketo"].limits.daily_quota = 3
    got = codes([await mk.get(TYPES) for _ in range(4)])
    assert got == [None, None, None, "607"]
    clock.advance(86_400)
    assert codes([await mk.get(TYPES)]) == ["602"]  # a day outlives the token too
    creds = (await sim.get("/_sim/credentials")).json()["marketo"]
    params = {"grant_type": "client_credentials", **creds}
    fresh = (await sim.get("/marketo/identity/oauth/token", params=params)).json()
    headers = {"Authorization": f"Bearer {fresh['access_token']}"}
    assert (await mk.get(TYPES, headers=headers)).json()["success"] is True


@pytest.mark.parametrize("config", [SimConfig(people=5, rate_limits="off")])
async def test_off_never_limits(mk: httpx.AsyncClient, sim: httpx.AsyncClient) -> None:
    assert codes([await mk.get(TYPES) for _ in range(120)]) == [None] * 120
    await sim.post("/_sim/faults", json={"platform": "marketo", "latency_ms": 20})
    assert codes(list(await asyncio.gather(*(mk.get(TYPES) for _ in range(12))))) == [None] * 12
    assert (await sim.get("/_sim/stats")).json()["marketo"]["max_requests_in_window"] == 132


async def test_only_413_and_414_are_http_errors(mk: httpx.AsyncClient) -> None:
    long_filter = ",".join(f"someone{i}@example.com" for i in range(400))
    too_long = await mk.get("/rest/v1/leads.json", params={"filterValues": long_filter})
    assert too_long.status_code == 414
    big = {"input": [{"email": "x@example.com", "company": "x" * (1024 * 1024)}]}
    assert (await mk.post("/rest/v1/leads.json", json=big)).status_code == 413
    assert codes([await mk.get("/rest/v1/nowhere.json")]) == ["610"]
    assert codes([await mk.delete("/rest/v1/leads.json")]) == ["605"]


async def test_injected_fault_keeps_marketo_envelope(
    mk: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    await sim.post("/_sim/faults", json={"platform": "marketo", "error_rate": 1.0, "status": 503})
    response = await mk.get(TYPES)
    assert response.status_code == 503
    assert response.json()["errors"][0]["code"] == "608"


async def test_drift_retypes_or_renames_lead_fields(
    mk: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    people = (await sim.get("/_sim/people")).json()["people"]
    email = next(p["email"] for p in people if "marketo" in p["external_ids"])
    params = {"filterType": "email", "filterValues": email, "fields": "leadScore,updatedAt"}
    await sim.post("/_sim/faults", json={"platform": "marketo", "drift_rate": 1.0})
    shapes = set()
    for _ in range(8):
        row = (await mk.get("/rest/v1/leads.json", params=params)).json()["result"][0]
        shapes.add((type(row["leadScore"]).__name__, "updatedAt" in row, "updated_at" in row))
    assert shapes == {("str", True, False), ("int", False, True)}
