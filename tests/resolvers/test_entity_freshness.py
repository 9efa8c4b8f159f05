"""A customer's company, deals, orders and events served from the store within the freshness
bound, end to end through /graphql, over SQLite and PostgreSQL: after a sync (and the shop's
order backfill) reading them for synced people costs no platform call, `maxStaleness: 0`
reads them live with the same answer, and segments filter on the stored company's domain.
Upstream calls are counted by the simulators (`/_sim/stats`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from gateway.app import create_app as create_gateway
from gateway.settings import Settings
from gateway.simulated import with_simulators
from hub.tables import person_entities
from simulators import SimConfig
from simulators import create_app as create_simulators
from sync_jobs.sync_settings import SyncSettings
from tests.resolvers.test_freshness import LateTransport, settled
from tests.waiting import eventually

SIM, GATEWAY = "http://sim.test", "http://gateway.test"
PLATFORMS = "hubspot,shopify,mailchimp"
READ = """query ($email: String!, $stale: Int) {
  customer(email: $email, maxStaleness: $stale) {
    email
    company { name domain }
    deals { id name amount { amount } }
    orders { id name total { amount } }
    events(first: 50) { id type occurredAt }
  }
}"""
SEGMENT = """query ($domain: String!) {
  customers(first: 100, filter: { companyDomain: $domain }) { totalCount edges { node { email } } }
}"""


@asynccontextmanager
async def opened(store_url: str, *, entities: bool = True) -> AsyncIterator[dict[str, Any]]:
    """The simulators and a gateway over them; `entities`: sync reads people's entities."""
    late = LateTransport()  # webhooks into the gateway, which is built after the simulators
    config = SimConfig(
        people=30,
        rate_limits="off",
        webhook_url=GATEWAY,
        webhook_transport=late,
        webhook_retry_seconds=0.01,
    )
    sim_app = create_simulators(config)
    sim_transport = httpx.ASGITransport(app=sim_app)
    async with httpx.AsyncClient(transport=sim_transport, base_url=SIM) as sim:
        credentials = (await sim.get("/_sim/credentials")).json()
        settings = with_simulators(
            Settings(
                database_url=store_url,
                cache="off",
                platforms=PLATFORMS,
                sync=SyncSettings(schedule=False, retry_delays=(), entities=entities),
            ),
            SIM,
            credentials,
        )
        app = create_gateway(settings, transport=sim_transport)
        late.target = httpx.ASGITransport(app=app)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as gateway:
                yield {"sim": sim, "gateway": gateway, "app": app, "sim_app": sim_app}


@pytest.fixture
async def world(store_url: str) -> AsyncIterator[dict[str, Any]]:
    async with opened(store_url) as found:
        yield found


async def calls(sim: httpx.AsyncClient, platforms: str = PLATFORMS) -> int:
    stats = (await sim.get("/_sim/stats")).json()
    return sum(int(stats[platform]["requests"]) for platform in platforms.split(","))


