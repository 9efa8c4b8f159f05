"""Reads served from the store within a freshness bound, end to end through /graphql, over
SQLite and PostgreSQL: what sync stored answers without calling a platform, `maxStaleness: 0`
reads live, a person the store has never seen is read live and then stored, a webhook's
change shows on the next default read, a record deleted upstream leaves on the next full pass.
Upstream calls are counted by the simulators (`/_sim/stats`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from gateway.app import create_app as create_gateway
from gateway.settings import Settings
from gateway.simulated import with_simulators
from hub.inbox import unprocessed_count
from hub.tables import customer_records
from simulators import SimConfig
from simulators import create_app as create_simulators
from sync_jobs.sync_settings import SyncSettings
from tests.waiting import eventually

SIM, GATEWAY = "http://sim.test", "http://gateway.test"
PLATFORMS = "hubspot,shopify,mailchimp"
READ = """query ($email: String!, $stale: Int) {
  customer(email: $email, maxStaleness: $stale) {
    id email firstName syncedAt sources { platform } fieldSources { field platform }
  }
}"""


class LateTransport(httpx.AsyncBaseTransport):
    """Webhook delivery to the gateway, which is built after the simulators."""

    target: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert self.target is not None
        return await self.target.handle_async_request(request)


@pytest.fixture
async def world(store_url: str) -> AsyncIterator[dict[str, Any]]:
    async for built in _world(store_url, cache="off"):
        yield built


@pytest.fixture
async def cached_world(store_url: str) -> AsyncIterator[dict[str, Any]]:
    async for built in _world(store_url, cache="memory"):
        yield built


async def _world(store_url: str, cache: str) -> AsyncIterator[dict[str, Any]]:
    late = LateTransport()
    sim_app = create_simulators(
        SimConfig(
            people=40,
            rate_limits="off",
            webhook_url=GATEWAY,
            webhook_transport=late,
            webhook_retry_seconds=0.01,
        )
    )
    sim_transport = httpx.ASGITransport(app=sim_app)
    async with httpx.AsyncClient(transport=sim_transport, base_url=SIM) as sim:
        credentials = (await sim.get("/_sim/credentials")).json()
        settings = with_simulators(
            Settings(
                database_url=store_url,
                cache=cache,
                platforms=PLATFORMS,
                sync=SyncSettings(schedule=False, retry_delays=()),
            ),
            SIM,
            credentials,
        )
        app = create_gateway(settings, transport=sim_transport)
        late.target = httpx.ASGITransport(app=app)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as gateway:
                yield {"sim": sim, "gateway": gateway, "sim_app": sim_app, "app": app}


async def calls(sim: httpx.AsyncClient) -> int:
    stats = (await sim.get("/_sim/stats")).json()
    return sum(int(stats[platform]["requests"]) for platform in PLATFORMS.split(","))


async def read(world: dict[str, Any], email: str, stale: int | None = None) -> dict[str, Any]:
    response = await world["gateway"].post(
        "/graphql", json={"query": READ, "variables": {"email": email, "stale": stale}}
    )
    body: dict[str, Any] = response.json()
    return body


async def someone_on(sim: httpx.AsyncClient, platform: str) -> str:
    people = (await sim.get("/_sim/people", params={"limit": 40})).json()["people"]
    email: str = next(p["email"] for p in people if platform in p["external_ids"])
    return email


async def settled(world: dict[str, Any]) -> None:
    """Every webhook the simulators sent is delivered and processed."""
    await world["sim_app"].state.sim.webhooks.drain()
    store = world["app"].state.services.store

    async def processed() -> bool:
        return await unprocessed_count(store) == 0

    assert await eventually(processed), "the webhook was accepted but never processed"


async def sync(world: dict[str, Any], *, full: bool = False) -> None:
    run = await world["app"].state.services.sync.run(full=full)
    assert run.status == "SUCCEEDED", run


async def test_a_synced_person_answers_from_the_store_and_zero_reads_live(
    world: dict[str, Any],
) -> None:
    sim = world["sim"]
    email = await someone_on(sim, "hubspot")
    await sync(world)
    before = await calls(sim)
    stored = await read(world, email)
    assert "errors" not in stored, stored
    assert await calls(sim) == before  # not one platform call
    customer = stored["data"]["customer"]
    assert customer["email"] == email
    assert customer["syncedAt"] is not None
    live = await read(world, email, stale=0)
    assert "errors" not in live, live
    assert await calls(sim) > before
    # the same person, each field from the same platform, whether stored or live
    assert live["data"]["customer"]["fieldSources"] == customer["fieldSources"]
    assert customer["fieldSources"]  # provenance is kept in the store
    synced_live = datetime.fromisoformat(live["data"]["customer"]["syncedAt"])
    assert synced_live >= datetime.fromisoformat(customer["syncedAt"])


async def test_an_unknown_person_is_read_live_then_served_from_the_store(
    world: dict[str, Any],
) -> None:
    sim = world["sim"]
    email = await someone_on(sim, "shopify")  # no sync has run: the store holds nobody
    before = await calls(sim)
    first = await read(world, email)
    assert "errors" not in first, first
    after_first = await calls(sim)
    assert after_first > before  # read live
    again = await read(world, email)
    assert await calls(sim) == after_first  # then stored: the second read calls nobody
    assert again["data"]["customer"] == first["data"]["customer"]  # same syncedAt too


async def test_max_staleness_0_reads_past_the_entity_cache(cached_world: dict[str, Any]) -> None:
    """A client that asks for `maxStaleness: 0` gets the platforms' answer of this instant,
    never the entity cache's copy of a moment ago; a looser bound takes the cached one."""
    sim = cached_world["sim"]
    email = await someone_on(sim, "hubspot")
    first = await read(cached_world, email, stale=0)  # read live, and cached
    assert "errors" not in first, first
    before = await calls(sim)
    live = await read(cached_world, email, stale=0)
    assert "errors" not in live, live
    assert await calls(sim) > before  # the platforms, again
    assert live["data"]["customer"]["syncedAt"] > first["data"]["customer"]["syncedAt"]
    before = await calls(sim)
    cached = await read(cached_world, email, stale=60)  # a minute old is fine
    assert await calls(sim) == before
    assert cached["data"]["customer"]["firstName"] == live["data"]["customer"]["firstName"]


