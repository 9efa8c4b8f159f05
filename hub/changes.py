"""Change notices for subscriptions: what changed, for whom, from where — in this process, or
across every replica through Redis pub/sub when `MGW_REDIS_URL` is set.

A notice is published once a change is known and its cache entries are evicted, so a
subscriber that reads the customer on receipt reads the new values. Subscribers that fall
behind lose the oldest notices first (a bounded queue each) rather than slowing publishers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from redis.asyncio import Redis

from cache.outage import UNREACHABLE, went_without
from cache.retry import full_jitter
from canonical_schema import BehavioralEvent, Platform

logger = logging.getLogger("mgw.changes")
CHANNEL = "mgw:changes"
QUEUE_SIZE = 1000


@dataclass(frozen=True)
class ChangeNotice:
    customer_id: str
    email: str | None
    platform: Platform | None
    at: datetime
    changed_fields: tuple[str, ...] = ()
    event: BehavioralEvent | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "customer_id": self.customer_id,
                "email": self.email,
                "platform": self.platform.value if self.platform else None,
                "at": self.at.isoformat(),
                "changed_fields": list(self.changed_fields),
                "event": self.event.model_dump(mode="json") if self.event else None,
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> ChangeNotice:
        data: dict[str, Any] = json.loads(text)
        return cls(
            customer_id=data["customer_id"],
            email=data["email"],
            platform=Platform(data["platform"]) if data["platform"] else None,
            at=datetime.fromisoformat(data["at"]),
            changed_fields=tuple(data["changed_fields"]),
            event=BehavioralEvent.model_validate(data["event"]) if data["event"] else None,
        )


class ChangeBus(Protocol):
    async def publish(self, notice: ChangeNotice) -> None: ...

    def subscribe(self) -> AsyncIterator[ChangeNotice]: ...

    async def close(self) -> None: ...


@dataclass
class MemoryBus:
    """One process: each subscriber has its own bounded queue."""

    _queues: set[asyncio.Queue[ChangeNotice]] = field(default_factory=set)
    dropped: int = 0

    async def publish(self, notice: ChangeNotice) -> None:
        for queue in list(self._queues):
            if queue.full():
                queue.get_nowait()
                self.dropped += 1
            queue.put_nowait(notice)

    async def subscribe(self) -> AsyncIterator[ChangeNotice]:
        queue: asyncio.Queue[ChangeNotice] = asyncio.Queue(QUEUE_SIZE)
        self._queues.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues.discard(queue)

    async def close(self) -> None:
        self._queues.clear()


class RedisBus:
    """Every replica: notices go through one Redis pub/sub channel.

    While Redis is away a notice published is dropped (counted in
    `mgw_redis_unavailable_total{use="change_publish"}`: the change itself is in the platforms
    and its cache entries are evicted, only the announcement is lost), and subscribers stay
    subscribed: each joins the channel again once Redis answers (`change_subscribe`), missing
    what was published meanwhile, as pub/sub always does."""

    def __init__(self, redis: Redis, *, first_pause: float = 0.2, longest: float = 5.0) -> None:
        self._redis = redis
        self._first_pause = first_pause
        self._longest = longest

    @classmethod
    def from_url(cls, url: str) -> RedisBus:
        return cls(Redis.from_url(url))

    async def publish(self, notice: ChangeNotice) -> None:
        try:
            await self._redis.publish(CHANNEL, notice.to_json())
        except UNREACHABLE as exc:
            went_without("change_publish", exc)

    async def subscribe(self) -> AsyncIterator[ChangeNotice]:
        pause = self._first_pause
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(CHANNEL)
                pause = self._first_pause
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=30)
                    if message is None:
                        continue
                    try:
                        notice = ChangeNotice.from_json(message["data"])
                    except (ValueError, KeyError, TypeError):
                        logger.warning("ignored a malformed change notice on %s", CHANNEL)
                        continue
                    yield notice
            except UNREACHABLE as exc:
                went_without("change_subscribe", exc)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.unsubscribe(CHANNEL)
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(full_jitter(pause))
            pause = min(pause * 2, self._longest)

    async def close(self) -> None:
        await self._redis.aclose()
