"""Jobs on arq (Redis): the gateway enqueues, `mgw worker` processes run them.

arq has one queue per worker and no priorities; a queue is a sorted set scored by when a job
may start, and workers take the lowest scores first. Priority is therefore an earlier score:
a high-priority job is queued as if it had been waiting ten minutes, a normal one one minute.
`RetryJob(defer)` becomes arq's `Retry(defer)`. A job whose worker died is taken up again by
another worker once its in-progress key expires — arq sets that from the LONGEST timeout of
the functions a worker runs, so a job allowed to run longer than `job_timeout_seconds` (a full
sync: hours) gets a queue of its own (`queue_for`), and a killed worker's writes are taken up
again after `job_timeout_seconds` + 10 s, not after the sync's hours. A job with a `lane`
(webhook processing) has its lane's queue, which `mgw worker` runs with slots of its own.
(docs/adr/0020-write-back-and-jobs.md, docs/adr/0053-webhook-jobs.md)
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from arq import Retry
from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.jobs import Job
from arq.worker import Function, func

from sync_jobs.engine import JobContext, JobSpec, Priority, RetryJob
from sync_jobs.job_tracing import TRACE_KWARG, carrier, job_span

HEAD_START: dict[Priority, timedelta] = {
    "high": timedelta(minutes=10),
    "normal": timedelta(minutes=1),
    "low": timedelta(0),
}


class ArqHandle:
    def __init__(self, job: Job, poll: float) -> None:
        self._job = job
        self._poll = poll

    async def wait(self, within: float) -> bool:
        try:
            await self._job.result(timeout=within, poll_delay=self._poll)
        except TimeoutError:
            return False
        except asyncio.CancelledError:
            raise
        except Exception:  # the job failed: it is finished all the same
            return True
        return True


def queue_for(spec: JobSpec, base: str, default_timeout: float) -> str:
    """The arq queue a job runs from: its lane's, the shared one, or its own when it may run
    longer."""
    if spec.lane is not None:
        return f"{base}:{spec.lane}"
    if spec.timeout is None or spec.timeout <= default_timeout:
        return base
    return f"{base}:{spec.name}"


class ArqEngine:
    def __init__(
        self,
        pool: ArqRedis,
        jobs: Mapping[str, JobSpec],
        *,
        queue_name: str,
        default_timeout: float,
        poll: float = 0.1,
    ) -> None:
        self.pool = pool
        self.queue_name = queue_name
        self._queues = {n: queue_for(s, queue_name, default_timeout) for n, s in jobs.items()}
        self._poll = poll

    @classmethod
    async def connect(
        cls,
        redis_url: str,
        jobs: Mapping[str, JobSpec],
        *,
        queue_name: str,
        default_timeout: float,
        poll: float = 0.1,
    ) -> ArqEngine:
        settings = RedisSettings.from_dsn(redis_url)
        pool = await create_pool(settings, default_queue_name=queue_name)
        return cls(pool, jobs, queue_name=queue_name, default_timeout=default_timeout, poll=poll)

    async def enqueue(
        self,
        job_name: str,
        *args: Any,
        priority: Priority = "normal",
        job_id: str | None = None,
        defer: float = 0.0,
    ) -> ArqHandle | None:
        timing: dict[str, Any]
        if defer > 0:
            timing = {"_defer_by": timedelta(seconds=defer)}
        else:
            timing = {"_defer_until": datetime.now(UTC) - HEAD_START[priority]}
        queue = self._queues.get(job_name)
        if queue is None:
            raise LookupError(f"no job named {job_name!r}; known: {sorted(self._queues)}")
        timing[TRACE_KWARG] = carrier()  # the job's span joins the enqueuer's trace
        job = await self.pool.enqueue_job(
            job_name, *args, _job_id=job_id, _queue_name=queue, **timing
        )
        return None if job is None else ArqHandle(job, self._poll)

    def queues(self) -> dict[str, list[str]]:
        """Each queue and the jobs it holds."""
        grouped: dict[str, list[str]] = {}
        for name, queue in self._queues.items():
            grouped.setdefault(queue, []).append(name)
        return grouped

    async def close(self) -> None:
        await self.pool.aclose()


def arq_functions(jobs: Mapping[str, JobSpec]) -> list[Function]:
    """The registered jobs as arq functions, `RetryJob` translated to arq's `Retry`."""
    return [
        func(_adapted(spec), name=name, timeout=spec.timeout, max_tries=spec.max_tries)
        for name, spec in jobs.items()
    ]


def _adapted(spec: JobSpec) -> Any:
    async def run(ctx: JobContext, *args: Any, **kwargs: Any) -> Any:
        parent = kwargs.pop(TRACE_KWARG, None)
        try:
            with job_span(spec.name, str(ctx.get("job_id")), ctx.get("job_try", 1), parent):
                return await spec.function(ctx, *args, **kwargs)
        except RetryJob as retry:
            raise Retry(defer=retry.defer) from retry

    run.__qualname__ = spec.name
    return run
