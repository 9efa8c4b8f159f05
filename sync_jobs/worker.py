"""An arq worker process (`mgw worker`): runs every registered job from the shared queues.

Several may run against one Redis; each takes jobs as it has room (`concurrency`). One arq
worker runs per queue (see `queue_for`: long jobs have their own, so a killed worker's short
jobs are taken up again quickly). On start, and every `sweep_seconds`, it hands unfinished
writes that have sat idle for longer than a job may run back to the queue (a job id per target
keeps that from queueing one twice), so a write accepted while Redis was down, or whose job was
lost, still runs; so do webhook events whose processing job was lost
(sync_jobs/webhook_jobs.py). SIGINT/SIGTERM stop it; a job cut short runs again elsewhere.

Redis going away (a restart, a failover) does not end the process: each queue's arq worker is
started again with a growing pause until Redis answers, so an SRE restarting Redis does not
also have to restart every worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from arq.connections import RedisSettings
from arq.worker import Worker
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from cache.retry import full_jitter
from canonical_schema.invariants import BrokenInvariant
from hub.write_service import WriteService
from sync_jobs.arq_engine import ArqEngine, arq_functions
from sync_jobs.engine import JobContext, JobSpec
from sync_jobs.registry import load_jobs
from sync_jobs.runtime import Jobs
from sync_jobs.webhook_jobs import resume_webhooks

logger = logging.getLogger("mgw.worker")
LANE_POLL_SECONDS = 0.02
CLOSE_WAIT_SECONDS = 5.0
REDIS_LOST = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)


async def run_worker(
    jobs: Jobs, redis_url: str, writes: WriteService, extra: JobContext, *, burst: bool = False
) -> None:
    """Run the registered jobs from Redis until cancelled (or, `burst`, until the queues are
    empty); each job's ctx holds `extra`, `writes` and the engine's own."""
    settings, engine, registered = jobs.settings, jobs.engine, load_jobs()
    if not isinstance(engine, ArqEngine):
        raise BrokenInvariant("expected isinstance(engine, ArqEngine)")

    def worker_for(queue: str, names: list[str]) -> Callable[[], Worker]:
        return lambda: Worker(
            functions=arq_functions({name: registered[name] for name in names}),
            redis_settings=RedisSettings.from_dsn(redis_url),
            queue_name=queue,
            ctx=jobs.context({**extra, "writes": writes}),
            max_jobs=settings.concurrency,
            job_timeout=settings.job_timeout_seconds,
            poll_delay=_poll(settings.poll_seconds, [registered[name] for name in names]),
            keep_result=3600,
            burst=burst,
            handle_signals=False,
        )

    queues = engine.queues()
    resumed = await _resume(jobs, writes)
    logger.info(
        "worker started on %d queue(s); %d unfinished writes and webhook events queued",
        len(queues),
        resumed,
    )
    running = [
        asyncio.create_task(keep_running(worker_for(queue, list(names)), queue))
        for queue, names in queues.items()
    ]
    running.append(asyncio.create_task(_sweep(jobs, writes, settings.sweep_seconds)))
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, lambda: [task.cancel() for task in running])
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*running[:-1])
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def keep_running(
    make: Callable[[], Worker], queue: str, *, first_pause: float = 0.5, longest: float = 10.0
) -> None:
    """Run arq's worker for `queue` until it ends (burst) or this task is cancelled; whatever
    else ends it — Redis lost mid-poll, mid-job or mid-close, and anything arq raises with
    it — starts a fresh one after a pause (jittered) that doubles up to `longest` (and starts
    over once a worker has run for a minute). Jobs cut off meanwhile run again: arq re-queues
    them."""
    pause = first_pause
    while True:
        worker = make()
        started = time.monotonic()
        try:
            await worker.async_run()
            return
        except asyncio.CancelledError:
            if _cancelling():
                raise
            # arq cancelled its own main task (its close() does): not a stop asked of us.
            logger.warning("queue %s stopped by itself; starting again in %.1f s", queue, pause)
        except REDIS_LOST as exc:
            logger.warning(
                "queue %s lost Redis (%s: %s); starting again in %.1f s",
                queue,
                type(exc).__name__,
                exc,
                pause,
            )
        except Exception:
            logger.exception("queue %s failed; starting again in %.1f s", queue, pause)
        finally:
            await close_worker(worker)
        if time.monotonic() - started > 60:
            pause = first_pause
        await asyncio.sleep(full_jitter(pause))  # workers do not all reconnect at once
        pause = min(pause * 2, longest)


def _cancelling() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _poll(every: float, specs: list[JobSpec]) -> float:
    """A lane's queue (webhooks: a subscriber waits on them) is looked at more often."""
    return min(every, LANE_POLL_SECONDS) if any(spec.lane for spec in specs) else every


async def close_worker(worker: Worker, *, wait: float = CLOSE_WAIT_SECONDS) -> None:
    """Stop `worker` and let go of its connections, whatever state Redis is in. The jobs it
    runs are cut off (arq runs them again once their in-progress mark lapses; a write try is
    idempotent, hub/write_attempt.py); arq's bookkeeping around each gets `wait` seconds to
    record that, then is cut off too. No error of theirs, Redis's included, escapes: arq's own
    `close()` waits on the tasks it has just cancelled, which raised `CancelledError` into the
    caller (the soak saw `mgw worker` exit 0 of that)."""
    for task in list(worker.job_tasks.values()):
        task.cancel()
    running = list(worker.tasks.values())
    if worker.main_task is not None:
        # Waited on here, before arq's close() cancels it once more: a second cancel lands in
        # redis-py's pipeline cleanup and leaves a connection held (ResourceWarning at GC).
        worker.main_task.cancel()
        running.append(worker.main_task)
    if running:
        _, late = await asyncio.wait(running, timeout=wait)
        for task in late:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
    worker.tasks.clear()
    pool: Redis | None = worker.pool  # None when it never connected
    with warnings.catch_warnings(), contextlib.suppress(Exception):
        # arq closes its pool with redis-py's deprecated `close()`; nothing to act on here.
        warnings.simplefilter("ignore", DeprecationWarning)
        await worker.close()
    if pool is not None:  # arq's close() stops at its first Redis error, its pool left open
        with contextlib.suppress(Exception):
            await pool.aclose(close_connection_pool=True)


async def _resume(jobs: Jobs, writes: WriteService) -> int:
    """Queue again unfinished writes, and webhook events no job has processed for longer than
    a job may run (so a job still in flight is left alone); how many."""
    older_than = jobs.settings.job_timeout_seconds + 15
    events = await resume_webhooks(
        writes.log.store, jobs.engine, older_than=older_than, checkout_idle_seconds=None
    )
    return await writes.resume(idle_for=older_than) + events


@asynccontextmanager
async def sweeping(jobs: Jobs, writes: WriteService) -> AsyncIterator[None]:
    """While inside, every `sweep_seconds` hand back to the jobs what no job has moved for
    longer than a job may run — for a gateway that runs its jobs itself (the in-process
    engine), as `mgw worker` does beside arq: a write try cut off by the job's timeout (on a
    loaded machine, while recording its failure) would otherwise wait for the next start."""
    task = asyncio.create_task(_sweep(jobs, writes, jobs.settings.sweep_seconds))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _sweep(jobs: Jobs, writes: WriteService, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await _resume(jobs, writes)
        except Exception:
            logger.exception("could not hand unfinished work back to the queue")