@pytest.mark.parametrize("stale", [-1, 10**9])
async def test_a_negative_or_absurd_max_staleness_is_bad_user_input(
    world: dict[str, Any], stale: int
) -> None:
    body = await read(world, "someone@example.com", stale=stale)
    assert body["data"]["customer"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "maxStaleness" in error["message"]


async def test_a_webhook_change_shows_on_the_next_default_read(world: dict[str, Any]) -> None:
    sim = world["sim"]
    email = await someone_on(sim, "hubspot")
    await sync(world)
    changed = await sim.post(
        "/_sim/hubspot/mutate", json={"email": email, "fields": {"firstname": "Hooked"}}
    )
    assert changed.is_success, changed.text
    await settled(world)
    before = await calls(sim)
    body = await read(world, email)
    assert body["data"]["customer"]["firstName"] == "Hooked"
    assert await calls(sim) == before  # from the store, which the webhook updated


async def test_a_record_deleted_upstream_leaves_the_store_on_the_next_full_pass(
    world: dict[str, Any],
) -> None:
    sim = world["sim"]
    people = (await sim.get("/_sim/people", params={"limit": 40})).json()["people"]
    person = next(p for p in people if {"hubspot", "shopify"} <= set(p["external_ids"]))
    await sync(world, full=True)
    hubspot = world["sim_app"].state.sim.platforms["hubspot"]
    hubspot.portal.contacts.by_key(person["email"]).archived = True  # deleted in HubSpot
    before = await read(world, person["email"])
    assert {"platform": "HUBSPOT"} in before["data"]["customer"]["sources"]
    await sync(world, full=True)
    after = await read(world, person["email"])
    assert {"platform": "HUBSPOT"} not in after["data"]["customer"]["sources"]
    assert {"platform": "SHOPIFY"} in after["data"]["customer"]["sources"]
    store = world["app"].state.services.store
    async with store.engine.connect() as connection:
        held = await connection.execute(
            select(customer_records.c.platform).where(customer_records.c.email == person["email"])
        )
        assert "hubspot" not in {row.platform for row in held}
