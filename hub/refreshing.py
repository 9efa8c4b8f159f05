"""A value read from upstream and kept for a while: fresh for `ttl` seconds, then refreshed by
the first caller (concurrent callers wait for that one refresh). When a refresh fails, the last
good value keeps answering, with the failure attached so the edge can say it is stale."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from connectors.exceptions import ConnectorError
from hub.graph_base import Partial

T = TypeVar("T")


class Refreshing(Generic[T]):
    def __init__(
        self,
        load: Callable[[T | None], Awaitable[T]],
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`load(previous)` reads the value; it may use the previous one to read less."""
        self._load = load
        self._ttl = ttl
        self._clock = clock
        self._value: T | None = None
        self._loaded_at: float | None = None
        self._lock = asyncio.Lock()

    def _fresh(self) -> bool:
        return self._loaded_at is not None and self._clock() - self._loaded_at < self._ttl

    async def get(self) -> Partial[T | None]:
        """The value (None only when it was never read and the read failed), and the failure
        of the latest refresh if it failed."""
        if self._fresh():
            return Partial(self._value)
        async with self._lock:
            if self._fresh():
                return Partial(self._value)
            try:
                self._value = await self._load(self._value)
            except ConnectorError as exc:
                return Partial(self._value, (exc,))
            self._loaded_at = self._clock()
            return Partial(self._value)

    def expire(self) -> None:
        """Make the next `get` refresh."""
        self._loaded_at = None
