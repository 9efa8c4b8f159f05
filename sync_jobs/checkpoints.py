"""Durable sync checkpoints: where each account's sync stands, one row per (platform, account,
entity): another account of the same platform starts from nothing (hub/store_accounts.py).

A `Position` is a walk through one platform's records: a full walk (`list_records` from the
start) or a changes walk (the platform's change feed from `since`). `after` is the feed's own
cursor inside the walk, `high` the latest update time seen in it, and `done` says the walk
reached its end. The row is written in the same transaction as the records of the page that
moved it (sync_jobs/sync_runner.py), so a crash leaves it exactly where the index stands.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical_schema import Platform
from hub.store import Store
from hub.tables import sync_checkpoints

CUSTOMERS = "customers"


@dataclass(frozen=True)
class Position:
    mode: Literal["full", "changes"]
    since: datetime | None = None
    """changes: the feed starts after this time. full: where the changes walk after it starts."""
    after: str | None = None
    high: datetime | None = None
    done: bool = False

    def moved(self, after: str | None, seen: list[datetime | None], *, done: bool) -> Position:
        """This walk after one more page: its cursor, the latest time seen, whether it ended."""
        stamps = [stamp for stamp in seen if stamp is not None]
        if self.high is not None:
            stamps.append(self.high)
        return replace(self, after=after, high=max(stamps, default=None), done=done)

    def to_json(self) -> str:
        data = asdict(self)
        for name in ("since", "high"):
            data[name] = data[name].isoformat() if data[name] else None
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Position:
        data = json.loads(text)
        for name in ("since", "high"):
            data[name] = datetime.fromisoformat(data[name]) if data[name] else None
        return cls(**data)


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
