"""A Redis restart does not end `mgw worker`: its arq workers start again once Redis answers,
and take the jobs queued after the restart (the soak found workers exiting with code 1)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from arq.connections import RedisSettings, create_pool
from arq.worker import Worker
from redis.exceptions import RedisError

from sync_jobs.worker import keep_running
from tests.conftest import RedisServer

pytestmark = pytest.mark.redis

QUEUE = "mgw-test:restart"
# As `mgw worker` runs them: the shared queue (writes), a long job's own (sync), a lane's
# (webhooks' realtime lane, polled more often). sync_jobs/arq_engine.py `queue_for`.
QUEUES = (QUEUE, f"{QUEUE}:sync", f"{QUEUE}:realtime")
seen: list[str] = []
started: list[str] = []


async def remember(ctx: dict[str, Any], value: str) -> None:
    seen.append(value)


async def slow(ctx: dict[str, Any], value: str) -> None:
    """A job still running when Redis goes away (a write waiting on a platform)."""
    started.append(value)
    await asyncio.sleep(30)
    seen.append(value)


async def _enqueue(url: str, value: str, queue: str = QUEUE, job: str = "remember") -> None:
    for _ in range(100):  # Redis may still be starting
        try:
            pool = await create_pool(RedisSettings.from_dsn(url), default_queue_name=queue)
            break
        except OSError:
            await asyncio.sleep(0.05)
    else:
        pytest.fail("redis-server did not answer")
    try:
        assert await pool.enqueue_job(job, value) is not None
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            await pool.close()


async def _until(values: list[str], of: list[str], seconds: float) -> None:
    for _ in range(int(seconds / 0.05)):
        if all(value in of for value in values):
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"the worker never ran the jobs queued as {values} (ran {of})")


async def _until_seen(value: str, seconds: float) -> None:
    await _until([value], seen, seconds)


async def test_a_worker_outlives_a_redis_restart(redis_server: RedisServer) -> None:
    seen.clear()

    def make() -> Worker:
        return Worker(
            functions=[remember],
            redis_settings=RedisSettings.from_dsn(redis_server.url),
            queue_name=QUEUE,
            poll_delay=0.05,
            handle_signals=False,
        )

    running = asyncio.create_task(keep_running(make, QUEUE, first_pause=0.2, longest=1.0))
    try:
        await _enqueue(redis_server.url, "before")
        await _until_seen("before", 10)

        redis_server.stop()
        await asyncio.sleep(1.5)  # the worker notices and keeps trying
        assert not running.done(), "the worker ended when Redis went away"
        redis_server.start()

        await _enqueue(redis_server.url, "after")
        await _until_seen("after", 20)
        assert not running.done()
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def _feed(url: str, stop: asyncio.Event) -> None:
    """Queue quick jobs on every queue as fast as Redis takes them, so each worker is busy
    starting jobs (WATCH/MULTI in arq's `start_jobs`) when Redis goes away."""
    n = 0
    while not stop.is_set():
        try:
            settings = dataclasses.replace(RedisSettings.from_dsn(url), conn_retries=0)
            pool = await create_pool(settings)
        except (OSError, RedisError):
            await asyncio.sleep(0.05)
            continue
        try:
            while not stop.is_set():
                for queue in QUEUES:
                    await pool.enqueue_job("quick", n, _queue_name=queue)
                    n += 1
                await asyncio.sleep(0.002)
        except (OSError, RedisError):
            await asyncio.sleep(0.05)
        finally:
            with warnings.catch_warnings(), contextlib.suppress(Exception):
                warnings.simplefilter("ignore", DeprecationWarning)
                await pool.close()


async def quick(ctx: dict[str, Any], n: int) -> None:
    await asyncio.sleep(0.005)


async def test_a_busy_worker_on_several_queues_outlives_two_redis_restarts(
    redis_server: RedisServer,
) -> None:
    """The soak's `worker-2 exited 1` and `worker-1 exited 0`: Redis lost while arq starts a
    job raises `WatchError` (not a connection error) and ended the queue's loop, and with it
    the process; arq's close() could raise `CancelledError` into it as well. Every queue keeps
    running through two restarts, each with jobs being started and one in flight."""
    seen.clear()
    started.clear()

    def make(queue: str) -> Callable[[], Worker]:
        return lambda: Worker(
            functions=[remember, slow, quick],
            queue_name=queue,
            max_jobs=20,
            redis_settings=RedisSettings.from_dsn(redis_server.url),
            poll_delay=0.01,
            handle_signals=False,
            job_timeout=60,
            keep_result=0,
        )

    running = [
        asyncio.create_task(keep_running(make(queue), queue, first_pause=0.2, longest=1.0))
        for queue in QUEUES
    ]
    stop = asyncio.Event()
    feeding = asyncio.create_task(_feed(redis_server.url, stop))
    try:
        for restart in (1, 2):
            busy = [f"busy-{restart}-{queue}" for queue in QUEUES]
            for queue, value in zip(QUEUES, busy, strict=True):
                await _enqueue(redis_server.url, value, queue, job="slow")
            await _until(busy, started, 30)  # a job is running on every queue

            redis_server.stop()
            await asyncio.sleep(1.0)  # each queue's worker meets the closed connection
            assert [task.done() for task in running] == [False] * len(QUEUES), (
                f"a queue's worker ended when Redis went away (restart {restart}): "
                f"{[task.exception() for task in running if task.done() and not task.cancelled()]}"
            )
            redis_server.start()

            after = [f"after-{restart}-{queue}" for queue in QUEUES]
            for queue, value in zip(QUEUES, after, strict=True):
                await _enqueue(redis_server.url, value, queue)
            await _until(after, seen, 30)
            assert [task.done() for task in running] == [False] * len(QUEUES)
    finally:
        stop.set()
        await feeding
        for task in running:
            task.cancel()
        results = await asyncio.gather(*running, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results), results
