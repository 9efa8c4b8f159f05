"""Connecting a platform with OAuth 2.0's authorization-code flow (RFC 6749, PKCE RFC 7636).

`start` builds the platform's authorize URL with a fresh `state` (and a PKCE challenge where the
platform supports it) using authlib's helpers; `finish` checks the state, trades the code for
tokens at the platform's token endpoint, and seals them in the vault, from which the gateway's
connectors read them. Pending authorizations live in this process for ten minutes, so the
callback must reach the replica that started the flow (the CLI and a single gateway do).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from canonical_schema import Platform
from connectors.oauth import token_request
from connectors.registry import spec_of
from connectors.token_store import token_record
from gateway.settings import ConfigError, Settings
from hub.token_vault import ACCOUNT  # the one connection per platform the connectors read
from hub.vault import CredentialVault

PENDING_SECONDS = 600


@dataclass(frozen=True)
class OAuthApp:
    """What one platform's OAuth app needs: its endpoints, client and scopes."""

    platform: Platform
    authorize_url: str
    token_url: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    pkce: bool


def oauth_app(settings: Settings, platform: Platform) -> OAuthApp:
    flow = spec_of(platform).oauth
    if flow is None:
        raise ConfigError(
            f"{platform.value} has no authorization-code flow: configure its client "
            "credentials instead (README.md#configuration)"
        )
    options = settings.platform_settings(platform)
    client_id = getattr(options, "client_id", None)
    secret = getattr(options, "client_secret", None)
    if not client_id or secret is None or not secret.get_secret_value():
        name = platform.value.upper()
        raise ConfigError(f"set MGW_{name}__CLIENT_ID and MGW_{name}__CLIENT_SECRET to connect")
    authorize, token = options.oauth_endpoints()
    client_secret = secret.get_secret_value()
    return OAuthApp(platform, authorize, token, client_id, client_secret, flow.scopes, flow.pkce)


@dataclass
class _Pending:
    app: OAuthApp
    redirect_uri: str
    verifier: str | None
    expires: float


@dataclass
class OAuthFlows:
    settings: Settings
    vault: CredentialVault
    http: httpx.AsyncClient
    clock: Callable[[], float] = time.time
    _pending: dict[str, _Pending] = field(default_factory=dict)

    def start(self, platform: Platform, redirect_uri: str) -> str:
        """The URL to send the person to; the platform redirects back to `redirect_uri`."""
        app = oauth_app(self.settings, platform)
        state = generate_token(32)
        verifier = generate_token(64) if app.pkce else None
        extra: dict[str, str] = {}
        if verifier is not None:
            extra = {
                "code_challenge": create_s256_code_challenge(verifier),
                "code_challenge_method": "S256",
            }
        url: str = prepare_grant_uri(
            app.authorize_url,
            app.client_id,
            "code",
            redirect_uri=redirect_uri,
            scope=" ".join(app.scopes) or None,
            state=state,
            **extra,
        )
        now = self.clock()
        self._pending = {s: p for s, p in self._pending.items() if p.expires > now}
        self._pending[state] = _Pending(app, redirect_uri, verifier, now + PENDING_SECONDS)
        return url

    async def finish(self, platform: Platform, code: str, state: str) -> dict[str, Any]:
        """Trade the code for tokens and keep them in the vault; returns what was stored,
        without the secrets (for the confirmation page)."""
        pending = self._pending.pop(state, None)
        if (
            pending is None
            or pending.expires <= self.clock()
            or pending.app.platform is not platform
        ):
            raise ConfigError("unknown or expired authorization; start the connection again")
        app = pending.app
        params = {
            "code": code,
            "redirect_uri": pending.redirect_uri,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        }
        if pending.verifier is not None:
            params["code_verifier"] = pending.verifier
        token = await token_request(
            self.http,
            platform,
            pending.app.token_url,
            "authorization_code",
            clock=self.clock,
            **params,
        )
        # The form the connectors' shared token store reads (connectors/token_store.py).
        await self.vault.put(platform.value, ACCOUNT, token_record(token), reason="oauth connect")
        return {
            "platform": platform.name,
            "scopes": token.extra.get("scope"),
            "refresh_token": token.refresh_token is not None,
            "instance_url": token.extra.get("instance_url"),
        }
