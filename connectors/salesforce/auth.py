"""The Salesforce session: an OAuth access token from the refresh-token grant, the instance it
belongs to, and the API usage the org last reported.

- Token: `POST {login_url}/services/oauth2/token` (`grant_type=refresh_token`) answers
  `{access_token, instance_url, id, token_type, issued_at, signature}` with no `expires_in`:
  a session dies when Salesforce says so, with 401 `INVALID_SESSION_ID`, and is then refreshed
  once and the call retried (`RefreshingAuth(expired=...)`). A refused refresh token is an
  `AuthError` naming Salesforce (`connectors.oauth`).
- Instance: every data call goes to the `instance_url` of the current token (the org's own
  host, e.g. `https://acme.my.salesforce.com`), never to the login host. A call retried after
  a refresh keeps its URL: a refreshed session belongs to the same org and instance.
- Usage: every answer carries `Sforce-Limit-Info: api-usage=used/limit`; the latest is kept
  in `api_usage` for a rate limiter to read.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator

import httpx

from canonical_schema import Platform
from connectors.auth import RefreshingAuth, Token
from connectors.exceptions import InvalidUpstreamDataError
from connectors.oauth import RefreshTokenGrant
from connectors.salesforce.errors import SESSION_EXPIRED
from connectors.token_store import TokenStore

PLATFORM = Platform.SALESFORCE
LOGIN_URL = "https://login.salesforce.com"
TOKEN_PATH = "/services/oauth2/token"
_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


def session_expired(response: httpx.Response) -> bool:
    """A 401 whose error array says `INVALID_SESSION_ID`: the session died, refresh it."""
    if response.status_code != 401:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return (
        isinstance(body, list)
        and bool(body)
        and isinstance(body[0], dict)
        and body[0].get("errorCode") == SESSION_EXPIRED
    )


def api_usage(headers: httpx.Headers) -> tuple[int, int] | None:
    """`(used, limit)` from `Sforce-Limit-Info: api-usage=18/15000`, when the answer has it."""
    found = _USAGE.search(headers.get("sforce-limit-info", ""))
    return (int(found.group(1)), int(found.group(2))) if found else None


class SalesforceSession(httpx.Auth):
    """`Authorization: Bearer` from `fetch()` (refreshed on `INVALID_SESSION_ID`), plus the
    token's `instance_url` and the org's latest reported API usage."""

    requires_response_body = True

    def __init__(
        self, fetch: Callable[[], Awaitable[Token]], *, store: TokenStore | None = None
    ) -> None:
        self._auth = RefreshingAuth(fetch, expired=session_expired, store=store)
        self.api_usage: tuple[int, int] | None = None

    @classmethod
    def from_refresh_token(
        cls,
        http: httpx.AsyncClient,
        *,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        login_url: str = LOGIN_URL,
        clock: Callable[[], float] = time.time,
        store: TokenStore | None = None,
    ) -> SalesforceSession:
        """The session of a connected app's refresh token (`login_url` is
        `https://login.salesforce.com`, `https://test.salesforce.com` for sandboxes, or the
        org's My Domain); shared with other replicas through `store`, when given."""
        if not (client_id and client_secret and refresh_token):
            raise ValueError("Salesforce needs a client id, client secret and refresh token")
        grant = RefreshTokenGrant(
            http,
            PLATFORM,
            login_url.rstrip("/") + TOKEN_PATH,
            client_id=client_id,
            client_secret=client_secret,
            refresh_token=refresh_token,
            clock=clock,
        )
        return cls(grant, store=store)

    @property
    def refreshes(self) -> int:
        """How many tokens this session has fetched (the first included)."""
        return self._auth.refreshes

    async def instance_url(self) -> str:
        """The org's API host from the current token (fetching one if there is none yet)."""
        token = await self._auth.current()
        url = token.extra.get("instance_url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise InvalidUpstreamDataError(
                PLATFORM, "the token answer has no usable `instance_url`", endpoint=TOKEN_PATH
            )
        return url.rstrip("/")

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("SalesforceSession works with httpx.AsyncClient only")
        yield request  # pragma: no cover

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        flow = self._auth.async_auth_flow(request)
        outgoing = await flow.__anext__()
        while True:
            response = yield outgoing
            self.api_usage = api_usage(response.headers) or self.api_usage
            try:
                outgoing = await flow.asend(response)
            except StopAsyncIteration:
                return
