"""Shopify credentials, sent in `X-Shopify-Access-Token` (no scheme).

- An offline token (`shpat_…`) that does not expire: `offline_token_auth`.
- An expiring token (`expires_in`, e.g. 3600 s) with a rotating refresh token: `expiring_token_auth`
  trades the refresh token at `POST /admin/oauth/access_token` (relative to the shop's base
  URL) ahead of expiry; each exchange returns a new refresh token and retires the old one,
  which `RefreshTokenGrant` keeps (and hands to `on_token` for persisting).

Expiry is handled ahead of time, but a token can still die before the gateway expects it
(a clock skew, a TTL shorter than announced). Shopify answers an expired token with the same
401 as a revoked or unknown one, so with an expiring token every 401 is taken as "refresh once
and retry": a revoked grant then shows itself at the token endpoint (`invalid_grant`, an
`AuthError`, remembered so later calls fail fast), and a 401 on the retry is final. The
offline token cannot be refreshed, so there a 401 stays an `AuthError` at once.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import httpx

from canonical_schema import Platform
from connectors.auth import RefreshingAuth, StaticBearerAuth, Token
from connectors.oauth import RefreshTokenGrant
from connectors.token_store import TokenStore

HEADER = "X-Shopify-Access-Token"
TOKEN_PATH = "/admin/oauth/access_token"
LEEWAY = 60.0  # seconds before expiry a token is renewed


def token_rejected(response: httpx.Response) -> bool:
    """Any 401: Shopify does not say whether the token expired or was revoked; refreshing
    tells them apart (a revoked grant is refused at the token endpoint)."""
    return response.status_code == 401


def offline_token_auth(access_token: str) -> StaticBearerAuth:
    return StaticBearerAuth(access_token, header=HEADER, scheme="")


def expiring_token_auth(
    http: httpx.AsyncClient,
    *,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    on_token: Callable[[Token], Awaitable[None]] | None = None,
    clock: Callable[[], float] = time.time,
    leeway: float = LEEWAY,
    store: TokenStore | None = None,
) -> RefreshingAuth:
    """`http` carries the shop's base URL; the first call fetches a token. With `store`,
    replicas share the token and its rotating refresh token: one refresh per expiry, since a
    second exchange of the same refresh token would be refused."""
    for name, value in (
        ("client_id", client_id),
        ("client_secret", client_secret),
        ("refresh_token", refresh_token),
    ):
        if not value:
            raise ValueError(f"Shopify expiring tokens need a {name}")
    grant = RefreshTokenGrant(
        http,
        Platform.SHOPIFY,
        TOKEN_PATH,
        client_id=client_id,
        client_secret=client_secret,
        refresh_token=refresh_token,
        on_token=on_token,
        clock=clock,
    )
    return RefreshingAuth(
        grant,
        expired=token_rejected,
        header=HEADER,
        scheme="",
        leeway=leeway,
        clock=clock,
        store=store,
    )
