"""Salesforce OAuth: the connected app, `GET /services/oauth2/authorize` (auto-approved) and
`POST /services/oauth2/token` (authorization_code, refresh_token, client_credentials).

Token answers carry no `expires_in`, as Salesforce's don't: a session simply stops working
`token_ttl` seconds after it was issued, and every call then answers 401 `INVALID_SESSION_ID`.
Refresh tokens do not rotate; refreshing returns no `refresh_token`. `instance_url` is the
simulator's own base (`scheme://host[:port]/salesforce`), so connectors that follow it stay here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from simulators.core.clock import Clock
from simulators.salesforce.errors import OAuthError, session_error
from simulators.salesforce.ids import ORG_ID, USER_ID

CODE_TTL_S = 900  # authorization codes live 15 minutes


@dataclass(frozen=True)
class SalesforceCredentials:
    client_id: str = "3MVG9sim.salesforce.ConnectedApp.0001"
    client_secret: str = "sim-salesforce-secret-0001"
    refresh_token: str = "5Aep861sim.salesforce.refresh.0001"
    api_version: str = "v60.0"
    org_id: str = ORG_ID
    user_id: str = USER_ID

    def as_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class _Code:
    redirect_uri: str
    expires: float


class Sessions:
    def __init__(self, credentials: SalesforceCredentials, clock: Clock, ttl: int) -> None:
        self.credentials = credentials
        self._clock = clock
        self._ttl = ttl
        self._refresh_tokens = {credentials.refresh_token}
        self._codes: dict[str, _Code] = {}
        self._sessions: dict[str, float] = {}  # access token -> expiry (epoch seconds)

    def check(self, authorization: str | None) -> str:
        """Authenticate a call (`Bearer` or `OAuth` scheme); the user it counts against."""
        scheme, _, token = (authorization or "").partition(" ")
        expiry = self._sessions.get(token.strip())
        if scheme.lower() not in ("bearer", "oauth") or expiry is None:
            raise session_error()
        if self._clock.now() >= expiry:
            raise session_error()
        return self.credentials.user_id

    def authorize(self, query: dict[str, str]) -> str:
        """Auto-approve: the URL to send the browser back to, with a code (or an error)."""
        if query.get("client_id") != self.credentials.client_id:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        redirect = query.get("redirect_uri", "")
        if not redirect:
            raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
        params: dict[str, str] = {}
        if query.get("response_type") != "code":
            params["error"] = "unsupported_response_type"
            params["error_description"] = "response type not supported"
        else:
            code = "aPrx" + secrets.token_urlsafe(32)
            self._codes[code] = _Code(redirect, self._clock.now() + CODE_TTL_S)
            params["code"] = code
        if "state" in query:
            params["state"] = query["state"]
        return f"{redirect}{'&' if '?' in redirect else '?'}{urlencode(params)}"

    def exchange(self, form: dict[str, str], instance_url: str) -> dict[str, str]:
        grant = form.get("grant_type", "")
        if grant not in ("authorization_code", "refresh_token", "client_credentials"):
            raise OAuthError("unsupported_grant_type", "grant type not supported")
        if form.get("client_id") != self.credentials.client_id:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        if not hmac.compare_digest(form.get("client_secret", ""), self.credentials.client_secret):
            raise OAuthError("invalid_client", "invalid client credentials")
        refresh: str | None = None
        if grant == "refresh_token":
            if form.get("refresh_token", "") not in self._refresh_tokens:
                raise OAuthError("invalid_grant", "expired access/refresh token")
        elif grant == "authorization_code":
            code = self._codes.pop(form.get("code", ""), None)
            if code is None or self._clock.now() >= code.expires:
                raise OAuthError("invalid_grant", "invalid authorization code")
            if form.get("redirect_uri") != code.redirect_uri:
                raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
            refresh = "5Aep861" + secrets.token_urlsafe(40)
            self._refresh_tokens.add(refresh)
        return self._issue(instance_url, refresh)

    def revoke(self) -> int:
        """The user revoked the connected app's access: refresh tokens answer `invalid_grant`,
        sessions `INVALID_SESSION_ID`."""
        revoked = len(self._refresh_tokens) + len(self._sessions)
        self._refresh_tokens.clear()
        self._sessions.clear()
        return revoked

    def _issue(self, instance_url: str, refresh: str | None) -> dict[str, str]:
        now = self._clock.now()
        token = f"{ORG_ID[:15]}!AQ" + secrets.token_urlsafe(72)
        self._sessions[token] = now + self._ttl
        identity = f"{instance_url}/id/{ORG_ID}/{USER_ID}"
        issued_at = str(int(now * 1000))
        digest = hmac.new(
            self.credentials.client_secret.encode(), (identity + issued_at).encode(), hashlib.sha256
        ).digest()
        body = {"access_token": token}
        if refresh is not None:
            body["refresh_token"] = refresh
        body.update(
            signature=base64.b64encode(digest).decode(),
            scope="refresh_token api",
            instance_url=instance_url,
            id=identity,
            token_type="Bearer",
            issued_at=issued_at,
        )
        return body


def instance_url(request: Request) -> str:
    """`scheme://host[:port]/salesforce`: where this simulator is mounted, as the caller saw it."""
    root: str = request.scope.get("root_path", "")
    return f"{request.url.scheme}://{request.url.netloc}{root}".rstrip("/")


class OAuthEndpoints:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    async def authorize(self, request: Request) -> Response:
        location = self.sessions.authorize(dict(request.query_params))
        return RedirectResponse(location, status_code=302)

    async def token(self, request: Request) -> Response:
        body = (await request.body()).decode("utf-8", errors="replace")
        form = dict(parse_qsl(body, keep_blank_values=True))
        return JSONResponse(self.sessions.exchange(form, instance_url(request)))
