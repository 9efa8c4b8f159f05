"""HubSpot credentials: the private-app token, the OAuth app, its authorization codes and
tokens (the HTTP endpoints are in `oauth`).

Access tokens expire after `token_ttl` seconds of the injected clock. An expired token answers
401 `EXPIRED_AUTHENTICATION`, an unknown one 401 `INVALID_AUTHENTICATION`, as HubSpot does.
Refresh tokens do not rotate: refreshing returns the same refresh token and a new access token.
Authorization codes are single use, bound to the client and redirect URI, and live 10 minutes.
Registered redirect URIs: the published `redirect_uri`, and any http URL on a loopback host.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from typing import ClassVar
from urllib.parse import urlsplit

from simulators.core.clock import Clock
from simulators.hubspot.errors import HubSpotError, OAuthError

CODE_TTL_S = 600
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
_NO_CREDENTIALS = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)


@dataclass(frozen=True)
class HubSpotCredentials:
    private_app_token: str = "pat-sim-hubspot-0001"
    client_id: str = "sim-hubspot-client-0001"
    client_secret: str = "sim-hubspot-secret-0001"
    refresh_token: str = "sim-hubspot-refresh-0001"
    # HubSpot signs webhooks (v3) with the app's client secret.
    webhook_secret: str = "sim-hubspot-secret-0001"
    # Not published by `/_sim/credentials` (its keys are a contract); the redirect URL the app
    # registered besides loopback ones, and the ids webhook events carry.
    redirect_uri: ClassVar[str] = "http://localhost:8000/oauth/hubspot/callback"
    portal_id: ClassVar[int] = 44100001
    app_id: ClassVar[int] = 2100001

    def as_json(self) -> dict[str, str]:
        return asdict(self)


class Tokens:
    def __init__(self, credentials: HubSpotCredentials, clock: Clock, ttl: int) -> None:
        self.credentials = credentials
        self._clock = clock
        self._ttl = ttl
        self._refresh_tokens = {credentials.refresh_token}
        self._access: dict[str, float] = {}  # token -> expiry (epoch seconds)
        self._codes: dict[str, tuple[str, str, float]] = {}  # code -> client, redirect, expiry

    def rate_key(self, authorization: str | None) -> str:
        """Authenticate a request; the key its rate limits count under (one per app)."""
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise HubSpotError(401, _NO_CREDENTIALS, category="INVALID_AUTHENTICATION")
        if secrets.compare_digest(token, self.credentials.private_app_token):
            return f"private-app:{token}"
        expiry = self._access.get(token)
        if expiry is None:
            raise HubSpotError(401, _NO_CREDENTIALS, category="INVALID_AUTHENTICATION")
        now = self._clock.now()
        if now >= expiry:
            minutes = int((now - expiry) // 60)
            raise HubSpotError(
                401,
                f"The OAuth token used to make this call expired {minutes} minute(s) ago.",
                category="EXPIRED_AUTHENTICATION",
            )
        return f"oauth-app:{self.credentials.client_id}"

    def exchange(self, form: dict[str, str]) -> dict[str, object]:
        grant = form.get("grant_type", "")
        if grant not in ("refresh_token", "authorization_code"):
            raise OAuthError("BAD_GRANT_TYPE", "missing or unknown grant type")
        if form.get("client_id") != self.credentials.client_id:
            raise OAuthError("BAD_CLIENT_ID", "missing or unknown client id")
        if form.get("client_secret") != self.credentials.client_secret:
            raise OAuthError("BAD_CLIENT_SECRET", "missing or invalid client secret")
        if grant == "refresh_token":
            refresh = form.get("refresh_token", "")
            if refresh not in self._refresh_tokens:
                raise OAuthError("BAD_REFRESH_TOKEN", "missing or invalid refresh token")
        else:
            issued = self._codes.pop(form.get("code", ""), None)
            if issued is None or issued[2] <= self._clock.now():
                raise OAuthError("BAD_AUTH_CODE", "missing or unknown auth code")
            if issued[1] != form.get("redirect_uri"):
                raise OAuthError("BAD_REDIRECT_URI", "redirect_uri does not match")
            refresh = f"sim-hubspot-refresh-{secrets.token_hex(8)}"
            self._refresh_tokens.add(refresh)
        access = "CN" + secrets.token_urlsafe(48)
        self._access[access] = self._clock.now() + self._ttl
        return {
            "token_type": "bearer",
            "refresh_token": refresh,
            "access_token": access,
            "expires_in": self._ttl,
        }

    def revoke(self) -> int:
        """The portal uninstalled the app: every refresh and access token issued to it stops
        working (answering `BAD_REFRESH_TOKEN` / 401); the private-app token is not a grant."""
        revoked = len(self._refresh_tokens) + len(self._access)
        self._refresh_tokens.clear()
        self._access.clear()
        return revoked

    def redirect_allowed(self, uri: str) -> bool:
        if uri == self.credentials.redirect_uri:
            return True
        parts = urlsplit(uri)
        return parts.scheme == "http" and parts.hostname in _LOOPBACK and not parts.fragment

    def issue_code(self, client_id: str, redirect_uri: str) -> str:
        code = secrets.token_urlsafe(24)
        self._codes[code] = (client_id, redirect_uri, self._clock.now() + CODE_TTL_S)
        return code
