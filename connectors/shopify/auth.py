"""Shopify credentials, sent in `X-Shopify-Access-Token` (no scheme).

- An offline token (`shpat_…`) that does not expire: `offline_token_auth`.
- An expiring token (`expires_in`, e.g. 3600 s) with a rotating refresh token: `expiring_token_auth`
  trades the refresh token at `POST /admin/oauth/access_token` (relative to the shop's base
  URL) ahead of expiry; each exchange returns a new refresh token and retires the old one,
  which `RefreshTokenGrant` keeps (and hands to `on_token` for persisting).

A 401 is not taken as "refresh and retry": Shopify answers an expired token exactly as a
revoked one, so a 401 is an `AuthError` and expiry is handled ahead of time.
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
        ("client_id", client_id), ("client_secret", client_secret),
        ("refresh_token", refresh_token),
    ):  # fmt: skip
        if not value:
            raise ValueError(f"Shopify expiring tokens need a {name}")
    grant = RefreshTokenGrant(
        http, Platform.SHOPIFY, TOKEN_PATH, client_id=client_id, client_secret=client_secret,
        refresh_token=refresh_token, on_token=on_token, clock=clock,
    )  # fmt: skip
    return RefreshingAuth(grant, header=HEADER, scheme="", leeway=leeway, clock=clock, store=store)
