"""Both entity caches behave the same; the Redis one is shared by every replica."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from cache import EntityCache, MemoryCache, RedisCache
from cache.entity import CacheWrite


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[EntityCache]:
    if request.param == "memory":
        yield MemoryCache()
        return
    shared = RedisCache.from_url(request.getfixturevalue("redis_url"))
    yield shared
    await shared.close()


@pytest.fixture
def scope() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


async def test_values_come_back_fresh_then_stale_then_gone(cache: EntityCache, scope: str) -> None:
    await cache.set_many(scope, [CacheWrite("a", b"1", ttl=30)], stale_for=60)
    await cache.set_many(scope, [CacheWrite("b", b"2", ttl=0)], stale_for=0.2)
    found = await cache.get_many(scope, ["a", "b", "missing"])
    assert set(found) == {"a", "b"}
    assert found["a"].value == b"1"
    assert found["a"].fresh_until > found["b"].fresh_until
    assert not found["b"].is_fresh(found["b"].fresh_until + 0.001)
    await asyncio.sleep(0.4)
    if isinstance(cache, MemoryCache):
        return  # memory expiry is driven by its clock; see the clock test below
    assert set(await cache.get_many(scope, ["a", "b"])) == {"a"}


async def test_a_tag_evicts_every_entry_that_carries_it(cache: EntityCache, scope: str) -> None:
    await cache.set_many(
        scope,
        [
            CacheWrite("customer:ada@x.io", b"ada", ttl=60, tags=["cus_1"]),
            CacheWrite("customer-page:1", b"[ada, bob]", ttl=60, tags=["cus_1", "cus_2"]),
            CacheWrite("customer:bob@x.io", b"bob", ttl=60, tags=["cus_2"]),
        ],
        stale_for=0,
    )
    assert await cache.invalidate(scope, ["cus_1"]) == 2
    keys = ["customer:ada@x.io", "customer-page:1", "customer:bob@x.io"]
    assert set(await cache.get_many(scope, keys)) == {"customer:bob@x.io"}
    assert await cache.invalidate(scope, ["cus_1", "nothing"]) == 0


async def test_scopes_never_see_each_other(cache: EntityCache, scope: str) -> None:
    await cache.set_many(scope, [CacheWrite("k", b"mine", ttl=60, tags=["t"])], stale_for=0)
    other = scope + "-other"
    assert await cache.get_many(other, ["k"]) == {}
    assert await cache.invalidate(other, ["t"]) == 0
    assert (await cache.get_many(scope, ["k"]))["k"].value == b"mine"


@pytest.mark.redis
async def test_an_eviction_in_one_replica_is_seen_by_another(redis_url: str, scope: str) -> None:
    one, two = RedisCache.from_url(redis_url), RedisCache.from_url(redis_url)
    try:
        await one.set_many(scope, [CacheWrite("k", b"v", ttl=60, tags=["cus_9"])], stale_for=0)
        assert (await two.get_many(scope, ["k"]))["k"].value == b"v"
        assert await two.invalidate(scope, ["cus_9"]) == 1
        assert await one.get_many(scope, ["k"]) == {}
    finally:
        await one.close()
        await two.close()


async def test_memory_cache_keeps_within_its_byte_budget_dropping_the_least_recent() -> None:
    now = [1000.0]
    cache = MemoryCache(max_bytes=25, clock=lambda: now[0])  # two 10-byte entries fit
    await cache.set_many("s", [CacheWrite("a", b"x" * 9, ttl=5)], stale_for=5)
    await cache.set_many("s", [CacheWrite("b", b"x" * 9, ttl=5)], stale_for=5)
    await cache.get_many("s", ["a"])  # a is now the most recent
    await cache.set_many("s", [CacheWrite("c", b"x" * 9, ttl=5)], stale_for=5)
    assert set(await cache.get_many("s", ["a", "b", "c"])) == {"a", "c"}
    assert cache.bytes <= 25
    now[0] += 9
    assert not (await cache.get_many("s", ["a"]))["a"].is_fresh(now[0])
    now[0] += 2
    assert await cache.get_many("s", ["a", "c"]) == {}
    assert cache.bytes == 0
