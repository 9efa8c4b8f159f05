"""Fixtures for the Mailchimp connector: the simulators in-process, the demo credentials."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from connectors.mailchimp import MailchimpConnector, api_key_auth
from simulators import SimConfig

BASE = "http://sim.test/mailchimp/3.0"


@pytest.fixture
def sim_config() -> SimConfig:
    return SimConfig(seed=7, people=60, rate_limits="off")


@pytest.fixture
async def creds(sim: httpx.AsyncClient) -> dict[str, Any]:
    found: dict[str, Any] = (await sim.get("/_sim/credentials")).json()["mailchimp"]
    return found


@pytest.fixture
async def http(sim_app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


@pytest.fixture
def mailchimp(http: httpx.AsyncClient, creds: dict[str, Any]) -> MailchimpConnector:
    return MailchimpConnector(http, api_key_auth(creds["api_key"]), creds["list_id"])


async def holders(sim: httpx.AsyncClient) -> dict[str, str]:
    """Ground truth: seeded email -> subscriber hash, for everyone the audience holds."""
    people = (await sim.get("/_sim/people", params={"limit": 1000})).json()["people"]
    return {
        p["email"]: p["external_ids"]["mailchimp"]
        for p in people
        if "mailchimp" in p["external_ids"]
    }


async def raw_member(sim: httpx.AsyncClient, email: str) -> dict[str, Any]:
    found = (await sim.get("/_sim/mailchimp/records", params={"email": email})).json()
    records = found["records"] if isinstance(found, dict) else found
    assert len(records) == 1, found
    member: dict[str, Any] = records[0]
    return member
