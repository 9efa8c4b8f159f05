"""One sync of a platform at a time across every worker: a lease row in the durable store.

Every worker shares the store (checkpoints live there), so a row there is a lock they all see,
on SQLite and PostgreSQL alike, with no Redis needed. `acquire` takes the row when it is free
or its holder's lease has run out (a worker that died holding it); `renew`, run in the same
transaction that advances the checkpoint, extends it and fails when the lease was taken over
meanwhile, so a worker that stalled past its lease cannot move a checkpoint that is no longer
its own (fencing). `release` frees it at the end of a run. (docs/adr/0031-sync-lock.md)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.identity_tables import utc
from hub.store import Store
from hub.tables import sync_leases


class LeaseLostError(RuntimeError):
    """Another worker took the lease over; this one must stop without committing."""


class StoreLease:
    def __init__(self, store: Store, name: str, holder: str, ttl: float) -> None:
        self._store = store
        self.name = name
        self.holder = holder
        self._ttl = timedelta(seconds=ttl)

    async def acquire(self) -> bool:
        now = datetime.now(UTC)
        upsert = self._store.insert(sync_leases).values(
            name=self.name, holder=self.holder, expires_at=now + self._ttl
        )
        upsert = upsert.on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": upsert.excluded.holder, "expires_at": upsert.excluded.expires_at},
            where=sync_leases.c.expires_at < now,
        )
        async with self._store.engine.begin() as connection:
            await connection.execute(upsert)
            row = await connection.execute(
                select(sync_leases.c.holder).where(sync_leases.c.name == self.name)
            )
            holder: str = row.scalar_one()
            return holder == self.holder

    async def holder_of(self) -> tuple[str, datetime] | None:
        async with self._store.engine.connect() as connection:
            row = await connection.execute(
                select(sync_leases.c.holder, sync_leases.c.expires_at).where(
                    sync_leases.c.name == self.name
                )
            )
            found = row.first()
        expires = utc(found.expires_at) if found else None
        return (found.holder, expires) if found and expires else None

    async def renew(self, connection: AsyncConnection) -> None:
        result = await connection.execute(
            update(sync_leases)
            .where(sync_leases.c.name == self.name, sync_leases.c.holder == self.holder)
            .values(expires_at=datetime.now(UTC) + self._ttl)
        )
        if result.rowcount != 1:
            raise LeaseLostError(f"{self.name}: the lease was taken over by another worker")

    async def release(self) -> None:
        async with self._store.engine.begin() as connection:
            await connection.execute(
                delete(sync_leases).where(
                    sync_leases.c.name == self.name, sync_leases.c.holder == self.holder
                )
            )
