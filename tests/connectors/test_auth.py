"""Refreshing credentials against a real token endpoint (the HubSpot simulator's OAuth)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from canonical_schema import Platform
from connectors.auth import RECHECK_S, RefreshingAuth, StaticBearerAuth, Token
from connectors.exceptions import AuthError, ReconnectRequiredError
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
        http,
        Platform.HUBSPOT,
        "/oauth/v1/token",
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        refresh_token=refresh_token or creds["refresh_token"],
        clock=(clock or ManualClock()).now,
    )


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


async def test_a_refused_refresh_token_says_to_reconnect_and_then_fails_fast(
    http: httpx.AsyncClient, clock: ManualClock
) -> None:
    auth = RefreshingAuth(await grant(http, refresh_token="revoked"), clock=clock.now)
    hubspot = HubSpotConnector(http, auth)
    with pytest.raises(ReconnectRequiredError) as caught:
        await hubspot.list_records(5, None)
    assert caught.value.platform is Platform.HUBSPOT
    assert caught.value.code == "UPSTREAM_AUTH"
    assert caught.value.message == (
        "HubSpot refused the refresh token (missing or invalid refresh token): "
        "reconnect with `mgw connect hubspot`"
    )
    asked = await token_requests(http)

    for _ in range(5):  # within the recheck window: refused at once, the platform not asked
        with pytest.raises(ReconnectRequiredError):
            await hubspot.list_records(5, None)
    assert await token_requests(http) == asked
    assert auth.refused is not None

    clock.advance(RECHECK_S)  # then one call looks again
    with pytest.raises(ReconnectRequiredError):
        await hubspot.list_records(5, None)
    assert await token_requests(http) == asked + 1


async def test_a_refused_client_names_the_settings_to_fix(http: httpx.AsyncClient) -> None:
    creds = (await http.get("http://sim.test/_sim/credentials")).json()["hubspot"]
    fetch = RefreshTokenGrant(
        http,
        Platform.HUBSPOT,
        "/oauth/v1/token",
        client_id=creds["client_id"],
        client_secret="wrong",
        refresh_token=creds["refresh_token"],
    )
    with pytest.raises(AuthError) as caught:
        await HubSpotConnector(http, RefreshingAuth(fetch)).list_records(5, None)
    assert not isinstance(caught.value, ReconnectRequiredError)
    assert "check MGW_HUBSPOT__CLIENT_ID and MGW_HUBSPOT__CLIENT_SECRET" in caught.value.message


async def token_requests(http: httpx.AsyncClient) -> int:
    stats = (await http.get("http://sim.test/_sim/stats")).json()["hubspot"]
    asked: int = stats["requests_by_route"].get("POST /oauth/v1/token", 0)
    return asked


def test_a_short_lived_token_is_renewed_a_quarter_of_its_life_ahead_not_every_call() -> None:
    token = Token("t", expires_at=105.0, issued_at=100.0)
    assert not token.due(60.0, now=103.0)  # 2 s left of 5: not yet
    assert token.due(60.0, now=103.75)  # 1.25 s left: a quarter of its life
    long_lived = Token("t", expires_at=1900.0, issued_at=100.0)
    assert not long_lived.due(60.0, now=1830.0)
    assert long_lived.due(60.0, now=1840.0)  # the leeway, when shorter


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
