"""Readers and writers of one SQLite store side by side: the gateway serving, sync, webhook
jobs and a worker share one file. A read left open (a slow page, a request cancelled
mid-read) must not hold up a writer's commit, nor a write a read."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, select

from hub.store import Store
from hub.tables import store_people

BOUND = 10.0  # seconds: far above a commit's time, far below the store's 30 s lock wait


async def test_an_open_read_does_not_hold_up_a_commit(tmp_path: Path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'mgw.db'}")
    try:
        now = datetime.now(UTC)
        people = [{"customer_id": f"c-{i}", "read_at": now} for i in range(100)]
        async with store.engine.begin() as connection:
            await connection.execute(insert(store_people), people)
        async with store.engine.connect() as reader:
            rows = await reader.stream(select(store_people.c.customer_id))  # read, not to its end
            assert (await rows.fetchmany(10))[0] == ("c-0",)

            async def write() -> None:
                async with store.engine.begin() as writer:
                    await writer.execute(insert(store_people), [{"customer_id": "new"}])

            await asyncio.wait_for(write(), BOUND)  # before: "database is locked" after 30 s
            assert len(await rows.fetchall()) >= 90  # and the read goes on
            await rows.close()
        async with store.engine.connect() as connection:
            assert await connection.scalar(select(func.count()).select_from(store_people)) == 101
    finally:
        await store.close()


async def test_the_store_file_keeps_a_write_ahead_log(tmp_path: Path) -> None:
    path = tmp_path / "mgw.db"
    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    try:
        async with store.engine.connect() as connection:
            assert await connection.scalar(select(func.count()).select_from(store_people)) == 0
            mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
        assert mode == "wal"
    finally:
        await store.close()


async def test_an_in_memory_store_opens_with_its_own_pool() -> None:
    # a file's pool settings do not apply to a database that lives in one connection
    store = await Store.open("sqlite+aiosqlite://")
    await store.close()
