"""Connecting platforms by OAuth against the simulators: no person needed, tokens sealed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from canonical_schema import Platform
from connectors.hubspot import HubSpotConnector, hubspot_oauth
from gateway.oauth_flow import OAuthFlows
from gateway.settings import ConfigError, Settings
from gateway.simulated import with_simulators
from hub.store import Store
from hub.vault import CredentialVault

SIM = "http://sim.test"
CALLBACK = "http://127.0.0.1:8765/oauth/{}/callback"


@pytest.fixture
async def flows(sim_app: object, store: Store) -> AsyncIterator[OAuthFlows]:
    transport = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport) as http:
        credentials = (await http.get(f"{SIM}/_sim/credentials")).json()
        settings = with_simulators(Settings(), SIM, credentials)
        yield OAuthFlows(settings, CredentialVault(store, ["k" * 32]), http)


async def approve(flows: OAuthFlows, url: str) -> tuple[str, str]:
    """What the person's browser does: open the authorize page, follow it back to us."""
    answer = await flows.http.get(url)
    assert answer.status_code in (302, 303), answer.text
    back = urlsplit(answer.headers["location"])
    query = parse_qs(back.query)
    return query["code"][0], query["state"][0]


@pytest.mark.parametrize(
    "platform", [Platform.HUBSPOT, Platform.SALESFORCE, Platform.SHOPIFY, Platform.MAILCHIMP]
)
async def test_each_platform_connects_and_its_tokens_are_sealed(
    flows: OAuthFlows, platform: Platform
) -> None:
    url = flows.start(platform, CALLBACK.format(platform.value))
    query = parse_qs(urlsplit(url).query)
    assert query["state"][0]
    if platform is Platform.SALESFORCE:
        assert query["code_challenge_method"] == ["S256"]
    code, state = await approve(flows, url)

    summary = await flows.finish(platform, code, state)

    assert summary["platform"] == platform.name
    stored = await flows.vault.get(platform.value, "default", reason="test")
    assert stored is not None
    assert stored["access_token"]


async def test_a_connected_hubspot_refresh_token_reads_contacts(flows: OAuthFlows) -> None:
    code, state = await approve(flows, flows.start(Platform.HUBSPOT, CALLBACK.format("hubspot")))
    await flows.finish(Platform.HUBSPOT, code, state)
    stored = await flows.vault.get("hubspot", "default", reason="test")
    assert stored is not None
    hubspot = flows.settings.hubspot
    assert hubspot.client_id is not None
    assert hubspot.client_secret is not None
    async with httpx.AsyncClient(
        transport=flows.http._transport,
        base_url=f"{SIM}/hubspot",
    ) as http:
        auth = hubspot_oauth(
            http,
            hubspot.client_id,
            hubspot.client_secret.get_secret_value(),
            stored["refresh_token"],
        )
        page = await HubSpotConnector(http, auth).list_records(5, None)
    assert len(page.records) == 5


async def test_a_forged_or_reused_state_is_refused(flows: OAuthFlows) -> None:
    code, state = await approve(flows, flows.start(Platform.HUBSPOT, CALLBACK.format("hubspot")))
    with pytest.raises(ConfigError, match="unknown or expired"):
        await flows.finish(Platform.HUBSPOT, code, "forged")
    await flows.finish(Platform.HUBSPOT, code, state)
    with pytest.raises(ConfigError, match="unknown or expired"):
        await flows.finish(Platform.HUBSPOT, code, state)


async def test_marketo_has_no_flow_to_approve(flows: OAuthFlows) -> None:
    with pytest.raises(ConfigError, match="client credentials"):
        flows.start(Platform.MARKETO, CALLBACK.format("marketo"))
