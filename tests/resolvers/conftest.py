"""The gateway in-process over all five in-process simulators, for the graph's tests.

Retries are off, so an injected fault fails a read at once instead of waiting out the
retry schedule; everything else is as the gateway runs."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from cache.rate_rules import LimitSettings
from canonical_schema import Platform
from gateway.app import create_app
from gateway.settings import Settings
from gateway.simulated import with_simulators
from hub.store_reads import ReadSettings

SIM_BASE = "http://sim.test"  # where tests/conftest.py serves the simulators
Post = Callable[..., Awaitable[dict[str, Any]]]


@asynccontextmanager
async def open_gateway(
    sim_app: object, sim: httpx.AsyncClient, database_url: str, *, live: bool = False
) -> AsyncIterator[httpx.AsyncClient]:
    """A fresh gateway (its own store and caches) over every simulated platform; `live`:
    every read goes live (a default freshness bound of 0), for tests of the live path."""
    credentials = (await sim.get("/_sim/credentials")).json()
    no_retries = {platform.value: LimitSettings(retry_delays=()) for platform in Platform}
    read = ReadSettings(max_staleness_seconds=0) if live else ReadSettings()
    settings = with_simulators(
        Settings(database_url=database_url, limits=no_retries, read=read), SIM_BASE, credentials
    )
    app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield client


@pytest.fixture
async def gateway_all(
    sim_app: object, sim: httpx.AsyncClient, database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    async with open_gateway(sim_app, sim, database_url) as client:
        yield client


@pytest.fixture
def post(gateway_all: httpx.AsyncClient) -> Post:
    """POST an operation to the five-platform gateway; the decoded JSON body."""

    async def send(query: str, **variables: object) -> dict[str, Any]:
        response = await gateway_all.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return send


@pytest.fixture
async def people(sim: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Ground truth: every seeded person with their external id on each platform."""
    found: list[dict[str, Any]] = (await sim.get("/_sim/people", params={"limit": 1000})).json()[
        "people"
    ]
    return found


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store of each kind the gateway supports: a SQLite file, and a PostgreSQL database of
    its own (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'mgw.db'}"
        return
    base: str = request.getfixturevalue("postgres_url")
    name = f"mgw_store_{uuid.uuid4().hex[:10]}"

    async def run(statement: str) -> None:
        connection = await asyncpg.connect(base.replace("+asyncpg", ""))
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run(f"CREATE DATABASE {name}"))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(run(f"DROP DATABASE {name} WITH (FORCE)"))
