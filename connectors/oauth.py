"""OAuth 2.0 grants against a platform's token endpoint, built with authlib's RFC 6749 helpers.

Each returns a `Token`; a refused grant is an `AuthError` naming the platform and the
platform's own reason, never an httpx error. A refused *refresh token* (revoked, expired,
rotated away: `invalid_grant`, HubSpot's `BAD_REFRESH_TOKEN`) is a `ReconnectRequiredError`
whose message tells the operator what to run; a refused client (bad id or secret) stays an
`AuthError` naming the settings to fix. Rotating refresh tokens (Shopify) come back in
`Token.refresh_token`; `RefreshTokenGrant` keeps the newest one for its next call, and adopts
the one another replica received (`adopt`, from the shared token store).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_token_request

from canonical_schema import Platform
from connectors.auth import Token
from connectors.exceptions import (
    AuthError,
    RateLimitedError,
    ReconnectRequiredError,
    UnavailableError,
)
from connectors.http import endpoint, json_body, retry_after_seconds, send

FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
NAMES = {
    Platform.HUBSPOT: "HubSpot",
    Platform.SALESFORCE: "Salesforce",
    Platform.SHOPIFY: "Shopify",
    Platform.MARKETO: "Marketo",
    Platform.MAILCHIMP: "Mailchimp",
}
# Token-endpoint error codes that blame the client (id or secret), not the grant.
_CLIENT_ERRORS = frozenset(
    (
        "invalid_client",
        "invalid_client_id",
        "unauthorized_client",
        "BAD_CLIENT_ID",
        "BAD_CLIENT_SECRET",
    )
)


async def token_request(
    http: httpx.AsyncClient,
    platform: Platform,
    url: str,
    grant_type: str,
    *,
    method: str = "POST",
    clock: Callable[[], float] = time.time,
    **params: str,
) -> Token:
    """Ask `url` for a token with `grant_type`; the parameters go in the form body (POST) or
    the query string (GET, as Marketo's identity service also accepts)."""
    body = prepare_token_request(grant_type, **params)
    if method == "GET":
        request = http.build_request("GET", url, params=httpx.QueryParams(body))
    else:
        request = http.build_request("POST", url, content=body, headers=FORM)
    response = await send(http, platform, request)
    payload = json_body(platform, response) if response.content else None
    status = response.status_code
    where = endpoint(request)
    if status == 429:
        wait = retry_after_seconds(response)
        raise RateLimitedError(
            platform,
            "token endpoint: rate limited",
            status=status,
            endpoint=where,
            retry_after=wait,
        )
    if status >= 500:
        raise UnavailableError(
            platform, f"token endpoint answered {status}", status=status, endpoint=where
        )
    if not response.is_success or not isinstance(payload, dict) or "access_token" not in payload:
        raise refusal(platform, grant_type, payload, status=status, endpoint=where)
    return to_token(payload, now=clock())


def refusal(
    platform: Platform, grant_type: str, payload: Any, *, status: int, endpoint: str
) -> AuthError:
    """The error for a refused grant: what the platform said, and what an operator can do."""
    name = NAMES[platform]
    reason = _reason(payload)
    error = payload.get("error") or payload.get("status") if isinstance(payload, dict) else None
    if error in _CLIENT_ERRORS or grant_type == "client_credentials":
        setting = f"MGW_{platform.name}__CLIENT_ID and MGW_{platform.name}__CLIENT_SECRET"
        message = f"{name} refused the client credentials ({reason}): check {setting}"
        return AuthError(platform, message, status=status, endpoint=endpoint)
    if grant_type == "refresh_token":
        message = (
            f"{name} refused the refresh token ({reason}): "
            f"reconnect with `mgw connect {platform.value}`"
        )
        return ReconnectRequiredError(platform, message, status=status, endpoint=endpoint)
    return AuthError(platform, f"token request refused: {reason}", status=status, endpoint=endpoint)


def to_token(payload: dict[str, Any], *, now: float) -> Token:
    expires_in = payload.get("expires_in")
    expires_at = (
        now + float(expires_in) if isinstance(expires_in, int | float) and expires_in > 0 else None
    )
    return Token(
        access_token=str(payload["access_token"]),
        expires_at=expires_at,
        refresh_token=payload.get("refresh_token"),
        extra={k: v for k, v in payload.items() if k not in {"access_token", "refresh_token"}},
        issued_at=now,
    )


class RefreshTokenGrant:
    """`fetch()` for `RefreshingAuth`: trades the refresh token for a new access token and
    keeps a rotated refresh token when the platform sends one. Every token it returns carries
    the refresh token to use next (the same one, where the platform does not rotate), so a
    shared store that keeps the token keeps the refresh token too. `on_token` sees every token
    (to persist it)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        platform: Platform,
        url: str,
        *,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        on_token: Callable[[Token], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._http = http
        self._clock = clock
        self._platform = platform
        self._url = url
        self._client_id = client_id
        self._client_secret = client_secret
        self.refresh_token = refresh_token
        self._on_token = on_token

    async def __call__(self) -> Token:
        token = await token_request(
            self._http,
            self._platform,
            self._url,
            "refresh_token",
            refresh_token=self.refresh_token,
            client_id=self._client_id,
            client_secret=self._client_secret,
            clock=self._clock,
        )
        if token.refresh_token:
            self.refresh_token = token.refresh_token
        else:
            token = replace(token, refresh_token=self.refresh_token)
        if self._on_token is not None:
            await self._on_token(token)
        return token

    def adopt(self, token: Token) -> None:
        """Use `token`'s refresh token from now on (another replica's newest, or a new
        connection's)."""
        if token.refresh_token:
            self.refresh_token = token.refresh_token


def _reason(payload: Any) -> str:
    if isinstance(payload, dict):
        for key in ("error_description", "message", "error", "status"):
            if isinstance(payload.get(key), str):
                return str(payload[key])
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        return str(payload[0].get("message", payload[0]))
    return "no reason given"
