"""The Marketo simulator in-process, and a connector on it with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from connectors.marketo import MarketoConnector, client_credentials_auth
from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

SIM = "http://sim.test"
BASE = f"{SIM}/marketo"
TTL = 3600


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def marketo_app(clock: ManualClock) -> Any:
    return create_app(SimConfig(people=60, rate_limits="off", token_ttl=TTL), clock=clock)


@pytest.fixture
async def http(marketo_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=marketo_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


@pytest.fixture
async def creds(http: httpx.AsyncClient) -> dict[str, str]:
    found: dict[str, str] = (await http.get(f"{SIM}/_sim/credentials")).json()["marketo"]
    return found


@pytest.fixture
def marketo(http: httpx.AsyncClient, creds: dict[str, str], clock: ManualClock) -> MarketoConnector:
    auth = client_credentials_auth(
        http, creds["client_id"], creds["client_secret"], clock=clock.now
    )
    since = datetime.fromisoformat(creds["leads_created_since"])

    async def wait(seconds: float) -> None:  # a bulk export's polls wait on the test's clock
        clock.advance(seconds)

    return MarketoConnector(http, auth, clock=clock.now, created_since=since, sleep=wait)


async def held_leads(http: httpx.AsyncClient) -> dict[str, str]:
    """Ground truth: seeded email -> Marketo lead id, for the people Marketo holds."""
    people = (await http.get(f"{SIM}/_sim/people", params={"limit": 1000})).json()["people"]
    return {
        p["email"]: p["external_ids"]["marketo"] for p in people if "marketo" in p["external_ids"]
    }


async def token_for(http: httpx.AsyncClient, creds: dict[str, str]) -> str:
    """A token fetched by hand, for the tests that send raw requests."""
    answer = await http.get(
        "/identity/oauth/token",
        params={
            "grant_type": "client_credentials",
            **{k: creds[k] for k in ("client_id", "client_secret")},
        },
    )
    token: str = answer.json()["access_token"]
    return token


async def fault(http: httpx.AsyncClient, **spec: object) -> None:
    answer = await http.post(f"{SIM}/_sim/faults", json={"platform": "marketo", **spec})
    assert answer.is_success, answer.text


async def stats(http: httpx.AsyncClient) -> dict[str, Any]:
    found: dict[str, Any] = (await http.get(f"{SIM}/_sim/stats")).json()["marketo"]
    return found
