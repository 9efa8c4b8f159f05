"""The write lock across workers (redis-py's `Lock` on a real Redis): one holder at a time, a
waiter gives up after `wait`, a lock held past its `ttl` lapses, and its first holder then
does not release the lock someone else took."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis

from sync_jobs.locks import RedisLock

pytestmark = pytest.mark.redis


async def test_one_holder_at_a_time_and_a_lapsed_lock_is_not_released_by_its_first_holder(
    redis_url: str,
) -> None:
    redis = Redis.from_url(redis_url)
    locks = RedisLock(redis, prefix=f"mgw-test:{uuid.uuid4().hex[:8]}:", poll=0.01)
    try:
        async with locks.hold("write:a@x.io", ttl=30, wait=1) as first:
            assert first
            async with locks.hold("write:a@x.io", ttl=30, wait=0.05) as second:
                assert not second  # held elsewhere: given up after `wait`
            async with locks.hold("write:b@x.io", ttl=30, wait=0.05) as other:
                assert other  # another person's writes are not held up
        async with locks.hold("write:a@x.io", ttl=30, wait=0.05) as again:
            assert again  # released on the way out

        lapsing = locks.hold("write:c@x.io", ttl=0.1, wait=1)
        assert await lapsing.__aenter__()
        taking = locks.hold("write:c@x.io", ttl=30, wait=5)
        assert await taking.__aenter__()  # the first lapsed after 0.1 s and was taken
        await lapsing.__aexit__(None, None, None)  # the first holder leaves late: releases nothing
        async with locks.hold("write:c@x.io", ttl=30, wait=0.05) as third:
            assert not third  # still the taker's
        await taking.__aexit__(None, None, None)
    finally:
        await redis.aclose()
