from __future__ import annotations

import httpx

from simulators import SimConfig
from simulators.core.clock import ManualClock

CONTACTS = "/hubspot/crm/v3/objects/contacts"
TOKEN = "/hubspot/oauth/v1/token"


async def creds(sim: httpx.AsyncClient) -> dict[str, str]:
    result: dict[str, str] = (await sim.get("/_sim/credentials")).json()["hubspot"]
    return result


async def refresh(sim: httpx.AsyncClient, **overrides: str) -> httpx.Response:
    c = await creds(sim)
    form = {
        "grant_type": "refresh_token",
        "client_id": c["client_id"],
        "client_secret": c["client_secret"],
        "refresh_token": c["refresh_token"],
        **overrides,
    }
    return await sim.post(TOKEN, data=form)


async def test_unknown_or_missing_token_is_401_with_hubspot_body(sim: httpx.AsyncClient) -> None:
    for headers in ({"Authorization": "Bearer nope"}, {}):
        response = await sim.get(CONTACTS, headers=headers)
        assert response.status_code == 401
        body = response.json()
        assert body["status"] == "error"
        assert body["category"] == "INVALID_AUTHENTICATION"
        assert body["correlationId"]


async def test_refresh_issues_a_working_token(sim: httpx.AsyncClient) -> None:
    response = await refresh(sim)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 1800
    assert body["refresh_token"] == (await creds(sim))["refresh_token"]
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert (await sim.get(CONTACTS, headers=headers)).status_code == 200


async def test_access_token_expires_after_ttl(sim: httpx.AsyncClient, clock: ManualClock) -> None:
    token = (await refresh(sim)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    clock.advance(1799)
    assert (await sim.get(CONTACTS, headers=headers)).status_code == 200
    clock.advance(120)
    response = await sim.get(CONTACTS, headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["category"] == "EXPIRED_AUTHENTICATION"
    assert "expired" in body["message"]


async def test_short_ttl_from_config(clock: ManualClock) -> None:
    from simulators import create_app

    app = create_app(SimConfig(people=5, token_ttl=3), clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as sim:
        assert (await refresh(sim)).json()["expires_in"] == 3


async def test_bad_refresh_token_and_bad_client_are_400(sim: httpx.AsyncClient) -> None:
    response = await refresh(sim, refresh_token="stolen")
    assert response.status_code == 400
    assert response.json()["status"] == "BAD_REFRESH_TOKEN"
    assert response.json()["correlationId"]
    response = await refresh(sim, client_id="someone-else")
    assert response.status_code == 400
    assert response.json()["status"] == "BAD_CLIENT_ID"


async def test_authorization_code_is_single_use(sim: httpx.AsyncClient) -> None:
    c = await creds(sim)
    redirect = "http://localhost/callback"
    authorize = {"client_id": c["client_id"], "redirect_uri": redirect, "scope": "oauth"}
    location = (await sim.get("/hubspot/oauth/authorize", params=authorize)).headers["location"]
    form = {
        "grant_type": "authorization_code",
        "client_id": c["client_id"],
        "client_secret": c["client_secret"],
        "redirect_uri": redirect,
        "code": httpx.URL(location).params["code"],
    }
    first = await sim.post(TOKEN, data=form)
    assert first.status_code == 200
    assert (await refresh(sim, refresh_token=first.json()["refresh_token"])).status_code == 200
    again = await sim.post(TOKEN, data=form)
    assert again.status_code == 400
    assert again.json()["status"] == "BAD_AUTH_CODE"
    made_up = await sim.post(TOKEN, data={**form, "code": "code-1"})
    assert made_up.json()["status"] == "BAD_AUTH_CODE"
