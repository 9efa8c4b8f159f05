"""The record of every sync run, for `SyncRun` in the graph and `mgw sync` on the CLI.

A run is one platform's sync, or all platforms' (`platform` None), whose counters are the sum
of its platforms' runs. Counters move in the transaction that applies a page and advances the
checkpoint, so `records_written` is exactly what reached the index. Statuses: QUEUED, RUNNING,
SUCCEEDED, FAILED, SKIPPED (another worker was already syncing the platform).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical_schema import Platform
from hub.identity_tables import utc
from hub.store import Store
from hub.tables import sync_runs

QUEUED, RUNNING, SUCCEEDED, FAILED, SKIPPED = "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "SKIPPED"


@dataclass(frozen=True)
class SyncRunRecord:
    id: str
    platform: Platform | None
    full: bool
    status: str
    started_at: datetime
    finished_at: datetime | None
    records_read: int
    records_written: int
    error: str | None


class SyncRuns:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def create(self, platform: Platform | None, full: bool, status: str = QUEUED) -> str:
        run_id = f"syn_{uuid.uuid4().hex}"
        async with self._store.engine.begin() as connection:
            await connection.execute(
                sync_runs.insert().values(
                    id=run_id,
                    platform=platform.value if platform else None,
                    full=full,
                    status=status,
                    started_at=datetime.now(UTC),
                    records_read=0,
                    records_written=0,
                )
            )
        return run_id

    async def mark(self, run_id: str, status: str, error: str | None = None) -> None:
        values: dict[str, object] = {"status": status}
        if status == RUNNING:
            values["started_at"] = datetime.now(UTC)
        if status in (SUCCEEDED, FAILED, SKIPPED):
            values["finished_at"] = datetime.now(UTC)
            values["error"] = error
        async with self._store.engine.begin() as connection:
            await connection.execute(
                update(sync_runs).where(sync_runs.c.id == run_id).values(values)
            )

    @staticmethod
    async def count(
        connection: AsyncConnection, run_ids: Sequence[str], read: int, written: int
    ) -> None:
        """Add a page's counts to the runs, in the caller's (the page's) transaction."""
        await connection.execute(
            update(sync_runs)
            .where(sync_runs.c.id.in_(list(run_ids)))
            .values(
                records_read=sync_runs.c.records_read + read,
                records_written=sync_runs.c.records_written + written,
            )
        )

    async def get(self, run_id: str) -> SyncRunRecord | None:
        runs = await self._select(sync_runs.c.id == run_id)
        return runs[0] if runs else None

    async def recent(
        self, limit: int = 20, platform: Platform | None = None
    ) -> list[SyncRunRecord]:
        where = [sync_runs.c.platform == platform.value] if platform else []
        return await self._select(*where, limit=limit)

    async def last_started(self, platform: Platform) -> datetime | None:
        """When the latest run that covered `platform` (alone or with all) started."""
        query = select(sync_runs.c.started_at).where(
            (sync_runs.c.platform == platform.value) | sync_runs.c.platform.is_(None)
        )
        async with self._store.engine.connect() as connection:
            row = await connection.execute(query.order_by(sync_runs.c.started_at.desc()).limit(1))
            return utc(row.scalar_one_or_none())

    async def last_full_pass(self, platform: Platform) -> datetime | None:
        """When the latest full run that covered `platform` started; with none, when its
        first run started (an account's first walk is a full one); None before any run."""
        covers = (sync_runs.c.platform == platform.value) | sync_runs.c.platform.is_(None)
        started = sync_runs.c.started_at
        async with self._store.engine.connect() as connection:
            full = select(started).where(covers, sync_runs.c.full.is_(True))
            row = await connection.execute(full.order_by(started.desc()).limit(1))
            latest = row.scalar_one_or_none()
            if latest is None:
                row = await connection.execute(select(started).where(covers).order_by(started))
                latest = row.scalars().first()
            return utc(latest)

    async def _select(self, *where: object, limit: int = 1) -> list[SyncRunRecord]:
        query = select(sync_runs).where(*where).order_by(sync_runs.c.started_at.desc()).limit(limit)  # type: ignore[arg-type]
        async with self._store.engine.connect() as connection:
            rows = list(await connection.execute(query))
        return [
            SyncRunRecord(
                id=row.id,
                platform=Platform(row.platform) if row.platform else None,
                full=row.full,
                status=row.status,
                started_at=utc(row.started_at) or datetime.now(UTC),
                finished_at=utc(row.finished_at),
                records_read=row.records_read,
                records_written=row.records_written,
                error=row.error,
            )
            for row in rows
        ]
