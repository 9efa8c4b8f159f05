"""The write-back job: one try at one (request, platform), and what the retry policy makes of
a failure — another try later (`RetryJob`), or the dead-letter queue.

`WriteDispatcher` is how the write service hands its targets to whichever engine runs. Job
ids name the target and its generation, so a target is never queued twice at once; writes of
one email to one platform hold a lock, so they never overlap across workers.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from canonical_schema import Platform
from hub.changes import ChangeBus
from hub.customer_cache import CustomerCache
from hub.dead_letters import DeadLetters
from hub.identity import IdentityIndex
from hub.store import Store
from hub.write_attempt import STALE, writable
from hub.write_log import RETRYING, WriteLog
from hub.write_service import WriteService
from sync_jobs.engine import JobContext, JobEngine, JobHandle, RetryJob
from sync_jobs.locks import KeyLock
from sync_jobs.registry import job
from sync_jobs.retry import RetryPolicy
from sync_jobs.runtime import Jobs

WRITE_JOB = "write_customer"
LOCK_WAIT_SECONDS = 2.0
LOCK_BUSY_RETRY_SECONDS = 0.2
TRY_SHARE_OF_TIMEOUT = 0.8  # a try ends as a transient failure before the job times out
MIN_TRY_SECONDS = 0.2


class WriteDispatcher:
    def __init__(self, engine: JobEngine) -> None:
        self._engine = engine

    async def submit(
        self,
        request_id: str,
        platform: Platform,
        generation: int,
        *,
        defer: float = 0.0,
        resumed_after: int | None = None,
    ) -> JobHandle | None:
        job_id = f"write:{request_id}:{platform.value}:{generation}"
        if resumed_after is not None:  # a new id: arq keeps a failed job's id for an hour
            job_id += f":after{resumed_after}"
        return await self._engine.enqueue(
            WRITE_JOB,
            request_id,
            platform.value,
            generation,
            priority="high",
            job_id=job_id,
            defer=defer,
        )


@job(WRITE_JOB, max_tries=1000)  # the policy counts tries itself, in the store
async def write_customer(ctx: JobContext, request_id: str, platform: str, generation: int) -> str:
    writes: WriteService = ctx["writes"]
    locks: KeyLock = ctx["locks"]
    policy: RetryPolicy = ctx["retry_policy"]
    target = Platform(platform)
    request = await writes.log.request(request_id)
    if request is None:
        return "unknown request"
    key = f"write:{platform}:{request.change.email}"
    ends = time.monotonic() + ctx["lock_ttl"] * TRY_SHARE_OF_TIMEOUT
    async with locks.hold(key, ttl=ctx["lock_ttl"], wait=LOCK_WAIT_SECONDS) as held:
        if not held:
            raise RetryJob(LOCK_BUSY_RETRY_SECONDS)  # another write of this person is running
        # What is left of the job's time, so the try ends (as a transient failure, retried)
        # before the engine's timeout would cut the job off with nothing recorded.
        budget = max(MIN_TRY_SECONDS, ends - time.monotonic())
        outcome = await writes.attempt(request_id, target, generation, budget=budget)
    if outcome is None or outcome.status == STALE:
        return "nothing to do"
    if outcome.status != RETRYING:
        return outcome.status
    delay = policy.after(outcome.error, outcome.attempts)
    if delay is None:
        await writes.dead_letter(request_id, target, generation)
        return "dead_lettered"
    at = datetime.now(UTC) + timedelta(seconds=delay)
    await writes.retry_later(request_id, target, generation, at)
    raise RetryJob(delay)


def open_writes(
    store: Store,
    identity: IdentityIndex,
    cache: CustomerCache | None,
    connectors: Iterable[object],
    jobs: Jobs,
    changes: ChangeBus,
) -> WriteService:
    """The write service over every connector that can be written, handing its work to `jobs`
    and announcing upserts on `changes`. Its jobs find it in `ctx["writes"]`: whoever starts
    the jobs passes it (`Jobs.start`, `run_worker`)."""
    service = WriteService(
        WriteLog(store),
        DeadLetters(store),
        writable(connectors),
        identity,
        cache,
        WriteDispatcher(jobs.engine),
        changes=changes,
        deadline=jobs.settings.write_deadline_seconds,
    )
    return service
