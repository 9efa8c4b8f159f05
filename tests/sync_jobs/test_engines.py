"""The job engines run the same `async def job(ctx, ...)` functions: in-process, and on arq."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from cache.retry import no_jitter
from canonical_schema import Platform
from connectors.exceptions import (
    AuthError,
    AuthExpiredError,
    FatalError,
    InvalidUpstreamDataError,
    RateLimitedError,
    UnavailableError,
)
from sync_jobs.arq_engine import ArqEngine, arq_functions, queue_for
from sync_jobs.engine import JobContext, JobSpec, RetryJob
from sync_jobs.inline import InlineEngine
from sync_jobs.retry import RetryPolicy
from sync_jobs.worker import close_worker

HUB = Platform.HUBSPOT


@pytest.mark.parametrize(
    "error",
    [
        UnavailableError(HUB, "503"),
        AuthExpiredError(HUB, "expired"),
        InvalidUpstreamDataError(HUB, "answered 200 with a body that is not JSON"),
    ],
)
def test_transient_failures_and_unknown_outcomes_wait_1_4_16_then_dead_letter(
    error: Exception,
) -> None:
    policy = RetryPolicy(jitter=no_jitter)
    assert [policy.after(error, tries) for tries in (1, 2, 3, 4)] == [1.0, 4.0, 16.0, None]


def test_retry_after_wins_when_longer() -> None:
    policy = RetryPolicy(jitter=no_jitter)
    assert policy.after(RateLimitedError(HUB, "429", retry_after=30), 1) == 30
    assert policy.after(RateLimitedError(HUB, "429", retry_after=0.5), 2) == 4.0


def test_delays_are_full_jitter_below_the_schedule() -> None:
    """Replicas whose writes failed together do not all try again at the same instant."""
    down = UnavailableError(HUB, "503")
    draws = {tries: [RetryPolicy().after(down, tries) for _ in range(200)] for tries in (1, 2, 3)}
    for tries, ceiling in ((1, 1.0), (2, 4.0), (3, 16.0)):
        assert all(d is not None and 0.0 <= d <= ceiling for d in draws[tries])
        assert len(set(draws[tries])) > 100  # spread, not one value
    assert RetryPolicy().after(RateLimitedError(HUB, "429", retry_after=30), 1) == 30


@pytest.mark.parametrize(
    "error", [FatalError(HUB, "400"), AuthError(HUB, "401"), ValueError("a bug")]
)
def test_fatal_failures_dead_letter_at_once(error: Exception) -> None:
    assert RetryPolicy().after(error, 1) is None


async def test_the_inline_runner_retries_and_runs_high_priority_first() -> None:
    ran: list[tuple[str, int]] = []

    async def flaky(ctx: JobContext, name: str) -> str:
        ran.append((name, ctx["job_try"]))
        if name == "flaky" and ctx["job_try"] < 3:
            raise RetryJob(0.01)
        return name

    engine = InlineEngine({"flaky": JobSpec("flaky", flaky)}, concurrency=1)
    low = await engine.enqueue("flaky", "low", priority="low")
    high = await engine.enqueue("flaky", "high", priority="high", job_id="only-once")
    assert await engine.enqueue("flaky", "high", job_id="only-once") is None
    retried = await engine.enqueue("flaky", "flaky")
    engine.start({})
    try:
        assert low
        assert high
        assert retried
        assert [await h.wait(5) for h in (low, high, retried)] == [True, True, True]
    finally:
        await engine.close()
    assert ran[0] == ("high", 1)
    assert [t for name, t in ran if name == "flaky"] == [1, 2, 3]


async def test_a_lane_job_runs_while_every_shared_runner_is_busy() -> None:
    release = asyncio.Event()

    async def busy(ctx: JobContext) -> None:
        await release.wait()

    async def urgent(ctx: JobContext) -> str:
        return "done"

    jobs = {"busy": JobSpec("busy", busy), "urgent": JobSpec("urgent", urgent, lane="realtime")}
    engine = InlineEngine(jobs, concurrency=2)
    engine.start({})
    try:
        for _ in range(5):  # more than the shared runners, all high priority
            await engine.enqueue("busy", priority="high")
        handle = await engine.enqueue("urgent", priority="low")
        assert handle is not None
        assert await handle.wait(2) is True
    finally:
        release.set()
        await engine.close()


@pytest.mark.redis
async def test_arq_workers_run_the_same_jobs(redis_url: str) -> None:
    from arq.connections import RedisSettings
    from arq.worker import Worker

    ran: list[Any] = []

    async def remember(ctx: JobContext, value: int) -> int:
        ran.append((value, ctx["job_try"]))
        if ctx["job_try"] == 1:
            raise RetryJob(0.01)
        return value * 2

    jobs = {"remember": JobSpec("remember", remember), "long": JobSpec("long", remember, 3600)}
    queue = f"mgw:test:{uuid.uuid4().hex}"
    engine = await ArqEngine.connect(redis_url, jobs, queue_name=queue, default_timeout=60)
    try:
        handle = await engine.enqueue("remember", 21, job_id="j1")
        assert handle is not None
        assert await engine.enqueue("remember", 21, job_id="j1") is None
        worker = Worker(
            functions=arq_functions({"remember": jobs["remember"]}),
            redis_settings=RedisSettings.from_dsn(redis_url),
            queue_name=queue,
            burst=True,
            poll_delay=0.01,
            handle_signals=False,
        )
        await worker.async_run()
        await close_worker(worker)
        assert await handle.wait(5) is True
    finally:
        await engine.close()
    assert ran == [(21, 1), (21, 2)]
    assert queue_for(jobs["long"], queue, 60) == f"{queue}:long"  # long jobs run apart
    lane = JobSpec("urgent", remember, lane="realtime")
    assert queue_for(lane, queue, 60) == f"{queue}:realtime"  # and so does a lane
