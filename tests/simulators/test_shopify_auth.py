"""Shopify tokens: static offline token, expiring tokens, rotating refresh tokens, OAuth."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

GRAPHQL = "/shopify/admin/api/2025-01/graphql.json"
TOKEN = "/shopify/admin/oauth/access_token"
QUERY = {"query": "{ customers(first: 1) { nodes { id } } }"}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def sim(clock: ManualClock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SimConfig(people=10, token_ttl=60), clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim"
    ) as client:
        yield client


async def creds(sim: httpx.AsyncClient) -> dict[str, str]:
    result: dict[str, str] = (await sim.get("/_sim/credentials")).json()["shopify"]
    return result


async def status_with(sim: httpx.AsyncClient, token: str) -> int:
    response = await sim.post(GRAPHQL, json=QUERY, headers={"X-Shopify-Access-Token": token})
    return response.status_code


async def test_refresh_token_rotates_and_old_one_stops_working(
    sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    c = await creds(sim)
    form = {
        "client_id": c["client_id"],
        "client_secret": c["client_secret"],
        "grant_type": "refresh_token",
        "refresh_token": c["refresh_token"],
    }
    first = await sim.post(TOKEN, data=form)
    assert first.status_code == 200
    issued = first.json()
    assert set(issued) == {
        "access_token",
        "scope",
        "expires_in",
        "refresh_token",
        "refresh_token_expires_in",
    }
    assert issued["expires_in"] == 60
    assert issued["refresh_token"] != c["refresh_token"]
    assert await status_with(sim, issued["access_token"]) == 200
    reused = await sim.post(TOKEN, data=form)
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    second = await sim.post(TOKEN, json={**form, "refresh_token": issued["refresh_token"]})
    assert second.status_code == 200
    clock.advance(61)
    assert await status_with(sim, issued["access_token"]) == 401
    assert await status_with(sim, c["access_token"]) == 200  # the offline token never expires


async def test_authorize_redirects_with_signed_code_that_exchanges_once(
    sim: httpx.AsyncClient,
) -> None:
    c = await creds(sim)
    params = {
        "client_id": c["client_id"],
        "scope": "read_customers",
        "redirect_uri": "http://app.test/callback",
        "state": "xyz",
    }
    response = await sim.get("/shopify/admin/oauth/authorize", params=params)
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert location.netloc == "app.test"
    query = dict(parse_qsl(location.query))
    assert query["state"] == "xyz"
    assert query["shop"] == "sim-shop.myshopify.com"
    signed = "&".join(f"{k}={v}" for k, v in sorted(query.items()) if k != "hmac")
    expected = hmac.new(c["client_secret"].encode(), signed.encode(), hashlib.sha256).hexdigest()
    assert query["hmac"] == expected
    form = {"client_id": c["client_id"], "client_secret": c["client_secret"], "code": query["code"]}
    exchanged = await sim.post(TOKEN, data=form)
    assert exchanged.status_code == 200
    assert await status_with(sim, exchanged.json()["access_token"]) == 200
    assert (await sim.post(TOKEN, data=form)).status_code == 400
    wrong = await sim.post(TOKEN, data={**form, "client_secret": "nope"})
    assert wrong.status_code == 401
