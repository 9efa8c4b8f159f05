"""Simulator fixtures: one app per test, driven by a manual clock, reached in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

PAT = "pat-sim-hubspot-0001"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def config() -> SimConfig:
    return SimConfig(people=50)


@pytest.fixture
def app(config: SimConfig, clock: ManualClock) -> Starlette:
    return create_app(config, clock=clock)


@pytest.fixture
async def sim(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """The whole app, no credentials: for `/_sim` and raw calls."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        yield client


@pytest.fixture
async def hs(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A HubSpot client as a connector holds one: base URL the prefix, private-app token."""
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {PAT}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sim/hubspot", headers=headers
    ) as client:
        yield client


@pytest.fixture
async def mk(app: Starlette, sim: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the Marketo simulator's REST API, with a fresh access token."""
    creds = (await sim.get("/_sim/credentials")).json()["marketo"]
    params = {"grant_type": "client_credentials", **creds}
    token = (await sim.get("/marketo/identity/oauth/token", params=params)).json()["access_token"]
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sim/marketo", headers=headers
    ) as client:
        yield client
