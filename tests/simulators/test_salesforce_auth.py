from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

TOKEN = "/salesforce/services/oauth2/token"
AUTHORIZE = "/salesforce/services/oauth2/authorize"
QUERY = "/salesforce/services/data/v60.0/query"
SOQL = {"q": "SELECT Id FROM Account LIMIT 1"}


@pytest.fixture
def app(clock: ManualClock) -> Starlette:
    return create_app(SimConfig(people=60, token_ttl=7200), clock=clock)


@pytest.fixture
async def sim(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        yield client


async def creds(sim: httpx.AsyncClient) -> dict[str, str]:
    result: dict[str, str] = (await sim.get("/_sim/credentials")).json()["salesforce"]
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


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_refresh_answers_like_salesforce_without_expires_in(sim: httpx.AsyncClient) -> None:
    response = await refresh(sim)
    assert response.status_code == 200
    body = response.json()
    assert "expires_in" not in body
    assert "refresh_token" not in body  # refresh tokens do not rotate
    assert body["token_type"] == "Bearer"
    assert body["instance_url"] == "http://sim/salesforce"
    assert body["id"].startswith("http://sim/salesforce/id/00D")
    secret = (await creds(sim))["client_secret"].encode()
    digest = hmac.new(secret, (body["id"] + body["issued_at"]).encode(), hashlib.sha256).digest()
    assert body["signature"] == base64.b64encode(digest).decode()
    # a connector follows instance_url
    url = body["instance_url"] + "/services/data/v60.0/query"
    assert (await sim.get(url, params=SOQL, headers=bearer(body["access_token"]))).is_success


@pytest.mark.parametrize(
    ("override", "error", "description"),
    [
        ({"refresh_token": "nope"}, "invalid_grant", "expired access/refresh token"),
        ({"client_id": "nope"}, "invalid_client_id", "client identifier invalid"),
        ({"client_secret": "nope"}, "invalid_client", "invalid client credentials"),
        ({"grant_type": "password"}, "unsupported_grant_type", "grant type not supported"),
    ],
)
async def test_bad_token_requests_get_oauth_errors(
    sim: httpx.AsyncClient, override: dict[str, str], error: str, description: str
) -> None:
    response = await refresh(sim, **override)
    assert response.status_code == 400
    assert response.json() == {"error": error, "error_description": description}


async def test_missing_or_unknown_session_is_invalid_session_id(sim: httpx.AsyncClient) -> None:
    for headers in ({}, bearer("00Dnope!AQ.nope"), {"Authorization": "Basic abc"}):
        response = await sim.get(QUERY, params=SOQL, headers=headers)
        assert response.status_code == 401
        assert response.json() == [
            {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
        ]
        assert "sforce-limit-info" not in response.headers


async def test_session_times_out_then_refresh_works(
    sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    token = (await refresh(sim)).json()["access_token"]
    clock.advance(7199)
    assert (await sim.get(QUERY, params=SOQL, headers=bearer(token))).status_code == 200
    clock.advance(2)
    expired = await sim.get(QUERY, params=SOQL, headers=bearer(token))
    assert expired.status_code == 401
    assert expired.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    fresh = (await refresh(sim)).json()["access_token"]
    assert fresh != token
    assert (await sim.get(QUERY, params=SOQL, headers=bearer(fresh))).status_code == 200


async def test_authorization_code_flow(sim: httpx.AsyncClient) -> None:
    c = await creds(sim)
    redirect = "http://localhost:8080/oauth/callback"
    response = await sim.get(
        AUTHORIZE,
        params={
            "response_type": "code",
            "client_id": c["client_id"],
            "redirect_uri": redirect,
            "state": "xyz",
        },
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    form = {
        "grant_type": "authorization_code",
        "code": query["code"][0],
        "client_id": c["client_id"],
        "client_secret": c["client_secret"],
        "redirect_uri": redirect,
    }
    body = (await sim.post(TOKEN, data=form)).json()
    assert body["refresh_token"]
    assert body["access_token"]
    assert "expires_in" not in body
    assert (await sim.get(QUERY, params=SOQL, headers=bearer(body["access_token"]))).is_success
    again = await sim.post(TOKEN, data=form)  # codes are single use
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    new_refresh = await refresh(sim, refresh_token=body["refresh_token"])
    assert new_refresh.status_code == 200


async def test_authorize_rejects_unknown_client(sim: httpx.AsyncClient) -> None:
    response = await sim.get(
        AUTHORIZE, params={"response_type": "code", "client_id": "x", "redirect_uri": "http://a"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_id"
