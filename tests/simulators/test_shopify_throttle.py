"""The cost bucket: 2000 points, 100 a second, THROTTLED at HTTP 200, cost on every answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import httpx
import pytest

from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

GRAPHQL = "/shopify/admin/api/2025-01/graphql.json"
# 2 + 20 x (1 customer + 1 amountSpent) = 42 points, all of them used (60 people > 20 held).
QUERY = "{ customers(first: 20) { nodes { id amountSpent { amount } } } }"


@asynccontextmanager
async def client_for(
    rate_limits: Literal["real", "off"], clock: ManualClock
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SimConfig(people=60, rate_limits=rate_limits), clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        token = (await client.get("/_sim/credentials")).json()["shopify"]["access_token"]
        client.headers["X-Shopify-Access-Token"] = token
        yield client


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def sim(clock: ManualClock) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for("real", clock) as client:
        yield client


async def ask(sim: httpx.AsyncClient, query: str = QUERY) -> dict[str, Any]:
    response = await sim.post(GRAPHQL, json={"query": query})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_bucket_drains_throttles_at_200_then_restores(
    sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    first = await ask(sim)
    assert first["extensions"]["cost"] == {
        "requestedQueryCost": 42,
        "actualQueryCost": 42,
        "throttleStatus": {
            "maximumAvailable": 2000.0,
            "currentlyAvailable": 1958,
            "restoreRate": 100.0,
        },
    }
    served = 1
    while "data" in (body := await ask(sim)):
        served += 1
    assert served == 2000 // 42
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits",
            },
        }
    ]
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 42
    assert cost["actualQueryCost"] is None
    assert cost["throttleStatus"]["currentlyAvailable"] == 2000 - served * 42
    clock.advance(0.1)  # 10 points back: still short
    assert "data" not in await ask(sim)
    clock.advance(0.06)
    restored = await ask(sim)
    assert "data" in restored
    assert restored["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 0
    clock.advance(30)
    full = (await ask(sim))["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
    assert full == 2000 - 42


async def test_unused_cost_is_refunded(sim: httpx.AsyncClient) -> None:
    body = await ask(sim, '{ customers(first: 50, query: "id:0") { nodes { id } } }')
    cost = body["extensions"]["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (52, 2)
    assert cost["throttleStatus"]["currentlyAvailable"] == 1998


async def test_single_query_over_1000_is_refused(sim: httpx.AsyncClient) -> None:
    body = await ask(
        sim, "{ customers(first: 100) { nodes { orders(first: 10) { nodes { id } } } } }"
    )
    assert "data" not in body
    error = body["errors"][0]
    assert error["extensions"] == {"code": "MAX_COST_EXCEEDED", "cost": 1302, "maxCost": 1000}
    assert error["message"].startswith("Query cost is 1302, which exceeds the single query max")


async def test_limits_off_never_throttle_but_report_cost(clock: ManualClock) -> None:
    async with client_for("off", clock) as sim:
        for _ in range(60):
            body = await ask(sim)
            assert "data" in body
        assert body["extensions"]["cost"]["requestedQueryCost"] == 42
