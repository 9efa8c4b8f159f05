"""Who may read the operator's routes: `/metrics`, `/health/integrations`, `/health/alerts`.

They show platform routes, error counts, quotas and alert state, so in the serve profile they
answer
- anyone who reaches the admin listener, `admin_listen` (`MGW_ADMIN_LISTEN`, e.g.
  `127.0.0.1:8088`, as Apollo Router keeps health and metrics on 127.0.0.1:8088): an address
  the operator keeps private, for Prometheus and orchestrators; that listener serves these
  routes and `/health/live`, `/health/ready` only;
- on the main listener, a caller whose bearer credential holds an admin scope (`admin:sync`
  or `admin:dlq`): 401 without a credential, 403 without the scope.
`/health/live` and `/health/ready` answer anyone on either listener (load balancers probe
them), and the demo profile leaves everything open.
"""

from __future__ import annotations

import json
from typing import Literal

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.security.authenticator import AuthenticationError, Authenticator
from gateway.security.jwt import KeysUnavailableError

ADMIN_PATHS = frozenset({"/metrics", "/health/integrations", "/health/alerts"})
PROBES = frozenset({"/health/live", "/health/ready"})
ADMIN_SCOPE_PREFIX = "admin:"


def parse_listen(text: str) -> tuple[str, int]:
    """`host:port` (IPv6 as `[::1]:8088`) as a pair; ValueError saying what is wrong."""
    host, sep, port = text.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not host:port with a port from 1 to 65535 (127.0.0.1:8088)")
    return host, int(port)


class AdminGate:
    """ASGI middleware keeping the admin routes to the admin listener or an admin scope."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        authenticator: Authenticator,
        profile: Literal["serve", "demo"],
        admin_port: int | None,
    ) -> None:
        self.app = app
        self._authenticator = authenticator
        self._profile = profile
        self._admin_port = admin_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if self._on_admin_listener(scope):
            if path in ADMIN_PATHS or path in PROBES:
                await self.app(scope, receive, send)
            else:
                await _answer(
                    scope,
                    send,
                    404,
                    "NOT_FOUND",
                    "The admin listener serves "
                    + ", ".join(sorted(ADMIN_PATHS | PROBES))
                    + " only.",
                )
            return
        if path not in ADMIN_PATHS or self._profile == "demo":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        store = getattr(getattr(scope["app"].state, "services", None), "store", None)
        try:
            principal = await self._authenticator.authenticate(headers.get("authorization"), store)
        except (AuthenticationError, KeysUnavailableError) as exc:
            await _answer(scope, send, 401, "UNAUTHENTICATED", f"{path} is for operators: {exc}")
            return
        if not any(scope_.startswith(ADMIN_SCOPE_PREFIX) for scope_ in principal.scopes):
            await _answer(
                scope,
                send,
                403,
                "FORBIDDEN",
                f"{path} needs an admin scope (admin:sync or admin:dlq), or the "
                "admin listener (MGW_ADMIN_LISTEN)",
            )
            return
        await self.app(scope, receive, send)

    def _on_admin_listener(self, scope: Scope) -> bool:
        server = scope.get("server")
        return self._admin_port is not None and server is not None and server[1] == self._admin_port


async def _answer(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="mgw"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
