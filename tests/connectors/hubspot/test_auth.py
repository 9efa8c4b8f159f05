"""HubSpot credentials against the simulator's OAuth: the code exchange, renewal ahead of
expiry, and the one refresh-then-retry a 401 `EXPIRED_AUTHENTICATION` earns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from connectors.auth import Token
from connectors.exceptions import AuthError
from connectors.hubspot import HubSpotConnector, PrivateAppAuth, exchange_code, hubspot_oauth
from connectors.hubspot.auth import authorize_url
from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

from .conftest import BASE

TTL = 1800
REDIRECT = "http://127.0.0.1:8765/oauth/hubspot/callback"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def http(clock: ManualClock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SimConfig(people=30, rate_limits="off", token_ttl=TTL), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


@pytest.fixture
async def creds(http: httpx.AsyncClient) -> dict[str, str]:
    found: dict[str, str] = (await http.get("http://sim.test/_sim/credentials")).json()["hubspot"]
    return found


def test_a_private_app_token_is_required() -> None:
    with pytest.raises(ValueError, match="private-app token"):
        PrivateAppAuth("")


async def test_tokens_are_renewed_ahead_of_expiry_across_a_long_run(http, creds, clock) -> None:
    seen: list[Token] = []

    async def keep(token: Token) -> None:
        seen.append(token)

    auth = hubspot_oauth(
        http,
        creds["client_id"],
        creds["client_secret"],
        creds["refresh_token"],
        clock=clock.now,
        on_token=keep,
    )
    hubspot = HubSpotConnector(http, auth)
    pages = 0
    after = None
    while True:  # one page every ten minutes: the run outlives two tokens
        page = await hubspot.list_records(5, after)
        pages += 1
        clock.advance(600)
        if page.next_after is None:
            break
        after = page.next_after
    assert pages == 6  # at 0, 10, ... 50 minutes: tokens taken at 0 and at 30 minutes
    assert auth.refreshes == len(seen) == 2
    statuses = (await http.get("http://sim.test/_sim/stats")).json()["hubspot"]
    assert "401" not in statuses["responses_by_status"]  # renewed before HubSpot refused one
    assert seen[-1].refresh_token == creds["refresh_token"]  # HubSpot does not rotate them


async def test_an_expired_authentication_401_refreshes_and_retries_once(http, creds, clock) -> None:
    # The connector's clock lags the platform's: it believes the token is still fresh.
    lagging = ManualClock(clock.now())
    auth = hubspot_oauth(
        http,
        creds["client_id"],
        creds["client_secret"],
        creds["refresh_token"],
        clock=lagging.now,
    )
    hubspot = HubSpotConnector(http, auth)
    await hubspot.list_records(1, None)
    clock.advance(TTL + 1)

    page = await hubspot.list_records(1, None)

    assert len(page.records) == 1
    assert auth.refreshes == 2


async def test_a_refused_refresh_token_is_an_auth_error(http, creds, clock) -> None:
    auth = hubspot_oauth(http, creds["client_id"], creds["client_secret"], "nope", clock=clock.now)
    with pytest.raises(AuthError) as caught:
        await HubSpotConnector(http, auth).list_records(1, None)
    assert "refresh token" in caught.value.message


async def test_an_authorization_code_is_exchanged_for_working_tokens(http, creds, clock) -> None:
    url = authorize_url(
        creds["client_id"],
        REDIRECT,
        ["crm.objects.contacts.read"],
        "st4te",
        base=f"{BASE}/oauth/authorize",
    )
    redirect = await http.get(url)
    assert redirect.status_code == 302
    query = parse_qs(urlsplit(redirect.headers["location"]).query)
    assert query["state"] == ["st4te"]

    token = await exchange_code(
        http,
        query["code"][0],
        REDIRECT,
        creds["client_id"],
        creds["client_secret"],
        clock=clock.now,
    )

    assert token.expires_at == clock.now() + TTL
    assert token.refresh_token
    auth = hubspot_oauth(
        http, creds["client_id"], creds["client_secret"], token.refresh_token, clock=clock.now
    )
    assert len((await HubSpotConnector(http, auth).list_records(3, None)).records) == 3


async def test_a_code_is_single_use(http, creds, clock) -> None:
    url = authorize_url(
        creds["client_id"],
        REDIRECT,
        ["crm.objects.contacts.read"],
        "s",
        base=f"{BASE}/oauth/authorize",
    )
    code = parse_qs(urlsplit((await http.get(url)).headers["location"]).query)["code"][0]
    await exchange_code(http, code, REDIRECT, creds["client_id"], creds["client_secret"])
    with pytest.raises(AuthError):
        await exchange_code(http, code, REDIRECT, creds["client_id"], creds["client_secret"])