async def ask(world: dict[str, Any], query: str, **variables: Any) -> dict[str, Any]:
    response = await world["gateway"].post(
        "/graphql", json={"query": query, "variables": variables}
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


async def synced(world: dict[str, Any]) -> list[str]:
    """Sync every platform and backfill the shop's orders; the people on HubSpot and Shopify."""
    services = world["app"].state.services
    run = await services.sync.run()
    assert run.status == "SUCCEEDED", run
    await services.graph.attribution.backfill()
    people = (await world["sim"].get("/_sim/people", params={"limit": 30})).json()["people"]
    return [p["email"] for p in people if {"hubspot", "shopify"} <= set(p["external_ids"])]


async def test_after_a_sync_entities_and_segments_cost_no_platform_call_and_0_reads_live(
    world: dict[str, Any],
) -> None:
    emails = (await synced(world))[:4]
    assert len(emails) == 4
    before = await calls(world["sim"])
    stored = [(await ask(world, READ, email=email))["customer"] for email in emails]
    assert await calls(world["sim"]) == before  # not one platform call
    for field in ("company", "deals", "orders", "events"):
        assert any(c[field] for c in stored), field  # each kind is there for someone
    # a segment by the stored company's domain (any case), without a platform call either
    person = next(c for c in stored if c["company"] and c["company"]["domain"])
    domain = person["company"]["domain"]
    found = (await ask(world, SEGMENT, domain=domain.upper()))["customers"]
    members = {edge["node"]["email"] for edge in found["edges"]}
    assert {c["email"] for c in stored if (c["company"] or {}).get("domain") == domain} <= members
    assert found["totalCount"] == len(members)
    assert await calls(world["sim"]) == before
    live = [(await ask(world, READ, email=email, stale=0))["customer"] for email in emails]
    assert await calls(world["sim"]) > before
    assert live == stored  # the same answer, live or stored


async def test_a_person_read_live_has_their_entities_kept(world: dict[str, Any]) -> None:
    people = (await world["sim"].get("/_sim/people", params={"limit": 30})).json()["people"]
    email = next(p["email"] for p in people if "hubspot" in p["external_ids"])
    first = (await ask(world, READ, email=email))["customer"]  # no sync: read live, then kept
    before = await calls(world["sim"], "hubspot,mailchimp")
    again = (await ask(world, READ, email=email))["customer"]
    assert await calls(world["sim"], "hubspot,mailchimp") == before
    assert again == first  # orders: live again, as the shop's orders were never backfilled


async def kept_rows(world: dict[str, Any]) -> int:
    store = world["app"].state.services.store
    async with store.engine.connect() as connection:
        return int(
            (
                await connection.execute(select(func.count()).select_from(person_entities))
            ).scalar_one()
        )


async def test_with_sync_entities_off_only_reads_keep_them(tmp_path: Path) -> None:
    async with opened(f"sqlite+aiosqlite:///{tmp_path / 'off.db'}", entities=False) as world:
        [email, *_] = await synced(world)
        assert await kept_rows(world) == 0  # the sync read none
        before = await calls(world["sim"])
        await ask(world, READ, email=email)
        assert await calls(world["sim"]) > before  # read live
        assert await kept_rows(world) > 0  # and kept


async def kept_at(world: dict[str, Any], email: str) -> list[Any]:
    """When each of the person's HubSpot entities was last kept."""
    services = world["app"].state.services
    customer_id = services.identity.customer_id(email)
    query = select(person_entities.c.synced_at).where(
        person_entities.c.customer_id == customer_id, person_entities.c.platform == "hubspot"
    )
    async with services.store.engine.connect() as connection:
        return sorted(row.synced_at for row in await connection.execute(query))


async def changed_by_webhook(world: dict[str, Any], email: str, first_name: str) -> None:
    """A HubSpot change of the person, its webhook delivered and processed."""
    changed = await world["sim"].post(
        "/_sim/hubspot/mutate", json={"email": email, "fields": {"firstname": first_name}}
    )
    assert changed.is_success, changed.text
    await settled(world)


async def test_a_webhook_reads_the_changed_persons_entities_again(world: dict[str, Any]) -> None:
    [email, *_] = await synced(world)
    before = await kept_at(world, email)
    assert before  # the sync kept their company and deals
    await changed_by_webhook(world, email, "Hooked")
    after = await kept_at(world, email)
    assert len(after) == len(before)
    assert all(new > old for new, old in zip(after, before, strict=True))


async def test_entities_a_webhook_could_not_read_for_now_are_read_by_a_later_job(
    world: dict[str, Any],
) -> None:
    """HubSpot refuses the webhook job's association reads (429): the job does not wait
    for the quota, and a later job keeps the person's company and deals."""
    [email, *_] = await synced(world)
    before = await kept_at(world, email)
    assert before
    refused = {"platform": "hubspot", "error_rate": 1.0, "status": 429, "retry_after": 0.1}
    refused |= {"route": "associations", "count": 2}  # the company's and the deals' reads
    await world["sim"].post("/_sim/faults", json=refused)
    await changed_by_webhook(world, email, "Later")
    faults = (await world["sim"].get("/_sim/faults")).json()
    assert not faults["faults"].get("hubspot"), faults  # both reads were refused
    assert await kept_at(world, email) == before  # and the job went on without them

    async def kept_again() -> bool:
        after = await kept_at(world, email)
        return len(after) == len(before) and all(a > b for a, b in zip(after, before, strict=True))

    assert await eventually(kept_again, within=30), "no later job read them again"


async def test_a_shops_events_are_its_stored_orders(world: dict[str, Any]) -> None:
    """Shopify's ORDER_PLACED events are the shop's orders: once those are in the store, a
    person's events come from them (no Shopify call, none kept twice); live, the same."""
    emails = (await synced(world))[:6]
    store = world["app"].state.services.store
    query = select(func.count()).where(
        person_entities.c.platform == "shopify", person_entities.c.kind == "events"
    )
    async with store.engine.connect() as connection:
        assert (await connection.execute(query)).scalar_one() == 0  # the sync read none
    before = await calls(world["sim"], "shopify")
    stored = [(await ask(world, READ, email=email))["customer"] for email in emails]
    assert await calls(world["sim"], "shopify") == before
    placed = [sum(e["type"] == "ORDER_PLACED" for e in c["events"]) for c in stored]
    assert placed == [len(c["orders"]) for c in stored]  # at most 10 of each, as orders
    assert any(placed)
    live = [(await ask(world, READ, email=email, stale=0))["customer"] for email in emails]
    assert await calls(world["sim"], "shopify") > before
    assert live == stored
