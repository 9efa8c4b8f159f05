"""HubSpot credentials: a private app's static token, or an OAuth app's refreshing one.

OAuth access tokens live `expires_in` seconds (30 minutes); `hubspot_oauth` renews them
`leeway` seconds ahead, since a 401 is not a reliable sign of expiry at HubSpot. When one still
answers 401 `EXPIRED_AUTHENTICATION` (clock skew, a token revoked early), the request is
refreshed and retried once. Refresh tokens do not rotate at HubSpot; if one ever came back
rotated, `RefreshTokenGrant` keeps it, and `on_token` can persist it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlencode

import httpx

from canonical_schema import Platform
from connectors.auth import RefreshingAuth, StaticBearerAuth, Token
from connectors.oauth import RefreshTokenGrant, token_request
from connectors.token_store import TokenStore

TOKEN_URL = "/oauth/v1/token"  # relative to the API base, as at https://api.hubapi.com
AUTHORIZE_URL = "https://app.hubspot.com/oauth/authorize"
LEEWAY_S = 300.0


class PrivateAppAuth(StaticBearerAuth):
    """`Authorization: Bearer <private-app token>` on every request; it never expires."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("a HubSpot private-app token is required")
        super().__init__(token)


def token_expired(response: httpx.Response) -> bool:
    """True for HubSpot's 401 `EXPIRED_AUTHENTICATION` (not for an unknown token)."""
    if response.status_code != 401:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("category") == "EXPIRED_AUTHENTICATION"


def hubspot_oauth(
    http: httpx.AsyncClient,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    *,
    token_url: str = TOKEN_URL,
    clock: Callable[[], float] = time.time,
    leeway: float = LEEWAY_S,
    on_token: Callable[[Token], Awaitable[None]] | None = None,
    store: TokenStore | None = None,
) -> RefreshingAuth:
    """An OAuth app's credentials for one portal: a refresh token traded for access tokens
    (shared with other replicas through `store`, when given)."""
    grant = RefreshTokenGrant(
        http,
        Platform.HUBSPOT,
        token_url,
        client_id=client_id,
        client_secret=client_secret,
        refresh_token=refresh_token,
        on_token=on_token,
        clock=clock,
    )
    return RefreshingAuth(grant, expired=token_expired, leeway=leeway, clock=clock, store=store)


def authorize_url(
    client_id: str,
    redirect_uri: str,
    scopes: Sequence[str],
    state: str,
    *,
    base: str = AUTHORIZE_URL,
) -> str:
    """Where to send the user to install the app; HubSpot redirects back with `?code&state`."""
    query = {"client_id": client_id, "redirect_uri": redirect_uri, "scope": " ".join(scopes)}
    return f"{base}?{urlencode({**query, 'state': state})}"


async def exchange_code(
    http: httpx.AsyncClient,
    code: str,
    redirect_uri: str,
    client_id: str,
    client_secret: str,
    *,
    token_url: str = TOKEN_URL,
    clock: Callable[[], float] = time.time,
) -> Token:
    """Trade an authorization code (single use, 10 minutes) for the portal's tokens; keep
    `Token.refresh_token` for `hubspot_oauth`. A refused code is an `AuthError`."""
    return await token_request(
        http,
        Platform.HUBSPOT,
        token_url,
        "authorization_code",
        clock=clock,
        code=code,
        redirect_uri=redirect_uri,
        client_id=client_id,
        client_secret=client_secret,
    )
