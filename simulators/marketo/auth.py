"""Marketo's client-credentials identity service and access-token checks.

`GET|POST /identity/oauth/token?grant_type=client_credentials&client_id=&client_secret=` answers
`{access_token, token_type:"bearer", expires_in, scope}`. Asking again before the token expires
returns the **same** token with its remaining life; after expiry a new one is minted. Bad client
credentials are HTTP 401 `{error:"unauthorized", error_description:"Bad client credentials"}`,
the one place Marketo answers with an HTTP error.

REST calls carry the token as `Authorization: Bearer …` or `?access_token=`; a missing token is
`600`, an unknown one `601`, an expired one `602`, all at HTTP 200.
"""

from __future__ import annotations

import math
import secrets
import uuid
from dataclasses import asdict, dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.core.clock import Clock
from simulators.marketo.envelope import MarketoError


@dataclass(frozen=True)
class MarketoCredentials:
    client_id: str = "sim-marketo-client-0001"
    client_secret: str = "sim-marketo-secret-0001"
    munchkin_id: str = "123-SIM-456"
    scope: str = "apiuser@123-sim-456.mktoapi.com"

    def as_json(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if k != "scope"}


class Tokens:
    """One live token per custom service, reissued unchanged until it expires."""

    def __init__(self, credentials: MarketoCredentials, clock: Clock, ttl: int) -> None:
        self.credentials = credentials
        self._clock = clock
        self._ttl = ttl
        self._expiry: dict[str, float] = {}  # every token ever issued -> expiry (epoch s)
        self._current: str | None = None

    def issue(self) -> tuple[str, int]:
        now = self._clock.now()
        token = self._current
        if token is None or self._expiry[token] <= now:
            token = f"{uuid.uuid4()}:sim"
            self._expiry[token] = now + self._ttl
            self._current = token
        return token, max(math.floor(self._expiry[token] - now), 0)

    def check(self, token: str | None) -> None:
        if not token:
            raise MarketoError(600)
        expiry = self._expiry.get(token)
        if expiry is None:
            raise MarketoError(601)
        if self._clock.now() >= expiry:
            raise MarketoError(602)

    def authenticates(self, client_id: str, client_secret: str) -> bool:
        return secrets.compare_digest(
            client_id, self.credentials.client_id
        ) & secrets.compare_digest(client_secret, self.credentials.client_secret)


def _oauth_error(status: int, error: str, description: str) -> Response:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


class IdentityEndpoint:
    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens

    async def token(self, request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            body = (await request.body()).decode("utf-8", errors="replace")
            params = {**dict(parse_qsl(body, keep_blank_values=True)), **params}
        grant = params.get("grant_type", "")
        if not grant:
            return _oauth_error(400, "invalid_request", "Missing grant type")
        if grant != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", f"Unsupported grant type: {grant}")
        if not self.tokens.authenticates(
            params.get("client_id", ""), params.get("client_secret", "")
        ):
            return _oauth_error(401, "unauthorized", "Bad client credentials")
        token, remaining = self.tokens.issue()
        return JSONResponse(
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": remaining,
                "scope": self.tokens.credentials.scope,
            }
        )
