"""Redis stopped under the read path's Redis uses (a real redis-server, killed and started):
the entity cache is a miss, rate limits count in this process, the change bus drops what is
published meanwhile and its subscribers carry on after; each counted in /metrics."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

import pytest
from prometheus_client import REGISTRY

from cache.entity import CacheWrite
from cache.outage import shared_cache, shared_limiter
from hub.changes import ChangeNotice, RedisBus
from tests.conftest import RedisServer

pytestmark = pytest.mark.redis


def went_without(use: str) -> float:
    return REGISTRY.get_sample_value("mgw_redis_unavailable_total", {"use": use}) or 0.0


async def test_an_unreachable_cache_is_a_miss_and_is_counted(redis_server: RedisServer) -> None:
    cache = shared_cache(redis_server.url)
    entry = CacheWrite("customer:a@x.io", b"{}", ttl=60, tags=["id-1"])
    try:
        await cache.set_many("s", [entry], stale_for=60)
        assert "customer:a@x.io" in await cache.get_many("s", ["customer:a@x.io"])

        redis_server.stop()
        before = {use: went_without(use) for use in ("cache_get", "cache_set", "cache_evict")}
        assert await cache.get_many("s", ["customer:a@x.io"]) == {}
        await cache.set_many("s", [entry], stale_for=60)  # not stored, no error
        assert await cache.invalidate("s", ["id-1"]) == 0
        assert {use: went_without(use) - n for use, n in before.items()} == {
            "cache_get": 1,
            "cache_set": 1,
            "cache_evict": 1,
        }

        redis_server.start()  # empty, as a restarted Redis without persistence is
        assert await cache.get_many("s", ["customer:a@x.io"]) == {}
        await cache.set_many("s", [entry], stale_for=60)
        assert "customer:a@x.io" in await cache.get_many("s", ["customer:a@x.io"])
    finally:
        await cache.close()


async def test_rate_limits_count_in_this_process_while_redis_is_away(
    redis_server: RedisServer,
) -> None:
    limiter = shared_limiter(redis_server.url)
    try:
        assert (await limiter.try_window("w", limit=2, window=60)).granted
        redis_server.stop()
        before = went_without("limiter")
        # The local window is this process's own: 2 more, then the limit holds.
        grants = [(await limiter.try_window("w", limit=2, window=60)).granted for _ in range(3)]
        assert grants == [True, True, False]
        lease = await limiter.try_lease("c", limit=1, lease=30)
        assert lease.granted
        assert lease.token is not None
        assert not (await limiter.try_lease("c", limit=1, lease=30)).granted
        await limiter.release("c", lease.token)  # released where it was taken
        assert (await limiter.try_lease("c", limit=1, lease=30)).granted
        assert went_without("limiter") > before

        redis_server.start()  # shared again: Redis counts from what it holds (nothing)
        assert (await limiter.try_window("w", limit=2, window=60)).granted
        assert await limiter.window_count("w", window=60) == 1
    finally:
        await limiter.close()


def _notice(n: int) -> ChangeNotice:
    return ChangeNotice(customer_id=f"c{n}", email=None, platform=None, at=datetime.now(UTC))


async def test_change_subscribers_carry_on_after_a_redis_restart(
    redis_server: RedisServer,
) -> None:
    bus = RedisBus.from_url(redis_server.url)
    received: asyncio.Queue[ChangeNotice] = asyncio.Queue()

    async def listen() -> None:
        async for notice in bus.subscribe():
            received.put_nowait(notice)

    async def until_received(n: int) -> None:
        """Publish notice `n` until the subscriber gets it (it joins the channel again on
        its own schedule after a restart); notices before it may be lost, as in pub/sub."""
        async with asyncio.timeout(30):
            while True:
                await bus.publish(_notice(n))
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.2):
                        while (await received.get()).customer_id != f"c{n}":
                            pass
                        return

    listening = asyncio.create_task(listen())
    try:
        await until_received(1)
        redis_server.stop()
        before = went_without("change_publish")
        await bus.publish(_notice(2))  # dropped, counted, no error
        assert went_without("change_publish") == before + 1
        assert not listening.done()
        redis_server.start()
        await until_received(3)
        assert not listening.done()
    finally:
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening
        await bus.close()
