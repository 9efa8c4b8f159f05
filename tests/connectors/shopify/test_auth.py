"""Expiring Shopify tokens: refreshed ahead of expiry mid-run, the rotated refresh token kept."""

from __future__ import annotations

import httpx
import pytest

from connectors.exceptions import AuthError
from connectors.shopify import ShopifyConnector, expiring_token_auth, offline_token_auth
from simulators import SimConfig
from simulators import create_app as create_simulators
from simulators.core.clock import ManualClock
from tests.connectors.shopify.conftest import BASE, people_in_shopify

TTL = 3600


async def test_a_token_is_refreshed_mid_run_and_the_rotated_refresh_token_kept() -> None:
    clock = ManualClock()
    app = create_simulators(SimConfig(people=60, rate_limits="off", token_ttl=TTL), clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://sim.test") as sim,
        httpx.AsyncClient(transport=transport, base_url=BASE) as http,
    ):
        creds = (await sim.get("/_sim/credentials")).json()["shopify"]
        holders = await people_in_shopify(sim)
        auth = expiring_token_auth(
            http,
            client_id=creds["client_id"],
            client_secret=creds["client_secret"],
            refresh_token=creds["refresh_token"],
            clock=clock.now,
        )
        connector = ShopifyConnector(http, auth)
        seen, after, pages = [], None, 0
        while True:
            page = await connector.list_records(5, after)
            pages += 1
            seen += [r.external_id for r in page.records]
            clock.advance(TTL / 3)  # the token expires every third page
            if page.next_after is None:
                break
            after = page.next_after

        assert sorted(seen) == sorted(holders.values())
        # The first fetch, then one refresh every third page, ahead of expiry (never a 401).
        assert auth.refreshes == 1 + (pages - 1) // 3 >= 3
        first_token = auth.token
        assert first_token is not None
        assert first_token.refresh_token
        # The simulator retires each refresh token once used: the original one is dead now.
        assert creds["refresh_token"] != first_token.refresh_token

        stale = first_token.access_token
        clock.advance(TTL)
        expired = ShopifyConnector(http, offline_token_auth(stale))
        with pytest.raises(AuthError) as caught:  # an expired token answers 401, like a bad one
            await expired.count_records()
        assert caught.value.status == 401


async def test_a_used_refresh_token_is_refused_with_shopifys_reason(
    shop_http: httpx.AsyncClient, shopify_credentials: dict[str, str]
) -> None:
    def auth_with(refresh_token: str) -> httpx.Auth:
        return expiring_token_auth(
            shop_http,
            client_id=shopify_credentials["client_id"],
            client_secret=shopify_credentials["client_secret"],
            refresh_token=refresh_token,
        )

    used = shopify_credentials["refresh_token"]
    await ShopifyConnector(shop_http, auth_with(used)).list_records(1, None)
    with pytest.raises(AuthError, match="refresh token is invalid, expired or used"):
        await ShopifyConnector(shop_http, auth_with(used)).list_records(1, None)


def test_missing_credentials_are_refused_before_any_call() -> None:
    http = httpx.AsyncClient()
    with pytest.raises(ValueError, match="client_secret"):
        expiring_token_auth(http, client_id="id", client_secret="", refresh_token="r")
    with pytest.raises(ValueError, match="access token"):
        offline_token_auth("")


async def test_a_token_dying_early_is_refreshed_on_its_401_and_a_revoked_grant_is_refused() -> None:
    """Shopify's 401 does not say "expired": the connector refreshes once and retries; a
    revoked grant then fails at the token endpoint, and the call is an `AuthError`."""
    clock = ManualClock()
    app = create_simulators(SimConfig(people=6, rate_limits="off", token_ttl=TTL), clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://sim.test") as sim,
        httpx.AsyncClient(transport=transport, base_url=BASE) as http,
    ):
        creds = (await sim.get("/_sim/credentials")).json()["shopify"]
        auth = expiring_token_auth(  # its own clock stands still: the token dies unexpectedly
            http,
            client_id=creds["client_id"],
            client_secret=creds["client_secret"],
            refresh_token=creds["refresh_token"],
            clock=lambda: 0.0,
        )
        connector = ShopifyConnector(http, auth)
        count = await connector.count_records()
        assert auth.refreshes == 1

        clock.advance(TTL + 1)
        assert await connector.count_records() == count
        assert auth.refreshes == 2

        assert (await sim.post("/_sim/shopify/revoke")).status_code == 200
        with pytest.raises(AuthError, match="refresh token is invalid, expired or used"):
            await connector.count_records()
        assert auth.refreshes == 2
