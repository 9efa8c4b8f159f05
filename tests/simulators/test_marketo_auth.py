from __future__ import annotations

import httpx
import pytest

from simulators import SimConfig
from simulators.core.clock import ManualClock

IDENTITY = "/marketo/identity/oauth/token"
LEADS = "/marketo/rest/v1/leads.json"
TYPES = "/marketo/rest/v1/activities/types.json"


async def token_params(sim: httpx.AsyncClient, **overrides: str) -> dict[str, str]:
    creds = (await sim.get("/_sim/credentials")).json()["marketo"]
    return {
        "grant_type": "client_credentials",
        "client_id": creds["client_id"],
        "client_secret": creds["client_secret"],
        **overrides,
    }


def failed_with(response: httpx.Response, code: str) -> str:
    """Marketo errors are HTTP 200 with `success:false`; returns the message."""
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is False
    assert "result" not in body
    assert [e["code"] for e in body["errors"]] == [code]
    message: str = body["errors"][0]["message"]
    return message


async def test_credentials_publish_client_and_munchkin(sim: httpx.AsyncClient) -> None:
    creds = (await sim.get("/_sim/credentials")).json()["marketo"]
    assert set(creds) == {"client_id", "client_secret", "munchkin_id", "leads_created_since"}
    assert creds["munchkin_id"] == "123-SIM-456"
    assert creds["leads_created_since"].endswith("T00:00:00Z")  # the first lead's day


@pytest.mark.parametrize("config", [SimConfig(people=5, token_ttl=3599)])
async def test_same_token_until_expiry_with_shrinking_life(
    sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    params = await token_params(sim)
    first = (await sim.get(IDENTITY, params=params)).json()
    assert first["token_type"] == "bearer"
    assert first["expires_in"] == 3599
    assert first["scope"]
    clock.advance(100)
    again = (await sim.post(IDENTITY, params=params)).json()  # POST works too
    assert again["access_token"] == first["access_token"]
    assert again["expires_in"] == 3499
    clock.advance(3499)
    fresh = (await sim.get(IDENTITY, params=params)).json()
    assert fresh["access_token"] != first["access_token"]
    assert fresh["expires_in"] == 3599


@pytest.mark.parametrize("config", [SimConfig(people=5, token_ttl=60)])
async def test_expired_token_is_602_then_a_new_token_works(
    sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    params = await token_params(sim)
    token = (await sim.get(IDENTITY, params=params)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await sim.get(TYPES, headers=headers)).json()["success"] is True
    clock.advance(60)
    assert failed_with(await sim.get(TYPES, headers=headers), "602") == "Access token expired"
    renewed = (await sim.get(IDENTITY, params=params)).json()["access_token"]
    assert renewed != token
    response = await sim.get(TYPES, headers={"Authorization": f"Bearer {renewed}"})
    assert response.json()["success"] is True
    assert failed_with(await sim.get(TYPES, headers=headers), "602")  # the old one stays dead


async def test_token_in_query_parameter_is_accepted(sim: httpx.AsyncClient) -> None:
    token = (await sim.get(IDENTITY, params=await token_params(sim))).json()["access_token"]
    response = await sim.get(TYPES, params={"access_token": token})
    assert response.json()["success"] is True


async def test_missing_and_unknown_tokens_fail_at_http_200(sim: httpx.AsyncClient) -> None:
    failed_with(await sim.get(LEADS), "600")
    unknown = await sim.get(LEADS, headers={"Authorization": "Bearer 0000:int"})
    assert failed_with(unknown, "601") == "Access token invalid"
    assert failed_with(await sim.get(LEADS, params={"access_token": "nope"}), "601")


async def test_bad_client_credentials_are_the_one_http_401(sim: httpx.AsyncClient) -> None:
    response = await sim.get(IDENTITY, params=await token_params(sim, client_secret="wrong"))
    assert response.status_code == 401
    assert response.json() == {
        "error": "unauthorized",
        "error_description": "Bad client credentials",
    }
    bad_grant = await sim.get(IDENTITY, params=await token_params(sim, grant_type="password"))
    assert bad_grant.status_code == 400
    assert bad_grant.json()["error"] == "unsupported_grant_type"
