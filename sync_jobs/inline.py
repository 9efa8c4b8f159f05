"""The in-process job runner: the same job functions as the arq workers, run by `concurrency`
tasks of this process, highest priority first, then in the order queued. A job with a `lane`
(webhook processing) has a queue and `concurrency` tasks of its own, as on arq.

Nothing here survives the process: the write service keeps every accepted write in the store
and hands the unfinished ones back on start (`WriteService.resume`).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sync_jobs.engine import PRIORITIES, JobContext, JobSpec, Priority, RetryJob
from sync_jobs.job_tracing import carrier, job_span

logger = logging.getLogger("mgw.jobs")


@dataclass
class _Job:
    job_id: str
    spec: JobSpec
    args: tuple[Any, ...]
    priority: int
    done: asyncio.Future[Any]
    tries: int = 0
    timers: list[asyncio.TimerHandle] = field(default_factory=list)
    trace: dict[str, str] = field(default_factory=carrier)  # the enqueuer's trace context


class InlineHandle:
    def __init__(self, done: asyncio.Future[Any]) -> None:
        self._done = done

    async def wait(self, within: float) -> bool:
        if not self._done.done():
            await asyncio.wait([self._done], timeout=within)
        return self._done.done()


class InlineEngine:
    def __init__(
        self, jobs: Mapping[str, JobSpec], *, concurrency: int = 10, job_timeout: float = 60.0
    ) -> None:
        self._jobs = dict(jobs)
        self._concurrency = concurrency
        self._job_timeout = job_timeout
        lanes = {None} | {spec.lane for spec in self._jobs.values()}
        self._queues: dict[str | None, asyncio.PriorityQueue[tuple[int, int, _Job]]] = {
            lane: asyncio.PriorityQueue() for lane in lanes
        }
        self._order = itertools.count()
        self._known: dict[str, _Job] = {}
        self._runners: list[asyncio.Task[None]] = []
        self._ctx: JobContext = {}

    def start(self, ctx: JobContext) -> None:
        """Start running jobs with `ctx` (the services they need, and this engine)."""
        self._ctx = {**ctx, "engine": self}
        self._runners = [
            asyncio.create_task(self._run(queue))
            for queue in self._queues.values()
            for _ in range(self._concurrency)
        ]

    async def enqueue(
        self,
        job_name: str,
        *args: Any,
        priority: Priority = "normal",
        job_id: str | None = None,
        defer: float = 0.0,
    ) -> InlineHandle | None:
        spec = self._jobs.get(job_name)
        if spec is None:
            raise LookupError(f"no job named {job_name!r}; known: {sorted(self._jobs)}")
        name = job_id or f"{job_name}:{next(self._order)}"
        if name in self._known:
            return None
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        job = _Job(name, spec, args, PRIORITIES[priority], done)
        self._known[name] = job
        self._schedule(job, defer)
        return InlineHandle(done)

    def pending(self) -> int:
        """Jobs waiting for a runner (deferred ones not yet due excluded): the queue depth."""
        return sum(queue.qsize() for queue in self._queues.values())

    def _schedule(self, job: _Job, defer: float) -> None:
        item = (job.priority, next(self._order), job)
        queue = self._queues[job.spec.lane]
        if defer > 0:
            loop = asyncio.get_running_loop()
            job.timers.append(loop.call_later(defer, queue.put_nowait, item))
        else:
            queue.put_nowait(item)

    async def _run(self, queue: asyncio.PriorityQueue[tuple[int, int, _Job]]) -> None:
        while True:
            _, _, job = await queue.get()
            job.tries += 1
            ctx = {**self._ctx, "job_id": job.job_id, "job_try": job.tries}
            try:
                timeout = job.spec.timeout or self._job_timeout
                with job_span(job.spec.name, job.job_id, job.tries, job.trace):
                    result = await asyncio.wait_for(job.spec.function(ctx, *job.args), timeout)
            except RetryJob as retry:
                if job.tries < job.spec.max_tries:
                    self._schedule(job, retry.defer)
                    continue
                logger.warning("job %s: gave up after %d tries", job.job_id, job.tries)
                self._finish(job, None)
            except Exception as exc:
                logger.exception("job %s failed", job.job_id)
                self._finish(job, exc)
            else:
                self._finish(job, result)

    def _finish(self, job: _Job, outcome: Any) -> None:
        self._known.pop(job.job_id, None)
        if not job.done.done():
            if isinstance(outcome, Exception):
                job.done.set_exception(outcome)
                job.done.exception()  # retrieved: no "never retrieved" warning
            else:
                job.done.set_result(outcome)

    async def close(self) -> None:
        # Cancelled again until they end: on Python 3.11 `wait_for` swallows a cancellation
        # that arrives as its job finishes, and the runner would wait for the next job forever.
        while any(not runner.done() for runner in self._runners):
            for runner in self._runners:
                runner.cancel()
            await asyncio.wait(self._runners, timeout=0.05)
        await asyncio.gather(*self._runners, return_exceptions=True)
        for job in self._known.values():
            for timer in job.timers:
                timer.cancel()
            job.done.cancel()
        self._known.clear()
        self._runners = []
