"""Limiter state in memory and in Redis, and Redis's atomicity across processes."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from cache.limits import Limiter, MemoryLimiter, RedisLimiter


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[Limiter]:
    if request.param == "memory":
        yield MemoryLimiter()
        return
    shared = RedisLimiter.from_url(request.getfixturevalue("redis_url"))
    yield shared
    await shared.close()


@pytest.fixture
def key() -> str:
    return f"test:{uuid.uuid4().hex[:8]}"


async def test_a_window_grants_its_limit_then_says_how_long_to_wait(
    limiter: Limiter, key: str
) -> None:
    grants = [await limiter.try_window(key, limit=5, window=1.0) for _ in range(6)]
    assert [g.granted for g in grants] == [True] * 5 + [False]
    assert 0 < grants[-1].wait <= 1.0
    await asyncio.sleep(grants[-1].wait + 0.01)
    assert (await limiter.try_window(key, limit=5, window=1.0)).granted


async def test_leases_cap_what_is_in_flight(limiter: Limiter, key: str) -> None:
    first = await limiter.try_lease(key, limit=2, lease=30)
    second = await limiter.try_lease(key, limit=2, lease=30)
    assert first.granted and second.granted  # noqa: PT018
    assert not (await limiter.try_lease(key, limit=2, lease=30)).granted
    assert first.token is not None
    await limiter.release(key, first.token)
    assert (await limiter.try_lease(key, limit=2, lease=30)).granted


async def test_a_lease_never_released_lapses(limiter: Limiter, key: str) -> None:
    assert (await limiter.try_lease(key, limit=1, lease=1.0)).granted
    assert not (await limiter.try_lease(key, limit=1, lease=1.0)).granted  # unless 1 s stalled
    await asyncio.sleep(1.05)
    assert (await limiter.try_lease(key, limit=1, lease=1.0)).granted


async def test_a_bucket_refills_at_its_rate_and_learns_the_platforms_level(
    limiter: Limiter, key: str
) -> None:
    # One token a second: how long the second call waits barely depends on how long the
    # machine took between the two calls.
    assert (await limiter.try_bucket(key, capacity=10, rate=1, cost=6)).granted
    refused = await limiter.try_bucket(key, capacity=10, rate=1, cost=6)
    assert not refused.granted
    assert 1.0 < refused.wait <= 2.0  # two tokens short: 2 s, less what refilled meanwhile
    await limiter.set_bucket(key, level=0, capacity=10)  # the platform says: empty
    assert (await limiter.try_bucket(key, capacity=10, rate=1, cost=1)).wait > 0.5


def _hammer(url: str, key: str, seconds: float, out: multiprocessing.Queue[int]) -> None:
    async def run() -> int:
        limiter = RedisLimiter.from_url(url)
        granted = 0
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            results = await asyncio.gather(
                *(limiter.try_window(key, limit=30, window=5.0) for _ in range(8))
            )
            granted += sum(g.granted for g in results)
        await limiter.close()
        return granted

    out.put(asyncio.run(run()))


@pytest.mark.redis
def test_processes_racing_for_one_window_never_exceed_it(redis_url: str, key: str) -> None:
    """Three processes, 8 concurrent attempts each, for less than one window: exactly the
    limit is granted in all, however the attempts interleave."""
    context = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue[int] = context.Queue()
    workers = [context.Process(target=_hammer, args=(redis_url, key, 1.5, out)) for _ in range(3)]
    for worker in workers:
        worker.start()
    totals = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert sum(totals) == 30


async def test_a_window_learns_what_the_platform_says_is_spent(limiter: Limiter, key: str) -> None:
    """Another replica or app spent 7 of 10: only 3 are left here too, and a platform that
    reports less than is counted here changes nothing."""
    assert (await limiter.try_window(key, limit=10, window=5.0)).granted
    await limiter.learn_window(key, window=5.0, used=7)
    assert await limiter.window_count(key, window=5.0) == 7
    await limiter.learn_window(key, window=5.0, used=2)
    assert await limiter.window_count(key, window=5.0) == 7
    grants = [await limiter.try_window(key, limit=10, window=5.0) for _ in range(4)]
    assert [g.granted for g in grants] == [True, True, True, False]


async def test_the_budget_left_can_be_read_without_spending_it(limiter: Limiter, key: str) -> None:
    assert await limiter.window_count(key, window=5.0) == 0
    await limiter.try_window(key, limit=10, window=5.0)
    assert await limiter.window_count(key, window=5.0) == 1
    lease = await limiter.try_lease(key + ":c", limit=3, lease=30)
    assert await limiter.lease_count(key + ":c") == 1
    assert lease.token is not None
    await limiter.release(key + ":c", lease.token)
    assert await limiter.lease_count(key + ":c") == 0
    assert await limiter.bucket_level(key + ":b", capacity=100, rate=1) == 100
    await limiter.try_bucket(key + ":b", capacity=100, rate=1, cost=60)
    assert 40 <= await limiter.bucket_level(key + ":b", capacity=100, rate=1) < 41
