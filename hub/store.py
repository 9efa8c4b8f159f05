"""The durable store: SQLAlchemy 2 async over SQLite (the embedded default) or PostgreSQL.

One code path for both (`MGW_DATABASE_URL`). Every table is declared in `hub/tables.py`, on one
`metadata`, so opening the store knows them all whatever a process imported; the schema itself
is made by the Alembic migrations in hub/migrations/, which `open` applies (under a lock)
before anything reads.
(docs/adr/0005-durable-store.md, docs/adr/0065-store-migrations.md)
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hub import store_migrate
from hub.tables import metadata


class Store:
    """An open database. `insert` gives the dialect's INSERT, which has `on_conflict_*`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    async def open(cls, url: str, *, schema: str | None = None) -> Store:
        """Connect and migrate the schema to this release's (raises `StoreError`, naming the
        migration, when it cannot); `schema` (PostgreSQL) keeps the tables in that schema."""
        connect_args = _connect_args(url, schema)
        await cls.migrate(url, schema=schema)
        if make_url(url).get_backend_name() != "sqlite":
            engine = create_async_engine(url, pool_pre_ping=True, connect_args=connect_args)
        elif _sqlite_file(url) is None:  # in memory: SQLAlchemy keeps it on one connection
            engine = create_async_engine(url, connect_args=connect_args)
        else:
            # A local file does not drop connections, so no ping before each use (a hop to
            # the connection's thread, per read); and connections are kept for a gateway's
            # usual concurrency, not opened and closed past five (each is a thread, a file
            # open and its pragmas: a tenth of a stored read's CPU at 16 concurrent requests).
            engine = create_async_engine(
                url, connect_args=connect_args, pool_size=SQLITE_POOL, max_overflow=SQLITE_POOL
            )
            event.listen(engine.sync_engine, "connect", _write_ahead_log)
        return cls(engine)

    @staticmethod
    async def migrate(url: str, *, schema: str | None = None) -> list[str]:
        """Apply the migrations the database lacks; returns the revisions applied."""
        _make_sqlite_folder(url)
        return await store_migrate.upgrade(url, _connect_args(url, schema), metadata)

    async def close(self) -> None:
        await self.engine.dispose()

    def insert(self, table: Table) -> Any:
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            return postgresql.insert(table)
        if dialect == "sqlite":
            return sqlite.insert(table)
        raise NotImplementedError(f"the store supports SQLite and PostgreSQL, not {dialect}")


SQLITE_LOCK_WAIT_SECONDS = 30.0
SQLITE_POOL = 32
"""SQLite connections kept open (and as many more at a peak, closed after it)."""


def _connect_args(url: str, schema: str | None) -> dict[str, Any]:
    if schema is None:
        # SQLite: a writer waits up to 30 s for another's lock (the gateway, a worker and a
        # sync share one file) instead of sqlite3's 5 s, then fails with "database is locked".
        return {"timeout": SQLITE_LOCK_WAIT_SECONDS} if url.startswith("sqlite") else {}
    if not url.startswith("postgresql"):
        raise ValueError("a store schema needs PostgreSQL")
    return {"server_settings": {"search_path": schema}}


def _write_ahead_log(dbapi_connection: Any, _record: Any) -> None:
    """SQLite in write-ahead-log mode: readers never block a writer's commit, nor a writer
    them. In the default (rollback journal) mode a commit waits for every open read to end,
    so one connection left mid-read (a cancelled request, a slow page) stalled every writer
    — sync, webhooks, the gateway's own writes — until "database is locked".
    The mode is kept in the file; an in-memory database stays as it is.
    (docs/adr/0098-sqlite-write-ahead-log.md)"""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


def _sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names; None for another database, or one held in memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.query.get("mode") == "memory":
        return None
    if parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def _make_sqlite_folder(url: str) -> None:
    """A SQLite file's folder is created on first open, and the file itself, readable by its
    owner only (0600: it holds the sealed credentials and personal data)."""
    path = _sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
