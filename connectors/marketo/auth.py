"""Marketo credentials: a custom service's client id and secret, traded for a bearer token.

The identity service (`/identity/oauth/token`, under the same base URL as the REST API) takes
`grant_type=client_credentials&client_id=&client_secret=` in the query string, as Marketo's
documentation and Swagger show it (GET; POST with the same query is also accepted). It answers
`{access_token, token_type, expires_in, scope}`; a refused client is HTTP 401, an `AuthError`.

Marketo cannot renew early: asked before expiry it hands back the *same* token with its
remaining life. So "refresh ahead" here means: when the identity hands back the token already
held with no more than `leeway` seconds left, wait those seconds out and ask again, once, under
`RefreshingAuth`'s lock (so calls wait for one fresh token instead of racing the expiry and
each asking the identity service). A token that dies anyway (601 invalid, 602 expired, both at
HTTP 200) is refreshed and the call retried once (`token_died`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable

import httpx

from canonical_schema import Platform
from connectors.auth import RefreshingAuth, Token
from connectors.oauth import token_request
from connectors.token_store import TokenStore

IDENTITY_PATH = "/identity/oauth/token"
LEEWAY_S = 10.0
DEAD_TOKEN_CODES = frozenset(("601", "602"))


class ClientCredentials:
    """`fetch()` for `RefreshingAuth`: a token for one custom service."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        client_id: str,
        client_secret: str,
        *,
        leeway: float = LEEWAY_S,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("a Marketo client id and client secret are required")
        self._http = http
        self._client_id = client_id
        self._client_secret = client_secret
        self._leeway = leeway
        self._clock = clock
        self._sleep = sleep
        self._last: Token | None = None

    async def __call__(self) -> Token:
        token = await self._ask()
        if self._last is not None and token.access_token == self._last.access_token:
            left = token.expires_at - self._clock() if token.expires_at is not None else 0.0
            if left <= self._leeway:
                await self._sleep(max(left, 0.0) + 1.0)  # expiry is to the second
                token = await self._ask()
        self._last = token
        return token

    async def _ask(self) -> Token:
        return await token_request(
            self._http,
            Platform.MARKETO,
            IDENTITY_PATH,
            "client_credentials",
            method="GET",
            client_id=self._client_id,
            client_secret=self._client_secret,
            clock=self._clock,
        )


def token_died(response: httpx.Response) -> bool:
    """True for Marketo's HTTP-200 answer that the token is invalid (601) or expired (602)."""
    if response.status_code != 200:
        return False
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    if not isinstance(body, dict) or body.get("success") is not False:
        return False
    errors = body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors else None
    return isinstance(first, dict) and str(first.get("code")) in DEAD_TOKEN_CODES


def client_credentials_auth(
    http: httpx.AsyncClient,
    client_id: str,
    client_secret: str,
    *,
    leeway: float = LEEWAY_S,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    store: TokenStore | None = None,
) -> RefreshingAuth:
    """The `httpx.Auth` a `MarketoConnector` takes: bearer token, renewed as described above
    (and shared with other replicas through `store`, when given)."""
    fetch = ClientCredentials(
        http, client_id, client_secret, leeway=leeway, clock=clock, sleep=sleep
    )
    return RefreshingAuth(fetch, expired=token_died, leeway=leeway, clock=clock, store=store)
