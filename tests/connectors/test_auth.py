"""Refreshing credentials against a real token endpoint (the HubSpot simulator's OAuth)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from canonical_schema import Platform
from connectors.auth import RefreshingAuth, StaticBearerAuth, Token
from connectors.exceptions import AuthError
from connectors.hubspot import HubSpotConnector
from connectors.oauth import RefreshTokenGrant
from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

TTL = 1800


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def http(clock: ManualClock) -> httpx.AsyncClient:
    app = create_app(SimConfig(people=30, rate_limits="off", token_ttl=TTL), clock=clock)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim.test/hubspot"
    )


async def grant(
    http: httpx.AsyncClient, refresh_token: str | None = None, clock: ManualClock | None = None
) -> RefreshTokenGrant:
    creds = (await http.get("http://sim.test/_sim/credentials")).json()["hubspot"]
    return RefreshTokenGrant(
        http, Platform.HUBSPOT, "/oauth/v1/token",
        client_id=creds["client_id"], client_secret=creds["client_secret"],
        refresh_token=refresh_token or creds["refresh_token"],
        clock=(clock or ManualClock()).now,
    )  # fmt: skip


async def test_many_waiting_calls_share_one_refresh_and_renew_ahead_of_expiry(
    http: httpx.AsyncClient, clock: ManualClock
) -> None:
    auth = RefreshingAuth(await grant(http, clock=clock), clock=clock.now, leeway=60)
    hubspot = HubSpotConnector(http, auth)

    pages = await asyncio.gather(*(hubspot.list_records(5, None) for _ in range(10)))

    assert all(len(page.records) == 5 for page in pages)
    assert auth.refreshes == 1
    first = auth.token
    assert first is not None
    assert first.expires_at == pytest.approx(clock.now() + TTL)

    clock.advance(TTL - 30)  # inside the leeway: renewed before the platform refuses it
    await hubspot.list_records(5, None)
    assert auth.refreshes == 2
    assert auth.token is not None
    assert auth.token.access_token != first.access_token


async def test_a_refused_refresh_token_is_an_auth_error_naming_the_platform(
    http: httpx.AsyncClient,
) -> None:
    auth = RefreshingAuth(await grant(http, refresh_token="revoked"))
    with pytest.raises(AuthError) as caught:
        await HubSpotConnector(http, auth).list_records(5, None)
    assert caught.value.platform is Platform.HUBSPOT
    assert "token request refused" in caught.value.message


async def test_a_response_that_says_the_token_died_refreshes_and_retries_once(
    http: httpx.AsyncClient,
) -> None:
    dead = Token(access_token="expired-by-the-platform", expires_at=None)
    auth = RefreshingAuth(
        await grant(http), token=dead, expired=lambda response: response.status_code == 401
    )
    page = await HubSpotConnector(http, auth).list_records(3, None)
    assert len(page.records) == 3
    assert auth.refreshes == 1


def test_a_static_token_must_be_given() -> None:
    with pytest.raises(ValueError, match="required"):
        StaticBearerAuth("")
