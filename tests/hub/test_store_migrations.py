"""The store's schema is migrated by Alembic: on open, under a lock, from the previous release
without loss, and a database that cannot be migrated is refused with the migration named."""

from __future__ import annotations

import asyncio
import importlib
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.security.api_keys import ApiKeyStore
from hub import store_migrate
from hub.identity import IdentityIndex
from hub.store import Store
from hub.store_migrate import StoreError
from hub.tables import identity_links, index_customers

FIXTURES = Path(__file__).parent / "fixtures"
LEGACY_KEY = "mgw_21c1f098f976_Uk-P3WxmY1ont96Kws2zHi9XccrEODiyPay5tuq29RA"
ADA = "cus_b7xcowhg4rwhkjf26fmf3purfl"  # the id the previous release minted for ada@example.com


def test_the_migrations_have_one_head() -> None:
    heads = store_migrate.script().get_heads()
    assert len(heads) == 1, f"migrations branch: heads {heads}; chain the newest on the other"
    assert store_migrate.head() == heads[0]


def test_every_revision_id_fits_the_version_table() -> None:
    for revision in store_migrate.script().walk_revisions():
        assert len(revision.revision) <= 32, revision.revision


def _legacy_sqlite(path: Path) -> str:
    connection = sqlite3.connect(path)
    connection.executescript((FIXTURES / "previous_release.sql").read_text())
    connection.close()
    return f"sqlite+aiosqlite:///{path}"


async def test_a_database_from_the_previous_release_upgrades_without_loss(tmp_path: Path) -> None:
    url = _legacy_sqlite(tmp_path / "mgw.db")
    store = await Store.open(url)
    try:
        assert await store_migrate.current(url, {}) == store_migrate.head()
        identity = await IdentityIndex.open(store)  # the stored key: ids stay the same
        assert identity.customer_id("ada@example.com") == ADA
        assert await identity.emails_for([ADA]) == {ADA: "ada@example.com"}
        async with store.engine.connect() as connection:
            links = (await connection.execute(select(identity_links.c.external_id))).all()
            listed = (await connection.execute(select(index_customers.c.email))).all()
        assert sorted(row.external_id for row in links) == [
            "101",
            "102",
            "gid://shopify/Customer/7",
        ]
        assert sorted(row.email for row in listed) == ["ada@example.com", "grace@example.org"]
        principal = await ApiKeyStore(store).verify(LEGACY_KEY)
        assert principal is not None
    finally:
        await store.close()


async def test_opening_again_applies_nothing(database_url: str) -> None:
    assert await Store.migrate(database_url) != []
    assert await Store.migrate(database_url) == []


async def test_a_corrupt_database_is_refused_naming_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "mgw.db"
    path.write_bytes(b"this is not a database, it is a grocery list\n" * 200)
    with pytest.raises(StoreError, match=r"migration 0001_baseline .*not a database"):
        await Store.open(f"sqlite+aiosqlite:///{path}")


async def test_a_database_from_a_newer_release_is_left_alone(database_url: str) -> None:
    await Store.migrate(database_url)
    path = database_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE mgw_schema_version SET version_num = '0042_from_the_future'")
    with pytest.raises(StoreError, match=r"at migration 0042_from_the_future.*does not know"):
        await Store.open(database_url)
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version_num FROM mgw_schema_version").fetchall() == [
            ("0042_from_the_future",)
        ]


async def test_a_database_that_does_not_match_its_revision_is_refused(database_url: str) -> None:
    await Store.migrate(database_url)
    path = database_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("ALTER TABLE mgw_identity_links DROP COLUMN seen_at")
    with pytest.raises(StoreError, match=r"does not match migration .*mgw_identity_links.seen_at"):
        await Store.open(database_url)


def test_serve_on_a_corrupt_database_says_why_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "mgw.db"
    path.write_bytes(b"\x00garbage" * 500)
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--port", "1"],
        env={
            "MGW_DATABASE_URL": f"sqlite+aiosqlite:///{path}",
            "MGW_HUBSPOT__BASE_URL": "http://127.0.0.1:1/hubspot",
            "MGW_HUBSPOT__PRIVATE_APP_TOKEN": "pat-na1-unused",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "migration 0001_baseline" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_replicas_migrating_one_sqlite_file_together_do_not_race(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'mgw.db'}"
    env = {"MGW_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "gateway", "db", "upgrade"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [(run.wait(timeout=180), *run.communicate()) for run in runs]
    assert [code for code, _, _ in outcomes] == [0, 0, 0], outcomes
    applied = [out for _, out, _ in outcomes if "applied" in out]
    assert len(applied) == 1, outcomes  # one replica migrated, the others found it done


@pytest.fixture
async def pg_schema(postgres_url: str) -> AsyncIterator[str]:
    schema = f"mgw_test_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(postgres_url)
    async with admin.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield schema
    finally:
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()


@pytest.mark.postgres
async def test_postgres_replicas_starting_together_migrate_once(
    postgres_url: str, pg_schema: str
) -> None:
    results = await asyncio.gather(
        *(Store.migrate(postgres_url, schema=pg_schema) for _ in range(4))
    )
    assert sorted(len(applied) for applied in results)[:3] == [0, 0, 0]
    assert max(len(applied) for applied in results) >= 2


@pytest.mark.postgres
async def test_a_postgres_database_from_the_previous_release_upgrades_without_loss(
    postgres_url: str, pg_schema: str
) -> None:
    baseline = importlib.import_module("hub.migrations.versions.0001_baseline").baseline
    legacy = create_async_engine(
        postgres_url, connect_args={"server_settings": {"search_path": pg_schema}}
    )
    async with legacy.begin() as connection:  # what the previous release's create_all made
        await connection.run_sync(baseline.create_all)
        for line in (FIXTURES / "previous_release.sql").read_text().splitlines():
            if line.startswith("INSERT INTO") and "X'" not in line:
                await connection.execute(text(line.replace('"', "")))
    await legacy.dispose()
    store = await Store.open(postgres_url, schema=pg_schema)
    try:
        async with store.engine.connect() as connection:
            links = (await connection.execute(select(identity_links.c.external_id))).all()
        assert len(links) == 3
        assert await ApiKeyStore(store).verify(LEGACY_KEY) is not None
    finally:
        await store.close()
