"""Durable sync checkpoints: where each account's sync stands, one row per (platform, account,
entity): another account of the same platform starts from nothing (hub/store_accounts.py).

The row holds a `Position` (connectors/change_feeds.py): where a walk through one platform's
records stands. The row is written in the same transaction as the records of the page that
moved it (sync_jobs/sync_runner.py), so a crash leaves it exactly where the index stands.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical_schema import Platform
from connectors.change_feeds import Position
from hub.store import Store
from hub.tables import sync_checkpoints

CUSTOMERS = "customers"


async def load(
    store: Store, platform: Platform, account: str = "", entity: str = CUSTOMERS
) -> Position | None:
    async with store.engine.connect() as connection:
        row = await connection.execute(
            select(sync_checkpoints.c.position).where(
                sync_checkpoints.c.platform == platform.value,
                sync_checkpoints.c.account == account,
                sync_checkpoints.c.entity == entity,
            )
        )
        text = row.scalar_one_or_none()
    return Position.from_json(text) if text is not None else None


async def save(
    store: Store,
    connection: AsyncConnection,
    platform: Platform,
    position: Position,
    now: datetime,
    account: str = "",
    entity: str = CUSTOMERS,
) -> None:
    """Write the checkpoint in the caller's transaction."""
    upsert = store.insert(sync_checkpoints).values(
        platform=platform.value,
        account=account,
        entity=entity,
        position=position.to_json(),
        updated_at=now,
    )
    await connection.execute(
        upsert.on_conflict_do_update(
            index_elements=["platform", "account", "entity"],
            set_={"position": upsert.excluded.position, "updated_at": upsert.excluded.updated_at},
        )
    )
