"""Attribution after a restart: a gateway started again over the same store answers the
campaigns query with attribution on its first request, reading the shop only for what changed
(fewer than 10 Shopify calls), on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest

from gateway.app import create_app as create_gateway
from gateway.settings import Settings
from gateway.simulated import with_simulators
from tests.waiting import eventually

SIM = "http://sim.test"
SHOPIFY_CALLS = ("POST /admin/api/2025-01/graphql.json", "GET /bulk-operation-results")
CAMPAIGNS = """{ campaigns(first: 20) { edges { node {
  name sentAt attributedOrders attributedRevenue { amount currencyCode } } } } }"""


@asynccontextmanager
async def gateway(
    sim_app: object, sim: httpx.AsyncClient, database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    credentials = (await sim.get("/_sim/credentials")).json()
    settings = Settings(database_url=database_url, platforms="shopify,mailchimp")
    app = create_gateway(
        with_simulators(settings, SIM, credentials),
        transport=httpx.ASGITransport(app=sim_app),  # type: ignore[arg-type]
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
            yield client


async def ask(client: httpx.AsyncClient) -> dict[str, Any]:
    body: dict[str, Any] = (await client.post("/graphql", json={"query": CAMPAIGNS})).json()
    return body


def tallies(body: dict[str, Any]) -> list[int | None]:
    return [edge["node"]["attributedOrders"] for edge in body["data"]["campaigns"]["edges"]]


async def shopify_calls(sim: httpx.AsyncClient) -> int:
    routes = (await sim.get("/_sim/stats")).json()["shopify"]["requests_by_route"]
    return sum(n for route, n in routes.items() if route.startswith(SHOPIFY_CALLS))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store_url(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[str]:
    """The SQLite file, or a PostgreSQL database of its own (dropped afterwards)."""
    if request.param == "sqlite":
        yield database_url
        return
    postgres_url: str = request.getfixturevalue("postgres_url")
    name = f"mgw_attr_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(postgres_url.replace("+asyncpg", ""))
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()


async def test_campaigns_answer_with_attribution_at_once_after_a_restart(
    sim_app: object, sim: httpx.AsyncClient, store_url: str
) -> None:
    async with gateway(sim_app, sim, store_url) as first:
        answers: list[dict[str, Any]] = []

        async def stored() -> bool:
            answers.append(await ask(first))
            return None not in tallies(answers[-1])

        assert await eventually(stored, every=0.1), "the shop's orders were never stored"
        known = answers[-1]
    await sim.post("/_sim/reset")

    async with gateway(sim_app, sim, store_url) as again:
        answered = await ask(again)
        calls = await shopify_calls(sim)

    assert "errors" not in answered, answered
    assert None not in tallies(answered), "known on the first request after the restart"
    assert tallies(answered) == tallies(known)
    assert sum(n or 0 for n in tallies(answered)) > 0
    assert calls < 10, f"{calls} Shopify calls after the restart"


async def test_a_fresh_store_never_answers_zero_with_an_error(
    sim_app: object, sim: httpx.AsyncClient, database_url: str
) -> None:
    await sim.post("/_sim/faults", json={"platform": "shopify", "error_rate": 1.0, "status": 503})
    async with gateway(sim_app, sim, database_url) as client:
        body = await ask(client)

    assert set(tallies(body)) == {None}, "unknown, not 0"
    codes = {error["extensions"]["code"] for error in body["errors"]}
    assert codes == {"UPSTREAM_UNAVAILABLE"}, body["errors"]
