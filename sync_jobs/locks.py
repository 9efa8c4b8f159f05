"""Locks on a key (one platform and email, for writes), held by at most one job at a time:
in this process, or across every worker through Redis. A lock expires after `ttl` seconds, so
a worker killed while holding one blocks no one for longer than that.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import LockError


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
    """redis-py's `Lock` (SET NX PX with a token of its own, released by a Lua
    compare-and-delete, so a lock that expired and was taken by another is never released
    by its first holder)."""

    def __init__(self, redis: Redis, prefix: str = "mgw:lock:", poll: float = 0.05) -> None:
        self._redis = redis
        self._prefix = prefix
        self._poll = poll

    @asynccontextmanager
    async def hold(self, key: str, *, ttl: float, wait: float) -> AsyncIterator[bool]:
        lock = self._redis.lock(
            self._prefix + key, timeout=ttl, sleep=self._poll, blocking_timeout=wait
        )
        if not await lock.acquire():
            yield False
            return
        try:
            yield True
        finally:
            with contextlib.suppress(LockError):  # it expired (held past `ttl`): nothing held
                await lock.release()
