"""`POST /_sim/{platform}/revoke`: a user disconnects the app, and its OAuth grants stop working."""

from __future__ import annotations

from typing import Any

import httpx

CONTACTS = "/hubspot/crm/v3/objects/contacts"


async def _creds(sim: httpx.AsyncClient, platform: str) -> dict[str, Any]:
    body: dict[str, Any] = (await sim.get("/_sim/credentials")).json()[platform]
    return body


async def test_hubspot_refresh_and_access_tokens_stop_working(sim: httpx.AsyncClient) -> None:
    creds = await _creds(sim, "hubspot")
    form = {
        "grant_type": "refresh_token",
        "refresh_token": creds["refresh_token"],
        "client_id": creds["client_id"],
        "client_secret": creds["client_secret"],
    }
    granted = (await sim.post("/hubspot/oauth/v1/token", data=form)).json()
    bearer = {"Authorization": f"Bearer {granted['access_token']}"}
    assert (await sim.get(CONTACTS, headers=bearer)).status_code == 200

    revoked = await sim.post("/_sim/hubspot/revoke")
    assert revoked.json() == {"platform": "hubspot", "revoked": 2}

    refused = await sim.post("/hubspot/oauth/v1/token", data=form)
    assert refused.status_code == 400
    assert refused.json()["status"] == "BAD_REFRESH_TOKEN"
    assert (await sim.get(CONTACTS, headers=bearer)).status_code == 401
    private = {"Authorization": f"Bearer {creds['private_app_token']}"}
    assert (await sim.get(CONTACTS, headers=private)).status_code == 200  # not a grant


async def test_salesforce_and_shopify_refuse_with_invalid_grant(sim: httpx.AsyncClient) -> None:
    for platform, path in (
        ("salesforce", "/salesforce/services/oauth2/token"),
        ("shopify", "/shopify/admin/oauth/access_token"),
    ):
        creds = await _creds(sim, platform)
        assert (await sim.post(f"/_sim/{platform}/revoke")).status_code == 200
        form = {
            "grant_type": "refresh_token",
            "refresh_token": creds["refresh_token"],
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
        }
        refused = await sim.post(path, data=form)
        assert refused.status_code == 400, platform
        assert refused.json()["error"] == "invalid_grant", platform


async def test_platforms_without_a_grant_and_unknown_ones(sim: httpx.AsyncClient) -> None:
    marketo = await sim.post("/_sim/marketo/revoke")
    assert marketo.status_code == 409
    assert "no OAuth grant" in marketo.json()["error"]
    assert (await sim.post("/_sim/nowhere/revoke")).status_code == 404
