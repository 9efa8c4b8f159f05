"""Reads from the store cost a fixed number of SQL statements, whatever the page's size: a
stored page of 100 customers is loaded in one query (not one per customer, N+1), and
`customer(email:)` in one, the sync watermarks being held in memory between syncs. Another
replica's sync shows at once to a read it would make fresh. Statements are counted by a
SQLAlchemy listener, over SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, update

from gateway.app import create_app as create_gateway
from gateway.settings import Settings
from gateway.simulated import with_simulators
from hub import store_accounts
from hub.store import Store
from hub.tables import customer_records
from hub.tables import store_accounts as accounts_table
from simulators import SimConfig
from simulators import create_app as create_simulators
from sync_jobs.sync_settings import SyncSettings
from tests.resolvers import test_freshness as freshness

FIELDS = "id email firstName lastName phone lifecycleStage leadScore updatedAt"
PAGE = f"query ($n: Int!) {{ customers(first: $n) {{ edges {{ node {{ {FIELDS} }} }} }} }}"
ONE = f"query ($e: String!) {{ customer(email: $e) {{ {FIELDS} syncedAt }} }}"


@pytest.fixture
async def world(store_url: str) -> AsyncIterator[dict[str, Any]]:
    sim_app = create_simulators(SimConfig(people=130, rate_limits="off"))
    sim_transport = httpx.ASGITransport(app=sim_app)
    async with httpx.AsyncClient(transport=sim_transport, base_url=freshness.SIM) as sim:
        credentials = (await sim.get("/_sim/credentials")).json()
        settings = with_simulators(
            Settings(
                database_url=store_url,
                cache="off",
                platforms="hubspot",
                sync=SyncSettings(schedule=False, retry_delays=()),
            ),
            freshness.SIM,
            credentials,
        )
        app = create_gateway(settings, transport=sim_transport)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=freshness.GATEWAY) as gw:
                yield {"sim": sim, "gateway": gw, "app": app, "url": store_url}


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    engine = store.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def post(world: dict[str, Any], query: str, **variables: object) -> dict[str, Any]:
    response = await world["gateway"].post(
        "/graphql", json={"query": query, "variables": variables}
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


async def someone(world: dict[str, Any]) -> str:
    return await freshness.someone_on(world["sim"], "hubspot")


async def test_a_stored_page_and_a_stored_customer_cost_a_fixed_number_of_queries(
    world: dict[str, Any],
) -> None:
    await freshness.sync(world, full=True)
    email = await someone(world)
    store = world["app"].state.services.store
    await post(world, PAGE, n=5)  # the index is known to be filled from here on
    with statements(store) as ten:
        page = await post(world, PAGE, n=10)
    with statements(store) as hundred:
        big = await post(world, PAGE, n=100)
    with statements(store) as one:
        customer = await post(world, ONE, e=email)

    assert len(page["customers"]["edges"]) == 10
    assert len(big["customers"]["edges"]) == 100
    assert customer["customer"]["email"] == email
    assert customer["customer"]["syncedAt"]
    assert len(hundred) == len(ten) <= 2, hundred  # the page, then its records: no N+1
    assert len(one) == 1, one  # its records; the watermarks come from memory


async def test_another_replicas_sync_shows_at_once_to_a_read_it_makes_fresh(
    world: dict[str, Any],
) -> None:
    """This replica holds old watermarks in memory; another replica's sync moves them in the
    shared database. A read that the old copy would send live asks the database again first,
    and answers from the store."""
    await freshness.sync(world, full=True)
    sim, store = world["sim"], world["app"].state.services.store
    people = (await sim.get("/_sim/people", params={"limit": 130})).json()["people"]
    first, second = [p["email"] for p in people if "hubspot" in p["external_ids"]][:2]
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    async with store.engine.begin() as connection:  # everything stored two hours ago
        await connection.execute(update(customer_records).values(synced_at=long_ago))
        await connection.execute(update(accounts_table).values(caught_up_at=long_ago))
    store_accounts.marks_moved(store)
    before = await freshness.calls(sim)
    await post(world, ONE, e=first)  # read live: this replica now holds the old watermarks
    assert await freshness.calls(sim) > before

    other = await Store.open(world["url"])  # another replica's sync ends now
    try:
        async with other.engine.begin() as connection:
            await connection.execute(update(accounts_table).values(caught_up_at=datetime.now(UTC)))
    finally:
        await other.close()
    before = await freshness.calls(sim)
    answer = await post(world, ONE, e=second)
    assert answer["customer"]["email"] == second
    assert await freshness.calls(sim) == before  # from the store, not one platform call
