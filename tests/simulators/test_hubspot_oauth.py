"""The OAuth app's whole path: authorize (auto-approved) → code → token → call → refresh."""

from __future__ import annotations

import httpx

from simulators.core.clock import ManualClock

AUTHORIZE = "/hubspot/oauth/authorize"
TOKEN = "/hubspot/oauth/v1/token"
CONTACTS = "/hubspot/crm/v3/objects/contacts"
REDIRECT = "http://127.0.0.1:8765/oauth/hubspot/callback"


async def creds(sim: httpx.AsyncClient) -> dict[str, str]:
    result: dict[str, str] = (await sim.get("/_sim/credentials")).json()["hubspot"]
    return result


async def authorize(sim: httpx.AsyncClient, **overrides: str) -> httpx.Response:
    params = {
        "client_id": (await creds(sim))["client_id"],
        "redirect_uri": REDIRECT,
        "scope": "oauth crm.objects.contacts.read",
        "state": "s-123",
        **overrides,
    }
    return await sim.get(AUTHORIZE, params=params)


async def exchange(sim: httpx.AsyncClient, code: str) -> httpx.Response:
    c = await creds(sim)
    form = {
        "grant_type": "authorization_code",
        "client_id": c["client_id"],
        "client_secret": c["client_secret"],
        "redirect_uri": REDIRECT,
        "code": code,
    }
    return await sim.post(TOKEN, data=form)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_authorize_code_token_refresh_and_expiry(
    sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    response = await authorize(sim)
    assert response.status_code == 302
    location = httpx.URL(response.headers["location"])
    assert str(location).startswith(REDIRECT + "?")
    assert location.params["state"] == "s-123"
    tokens = (await exchange(sim, location.params["code"])).json()
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 1800
    first = tokens["access_token"]
    assert (await sim.get(CONTACTS, headers=bearer(first))).status_code == 200

    clock.advance(1800)
    expired = await sim.get(CONTACTS, headers=bearer(first))
    assert expired.status_code == 401
    assert expired.json()["category"] == "EXPIRED_AUTHENTICATION"

    c = await creds(sim)
    form = {
        "grant_type": "refresh_token",
        "client_id": c["client_id"],
        "client_secret": c["client_secret"],
        "refresh_token": tokens["refresh_token"],
    }
    refreshed = (await sim.post(TOKEN, data=form)).json()
    assert refreshed["access_token"] != first
    assert refreshed["refresh_token"] == tokens["refresh_token"]
    assert (await sim.get(CONTACTS, headers=bearer(refreshed["access_token"]))).status_code == 200
    assert (await sim.get(CONTACTS, headers=bearer(first))).status_code == 401


async def test_oauth_tokens_carry_no_daily_headers(sim: httpx.AsyncClient) -> None:
    code = httpx.URL((await authorize(sim)).headers["location"]).params["code"]
    token = (await exchange(sim, code)).json()["access_token"]
    response = await sim.get(CONTACTS, headers=bearer(token))
    assert response.headers["X-HubSpot-RateLimit-Max"] == "100"
    assert "X-HubSpot-RateLimit-Daily" not in response.headers


async def test_unknown_client_or_redirect_gets_an_error_page(sim: httpx.AsyncClient) -> None:
    for overrides in (
        {"client_id": "someone-else"},
        {"redirect_uri": "https://attacker.example/callback"},
        {"scope": ""},
    ):
        response = await authorize(sim, **overrides)
        assert response.status_code == 400, overrides
        assert "location" not in response.headers
        assert response.headers["content-type"].startswith("text/html")
    as_json = await sim.get(
        AUTHORIZE,
        params={"client_id": "nope", "redirect_uri": REDIRECT, "scope": "oauth"},
        headers={"Accept": "application/json"},
    )
    assert as_json.status_code == 400
    assert as_json.json()["status"] == "BAD_CLIENT_ID"


async def test_code_is_bound_to_its_redirect_and_expires(
    sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    code = httpx.URL((await authorize(sim)).headers["location"]).params["code"]
    c = await creds(sim)
    form = {
        "grant_type": "authorization_code",
        "client_id": c["client_id"],
        "client_secret": c["client_secret"],
        "redirect_uri": "http://localhost:1/other",
        "code": code,
    }
    response = await sim.post(TOKEN, data=form)
    assert response.status_code == 400
    assert response.json()["status"] == "BAD_REDIRECT_URI"
    late = httpx.URL((await authorize(sim)).headers["location"]).params["code"]
    clock.advance(601)
    assert (await exchange(sim, late)).json()["status"] == "BAD_AUTH_CODE"
