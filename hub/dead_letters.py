"""The dead-letter queue: writes that failed for good, with everything needed to understand and
replay them — operation, platform, the full request, the platform's last response, the error's
class and message, attempts, first and last failure, correlation id.

Rows are never deleted: replaying or discarding one closes it (`state`), so an operator can
still see what happened. Lists show the open ones, oldest first, with keyset cursors.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical_schema import Platform
from canonical_schema.invariants import BrokenInvariant
from hub.exceptions import InvalidCursorError
from hub.store import Store
from hub.tables import dead_letters
from hub.write_log import aware

OPEN, REPLAYED, DISCARDED = "open", "replayed", "discarded"
ID_PREFIX = "dlq_"


@dataclass(frozen=True)
class DeadLetter:
    id: str
    seq: int
    operation: str
    platform: Platform
    request_id: str
    request: dict[str, Any]
    last_response: dict[str, Any]
    error_class: str
    error_message: str
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime
    correlation_id: str
    state: str

    @property
    def error(self) -> str:
        return f"{self.error_class}: {self.error_message}"

    @property
    def cursor(self) -> str:
        raw = json.dumps({"dlq": self.seq}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass(frozen=True)
class DeadLetterPage:
    items: list[DeadLetter]
    has_next_page: bool


def current_correlation_id() -> str:
    """The trace id of the request or job at work (its correlation id, as in the logs and the
    `X-Correlation-ID` header), or a fresh random id outside any trace."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else uuid.uuid4().hex


def is_dead_letter_id(value: str) -> bool:
    return value.startswith(ID_PREFIX) and len(value) == len(ID_PREFIX) + 32


class DeadLetters:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def add(
        self,
        *,
        operation: str,
        platform: Platform,
        request_id: str,
        request: dict[str, Any],
        last_response: dict[str, Any],
        error_class: str,
        error_message: str,
        attempts: int,
        first_failed_at: datetime,
        last_failed_at: datetime,
        correlation_id: str,
        connection: AsyncConnection,
    ) -> str:
        """File a dead letter in `connection`'s transaction; its id."""
        letter_id = ID_PREFIX + uuid.uuid4().hex
        await connection.execute(
            dead_letters.insert().values(
                id=letter_id,
                operation=operation,
                platform=platform.value,
                request_id=request_id,
                request=json.dumps(request),
                last_response=json.dumps(last_response),
                error_class=error_class,
                error_message=error_message,
                attempts=attempts,
                first_failed_at=first_failed_at,
                last_failed_at=last_failed_at,
                correlation_id=correlation_id,
                state=OPEN,
            )
        )
        return letter_id

    async def get(self, letter_id: str) -> DeadLetter | None:
        async with self._store.engine.connect() as connection:
            row = (
                await connection.execute(select(dead_letters).where(dead_letters.c.id == letter_id))
            ).first()
        return None if row is None else _letter(row)

    async def page(
        self, first: int, after: str | None = None, platform: Platform | None = None
    ) -> DeadLetterPage:
        """Open dead letters, oldest first; `after` is a cursor this list gave."""
        query = select(dead_letters).where(dead_letters.c.state == OPEN)
        if platform is not None:
            query = query.where(dead_letters.c.platform == platform.value)
        if after is not None:
            query = query.where(dead_letters.c.seq > _seq(after))
        query = query.order_by(dead_letters.c.seq).limit(first + 1)
        async with self._store.engine.connect() as connection:
            rows = list(await connection.execute(query))
        return DeadLetterPage([_letter(row) for row in rows[:first]], len(rows) > first)

    async def count(self, platform: Platform | None = None) -> int:
        query = select(func.count()).select_from(dead_letters).where(dead_letters.c.state == OPEN)
        if platform is not None:
            query = query.where(dead_letters.c.platform == platform.value)
        async with self._store.engine.connect() as connection:
            return int((await connection.execute(query)).scalar_one())

    async def close(self, letter_id: str, state: str) -> bool:
        """Mark an open dead letter replayed or discarded; False when it is not open."""
        statement = (
            update(dead_letters)
            .where(dead_letters.c.id == letter_id, dead_letters.c.state == OPEN)
            .values(state=state, resolved_at=datetime.now(UTC))
        )
        async with self._store.engine.begin() as connection:
            return (await connection.execute(statement)).rowcount == 1


def _seq(cursor: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        data = None
    seq = data.get("dlq") if isinstance(data, dict) else None
    if not isinstance(seq, int):
        raise InvalidCursorError(f"`after` is not a dead-letter cursor: {cursor!r}")
    return seq


def _letter(row: Any) -> DeadLetter:
    first, last = aware(row.first_failed_at), aware(row.last_failed_at)
    if first is None:
        raise BrokenInvariant("expected first is not None")
    if last is None:
        raise BrokenInvariant("expected last is not None")
    return DeadLetter(
        id=row.id,
        seq=row.seq,
        operation=row.operation,
        platform=Platform(row.platform),
        request_id=row.request_id,
        request=json.loads(row.request),
        last_response=json.loads(row.last_response),
        error_class=row.error_class,
        error_message=row.error_message,
        attempts=row.attempts,
        first_failed_at=first,
        last_failed_at=last,
        correlation_id=row.correlation_id,
        state=row.state,
    )
