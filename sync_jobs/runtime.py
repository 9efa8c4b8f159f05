"""The job engine chosen from settings, with what every job finds in its `ctx`.

arq when Redis is configured (jobs survive this process; `mgw worker` runs them), else the
in-process runner. Either way the same registered job functions run, with the same `ctx`:
`engine`, `locks`, `retry_policy`, `lock_ttl`, plus what the caller passes to `start` or
`context` (`services`, `writes`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from canonical_schema.invariants import BrokenInvariant
from sync_jobs.arq_engine import ArqEngine
from sync_jobs.engine import JobContext, JobEngine
from sync_jobs.inline import InlineEngine
from sync_jobs.locks import KeyLock, MemoryLock, RedisLock
from sync_jobs.registry import load_jobs
from sync_jobs.retry import RetryPolicy
from sync_jobs.settings import JobSettings


class Jobs:
    def __init__(self, engine: JobEngine, locks: KeyLock, settings: JobSettings) -> None:
        self.engine = engine
        self.locks = locks
        self.settings = settings
        self.policy = RetryPolicy(tuple(settings.retry_delays_seconds))

    @property
    def runs_here(self) -> bool:
        """True when this process runs the jobs it queues (no worker processes needed)."""
        return isinstance(self.engine, InlineEngine)

    def context(self, extra: JobContext) -> JobContext:
        """What every job's ctx holds: `extra` (the services it works with), then the
        engine's own."""
        return {
            **extra,
            "engine": self.engine,
            "locks": self.locks,
            "retry_policy": self.policy,
            "lock_ttl": self.settings.job_timeout_seconds,
        }

    def start(self, extra: JobContext) -> None:
        """Start running jobs in this process, if this engine runs them here."""
        if isinstance(self.engine, InlineEngine):
            self.engine.start(self.context(extra))


@asynccontextmanager
async def open_jobs(settings: JobSettings, redis_url: str | None) -> AsyncIterator[Jobs]:
    engine: JobEngine
    locks: KeyLock
    if settings.uses_arq(redis_url):
        if redis_url is None:
            raise BrokenInvariant("expected redis_url is not None")
        arq = await ArqEngine.connect(
            redis_url,
            load_jobs(),
            queue_name=settings.queue_name,
            default_timeout=settings.job_timeout_seconds,
            poll=settings.poll_seconds,
        )
        engine, locks = arq, RedisLock(arq.pool)
    else:
        engine = InlineEngine(
            load_jobs(), concurrency=settings.concurrency, job_timeout=settings.job_timeout_seconds
        )
        locks = MemoryLock()
    try:
        yield Jobs(engine, locks, settings)
    finally:
        await engine.close()
