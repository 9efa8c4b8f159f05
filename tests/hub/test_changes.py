"""Change notices reach every subscriber: in one process, and across replicas through Redis."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from canonical_schema import BehavioralEvent, EventType, Platform
from hub.changes import CHANNEL, ChangeNotice, MemoryBus, RedisBus
from tests.waiting import eventually

NOTICE = ChangeNotice(
    customer_id="cus_abc",
    email="ada@example.com",
    platform=Platform.MAILCHIMP,
    at=datetime(2026, 1, 2, tzinfo=UTC),
    changed_fields=("emailConsent",),
    event=BehavioralEvent(
        id="evt_1",
        type=EventType.UNSUBSCRIBED,
        platform=Platform.MAILCHIMP,
        occurred_at=datetime(2026, 1, 2, tzinfo=UTC),
    ),
)


async def _subscribers(redis: Redis) -> int:
    [(_, count)] = await redis.pubsub_numsub(CHANNEL)
    return int(count)


async def first(bus: MemoryBus | RedisBus) -> ChangeNotice:
    async for notice in bus.subscribe():
        return notice
    raise AssertionError("the subscription ended")


async def test_every_subscriber_of_a_process_hears_each_notice() -> None:
    bus = MemoryBus()
    listeners = [asyncio.create_task(first(bus)) for _ in range(3)]
    await asyncio.sleep(0)
    await bus.publish(NOTICE)
    assert await asyncio.gather(*listeners) == [NOTICE] * 3


async def test_a_slow_subscriber_loses_the_oldest_not_the_publisher(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("hub.changes.QUEUE_SIZE", 2)
    bus = MemoryBus()
    stream = bus.subscribe()
    waiting = asyncio.create_task(anext(stream))
    await asyncio.sleep(0)
    for n in range(4):
        await bus.publish(ChangeNotice(f"cus_{n}", None, None, NOTICE.at))
    assert (await waiting).customer_id == "cus_2"
    assert (await anext(stream)).customer_id == "cus_3"
    assert bus.dropped == 2
    await stream.aclose()


@pytest.mark.redis
async def test_a_notice_published_by_one_replica_reaches_another(redis_url: str) -> None:
    publisher, listener = RedisBus.from_url(redis_url), RedisBus.from_url(redis_url)
    try:
        heard = asyncio.create_task(first(listener))
        # Pub/sub keeps nothing for later: publish once the listener is subscribed.
        counter = Redis.from_url(redis_url)
        try:
            subscribed = await eventually(lambda: _subscribers(counter))
        finally:
            await counter.aclose()
        assert subscribed, "the listener never subscribed"
        await publisher.publish(NOTICE)
        assert await asyncio.wait_for(heard, 30) == NOTICE
    finally:
        await publisher.close()
        await listener.close()
