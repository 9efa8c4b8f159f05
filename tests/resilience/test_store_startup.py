"""Replicas started together on a fresh PostgreSQL database all come up: the first creates
the tables, the others wait for it (the soak found two gateways racing to a unique
violation in `pg_type`)."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from hub.store import Store

pytestmark = pytest.mark.postgres


async def test_replicas_opening_a_fresh_database_at_once_all_open(postgres_url: str) -> None:
    name = f"mgw_race_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(postgres_url.replace("+asyncpg", ""))
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
        stores = await asyncio.gather(*(Store.open(url) for _ in range(4)))
        for store in stores:
            await store.close()
    finally:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()
