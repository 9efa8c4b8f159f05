"""Locks on a key (one platform and email, for writes), held by at most one job at a time:
in this process, or across every worker through Redis. A lock expires after `ttl` seconds, so
a worker killed while holding one blocks no one for longer than that.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from redis.asyncio import Redis

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class KeyLock(Protocol):
    def hold(self, key: str, *, ttl: float, wait: float) -> AbstractAsyncContextManager[bool]:
        """Enter with True once the lock is held, or False after `wait` seconds without it."""
        ...


class MemoryLock:
    def __init__(self) -> None:
        self._held: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, key: str, *, ttl: float, wait: float) -> AsyncIterator[bool]:
        lock = self._held.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            try:
                await asyncio.wait_for(lock.acquire(), wait)
            except TimeoutError:
                yield False
                return
            try:
                yield True
            finally:
                lock.release()
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._held[key]


class RedisLock:
    def __init__(self, redis: Redis, prefix: str = "mgw:lock:", poll: float = 0.05) -> None:
        self._redis = redis
        self._prefix = prefix
        self._poll = poll
        self._release: Any = redis.register_script(_RELEASE)

    @asynccontextmanager
    async def hold(self, key: str, *, ttl: float, wait: float) -> AsyncIterator[bool]:
        name, token = self._prefix + key, uuid.uuid4().hex
        deadline = time.monotonic() + wait
        while not await self._redis.set(name, token, nx=True, px=max(1, int(ttl * 1000))):
            if time.monotonic() >= deadline:
                yield False
                return
            await asyncio.sleep(self._poll)
        try:
            yield True
        finally:
            await self._release(keys=[name], args=[token])
