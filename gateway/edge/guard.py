"""The HTTP checks /graphql makes before the graph sees a request, in order: CSRF (nothing
counted for a forged request), the client's rate limit, then the body's size.

One `EdgeGuard` per app; its limiter (Redis when the gateway has one, so every replica counts
a client once; this process's own while Redis does not answer, cache/outage.py) is opened and
closed with the app (`running()`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.requests import HTTPConnection, Request
from starlette.types import Receive

from cache.limits import Limiter, MemoryLimiter
from cache.outage import shared_limiter
from gateway.edge.body import read_bounded
from gateway.edge.csrf import check_csrf
from gateway.edge.rate_limit import check_rate
from gateway.edge.settings import EdgePolicy, EdgeSettings, Profile


class EdgeGuard:
    def __init__(self, policy: EdgePolicy, redis_url: str | None = None) -> None:
        self.policy = policy
        self._redis_url = redis_url
        self._limiter: Limiter | None = None

    @classmethod
    def for_profile(
        cls, settings: EdgeSettings, profile: Profile, redis_url: str | None = None
    ) -> EdgeGuard:
        return cls(settings.policy(profile), redis_url)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[EdgeGuard]:
        """Opens the rate limiter's store for the app's lifetime (none without a limit)."""
        if self.policy.rate_limit is not None:
            self._limiter = shared_limiter(self._redis_url) if self._redis_url else MemoryLimiter()
        try:
            yield self
        finally:
            limiter, self._limiter = self._limiter, None
            if limiter is not None:
                await limiter.close()

    async def admit_connection(self, connection: HTTPConnection) -> None:
        """A WebSocket's upgrade counts as one request of its client (CSRF does not apply:
        credentials come in headers or `connection_init`, never in cookies)."""
        if self.policy.rate_limit is not None:
            await check_rate(connection, self._limiter_now(), self.policy.rate_limit)

    async def admit_operation(self, connection: HTTPConnection) -> None:
        """An operation over an open WebSocket counts as one request of its client, in the
        same window as its HTTP requests; EdgeRefusal (429's refusal) when it is spent."""
        if self.policy.rate_limit is not None:
            await check_rate(connection, self._limiter_now(), self.policy.rate_limit)

    def _limiter_now(self) -> Limiter:
        if self._limiter is None:  # used outside `running()`: this process's own
            self._limiter = MemoryLimiter()
        return self._limiter

    async def admit(self, request: Request) -> Receive:
        """Raises EdgeRefusal for a request refused here; else the `receive` to read on with
        (the body, already read within its bound)."""
        if self.policy.csrf:
            check_csrf(request)
        if self.policy.rate_limit is not None:
            await check_rate(request, self._limiter_now(), self.policy.rate_limit)
        if request.method == "POST":
            return await read_bounded(
                request, self.policy.max_body_bytes, self.policy.body_read_seconds
            )
        return request.receive
