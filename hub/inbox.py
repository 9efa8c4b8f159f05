"""The webhook inbox: every accepted event, kept durably once, before the platform hears 200.

The (platform, event id) primary key makes a replay or a platform's retry a no-op; `accept`
returns only the events seen for the first time. Processing (cache eviction now, triggers and
subscriptions as they land) reads what was accepted, so an event is never lost between the
answer and its effects.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Column, DateTime, String, Table, Text, select

from canonical_schema import Platform
from hub.store import Store, metadata

webhook_events = Table(
    "mgw_webhook_events",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("topic", String(64), nullable=False),
    Column("email", String(320)),
    Column("external_id", String(255)),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("payload", Text, nullable=False),
)


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
                        platform=event.platform.value, event_id=event.event_id,
                        topic=event.topic, email=event.email, external_id=event.external_id,
                        received_at=now, payload=json.dumps(event.payload, default=str),
                    )
                    .on_conflict_do_nothing()
                )  # fmt: skip
                if inserted.rowcount:
                    fresh.append(event)
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


def _kept(row: Any) -> KeptEvent:
    received = row.received_at if row.received_at.tzinfo else row.received_at.replace(tzinfo=UTC)
    return KeptEvent(
        Platform(row.platform), row.event_id, row.topic, row.email, row.external_id,
        received, json.loads(row.payload),
    )  # fmt: skip
