"""One try at writing one change to one platform, and what is kept when it fails.

Read first, then write only what the platform does not already hold (`already_holds`). So a
retry after a lost answer (a timeout, a truncated body, a worker killed mid-call) finds its own
earlier write and does not send it again, and every connector's upsert stays an upsert by
email: HubSpot `batch/upsert` and Marketo `createOrUpdate` key on email themselves; Salesforce,
Shopify and Mailchimp look the email up before they create. Writes of one email to one
platform never overlap (the jobs hold a lock), so two creates of one person cannot race.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from canonical_schema import CustomerRecord, Platform
from canonical_schema.invariants import BrokenInvariant
from connectors.base import UpsertResult
from connectors.exceptions import (
    ConnectorError,
    InvalidUpstreamDataError,
    RetriableError,
    UnavailableError,
)
from hub.write_log import RETRYING, SKIPPED, WRITTEN, TargetState, WriteLog, WriteRequest
from hub.write_plan import already_holds


@runtime_checkable
class WritablePlatform(Protocol):
    """A connector that can be read by email and written (CustomerSource and CustomerSink)."""

    @property
    def platform(self) -> Platform: ...

    async def records_by_email(self, emails: Sequence[str]) -> dict[str, CustomerRecord]: ...

    async def upsert_records(self, records: Sequence[CustomerRecord]) -> list[UpsertResult]: ...


STALE = "stale"


def writable(connectors: Iterable[object]) -> dict[Platform, WritablePlatform]:
    """The connectors that can be written (every one of the five can), by platform."""
    return {c.platform: c for c in connectors if isinstance(c, WritablePlatform)}


class NotConnectedError(Exception):
    """This process has no connector for the target platform (a worker configured apart)."""


@dataclass(frozen=True)
class Attempt:
    """`status`: written, skipped, retrying (then `error` says why; `attempts` counts the tries
    made), or stale (another job owns the target now: nothing was done)."""

    status: str
    external_id: str | None = None
    error: Exception | None = None
    attempts: int = 0

    @property
    def retry_after(self) -> float | None:
        return self.error.retry_after if isinstance(self.error, RetriableError) else None


async def attempt_write(
    log: WriteLog,
    connector: WritablePlatform | None,
    request: WriteRequest,
    target: TargetState,
    *,
    budget: float | None = None,
) -> Attempt:
    """One try, given at most `budget` seconds (a try cut short is a transient failure)."""
    platform, generation = target.platform, target.generation
    tries = target.attempts + 1
    # Counted before the call, so a try cut short (a killed worker) still counts as made.
    started = await log.update(
        request.request_id,
        platform,
        generation,
        datetime.now(UTC),
        attempts=tries,
        attempts_were=target.attempts,
    )
    if not started:
        return Attempt(STALE)
    # Acceptance order: a field a later upsert of this person sets is theirs to write. With
    # the per-person lock the jobs hold, an older try retried after a newer one landed cannot
    # put the older value back (docs/adr/0021-write-back-exactly-once.md).
    superseded = await log.superseded(request, platform)
    change = request.change.without(superseded)
    if superseded and not change.fields():
        await log.update(
            request.request_id,
            platform,
            generation,
            datetime.now(UTC),
            status=SKIPPED,
            error=None,
            next_attempt_at=None,
        )
        return Attempt(SKIPPED, attempts=tries)
    desired = change.record(platform)
    try:
        if connector is None:
            raise NotConnectedError(f"{platform.value} is not connected in this process")
        try:
            async with asyncio.timeout(budget):
                status, external_id = await _read_then_write(connector, desired, generation, tries)
        except TimeoutError as exc:
            where = f"no answer within the job's {budget:.1f} s"
            raise UnavailableError(platform, where) from exc
    except Exception as exc:
        now = datetime.now(UTC)
        await log.update(
            request.request_id,
            platform,
            generation,
            now,
            status=RETRYING,
            first_failed_at=target.first_failed_at or now,
            last_failed_at=now,
            error=f"{type(exc).__name__}: {exc}",
            last_response=json.dumps(_response(exc)),
        )
        return Attempt(RETRYING, error=exc, attempts=tries)
    await log.update(
        request.request_id,
        platform,
        generation,
        datetime.now(UTC),
        status=status,
        external_id=external_id,
        error=None,
        next_attempt_at=None,
    )
    return Attempt(status, external_id, attempts=tries)


async def _read_then_write(
    connector: WritablePlatform, desired: CustomerRecord, generation: int, tries: int
) -> tuple[str, str]:
    current = (await connector.records_by_email([desired.email])).get(desired.email)
    if already_holds(current, desired):
        if current is None:
            raise BrokenInvariant("expected current is not None")
        first_try = generation == 0 and tries == 1
        return (SKIPPED if first_try else WRITTEN), current.external_id
    results = await connector.upsert_records([desired])
    if not results:
        raise InvalidUpstreamDataError(desired.platform, "the upsert answered no result")
    return WRITTEN, results[0].external_id


def _response(exc: Exception) -> dict[str, Any]:
    """What the platform last answered, as far as the error carries it."""
    details: dict[str, Any] = {"errorClass": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, ConnectorError):
        details.update(
            status=exc.status, endpoint=exc.endpoint, platformCorrelationId=exc.correlation_id
        )
    failures = getattr(exc, "failures", None)  # HubSpot's UpsertRejected: email -> reason
    if isinstance(failures, dict):
        details["refused"] = {str(k): str(v) for k, v in failures.items()}
    skipped = getattr(exc, "skipped", None)  # Marketo's RecordsSkippedError
    if isinstance(skipped, list | tuple):
        details["refused"] = {str(s.email): list(s.reasons) for s in skipped}
    return details


def failure_details(target: TargetState) -> tuple[str, str, dict[str, Any]]:
    """(error class, message, last response) of the target's last failure."""
    response: dict[str, Any] = json.loads(target.last_response) if target.last_response else {}
    error_class = str(response.get("errorClass") or "UnknownError")
    message = str(response.get("message") or target.error or "failed")
    return error_class, message, response
