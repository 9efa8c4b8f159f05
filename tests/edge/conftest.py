"""The gateway over all five in-process simulators, in either profile, in-process or on a
real socket (uvicorn in the test's own event loop), for the edge suites."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from access.scopes import ALL_SCOPES
from cache.rate_rules import LimitSettings
from canonical_schema import Platform
from gateway.app import create_app
from gateway.security.api_keys import ApiKeyStore
from gateway.servers import free_port
from gateway.settings import Settings
from gateway.simulated import with_simulators

SIM_BASE = "http://sim.test"
Profile = Literal["serve", "demo"]
MakeApp = Callable[..., Any]


@pytest.fixture
async def make_app(sim_app: object, sim: httpx.AsyncClient, database_url: str) -> MakeApp:
    """Builds a gateway app over the simulators; keyword arguments go to `Settings`."""
    credentials = (await sim.get("/_sim/credentials")).json()
    no_retries = {platform.value: LimitSettings(retry_delays=()) for platform in Platform}

    def build(profile: Profile = "serve", **overrides: Any) -> Starlette:
        settings = with_simulators(
            Settings(database_url=database_url, limits=no_retries, profile=profile, **overrides),
            SIM_BASE,
            credentials,
        )
        return create_app(settings, transport=httpx.ASGITransport(app=sim_app))  # type: ignore[arg-type]

    return build


@asynccontextmanager
async def in_process(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client for `app` over an ASGI transport, the app's lifespan running around it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4711))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield client


@asynccontextmanager
async def on_a_socket(app: Starlette) -> AsyncIterator[str]:
    """`app` served by uvicorn on a free local port in this event loop; yields its URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started or task.done():
                break
            await asyncio.sleep(0.02)
        if not server.started:
            await task  # raises what stopped it
            pytest.fail("uvicorn did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def api_key(app: Starlette, scopes: frozenset[str] = ALL_SCOPES) -> str:
    """A new API key for the running `app` (its lifespan entered)."""
    _, key = await ApiKeyStore(app.state.services.store).create("edge-tests", scopes)
    return key


@dataclass
class Served:
    """A serve-profile gateway in-process, and a key with every scope."""

    app: Starlette
    client: httpx.AsyncClient
    key: str

    def headers(self, **extra: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.key}", **extra}

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> httpx.Response:
        """POSTs JSON, accepting `application/graphql-response+json` unless told otherwise."""
        headers.setdefault("accept", "application/graphql-response+json")
        return await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=self.headers(**headers),
        )


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[Served]:
    async with in_process(app) as client:
        yield Served(app, client, await api_key(app))


@pytest.fixture
async def served(make_app: MakeApp) -> AsyncIterator[Served]:
    """The serve profile with its default edge settings."""
    async with serving(make_app("serve")) as found:
        yield found
