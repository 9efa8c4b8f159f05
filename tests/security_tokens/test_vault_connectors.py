"""Connectors take their tokens from the vault: a platform connected with `mgw connect` needs
only its OAuth client in settings, and every read of its token for a refresh is audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from canonical_schema import Platform
from connectors.oauth import token_request
from connectors.salesforce.settings import SalesforceSettings
from connectors.token_store import token_record
from gateway.app import create_app
from gateway.settings import ConfigError, Settings
from gateway.simulated import with_simulators
from hub.store import Store
from hub.vault import CredentialVault

SIM = "http://sim.test"
KEY = "vault key of this test module"
CUSTOMER = "query ($email: String!) { customer(email: $email) { email sources { platform } } }"


async def vault_connection(sim: httpx.AsyncClient, store: Store) -> dict[str, Any]:
    """What `mgw connect salesforce` leaves in the vault (a fresh session and refresh token)."""
    creds: dict[str, Any] = (await sim.get("/_sim/credentials")).json()["salesforce"]
    token = await token_request(
        sim,
        Platform.SALESFORCE,
        "/salesforce/services/oauth2/token",
        "refresh_token",
        refresh_token=creds["refresh_token"],
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
    )
    token_with_refresh = token_record(token) | {"refresh_token": creds["refresh_token"]}
    await CredentialVault(store, [KEY]).put(
        "salesforce", "default", token_with_refresh, reason="oauth connect"
    )
    return creds


async def test_a_platform_connected_only_through_the_vault_answers(
    sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'mgw.db'}"
    store = await Store.open(database_url)
    try:
        creds = await vault_connection(sim, store)
    finally:
        await store.close()
    published = (await sim.get("/_sim/credentials")).json()
    settings = with_simulators(
        Settings(database_url=database_url, platforms="salesforce", secret_key=KEY),
        SIM,
        published,
    )
    no_refresh_token = SalesforceSettings(
        login_url=f"{SIM}/salesforce",
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
    )
    settings = settings.model_copy(update={"salesforce": no_refresh_token})
    with pytest.raises(ConfigError, match="salesforce is selected but has no credentials"):
        settings.model_copy(update={"secret_key": None}).connected_platforms()

    people = (await sim.get("/_sim/people", params={"limit": 100})).json()["people"]
    email = next(p["email"] for p in people if "salesforce" in p["external_ids"])
    app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))
    async with app.router.lifespan_context(app):
        gateway = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")
        async with gateway:
            answer = (
                await gateway.post(
                    "/graphql", json={"query": CUSTOMER, "variables": {"email": email}}
                )
            ).json()
    assert answer["data"]["customer"]["sources"] == [{"platform": "SALESFORCE"}], answer

    stats = (await sim.get("/_sim/stats")).json()["salesforce"]["requests_by_route"]
    assert stats["POST /services/oauth2/token"] == 1  # only the connect: the vault's session
    store = await Store.open(database_url)
    try:
        audit = await CredentialVault(store, [KEY]).audit("salesforce")
    finally:
        await store.close()
    reasons = [(row["action"], row["reason"]) for row in reversed(audit)]
    assert reasons == [
        ("write", "oauth connect"),
        ("read", "connector start"),
        ("read", "read for refresh"),
    ]
