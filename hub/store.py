"""The durable store: SQLAlchemy 2 async over SQLite (the embedded default) or PostgreSQL.

One code path for both (`MGW_DATABASE_URL`); the tables are created on first open. Each table
belongs to the module that uses it; they are declared here so one `metadata` creates them all.
(docs/adr/0005-durable-store.md)
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

metadata = MetaData()

secrets = Table(
    "mgw_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)

identities = Table(
    "mgw_identities",
    metadata,
    Column("customer_id", String(40), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("first_seen", DateTime(timezone=True), nullable=False),
)

identity_links = Table(
    "mgw_identity_links",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("external_id", String(255), primary_key=True),
    Column("customer_id", String(40), nullable=False),
    Column("email", String(320), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Index("ix_mgw_identity_links_customer", "customer_id"),
)


# Modules that declare tables on `metadata`; imported on open so every table exists.
TABLE_MODULES: tuple[str, ...] = (
    "hub.identity", "hub.vault", "hub.inbox", "hub.write_log", "hub.dead_letters",
    "gateway.security.api_keys", "hub.commerce_tables",
)  # fmt: skip


SCHEMA_LOCK = 0x6D67775F736368  # "mgw_sch": the advisory lock around creating tables


class Store:
    """An open database. `insert` gives the dialect's INSERT, which has `on_conflict_*`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    async def open(cls, url: str, *, schema: str | None = None) -> Store:
        """Connect and create missing tables; `schema` (PostgreSQL) keeps them in that schema."""
        connect_args: dict[str, Any] = {}
        if schema is not None:
            if not url.startswith("postgresql"):
                raise ValueError("a store schema needs PostgreSQL")
            connect_args["server_settings"] = {"search_path": schema}
        for module in TABLE_MODULES:
            importlib.import_module(module)
        _make_sqlite_folder(url)
        engine = create_async_engine(url, pool_pre_ping=True, connect_args=connect_args)
        async with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                # Replicas starting together on a fresh database would race to create the
                # same tables (a unique violation in pg_type); one at a time, the rest see
                # them made. Released with the transaction.
                lock = text("SELECT pg_advisory_xact_lock(:key)")
                await connection.execute(lock, {"key": SCHEMA_LOCK})
            await connection.run_sync(metadata.create_all)
        return cls(engine)

    async def close(self) -> None:
        await self.engine.dispose()

    def insert(self, table: Table) -> Any:
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            return postgresql.insert(table)
        if dialect == "sqlite":
            return sqlite.insert(table)
        raise NotImplementedError(f"the store supports SQLite and PostgreSQL, not {dialect}")


def _make_sqlite_folder(url: str) -> None:
    """A SQLite file's folder is created on first open, as the file itself is."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
