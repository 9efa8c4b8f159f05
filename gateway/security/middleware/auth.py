"""Client authentication in front of the graph: every request to /graphql (GET, POST, the SSE
stream at /graphql/stream, the WebSocket upgrade) names its caller, or is answered 401.

A plain ASGI middleware rather than Starlette's BaseHTTPMiddleware, so streams and WebSockets
pass through untouched. In the `serve` profile it authenticates and leaves the Principal in
`scope["state"]["principal"]`; in the open `demo` profile every caller gets every scope and
is told apart by address only (for per-client rate limits). Two things pass without
credentials: CORS preflights, and the GraphiQL page itself (static HTML; the operations it
sends need a key like any other). A WebSocket without an `Authorization` header is let
through to authenticate with its `connection_init` payload (gateway/security/graphql_view.py).
"""

from __future__ import annotations

import json
from typing import Literal

from starlette.types import ASGIApp, Receive, Scope, Send

from access.principal import STATE_KEY, anonymous
from gateway.security.authenticator import AuthenticationError, Authenticator
from gateway.security.jwt import KeysUnavailableError

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


class AuthMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        authenticator: Authenticator,
        profile: Literal["serve", "demo"],
        path: str = "/graphql",
    ) -> None:
        self.app = app
        self._authenticator = authenticator
        self._profile = profile
        self._path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not self._guards(scope["path"]):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        if self._profile == "demo":
            client = scope.get("client")
            state[STATE_KEY] = anonymous(client[0] if client else None)
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        authorization = headers.get("authorization")
        if scope["type"] == "websocket" and authorization is None:
            await self.app(scope, receive, send)  # connection_init carries the credential
            return
        if (
            scope["type"] == "http"
            and authorization is None
            and _needs_no_credential(scope, headers)
        ):
            await self.app(scope, receive, send)
            return
        store = getattr(getattr(scope["app"].state, "services", None), "store", None)
        try:
            state[STATE_KEY] = await self._authenticator.authenticate(authorization, store)
        except AuthenticationError as exc:
            await _refuse(scope, send, headers, 401, "UNAUTHENTICATED", str(exc), _challenge(exc))
            return
        except KeysUnavailableError as exc:
            await _refuse(scope, send, headers, 503, "AUTH_UNAVAILABLE", str(exc), None)
            return
        await self.app(scope, receive, send)

    def _guards(self, path: str) -> bool:
        return path == self._path or path.startswith(self._path + "/")


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}


def _needs_no_credential(scope: Scope, headers: dict[str, str]) -> bool:
    if scope["method"] == "OPTIONS":
        return True
    # The GraphiQL page is a bare GET: any parameter (a query, a persisted-query hash) is an
    # operation, and operations need credentials.
    is_page = scope["method"] == "GET" and not scope.get("query_string")
    return is_page and "text/html" in headers.get("accept", "")


def _challenge(error: AuthenticationError) -> str:
    if not error.invalid_token:
        return 'Bearer realm="mgw"'
    description = str(error).replace('"', "'")
    return f'Bearer realm="mgw", error="invalid_token", error_description="{description}"'


async def _refuse(
    scope: Scope,
    send: Send,
    headers: dict[str, str],
    status: int,
    code: str,
    message: str,
    challenge: str | None,
) -> None:
    """A GraphQL-shaped error, before any of the graph runs. A WebSocket upgrade is refused
    with the same answer (ASGI's denial response), or a plain 403 where unsupported."""
    if scope["type"] == "websocket":
        if "websocket.http.response" not in scope.get("extensions", {}):
            await send({"type": "websocket.close", "code": 1008})
            return
        start, body_type = "websocket.http.response.start", "websocket.http.response.body"
    else:
        start, body_type = "http.response.start", "http.response.body"
    media = (
        GRAPHQL_RESPONSE_JSON
        if GRAPHQL_RESPONSE_JSON in headers.get("accept", "")
        else ("application/json")
    )
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    response_headers = [
        (b"content-type", media.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if challenge is not None:
        response_headers.append((b"www-authenticate", challenge.encode("latin-1")))
    if status == 503:
        response_headers.append((b"retry-after", b"5"))
    await send({"type": start, "status": status, "headers": response_headers})
    await send({"type": body_type, "body": body})
