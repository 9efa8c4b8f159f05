"""The HubSpot connector against the HubSpot simulator: what it reads, and how it fails."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from connectors.exceptions import (
    AuthError,
    InvalidUpstreamDataError,
    RateLimitedError,
    UnavailableError,
)
from connectors.hubspot import HubSpotConnector, PrivateAppAuth
from gateway.servers import free_port
from simulators import SimConfig
from simulators import create_app as create_simulators

BASE = "http://sim.test/hubspot"


@pytest.fixture
async def hubspot(sim_app: object, hubspot_token: str) -> AsyncIterator[HubSpotConnector]:
    transport = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield HubSpotConnector(http, PrivateAppAuth(hubspot_token))


async def people_in_hubspot(sim: httpx.AsyncClient) -> dict[str, str]:
    people = (await sim.get("/_sim/people", params={"limit": 1000})).json()["people"]
    return {
        p["email"]: p["external_ids"]["hubspot"] for p in people if "hubspot" in p["external_ids"]
    }


async def test_reads_by_email_in_batches_of_one_hundred(sim, hubspot) -> None:
    holders = await people_in_hubspot(sim)
    asked = [*holders, "ghost@nowhere.example"]
    await sim.post("/_sim/reset")

    found = await hubspot.records_by_email(asked)

    assert {email: r.external_id for email, r in found.items()} == holders
    stats = (await sim.get("/_sim/stats")).json()["hubspot"]
    assert stats["requests"] == -(-len(asked) // 100)


async def test_lists_every_contact_once_and_counts_them(sim, hubspot) -> None:
    holders = await people_in_hubspot(sim)
    seen: list[str] = []
    after = None
    while True:
        page = await hubspot.list_records(37, after)
        seen += [r.email for r in page.records]
        if page.next_after is None:
            break
        after = page.next_after
    assert sorted(seen) == sorted(holders)
    assert await hubspot.count_records() == len(holders)


async def test_a_refused_token_is_an_auth_error(sim_app) -> None:
    transport = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        connector = HubSpotConnector(http, PrivateAppAuth("pat-wrong"))
        with pytest.raises(AuthError) as caught:
            await connector.records_by_email(["a@b.co"])
    assert caught.value.code == "UPSTREAM_AUTH"
    assert caught.value.status == 401


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"error_rate": 1.0, "status": 503}, UnavailableError),
        ({"error_rate": 1.0, "status": 429}, RateLimitedError),
        ({"malformed_rate": 1.0}, InvalidUpstreamDataError),
    ],
)
async def test_platform_faults_become_typed_errors(sim, hubspot, fault, error) -> None:
    response = await sim.post("/_sim/faults", json={"platform": "hubspot", **fault})
    assert response.is_success, response.text
    with pytest.raises(error):
        await hubspot.records_by_email(["a@b.co"])


async def test_the_ten_second_limit_is_reported_as_rate_limited(hubspot_token) -> None:
    app = create_simulators(SimConfig(people=5, rate_limits="real"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        connector = HubSpotConnector(http, PrivateAppAuth(hubspot_token))
        for _ in range(100):
            await connector.records_by_email(["a@b.co"])
        with pytest.raises(RateLimitedError) as caught:
            await connector.records_by_email(["a@b.co"])
    assert "secondly limit" in caught.value.message


async def test_an_unreachable_platform_is_unavailable_not_an_httpx_error() -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}/hubspot") as http:
        connector = HubSpotConnector(http, PrivateAppAuth("pat-any"))
        with pytest.raises(UnavailableError) as caught:
            await connector.records_by_email(["a@b.co"])
    assert caught.value.code == "UPSTREAM_UNAVAILABLE"
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


async def test_errors_name_the_endpoint_and_hubspots_correlation_id(sim, hubspot) -> None:
    await sim.post("/_sim/faults", json={"platform": "hubspot", "error_rate": 1.0, "status": 502})
    with pytest.raises(UnavailableError) as caught:
        await hubspot.list_records(10, None)
    assert caught.value.endpoint == "GET /hubspot/crm/v3/objects/contacts"
    assert caught.value.correlation_id
    assert caught.value.status == 502
