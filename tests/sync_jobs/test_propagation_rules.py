"""Each propagation rule, end to end: a change made in one platform's UI (`/_sim/.../mutate`)
reaches the rule's targets through the write path, once, and stops there — the simulators'
write logs show exactly the expected writes and nothing bouncing back, after every platform
has been read again (by webhook and by sync).

Salesforce has no webhooks: its change arrives by polling (an incremental sync). Mailchimp's
arrives by webhook, processed by the high-priority job. The targets' own webhooks about the
gateway's writes come back in too, and must not propagate anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from canonical_schema import Platform
from gateway.app import create_app
from gateway.settings import Settings
from gateway.simulated import with_simulators
from hub.inbox import unprocessed_count
from hub.tables import seen_values
from simulators import SimConfig
from simulators import create_app as create_simulators
from sync_jobs.sync_settings import PropagationRule, SyncSettings
from tests.sync_jobs.sync_services import SIM

GATEWAY = "http://gateway.test"
NONE = {platform.value: 0 for platform in Platform}
RULES = [
    PropagationRule(field="lifecycle_stage", source="salesforce", targets=["hubspot", "marketo"]),
    PropagationRule(field="email_consent", source="mailchimp", targets=["hubspot", "shopify"]),
]


class LateTransport(httpx.AsyncBaseTransport):
    """Webhooks delivered in-process to the gateway built after the simulators."""

    target: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert self.target is not None
        return await self.target.handle_async_request(request)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    late = LateTransport()
    sim_app = create_simulators(
        SimConfig(
            seed=5,
            people=120,
            rate_limits="off",
            webhook_url=GATEWAY,
            webhook_transport=late,
            webhook_retry_seconds=0.01,
        )
    )
    transport = httpx.ASGITransport(app=sim_app)
    async with httpx.AsyncClient(transport=transport, base_url=SIM) as sim:
        settings = with_simulators(
            Settings(
                database_url=f"sqlite+aiosqlite:///{tmp_path / 'rules.db'}",
                cache="memory",
                sync=SyncSettings(schedule=False, retry_delays=(), propagate=RULES),
            ),
            SIM,
            (await sim.get("/_sim/credentials")).json(),
        )
        app = create_app(settings, transport=transport)
        late.target = httpx.ASGITransport(app=app)
        async with app.router.lifespan_context(app):
            services = app.state.services
            await services.sync.run()  # the first sync learns what each platform holds
            yield {"sim": sim, "sim_app": sim_app, "services": services}


async def settled(world: dict[str, Any]) -> None:
    """Until webhooks are delivered, their jobs have run and no write is left unfinished."""
    services = world["services"]
    for _ in range(500):
        await world["sim_app"].state.sim.webhooks.drain()
        busy = await unprocessed_count(services.store) or await services.write.log.unfinished()
        if not busy:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("webhooks or writes never settled")


async def read_everything_again(world: dict[str, Any]) -> None:
    """Every platform read again (echoes would show up here), twice over."""
    for _ in range(2):
        await settled(world)
        for platform in Platform:
            await world["services"].sync.run(platform)
        await settled(world)


async def writes_of(sim: httpx.AsyncClient, email: str) -> dict[str, int]:
    """How many writes each platform took for `email`."""
    counts = {}
    for platform in Platform:
        log = (await sim.get(f"/_sim/{platform.value}/writes")).json()["writes"]
        counts[platform.value] = sum(email in str(write).lower() for write in log)
    return counts


async def seen(world: dict[str, Any], email: str, field: str) -> dict[str, str]:
    c = seen_values.c
    async with world["services"].store.engine.connect() as connection:
        rows = await connection.execute(
            seen_values.select().where(c.email == email, c.field == field)
        )
        return {row.platform: row.value for row in rows}


async def people(sim: httpx.AsyncClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await sim.get("/_sim/people", params={"limit": 500})).json()[
        "people"
    ]
    return found


async def test_a_salesforce_stage_change_reaches_hubspot_and_marketo_once(
    world: dict[str, Any],
) -> None:
    sim = world["sim"]
    candidates = [
        p
        for p in await people(sim)
        if {"salesforce", "hubspot", "marketo"} <= set(p["external_ids"])
        and p["external_ids"]["salesforce"].startswith("00Q")  # a Lead: it has a Status
    ]
    email = ""
    for person in candidates:
        stages = await seen(world, person["email"], "lifecycle_stage")
        if stages.get("salesforce") and "salesqualifiedlead" not in stages.values():
            email = person["email"]
            break
    assert email, "no Lead held by HubSpot and Marketo short of SQL among the seeded people"

    edit = {"email": email, "fields": {"Status": "Working - Contacted"}}
    assert (await sim.post("/_sim/salesforce/mutate", json=edit)).is_success
    await world["services"].sync.run(Platform.SALESFORCE)  # polled: no webhooks there
    await settled(world)
    assert await writes_of(sim, email) == {**NONE, "hubspot": 1, "marketo": 1}
    await read_everything_again(world)

    assert await writes_of(sim, email) == {**NONE, "hubspot": 1, "marketo": 1}
    hubspot = (await sim.get("/_sim/hubspot/records", params={"email": email})).json()
    marketo = (await sim.get("/_sim/marketo/records", params={"email": email})).json()
    assert "salesqualifiedlead" in str(hubspot["records"])
    assert "'Working'" in str(marketo["records"])


async def subscribed_member(world: dict[str, Any], *, in_shopify: bool) -> str:
    """A subscribed Mailchimp member HubSpot holds, whom Shopify holds (or lacks)."""
    for person in await people(world["sim"]):
        held = set(person["external_ids"])
        if not {"mailchimp", "hubspot"} <= held or ("shopify" in held) is not in_shopify:
            continue
        if (await seen(world, person["email"], "email_consent")).get("mailchimp") == "subscribed":
            return str(person["email"])
    raise AssertionError(f"no subscribed member held by HubSpot (Shopify: {in_shopify})")


async def unsubscribe_in_mailchimp(world: dict[str, Any], email: str) -> None:
    """The member unsubscribes in Mailchimp; its webhook's job propagates, once, and nothing
    comes back however often every platform is read again."""
    sim = world["sim"]
    edit = {"email": email, "fields": {"status": "unsubscribed"}}
    assert (await sim.post("/_sim/mailchimp/mutate", json=edit)).is_success
    await settled(world)  # the webhook's job propagated, with no sync yet
    assert await writes_of(sim, email) == {**NONE, "hubspot": 1, "shopify": 1}
    await read_everything_again(world)

    assert await writes_of(sim, email) == {**NONE, "hubspot": 1, "shopify": 1}
    hubspot = (await sim.get("/_sim/hubspot/records", params={"email": email})).json()
    assert hubspot["records"][0]["properties"]["hs_email_optout"] == "true"
    shopify = (await sim.get("/_sim/shopify/records", params={"email": email})).json()
    assert "UNSUBSCRIBED" in str(shopify["records"])
    assert (await seen(world, email, "email_consent")) == {
        "mailchimp": "unsubscribed",
        "shopify": "unsubscribed",
        "hubspot": "unsubscribed",
    }


async def operations(sim: httpx.AsyncClient, platform: str, email: str) -> list[str]:
    log = (await sim.get(f"/_sim/{platform}/writes")).json()["writes"]
    return [str(write["operation"]) for write in log if email in str(write).lower()]


async def test_a_mailchimp_unsubscribe_reaches_an_existing_shopify_customer_and_hubspot(
    world: dict[str, Any],
) -> None:
    """Shopify takes an existing customer's consent only through
    `customerEmailMarketingConsentUpdate`; HubSpot's opt-out goes through communication
    preferences (`hs_email_optout` is read-only). One write each, no echo."""
    email = await subscribed_member(world, in_shopify=True)
    await unsubscribe_in_mailchimp(world, email)
    assert await operations(world["sim"], "shopify", email) == [
        "customerEmailMarketingConsentUpdate"
    ]
    assert await operations(world["sim"], "hubspot", email) == ["unsubscribe-all"]


async def test_a_mailchimp_unsubscribe_reaches_shopify_by_webhook_and_stops_there(
    world: dict[str, Any],
) -> None:
    """A person Shopify lacks: the consent lands on the customer Shopify creates for them."""
    email = await subscribed_member(world, in_shopify=False)
    await unsubscribe_in_mailchimp(world, email)
    assert await operations(world["sim"], "shopify", email) == ["customerCreate"]
