"""The Salesforce simulator in-process, on a clock the tests move, and a connector on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from connectors.salesforce import SalesforceConnector, SalesforceSession
from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

SIM = "http://sim.test"
LOGIN = f"{SIM}/salesforce"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim_app(clock: ManualClock) -> object:
    return create_app(SimConfig(seed=7, people=120, rate_limits="off"), clock=clock)


@pytest.fixture
async def http(sim_app: object) -> AsyncIterator[httpx.AsyncClient]:
    """One client for the control API and the connector, as the gateway shares one."""
    transport = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=SIM) as client:
        yield client


@pytest.fixture
async def creds(http: httpx.AsyncClient) -> dict[str, str]:
    found: dict[str, str] = (await http.get("/_sim/credentials")).json()["salesforce"]
    return found


@pytest.fixture
def session(
    http: httpx.AsyncClient, creds: dict[str, str], clock: ManualClock
) -> SalesforceSession:
    return SalesforceSession.from_refresh_token(
        http,
        login_url=LOGIN,
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        refresh_token=creds["refresh_token"],
        clock=clock.now,
    )


@pytest.fixture
def salesforce(http: httpx.AsyncClient, session: SalesforceSession) -> SalesforceConnector:
    return SalesforceConnector(http, session)


async def ground_truth(http: httpx.AsyncClient) -> dict[str, str]:
    """email -> the id `/_sim/people` names (the Contact, else the oldest Lead)."""
    people = (await http.get("/_sim/people", params={"limit": 1000})).json()["people"]
    return {
        p["email"]: p["external_ids"]["salesforce"]
        for p in people
        if "salesforce" in p["external_ids"]
    }


async def raw_records(http: httpx.AsyncClient, email: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = (
        await http.get("/_sim/salesforce/records", params={"email": email})
    ).json()["records"]
    return records
