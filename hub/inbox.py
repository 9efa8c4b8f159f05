"""The webhook inbox: every accepted event, kept durably once, before the platform hears 200.

The (platform, event id) primary key makes a replay or a platform's retry a no-op; `accept`
returns only the events seen for the first time. Each of those is also marked unprocessed, in
the same transaction; the job that processes it (sync_jobs/webhook_jobs.py) clears the mark
once its effects are done, and whatever stays marked is handed to a job again
(`unprocessed`), so an event is never lost between the answer and its effects.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import delete, func, select, tuple_

from canonical_schema import Platform
from hub.store import Store
from hub.tables import webhook_events, webhook_unprocessed


class InboxEvent(Protocol):
    @property
    def platform(self) -> Platform: ...
    @property
    def event_id(self) -> str: ...
    @property
    def topic(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def external_id(self) -> str | None: ...
    @property
    def occurred_at(self) -> datetime | None: ...
    @property
    def payload(self) -> dict[str, Any]: ...


E = TypeVar("E", bound=InboxEvent)


class Inbox:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def accept(self, events: Sequence[E]) -> list[E]:
        """Keep each event not seen before; returns those, in order."""
        fresh: list[E] = []
        now = datetime.now(UTC)
        async with self._store.engine.begin() as connection:
            for event in events:
                inserted = await connection.execute(
                    self._store.insert(webhook_events)
                    .values(
                        platform=event.platform.value,
                        event_id=event.event_id,
                        topic=event.topic,
                        email=event.email,
                        external_id=event.external_id,
                        received_at=now,
                        payload=json.dumps(event.payload, default=str),
                    )
                    .on_conflict_do_nothing()
                )
                if inserted.rowcount:
                    fresh.append(event)
            if fresh:
                await connection.execute(
                    webhook_unprocessed.insert().values(
                        [
                            {
                                "platform": e.platform.value,
                                "event_id": e.event_id,
                                "occurred_at": e.occurred_at,
                                "received_at": now,
                            }
                            for e in fresh
                        ]
                    )
                )
        return fresh


@dataclass(frozen=True)
class KeptEvent:
    platform: Platform
    event_id: str
    topic: str
    email: str | None
    external_id: str | None
    received_at: datetime
    payload: dict[str, Any]
    occurred_at: datetime | None = None


async def unprocessed_events(
    store: Store, platform: Platform, event_ids: Sequence[str]
) -> list[KeptEvent]:
    """Those of `event_ids` still waiting for their effects, in the order received."""
    if not event_ids:
        return []
    e, u = webhook_events.c, webhook_unprocessed.c
    query = (
        select(webhook_events, u.occurred_at.label("occurred"))
        .join(webhook_unprocessed, (u.platform == e.platform) & (u.event_id == e.event_id))
        .where(e.platform == platform.value, e.event_id.in_(list(event_ids)))
        .order_by(e.received_at)
    )
    async with store.engine.connect() as connection:
        rows = list(await connection.execute(query))
    order = {event_id: n for n, event_id in enumerate(event_ids)}
    found = [_kept(row, row.occurred) for row in rows]
    return sorted(found, key=lambda event: order[event.event_id])


async def processed(store: Store, platform: Platform, event_ids: Sequence[str]) -> None:
    """The events' effects are done: nobody need process them again."""
    if not event_ids:
        return
    keys = [(platform.value, event_id) for event_id in event_ids]
    u = webhook_unprocessed.c
    async with store.engine.begin() as connection:
        await connection.execute(
            delete(webhook_unprocessed).where(tuple_(u.platform, u.event_id).in_(keys))
        )


async def unprocessed(
    store: Store, received_before: datetime | None = None
) -> list[tuple[Platform, str]]:
    """(platform, event id) of every event still waiting for its effects (received before
    `received_before`, when given), oldest first."""
    u = webhook_unprocessed.c
    query = select(u.platform, u.event_id).order_by(u.received_at)
    if received_before is not None:
        query = query.where(u.received_at < received_before)
    async with store.engine.connect() as connection:
        return [(Platform(r.platform), r.event_id) for r in await connection.execute(query)]


async def unprocessed_count(store: Store) -> int:
    async with store.engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(webhook_unprocessed))
    return int(count or 0)


async def kept(store: Store, platform: Platform, event_id: str) -> KeptEvent | None:
    """One event as the inbox kept it."""
    async with store.engine.connect() as connection:
        row = (
            await connection.execute(
                select(webhook_events).where(
                    webhook_events.c.platform == platform.value,
                    webhook_events.c.event_id == event_id,
                )
            )
        ).first()
    return None if row is None else _kept(row)


async def later_events(
    store: Store, platform: Platform, email: str, topics: Sequence[str], after: datetime
) -> list[KeptEvent]:
    """This person's events of `topics` kept after `after`, oldest first."""
    async with store.engine.connect() as connection:
        rows = await connection.execute(
            select(webhook_events)
            .where(
                webhook_events.c.platform == platform.value,
                webhook_events.c.email == email,
                webhook_events.c.topic.in_(list(topics)),
                webhook_events.c.received_at > after,
            )
            .order_by(webhook_events.c.received_at)
        )
        return [_kept(row) for row in rows]


def _kept(row: Any, occurred_at: datetime | None = None) -> KeptEvent:
    return KeptEvent(
        Platform(row.platform),
        row.event_id,
        row.topic,
        row.email,
        row.external_id,
        _utc(row.received_at),
        json.loads(row.payload),
        _utc(occurred_at),
    )


def _utc(moment: Any) -> Any:
    """SQLite hands back naive datetimes for what was stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
