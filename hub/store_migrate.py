"""Bringing a store's schema to this release: Alembic migrations under a lock, checked after.

`upgrade` runs every migration the database lacks (hub/migrations/versions/) in one
transaction, holding a lock that replicas starting together share: PostgreSQL's advisory lock,
SQLite's write lock (`BEGIN IMMEDIATE`, so a second process waits rather than racing). A
database from before Alembic (tables, no version row) starts at the baseline, which creates
only what it lacks. A database that cannot be migrated raises `StoreError` naming the
migration; one left at a revision this release does not know (a newer release's) is refused,
never touched. (docs/adr/0065-store-migrations.md)
"""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import Callable
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, MetaData, event, inspect, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

VERSION_TABLE = "mgw_schema_version"
MIGRATION_LOCK = 0x6D67775F736368  # "mgw_sch": PostgreSQL's advisory lock around migrations
SQLITE_LOCK_WAIT = 120.0  # seconds a replica waits for another's migrations on one SQLite file


# Alembic's `context` and `op` are module-level proxies: two upgrades interleaving on one event
# loop (stores opened side by side) would tear down each other's. One upgrade at a time per loop.
_UPGRADING: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _one_at_a_time() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _UPGRADING.get(loop)
    if lock is None:
        lock = _UPGRADING[loop] = asyncio.Lock()
    return lock


class StoreError(Exception):
    """The store cannot be used as it is; the message says why, for a person (no traceback)."""


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The revision this release's schema is at; more than one head is a packaging mistake."""
    heads = script().get_heads()
    if len(heads) != 1:
        raise StoreError(f"the store's migrations have {len(heads)} heads: {sorted(heads)}")
    return heads[0]


async def upgrade(url: str, connect_args: dict[str, Any], metadata: MetaData) -> list[str]:
    """Migrate the database at `url` to this release's head and check that its tables match
    `metadata`; returns the revisions applied (none when it was already current)."""
    if await _at_head(url, connect_args, metadata):
        return []  # the common case, without taking the lock (SQLite's is its write lock)
    async with _one_at_a_time():
        return await _upgrade_alone(url, connect_args, metadata)


async def _upgrade_alone(url: str, connect_args: dict[str, Any], metadata: MetaData) -> list[str]:
    engine = _migration_engine(url, connect_args)
    try:
        async with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                lock = text("SELECT pg_advisory_xact_lock(:key)")
                await connection.execute(lock, {"key": MIGRATION_LOCK})
            applied: list[str] = await connection.run_sync(_upgrade)
            await connection.run_sync(_check, metadata)
            await connection.commit()
        return applied
    except DBAPIError as error:  # the database itself is out of reach or unreadable
        raise StoreError(f"the store cannot be opened: {_reason(error)}") from error
    finally:
        await engine.dispose()


async def _at_head(url: str, connect_args: dict[str, Any], metadata: MetaData) -> bool:
    """Whether the database is at this release's head already (and matches it: a mismatch
    raises); anything unusual, such as an unreadable file, is left to the locked path, which
    names it."""
    engine = create_async_engine(url, connect_args=connect_args)
    try:
        async with engine.connect() as connection:
            if await connection.run_sync(_current) != head():
                return False
            await connection.run_sync(_check, metadata)
            return True
    except DBAPIError:
        return False
    finally:
        await engine.dispose()


async def current(url: str, connect_args: dict[str, Any]) -> str | None:
    """The revision the database is at (None: an empty database or one from before Alembic)."""
    engine = _migration_engine(url, connect_args)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_current)
    except DBAPIError as error:
        raise StoreError(f"the store cannot be opened: {_reason(error)}") from error
    finally:
        await engine.dispose()


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "hub:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _current(connection: Connection) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def _upgrade(connection: Connection) -> list[str]:
    config = _config(connection)
    scripts = ScriptDirectory.from_config(config)
    target = head()
    try:
        at = _current(connection)
    except DBAPIError as error:
        raise StoreError(
            f"the store cannot be upgraded: migration {_first(scripts)} cannot read the "
            f"database ({_reason(error)})"
        ) from error
    if at is not None and not _known(scripts, at):
        raise StoreError(
            f"the store is at migration {at}, which this release does not know (it was "
            f"upgraded by a newer release, whose head this is not: {target}); run that release "
            "or restore a backup taken before it"
        )
    pending = [rev.revision for rev in reversed(list(scripts.iterate_revisions(target, at)))]
    applied: list[str] = []
    config.attributes["on_version_apply"] = _recorder(applied)
    try:
        command.upgrade(config, target)
    except (SQLAlchemyError, CommandError) as error:
        failed = next((name for name in pending if name not in applied), target)
        raise StoreError(
            f"the store cannot be upgraded: migration {failed} failed ({_reason(error)}); "
            "nothing was changed"
        ) from error
    return applied


def _check(connection: Connection, metadata: MetaData) -> None:
    """Every table and column this release uses is there; what differs is named."""
    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    problems: list[str] = []
    for table in metadata.sorted_tables:
        if table.name not in present:
            problems.append(f"table {table.name} is missing")
            continue
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        problems.extend(
            f"{table.name}.{column.name} is missing"
            for column in table.columns
            if column.name not in columns
        )
    if problems:
        raise StoreError(
            f"the store does not match migration {head()}, which it says it is at: "
            + "; ".join(problems[:5])
            + ("; ..." if len(problems) > 5 else "")
        )


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def _first(scripts: ScriptDirectory) -> str:
    return str(scripts.get_base())


def _recorder(applied: list[str]) -> Callable[..., None]:
    def record(*, step: Any, **_: Any) -> None:
        applied.extend(step.up_revision_ids)

    return record


def _reason(error: BaseException) -> str:
    """The database's own words, on one line, without SQL or a traceback."""
    original = getattr(error, "orig", None) or error
    words = str(original).strip().splitlines()[0] if str(original).strip() else type(error).__name__
    return re.sub(r"\s+", " ", words)[:300]


def _migration_engine(url: str, connect_args: dict[str, Any]) -> AsyncEngine:
    """An engine for one migration run. On SQLite, the driver's own transaction handling is
    turned off and each transaction begins IMMEDIATE: DDL then rolls back with everything else
    on a failure, and a second process waits for the write lock instead of migrating too."""
    if not url.startswith("sqlite"):
        return create_async_engine(url, connect_args=connect_args)
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_LOCK_WAIT, **connect_args})

    @event.listens_for(engine.sync_engine, "connect")
    def _manual(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _immediate(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
