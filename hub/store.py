"""The durable store: SQLAlchemy 2 async over SQLite (the embedded default) or PostgreSQL.

One code path for both (`MGW_DATABASE_URL`); the tables, all listed in `hub/tables.py`, are
created on first open.
(docs/adr/0005-durable-store.md)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import (
    Table,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hub.tables import metadata

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
