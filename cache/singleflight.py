"""Single-flight: concurrent misses for the same key share one upstream call.

The first caller for a key runs the work; everyone who asks for that key while it runs awaits
the same result (or the same exception). Nothing is remembered afterwards: that is the
cache's job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SingleFlight(Generic[K, V]):
    def __init__(self) -> None:
        self._running: dict[K, asyncio.Future[V]] = {}

    def __len__(self) -> int:
        return len(self._running)

    async def do(self, key: K, work: Callable[[], Awaitable[V]]) -> V:
        running = self._running.get(key)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            value = await work()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            # Retrieve it here so an exception no one else awaited is not logged as lost.
            future.exception()
            raise
        else:
            future.set_result(value)
            return value
        finally:
            del self._running[key]


class BatchSingleFlight(Generic[K, V]):
    """Single-flight for batch loads: a key already being loaded by another batch is awaited,
    not loaded again; the rest are loaded together in one call of `work`."""

    def __init__(self) -> None:
        self._running: dict[K, asyncio.Future[V]] = {}

    def __len__(self) -> int:
        return len(self._running)

    async def do_many(
        self, keys: Sequence[K], work: Callable[[list[K]], Awaitable[Mapping[K, V]]]
    ) -> dict[K, V]:
        loop = asyncio.get_running_loop()
        waiting = {key: self._running[key] for key in keys if key in self._running}
        mine = [key for key in dict.fromkeys(keys) if key not in waiting]
        futures = {key: loop.create_future() for key in mine}
        self._running.update(futures)
        try:
            if mine:
                loaded = await work(mine)
                for key, future in futures.items():
                    if key in loaded:
                        future.set_result(loaded[key])
                    else:
                        future.set_exception(KeyError(key))
                        future.exception()
        except asyncio.CancelledError:
            for future in futures.values():
                future.cancel()
            raise
        except Exception as exc:
            for future in futures.values():
                future.set_exception(exc)
                future.exception()
            raise
        finally:
            for key in mine:
                del self._running[key]
        results = {key: futures[key].result() for key in mine if futures[key].exception() is None}
        for key, future in waiting.items():
            results[key] = await asyncio.shield(future)
        return results
