"""Shopify app credentials: the static offline token, expiring tokens with a rotating refresh
token, `POST /admin/oauth/access_token` and the auto-approving `GET /admin/oauth/authorize`.

Expiring access tokens live `token_ttl` seconds of the injected clock; refresh tokens 90 days.
A refresh token works once: the exchange returns a new one and the old one stops working. An
expired or unknown access token answers 401 exactly as an invalid one does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from simulators.core.clock import Clock
from simulators.shopify.records import SHOP, SHOP_DOMAIN

SCOPES = "read_customers,write_customers,read_orders"
REFRESH_TTL = 90 * 86_400
CODE_TTL = 600


@dataclass(frozen=True)
class ShopifyCredentials:
    shop: str = SHOP
    shop_domain: str = SHOP_DOMAIN
    access_token: str = "shpat_sim0shopify0offline0token0001"
    client_id: str = "sim-shopify-client-0001"
    client_secret: str = "shpss_sim0shopify0secret0001"
    refresh_token: str = "shprt_sim0shopify0refresh0token0001"


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status

    def response(self) -> Response:
        body = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, status_code=self.status)


class Tokens:
    def __init__(self, creds: ShopifyCredentials, clock: Clock, ttl: int) -> None:
        self.creds = creds
        self.clock = clock
        self.ttl = ttl
        self.reset()

    def reset(self) -> None:
        self.access: dict[str, float | None] = {self.creds.access_token: None}
        self.refresh: dict[str, float] = {self.creds.refresh_token: self.clock.now() + REFRESH_TTL}
        self.codes: dict[str, float] = {}
        self.latest_refresh = self.creds.refresh_token

    def revoke(self) -> int:
        """The merchant revoked the expiring grant: its refresh tokens answer `invalid_grant`
        and its access tokens 401. The offline token (a separate credential) keeps working."""
        issued = [t for t in self.access if t != self.creds.access_token]
        for token in issued:
            del self.access[token]
        revoked = len(issued) + len(self.refresh)
        self.refresh.clear()
        return revoked

    def app_for(self, token: str | None) -> str | None:
        """The app a live access token belongs to (its cost bucket), or None."""
        if not token or token not in self.access:
            return None
        expiry = self.access[token]
        if expiry is not None and self.clock.now() >= expiry:
            return None
        return self.creds.client_id

    def _issue(self) -> dict[str, object]:
        now = self.clock.now()
        access = "shpat_" + secrets.token_hex(16)
        refresh = "shprt_" + secrets.token_hex(16)
        self.access[access] = now + self.ttl
        self.refresh[refresh] = now + REFRESH_TTL
        self.latest_refresh = refresh
        return {
            "access_token": access,
            "scope": SCOPES,
            "expires_in": self.ttl,
            "refresh_token": refresh,
            "refresh_token_expires_in": REFRESH_TTL,
        }

    def exchange(self, form: dict[str, str]) -> dict[str, object]:
        if form.get("client_id") != self.creds.client_id or not hmac.compare_digest(
            form.get("client_secret", ""), self.creds.client_secret
        ):
            raise OAuthError(
                "invalid_client", "Client authentication failed: unknown client or bad secret.", 401
            )
        grant = form.get("grant_type") or ("authorization_code" if "code" in form else "")
        now = self.clock.now()
        if grant == "refresh_token":
            expiry = self.refresh.pop(form.get("refresh_token", ""), None)
            if expiry is None or now >= expiry:
                raise OAuthError("invalid_grant", "The refresh token is invalid, expired or used.")
        elif grant == "authorization_code":
            expiry = self.codes.pop(form.get("code", ""), None)
            if expiry is None or now >= expiry:
                raise OAuthError(
                    "invalid_request", "The authorization code was not found or was already used"
                )
        else:
            raise OAuthError("unsupported_grant_type", f"Unsupported grant type: {grant!r}")
        return self._issue()

    def authorize(self, params: dict[str, str]) -> str:
        if params.get("client_id") != self.creds.client_id:
            raise OAuthError("invalid_request", "The client_id is not recognized.")
        redirect = params.get("redirect_uri")
        if not redirect:
            raise OAuthError("invalid_request", "The redirect_uri is missing.")
        code = secrets.token_hex(16)
        self.codes[code] = self.clock.now() + CODE_TTL
        query = {
            "code": code,
            "host": "c2ltLXNob3AubXlzaG9waWZ5LmNvbS9hZG1pbg",
            "shop": SHOP_DOMAIN,
            "state": params.get("state", ""),
            "timestamp": str(int(self.clock.now())),
        }
        message = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
        digest = hmac.new(self.creds.client_secret.encode(), message.encode(), hashlib.sha256)
        separator = "&" if "?" in redirect else "?"
        return f"{redirect}{separator}{urlencode({**query, 'hmac': digest.hexdigest()})}"


class OAuthEndpoints:
    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens

    async def access_token(self, request: Request) -> Response:
        raw = (await request.body()).decode("utf-8", errors="replace")
        form: dict[str, str]
        if "json" in request.headers.get("content-type", ""):
            try:
                loaded = json.loads(raw or "{}")
            except ValueError:
                loaded = None
            if not isinstance(loaded, dict):
                return OAuthError(
                    "invalid_request", "The request body is not valid JSON."
                ).response()
            form = {k: str(v) for k, v in loaded.items() if v is not None}
        else:
            form = dict(parse_qsl(raw, keep_blank_values=True))
        form = {**dict(request.query_params), **form}
        try:
            return JSONResponse(self.tokens.exchange(form))
        except OAuthError as exc:
            return exc.response()

    async def authorize(self, request: Request) -> Response:
        try:
            location = self.tokens.authorize(dict(request.query_params))
        except OAuthError as exc:
            return PlainTextResponse(f"Oauth error {exc.error}: {exc.description}", 400)
        return RedirectResponse(location, status_code=302)
