"""Credentials that expire: a bearer token kept fresh, refreshed once however many calls wait.

`RefreshingAuth` is an `httpx.Auth`: it refreshes ahead of a token's expiry (with a leeway),
and, for platforms whose tokens can die early or carry no expiry (Salesforce sessions,
Marketo's 601/602 at HTTP 200), refreshes and retries once when `expired(response)` says so.
The grants themselves (refresh token, client credentials, authorization code) are built with
authlib's RFC 6749 helpers in `connectors/oauth.py`; this module only keeps the token.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_at: float | None = None
    refresh_token: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def expires_within(self, seconds: float, now: float) -> bool:
        return self.expires_at is not None and self.expires_at - now <= seconds


class StaticBearerAuth(httpx.Auth):
    """A token that does not expire (HubSpot private apps, Shopify offline tokens)."""

    def __init__(
        self, token: str, *, header: str = "Authorization", scheme: str = "Bearer"
    ) -> None:
        if not token:
            raise ValueError("an access token is required")
        self._header = header
        self._value = f"{scheme} {token}" if scheme else token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = self._value
        yield request


class RefreshingAuth(httpx.Auth):
    """A bearer token from `fetch()`, renewed `leeway` seconds before it expires and, when
    `expired(response)` is given, after a response that says the token died."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[Token]],
        *,
        expired: Callable[[httpx.Response], bool] | None = None,
        header: str = "Authorization",
        scheme: str = "Bearer",
        leeway: float = 60.0,
        clock: Callable[[], float] = time.time,
        token: Token | None = None,
    ) -> None:
        self._fetch = fetch
        self._expired = expired
        self._header = header
        self._scheme = scheme
        self._leeway = leeway
        self._clock = clock
        self._token = token
        self._lock = asyncio.Lock()
        self.requires_response_body = expired is not None
        self.refreshes = 0

    @property
    def token(self) -> Token | None:
        return self._token

    async def current(self) -> Token:
        token = self._token
        if token is None or token.expires_within(self._leeway, self._clock()):
            token = await self._renew(stale=token)
        return token

    async def _renew(self, stale: Token | None) -> Token:
        async with self._lock:
            # Another caller may have renewed while this one waited for the lock.
            fresh = self._token
            renewed = fresh is not None and fresh is not stale
            if renewed and fresh and not fresh.expires_within(self._leeway, self._clock()):
                return fresh
            self._token = await self._fetch()
            self.refreshes += 1
            return self._token

    def _apply(self, request: httpx.Request, token: Token) -> None:
        value = token.access_token
        request.headers[self._header] = f"{self._scheme} {value}" if self._scheme else value

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("RefreshingAuth works with httpx.AsyncClient only")
        yield request  # pragma: no cover

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.current()
        self._apply(request, token)
        response = yield request
        if self._expired is not None:
            await response.aread()
        if self._expired is not None and self._expired(response):
            token = await self._renew(stale=token)
            self._apply(request, token)
            yield request
