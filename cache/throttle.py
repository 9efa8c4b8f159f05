"""Throttling as an httpx transport: every upstream call waits for its platform's budget.

A connector never sees the limiter: the gateway wraps the transport of the platform's
`httpx.AsyncClient` in a `ThrottledTransport` with that platform's rules. Before a request goes
out it acquires every rule that applies (rolling windows, concurrency leases, cost buckets),
waiting — queueing — while the wait fits the caller's deadline. When it does not fit, the
request never leaves: the transport answers 429 with `Retry-After` and `X-MGW-Throttled`, which
the connector's error table turns into `RateLimitedError` like the platform's own 429.

Priorities share one budget: interactive reads may use all of a window, real-time triggers
`TRIGGER_SHARE` of it, bulk sync `BULK_SHARE`, so a sync never starves a dashboard.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

import httpx
from redis.exceptions import RedisError

from cache.limits import Grant, Limiter
from canonical_schema.invariants import BrokenInvariant

logger = logging.getLogger("mgw.throttle")


class LimiterUnavailable(httpx.TransportError):
    """The shared limiter (Redis) does not answer, so the quota left is unknown: the call is
    not made (a platform's quota is not spent blind) and fails as the platform being
    unreachable, which callers already retry or answer in part."""


INTERACTIVE, TRIGGER, BULK = 0, 1, 2
SHARES = {INTERACTIVE: 1.0, TRIGGER: 0.9, BULK: 0.75}
priority: ContextVar[int] = ContextVar("mgw_priority", default=INTERACTIVE)
deadline: ContextVar[float | None] = ContextVar("mgw_deadline", default=None)
"""`time.monotonic()` by which the current operation must be done, if it has one."""
LEASE_POLL = 0.05
"""Seconds between asks for a concurrency slot while every one is held."""
LEASE_RETRY = 1.0
"""The wait a call refused a concurrency slot is told to take before trying again."""
WAITED = "mgw_rate_limit_wait"
"""The request extension holding the seconds it queued for its budget (read by the tracing
transport around this one, for the call's span)."""


def every_request(request: httpx.Request) -> bool:
    return True


def _nothing_learned(response: httpx.Response) -> int | None:
    return None


@dataclass(frozen=True)
class Window:
    """At most `limit` calls in any rolling `window` seconds (HubSpot, Marketo, search).

    `learn(response)` reads how many calls the platform counts in its window, from headers
    where it sends them; the local count is raised to match, since another replica or app on
    the same account may be spending the budget too."""

    key: str
    limit: int
    window: float
    applies: Callable[[httpx.Request], bool] = every_request
    learn: Callable[[httpx.Response], int | None] = _nothing_learned


@dataclass(frozen=True)
class Concurrency:
    """At most `limit` calls in flight at once (Marketo, Mailchimp)."""

    key: str
    limit: int
    lease: float = 30.0
    """A lease a crashed caller never released lapses after this; it must outlast the HTTP
    timeout (10 s by default) so a slow call still holds its slot."""
    applies: Callable[[httpx.Request], bool] = every_request


@dataclass(frozen=True)
class Bucket:
    """A cost bucket (Shopify): `cost(request)` is the estimate taken before the call;
    `learn(response)` reads what the platform says is left, `(level, capacity)`."""

    key: str
    capacity: float
    rate: float
    cost: Callable[[httpx.Request], float]
    learn: Callable[[httpx.Response], tuple[float, float] | None] = field(
        default=lambda response: None
    )
    applies: Callable[[httpx.Request], bool] = every_request


Rule = Window | Concurrency | Bucket


class ThrottledTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        limiter: Limiter,
        rules: Sequence[Rule],
        *,
        max_wait: float = 30.0,
        reserve: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._inner = inner
        self._limiter = limiter
        self._rules = tuple(rules)
        self._max_wait = max_wait
        self._reserve = reserve
        """Seconds before the deadline left for the call itself: a slot taken later would be
        spent on a call the deadline cuts off."""
        self._clock = clock
        self.waited = 0.0
        """Seconds spent queueing, in all (for metrics and tests)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        leases: list[tuple[str, str]] = []
        try:
            for rule in self._rules:
                if not rule.applies(request):
                    continue
                try:
                    grant = await self._acquire(rule, request)
                except RedisError as exc:
                    raise LimiterUnavailable(
                        f"the shared rate limiter is unreachable ({type(exc).__name__})",
                        request=request,
                    ) from exc
                if not grant.granted:
                    await self._release(leases)
                    return _throttled(request, grant.wait, rule.key)
                if grant.token is not None:
                    leases.append((rule.key, grant.token))
            response = await self._inner.handle_async_request(request)
        except BaseException:
            await self._release(leases)
            raise
        try:
            await self._learn(request, response)
        except BaseException:
            await self._release(leases)
            raise
        if leases and response.is_stream_consumed:
            await self._release(leases)  # learning read the body: the call is over
        elif leases:
            stream = response.stream
            if not isinstance(stream, httpx.AsyncByteStream):
                raise BrokenInvariant("expected isinstance(stream, httpx.AsyncByteStream)")
            response.stream = _ReleasingStream(stream, lambda: self._release(leases))
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def _acquire(self, rule: Rule, request: httpx.Request) -> Grant:
        budget = self._budget()
        while True:
            grant = await self._try(rule, request)
            if grant.granted:
                return grant
            wait = grant.wait
            if isinstance(rule, Concurrency):
                # A held lease ends when its call does, mostly in well under a second; when it
                # lapses (`grant.wait`) only if its caller crashed. Ask again soon, and tell a
                # caller out of budget to come back as soon (Marketo's 615 says 1 s).
                wait = min(wait, LEASE_POLL)
                grant = Grant(False, min(grant.wait, LEASE_RETRY))
            if wait > budget:
                return grant
            await asyncio.sleep(wait)
            self.waited += wait
            request.extensions[WAITED] = request.extensions.get(WAITED, 0.0) + wait
            budget -= wait

    async def _try(self, rule: Rule, request: httpx.Request) -> Grant:
        share = SHARES.get(priority.get(), 1.0)
        if isinstance(rule, Window):
            limit = max(1, math.floor(rule.limit * share))
            return await self._limiter.try_window(rule.key, limit=limit, window=rule.window)
        if isinstance(rule, Concurrency):
            limit = max(1, math.floor(rule.limit * share))
            return await self._limiter.try_lease(rule.key, limit=limit, lease=rule.lease)
        # A bucket keeps back the share lower priorities may not spend.
        cost = rule.cost(request) + rule.capacity * (1 - share)
        return await self._limiter.try_bucket(
            rule.key, capacity=rule.capacity, rate=rule.rate, cost=cost
        )

    def _budget(self) -> float:
        end = deadline.get()
        if end is None:
            return self._max_wait
        left = min(self._max_wait, end - self._clock() - self._reserve)
        return max(0.0, left)

    async def _learn(self, request: httpx.Request, response: httpx.Response) -> None:
        try:
            await self._learn_from(request, response)
        except RedisError as exc:  # what the answer said is lost; the windows still hold
            logger.warning(
                "could not record what %s %s said of limits: %s",
                request.method,
                request.url.path,
                exc,
            )

    async def _learn_from(self, request: httpx.Request, response: httpx.Response) -> None:
        for rule in self._rules:
            if isinstance(rule, Window) and rule.applies(request):
                used = rule.learn(response)
                if used is not None:
                    await self._limiter.learn_window(rule.key, window=rule.window, used=used)
            elif isinstance(rule, Bucket) and rule.applies(request):
                await response.aread()
                level = rule.learn(response)
                if level is not None:
                    await self._limiter.set_bucket(rule.key, level=level[0], capacity=level[1])

    async def _release(self, leases: list[tuple[str, str]]) -> None:
        for key, token in leases:
            try:
                await self._limiter.release(key, token)
            except RedisError as exc:  # the lease runs out by itself
                logger.warning("could not release a concurrency lease on %s: %s", key, exc)
        leases.clear()


class _ReleasingStream(httpx.AsyncByteStream):
    """The response body, releasing the call's concurrency leases once it has been read."""

    def __init__(
        self, inner: httpx.AsyncByteStream, release: Callable[[], Awaitable[None]]
    ) -> None:
        self._inner = inner
        self._release = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            await self._release()


def _throttled(request: httpx.Request, wait: float, key: str) -> httpx.Response:
    body = {"message": f"gateway rate limit {key!r}: next slot in {wait:.2f}s, past the deadline"}
    return httpx.Response(
        429,
        headers={"Retry-After": f"{max(wait, 0.001):.3f}", "X-MGW-Throttled": key},
        content=json.dumps(body).encode(),
        request=request,
    )
