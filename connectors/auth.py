"""Credentials that expire: a bearer token kept fresh, refreshed once however many calls wait.

`RefreshingAuth` is an `httpx.Auth`: it refreshes ahead of a token's expiry (with a leeway),
and, for platforms whose tokens can die early or carry no expiry (Salesforce sessions,
Marketo's 601/602 at HTTP 200), refreshes and retries once when `expired(response)` says so.
The grants themselves (refresh token, client credentials, authorization code) are built with
authlib's RFC 6749 helpers in `connectors/oauth.py`; this module only keeps the token.

- One refresh per expiry: in this process an `asyncio.Lock`; across processes, when a
  `TokenStore` is given (`connectors/token_store.py`), its `exclusive()` lock around "adopt the
  token another process already published, or refresh and publish".
- Ahead of expiry: `leeway` seconds, but never more than a quarter of the token's lifetime, so
  a 5 s token (the simulators' `--token-ttl 5`) is not renewed on every call.
- A refused grant (`AuthError`: a revoked refresh token, a rotated-away one, a bad client) is
  remembered for `recheck` seconds: calls fail at once with the same error instead of asking
  the token endpoint again; afterwards one call looks again (a person may have reconnected).
- A refresh, once started, finishes even if every caller waiting on it gives up (an operation
  deadline): a rotating refresh token spent at the platform is never lost before the new one is
  kept (docs/adr/0052-token-lifecycle.md).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from canonical_schema.invariants import BrokenInvariant
from connectors.exceptions import AuthError, AuthExpiredError

if TYPE_CHECKING:
    from connectors.token_store import TokenStore

LIFETIME_SHARE = 0.25  # renew no earlier than this share of a token's lifetime before expiry
RECHECK_S = 30.0


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_at: float | None = None
    refresh_token: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    issued_at: float | None = None

    def expires_within(self, seconds: float, now: float) -> bool:
        return self.expires_at is not None and self.expires_at - now <= seconds

    def due(self, leeway: float, now: float) -> bool:
        """Time to renew: within `leeway` of expiry, the leeway capped at a quarter of the
        token's lifetime when its issue time is known."""
        if self.issued_at is not None and self.expires_at is not None:
            leeway = min(leeway, (self.expires_at - self.issued_at) * LIFETIME_SHARE)
        return self.expires_within(leeway, now)


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


def _observed(task: asyncio.Task[Token]) -> None:
    """Its outcome is the callers'; if they all gave up, it is not an unretrieved error."""
    if not task.cancelled():
        task.exception()


class RefreshingAuth(httpx.Auth):
    """A bearer token from `fetch()`, renewed ahead of expiry and, when `expired(response)`
    is given, after a response that says the token died; shared through `store` if given."""

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
        store: TokenStore | None = None,
        recheck: float = RECHECK_S,
    ) -> None:
        self._fetch = fetch
        self._expired = expired
        self._header = header
        self._scheme = scheme
        self._leeway = leeway
        self._clock = clock
        self._token = token
        self._store = store
        self._recheck = recheck
        self._refused: tuple[AuthError, float] | None = None
        self._renewing: asyncio.Task[Token] | None = None
        self._lock = asyncio.Lock()
        self.requires_response_body = expired is not None
        self.refreshes = 0
        """Tokens this process fetched from the platform."""
        self.adopted = 0
        """Tokens this process took from `store` instead of fetching (another replica's)."""

    @property
    def token(self) -> Token | None:
        return self._token

    @property
    def refused(self) -> AuthError | None:
        """The error of the last refused grant, while calls fail fast because of it."""
        return self._refused[0] if self._refused is not None else None

    async def current(self) -> Token:
        token = self._token
        if token is None or token.due(self._leeway, self._clock()):
            token = await self._renew(stale=token)
        return token

    async def _renew(self, stale: Token | None) -> Token:
        async with self._lock:
            # Another caller may have renewed while this one waited for the lock.
            fresh = self._token
            renewed = fresh is not None and fresh is not stale
            if renewed and fresh and not fresh.due(self._leeway, self._clock()):
                return fresh
            self._fail_fast()
            # A refresh is not abandoned with the caller that started it (an operation past
            # its deadline): a rotating refresh token already spent at the platform must not
            # be lost before the new one is kept. Later callers await the same refresh.
            if self._renewing is None or self._renewing.done():
                self._renewing = asyncio.create_task(self._obtain(fresh))
                self._renewing.add_done_callback(_observed)
            return await asyncio.shield(self._renewing)

    async def _obtain(self, held: Token | None) -> Token:
        try:
            token = await (self._shared(held) if self._store else self._fetched())
        except AuthExpiredError:
            raise
        except AuthError as exc:
            self._refused = (exc, self._clock())
            raise
        self._refused = None
        self._token = token
        return token

    def _fail_fast(self) -> None:
        if self._refused is None:
            return
        error, at = self._refused
        if self._clock() - at < self._recheck:
            raise type(error)(
                error.platform, error.message, status=error.status, endpoint=error.endpoint
            )

    async def _fetched(self) -> Token:
        token = await self._fetch()
        self.refreshes += 1
        return token

    async def _shared(self, held: Token | None) -> Token:
        """Under the store's lock: the token another process published since `held` went
        stale, if it is still good; else a fresh one, published for the others."""
        from connectors.token_store import AdoptsRefreshToken  # (it imports this module)

        if self._store is None:
            raise BrokenInvariant("expected self._store is not None")
        async with self._store.exclusive():
            shared = await self._store.load()
            if shared is not None:
                if isinstance(self._fetch, AdoptsRefreshToken):
                    self._fetch.adopt(shared)  # the newest (possibly rotated) refresh token
                newer = held is None or shared.access_token != held.access_token
                if shared.access_token and newer and not shared.due(self._leeway, self._clock()):
                    self.adopted += 1
                    return shared
            token = await self._fetched()
            await self._store.save(token)
            return token

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
