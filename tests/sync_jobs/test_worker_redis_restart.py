"""A Redis restart does not end `mgw worker`: its arq workers start again once Redis answers,
and take the jobs queued after the restart (the soak found workers exiting with code 1)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from arq.connections import RedisSettings, create_pool
from arq.worker import Worker

from gateway.servers import free_port
from sync_jobs.worker import keep_running
from tests.conftest import missing_service

pytestmark = pytest.mark.redis

QUEUE = "mgw-test:restart"
seen: list[str] = []


async def remember(ctx: dict[str, Any], value: str) -> None:
    seen.append(value)


class RedisServer:
    """A redis-server of this test's own, on a fixed port, that can be stopped and started."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            missing_service("Redis", "put redis-server on PATH")
        self.binary, self.workdir, self.port = str(binary), workdir, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    with contextlib.suppress(Exception):
        server.stop()


async def _enqueue(url: str, value: str) -> None:
    for _ in range(100):  # Redis may still be starting
        try:
            pool = await create_pool(RedisSettings.from_dsn(url), default_queue_name=QUEUE)
            break
        except OSError:
            await asyncio.sleep(0.05)
    else:
        pytest.fail("redis-server did not answer")
    try:
        assert await pool.enqueue_job("remember", value) is not None
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            await pool.close()


async def _until_seen(value: str, seconds: float) -> None:
    for _ in range(int(seconds / 0.05)):
        if value in seen:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"the worker never ran the job queued as {value!r} (ran {seen})")


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
