"""What a write answers: each target's outcome as the caller sees it (`TargetResult`), and an
upsert's request with its results (`UpsertOutcome`), read from the write log's target states.

A target that has not finished (pending, retrying) answers QUEUED: it keeps retrying in the
background (hub/write_service.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from canonical_schema import Platform, WriteStatus
from hub.write_log import (
    DEAD_LETTERED,
    FINAL,
    SKIPPED,
    WRITTEN,
    TargetState,
    WriteLog,
    WriteRequest,
)

SETTLE_POLL_SECONDS = 0.1
_PUBLIC = {WRITTEN: WriteStatus.WRITTEN, SKIPPED: WriteStatus.SKIPPED}


@dataclass(frozen=True)
class TargetResult:
    platform: Platform
    status: WriteStatus
    external_id: str | None = None
    error: str | None = None
    dead_letter_id: str | None = None


@dataclass(frozen=True)
class UpsertOutcome:
    request: WriteRequest
    results: list[TargetResult]


def result_of(target: TargetState) -> TargetResult:
    if target.status == DEAD_LETTERED:
        return TargetResult(
            target.platform,
            WriteStatus.DEAD_LETTERED,
            target.external_id,
            target.error,
            target.dead_letter_id,
        )
    if target.status in _PUBLIC:
        return TargetResult(target.platform, _PUBLIC[target.status], target.external_id)
    return TargetResult(target.platform, WriteStatus.QUEUED, None, target.error)


async def results(log: WriteLog, request_id: str) -> list[TargetResult]:
    """The request's targets' results, in the order it named them."""
    request = await log.request(request_id)
    by_platform = {t.platform: t for t in await log.targets(request_id)}
    order = request.targets if request else tuple(by_platform)
    return [result_of(by_platform[p]) for p in order if p in by_platform]


async def settle(
    log: WriteLog, keys: Sequence[tuple[str, Platform]], within: float
) -> list[TargetResult]:
    """The targets' results once all have finished, or as they stand after `within` s."""
    give_up = time.monotonic() + within
    while True:
        states = [await log.target(request_id, p) for request_id, p in keys]
        done = all(s is None or s.status in FINAL for s in states)
        if done or time.monotonic() >= give_up:
            return [result_of(s) for s in states if s is not None]
        await asyncio.sleep(SETTLE_POLL_SECONDS)
