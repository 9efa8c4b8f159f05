"""Mailchimp credentials: the key's data centre, and the OAuth code flow against the simulator."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connectors.exceptions import AuthError
from connectors.mailchimp import MailchimpConnector, base_url_for_key, oauth_auth
from connectors.mailchimp.auth import api_key_auth, base_url_for_token, data_centre, exchange_code
from tests.connectors.mailchimp.conftest import holders

SIM = "http://sim.test/mailchimp"


def test_the_data_centre_is_the_keys_suffix() -> None:
    assert data_centre("5f2b8c0e4a7d9e1f3b6a8c2d4e0f1a9b-us21") == "us21"
    assert base_url_for_key("abc-us6") == "https://us6.api.mailchimp.com/3.0"


@pytest.mark.parametrize("key", ["", "nodatacentre", "abc-", "-us21"])
def test_a_key_without_a_data_centre_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="data centre"):
        api_key_auth(key)


def test_an_empty_oauth_token_is_refused() -> None:
    with pytest.raises(ValueError, match="token"):
        oauth_auth("")


async def test_an_authorization_code_becomes_a_working_token(
    sim: httpx.AsyncClient, http: httpx.AsyncClient, creds: dict[str, Any]
) -> None:
    redirect = "https://app.example/callback"
    authorize = await sim.get(
        "/mailchimp/oauth2/authorize",
        params={"response_type": "code", "client_id": creds["client_id"], "redirect_uri": redirect},
    )
    code = httpx.URL(authorize.headers["location"]).params["code"]
    token = await exchange_code(
        sim,
        code=code,
        redirect_uri=redirect,
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        token_url=f"{SIM}/oauth2/token",
    )
    assert token.expires_at is None  # Mailchimp's tokens never expire
    base = await base_url_for_token(sim, token.access_token, metadata_url=f"{SIM}/oauth2/metadata")
    assert base == f"{SIM}/3.0"
    connector = MailchimpConnector(http, oauth_auth(token.access_token), creds["list_id"])
    assert await connector.count_records() == len(await holders(sim))


async def test_a_refused_code_or_token_is_an_auth_error(
    sim: httpx.AsyncClient, creds: dict[str, Any]
) -> None:
    with pytest.raises(AuthError):
        await exchange_code(
            sim,
            code="forged",
            redirect_uri="https://app.example/cb",
            client_id=creds["client_id"],
            client_secret=creds["client_secret"],
            token_url=f"{SIM}/oauth2/token",
        )
    with pytest.raises(AuthError):
        await base_url_for_token(sim, "forged", metadata_url=f"{SIM}/oauth2/metadata")
