"""The durable record of every accepted write: the request (with its idempotency key) and the
state of each target platform. Written before any job runs, so nothing accepted depends on a
queue or a process surviving: whatever is unfinished here is resubmitted (`unfinished`).

A target's `generation` counts its replays; a job carries the generation it was sent for and
every update matches on it, so a stale job (a SIGKILLed worker's, re-run by the queue after a
replay) can never overwrite the newer outcome.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical_schema import Platform
from canonical_schema.invariants import BrokenInvariant
from hub.store import Store
from hub.tables import write_requests, write_targets
from hub.write_plan import CustomerChange

PENDING, RETRYING = "pending", "retrying"
WRITTEN, SKIPPED, DEAD_LETTERED = "written", "skipped", "dead_lettered"
FINAL = frozenset({WRITTEN, SKIPPED, DEAD_LETTERED})


@dataclass(frozen=True)
class WriteRequest:
    request_id: str
    operation: str
    change: CustomerChange
    customer_id: str
    targets: tuple[Platform, ...]
    fingerprint: str
    idempotency_key: str | None
    correlation_id: str
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        """The full request, as a dead letter keeps it."""
        return {
            "requestId": self.request_id,
            "operation": self.operation,
            "customerId": self.customer_id,
            "input": self.change.as_json(),
            "targets": [p.name for p in self.targets],
            "idempotencyKey": self.idempotency_key,
        }


@dataclass(frozen=True)
class TargetState:
    request_id: str
    platform: Platform
    status: str
    generation: int
    attempts: int
    external_id: str | None
    dead_letter_id: str | None
    error: str | None
    last_response: str | None
    first_failed_at: datetime | None
    last_failed_at: datetime | None
    next_attempt_at: datetime | None


class WriteLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def store(self) -> Store:
        return self._store

    async def create(self, request: WriteRequest, now: datetime) -> WriteRequest:
        """Record the request and its pending targets; if its idempotency key was used before,
        record nothing and answer the earlier request instead."""
        row = {
            "request_id": request.request_id,
            "operation": request.operation,
            "email": request.change.email,
            "customer_id": request.customer_id,
            "change": json.dumps(request.change.as_json()),
            "targets": json.dumps([p.value for p in request.targets]),
            "fingerprint": request.fingerprint,
            "idempotency_key": request.idempotency_key,
            "correlation_id": request.correlation_id,
            "created_at": request.created_at,
        }
        targets = [
            {
                "request_id": request.request_id,
                "platform": p.value,
                "status": PENDING,
                "generation": 0,
                "attempts": 0,
                "updated_at": now,
            }
            for p in request.targets
        ]
        async with self._store.engine.begin() as connection:
            inserted = await connection.execute(
                self._store.insert(write_requests).values(row).on_conflict_do_nothing()
            )
            if inserted.rowcount == 1:
                await connection.execute(write_targets.insert().values(targets))
                return request
        # only the key can conflict
        if request.idempotency_key is None:
            raise BrokenInvariant("expected request.idempotency_key is not None")
        earlier = await self._request_where(
            write_requests.c.idempotency_key, request.idempotency_key
        )
        if earlier is None:
            raise BrokenInvariant("expected earlier is not None")
        return earlier

    async def request(self, request_id: str) -> WriteRequest | None:
        return await self._request_where(write_requests.c.request_id, request_id)

    async def _request_where(self, column: Any, value: str) -> WriteRequest | None:
        async with self._store.engine.connect() as connection:
            row = (await connection.execute(select(write_requests).where(column == value))).first()
        if row is None:
            return None
        return WriteRequest(
            request_id=row.request_id,
            operation=row.operation,
            change=CustomerChange.from_json(json.loads(row.change)),
            customer_id=row.customer_id,
            targets=tuple(Platform(p) for p in json.loads(row.targets)),
            fingerprint=row.fingerprint,
            idempotency_key=row.idempotency_key,
            correlation_id=row.correlation_id,
            created_at=aware(row.created_at) or row.created_at,
        )

    async def targets(self, request_id: str) -> list[TargetState]:
        async with self._store.engine.connect() as connection:
            rows = await connection.execute(
                select(write_targets).where(write_targets.c.request_id == request_id)
            )
            return [_state(row) for row in rows]

    async def target(self, request_id: str, platform: Platform) -> TargetState | None:
        found = [t for t in await self.targets(request_id) if t.platform is platform]
        return found[0] if found else None

    async def superseded(self, request: WriteRequest, platform: Platform) -> frozenset[str]:
        """The fields of `request` that an upsert of the same email accepted after it sets on
        `platform` (written, or still to be): writing them now would put an older value over a
        newer one. Acceptance order is `created_at`, then the request id. A later change that
        was dead-lettered does not count (its replay, when it comes, is later still)."""
        r, t = write_requests.c, write_targets.c
        later = (r.created_at > request.created_at) | (
            (r.created_at == request.created_at) & (r.request_id > request.request_id)
        )
        query = (
            select(r.change)
            .join(write_targets, t.request_id == r.request_id)
            .where(r.email == request.change.email, t.platform == platform.value, later)
            .where(t.status != DEAD_LETTERED)
        )
        async with self._store.engine.connect() as connection:
            rows = list(await connection.execute(query))
        fields: set[str] = set()
        for row in rows:
            fields |= CustomerChange.from_json(json.loads(row.change)).fields()
        return frozenset(fields & request.change.fields())

    async def unfinished(self, idle_since: datetime | None = None) -> list[TargetState]:
        """Targets not finished; given `idle_since`, only those untouched since then and not
        due for a retry after it (their job is lost: one in flight or waiting has moved)."""
        t = write_targets.c
        query = select(write_targets).where(t.status.in_([PENDING, RETRYING]))
        if idle_since is not None:
            query = query.where(t.updated_at < idle_since).where(
                t.next_attempt_at.is_(None) | (t.next_attempt_at < idle_since)
            )
        async with self._store.engine.connect() as connection:
            rows = await connection.execute(query)
            return [_state(row) for row in rows]

    async def update(
        self,
        request_id: str,
        platform: Platform,
        generation: int,
        now: datetime,
        *,
        attempts_were: int | None = None,
        connection: AsyncConnection | None = None,
        **values: Any,
    ) -> bool:
        """Change the target if it is still at `generation` and unfinished (and, given
        `attempts_were`, no other try started meanwhile); False otherwise. In `connection`'s
        transaction when given."""
        target = write_targets.c
        statement = (
            update(write_targets)
            .where(target.request_id == request_id, target.platform == platform.value)
            .where(target.generation == generation, target.status.in_([PENDING, RETRYING]))
            .values(updated_at=now, **values)
        )
        if attempts_were is not None:
            statement = statement.where(target.attempts == attempts_were)
        if connection is not None:
            return (await connection.execute(statement)).rowcount == 1
        async with self._store.engine.begin() as own:
            return (await own.execute(statement)).rowcount == 1

    async def reopen(self, request_id: str, platform: Platform, now: datetime) -> int | None:
        """A dead-lettered target back to pending, one generation on; its new generation, or
        None when it is not dead-lettered (already replayed, or never failed)."""
        target = write_targets.c
        async with self._store.engine.begin() as connection:
            row = (
                await connection.execute(
                    select(target.generation).where(
                        target.request_id == request_id,
                        target.platform == platform.value,
                        target.status == DEAD_LETTERED,
                    )
                )
            ).first()
            if row is None:
                return None
            generation = int(row.generation) + 1
            changed = await connection.execute(
                update(write_targets)
                .where(target.request_id == request_id, target.platform == platform.value)
                .where(target.generation == row.generation, target.status == DEAD_LETTERED)
                .values(
                    status=PENDING,
                    generation=generation,
                    attempts=0,
                    dead_letter_id=None,
                    first_failed_at=None,
                    next_attempt_at=None,
                    updated_at=now,
                )
            )
            return generation if changed.rowcount == 1 else None


def _state(row: Any) -> TargetState:
    return TargetState(
        request_id=row.request_id,
        platform=Platform(row.platform),
        status=row.status,
        generation=row.generation,
        attempts=row.attempts,
        external_id=row.external_id,
        dead_letter_id=row.dead_letter_id,
        error=row.error,
        last_response=row.last_response,
        first_failed_at=aware(row.first_failed_at),
        last_failed_at=aware(row.last_failed_at),
        next_attempt_at=aware(row.next_attempt_at),
    )


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for what was stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def summary(targets: Sequence[TargetState]) -> dict[str, int]:
    """How many targets are in each status, for logs and the CLI."""
    counts: dict[str, int] = {}
    for target in targets:
        counts[target.status] = counts.get(target.status, 0) + 1
    return counts
