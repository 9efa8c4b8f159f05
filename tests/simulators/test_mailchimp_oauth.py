"""Mailchimp OAuth: auto-approved authorize, code exchange for a token that never expires,
metadata naming the data centre and API endpoint, and the token working on the API."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from simulators.core.clock import ManualClock


async def test_authorize_exchange_metadata_and_call(
    sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    creds = (await sim.get("/_sim/credentials")).json()["mailchimp"]
    assert creds["api_key"].endswith(f"-{creds['dc']}")
    redirect = "http://app.example/callback"
    params = {
        "response_type": "code",
        "client_id": creds["client_id"],
        "redirect_uri": redirect,
        "state": "s-123",
    }
    approved = await sim.get("/mailchimp/oauth2/authorize", params=params)
    assert approved.status_code == 302
    location = urlsplit(approved.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect
    query = parse_qs(location.query)
    assert query["state"] == ["s-123"]
    form = {
        "grant_type": "authorization_code",
        "client_id": creds["client_id"],
        "client_secret": creds["client_secret"],
        "redirect_uri": redirect,
        "code": query["code"][0],
    }
    token = (await sim.post("/mailchimp/oauth2/token", data=form)).json()
    assert token["expires_in"] == 0
    assert token["scope"] is None
    reused = await sim.post("/mailchimp/oauth2/token", data=form)
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    auth = {"Authorization": f"OAuth {token['access_token']}"}
    meta = (await sim.get("/mailchimp/oauth2/metadata", headers=auth)).json()
    assert meta["dc"] == creds["dc"]
    assert meta["api_endpoint"] == "http://sim/mailchimp"
    assert meta["login"]["login_email"]
    clock.advance(10 * 365 * 86_400)  # never expires
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    lists = await sim.get(f"{meta['api_endpoint']}/3.0/lists", headers=bearer)
    assert lists.status_code == 200
    assert lists.json()["lists"][0]["id"] == creds["list_id"]


async def test_bad_client_secret_and_unknown_client(sim: httpx.AsyncClient) -> None:
    creds = (await sim.get("/_sim/credentials")).json()["mailchimp"]
    params = {
        "response_type": "code",
        "client_id": "someone-else",
        "redirect_uri": "http://app.example/cb",
    }
    assert (await sim.get("/mailchimp/oauth2/authorize", params=params)).status_code == 400
    form = {
        "grant_type": "authorization_code",
        "client_id": creds["client_id"],
        "client_secret": "wrong",
        "redirect_uri": "http://app.example/cb",
        "code": "x",
    }
    refused = await sim.post("/mailchimp/oauth2/token", data=form)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert (await sim.get("/mailchimp/oauth2/metadata")).status_code == 401
