"""Filing a write target that failed for good in the dead-letter queue (hub/dead_letters.py):
its last failure, with the request, in one transaction with the target's move to
DEAD_LETTERED, so that of two jobs that both get here only one files a letter."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from canonical_schema import Platform
from hub.dead_letters import DeadLetters
from hub.write_attempt import failure_details
from hub.write_log import DEAD_LETTERED, FINAL, TargetState, WriteLog, WriteRequest

logger = logging.getLogger("mgw.writes")


class _NotMoved(Exception):
    """The target was no longer the caller's to dead-letter."""


async def dead_letter(
    log: WriteLog, letters: DeadLetters, request_id: str, platform: Platform, generation: int
) -> str | None:
    """File the target's last failure in the DLQ and mark it dead-lettered; the letter's id
    (the one filed before, when the target had finished), or None when the target is not
    this generation's."""
    request = await log.request(request_id)
    target = await log.target(request_id, platform)
    if request is None or target is None or target.generation != generation:
        return None
    if target.status in FINAL:
        return target.dead_letter_id
    error_class, message, response = failure_details(target)
    try:
        letter_id = await _file(log, letters, request, target, (error_class, message, response))
    except _NotMoved:
        return None
    logger.warning("dead-lettered %s %s: %s", platform.value, request_id, message)
    return letter_id


async def _file(
    log: WriteLog,
    letters: DeadLetters,
    request: WriteRequest,
    target: TargetState,
    failure: tuple[str, str, dict[str, Any]],
) -> str:
    """The letter and the target's move in one transaction: of two jobs that both get
    here (a job re-run after its worker died), only the one that moves the target files."""
    error_class, message, response = failure
    now = datetime.now(UTC)
    platform, generation, request_id = target.platform, target.generation, request.request_id
    async with log.store.engine.begin() as connection:
        letter_id = await letters.add(
            operation=request.operation,
            platform=platform,
            request_id=request_id,
            request={**request.as_json(), "generation": generation},
            last_response=response,
            error_class=error_class,
            error_message=message,
            attempts=target.attempts,
            first_failed_at=target.first_failed_at or now,
            last_failed_at=target.last_failed_at or now,
            correlation_id=request.correlation_id,
            connection=connection,
        )
        moved = await log.update(
            request_id,
            platform,
            generation,
            now,
            connection=connection,
            status=DEAD_LETTERED,
            dead_letter_id=letter_id,
        )
        if not moved:
            raise _NotMoved  # rolls the letter back
    return letter_id
