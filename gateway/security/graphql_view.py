"""The GraphQL view with the caller on its context.

HTTP requests and the SSE stream arrive authenticated by the middleware, which left the
Principal in the request state; a WebSocket without an `Authorization` header authenticates
with its `connection_init` payload — `{"Authorization": "Bearer <key>"}`, or the same inside
`"headers"` (Apollo's and graphql-ws clients' conventions) — and is closed with 4403 when it
cannot. A socket's credential is checked again before each operation and while it stays
open (gateway/security/sockets.py, sessions.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import HTTPConnection
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET, UnsetType

from access.principal import NOBODY, STATE_KEY, Principal
from gateway.graphql_http import GatewayGraphQL
from gateway.security.authenticator import AuthenticationError
from gateway.security.jwt import KeysUnavailableError
from gateway.security.sessions import Sessions
from gateway.security.sockets import LegacyWSHandler, TransportWSHandler
from resolvers import GatewayContext

ACK: UnsetType = UNSET  # a plain `connection_ack`, no payload


def principal_of(request: HTTPConnection) -> Principal:
    """The caller the middleware found; no scope at all when it found none."""
    found = request.scope.get("state", {}).get(STATE_KEY)
    return found if isinstance(found, Principal) else NOBODY


def credential_in(params: object) -> str | None:
    """The `Authorization` value of a `connection_init` payload, if it has one."""
    if not isinstance(params, Mapping):
        return None
    for holder in (params, params.get("headers")):
        if isinstance(holder, Mapping):
            for name, value in holder.items():
                if isinstance(name, str) and name.lower() == "authorization":
                    return value if isinstance(value, str) else None
    return None


class AuthenticatedGraphQL(GatewayGraphQL):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(self, *args: object, sessions: Sessions, **kwargs: object) -> None:
        """`sessions` authenticates a socket's `connection_init` against the app's store and
        watches open sockets and streams while their credential holds."""
        super().__init__(*args, sessions=sessions, caller=principal_of, **kwargs)  # type: ignore[arg-type]
        self._sessions = sessions

    async def on_ws_connect(self, context: GatewayContext) -> UnsetType | dict[str, object] | None:
        if context.principal is not NOBODY:
            return ACK  # the upgrade request carried credentials, or the profile is open
        try:
            context.principal = await self._sessions.authenticate(
                credential_in(context.connection_params)
            )
        except (AuthenticationError, KeysUnavailableError):
            raise ConnectionRejectionError from None
        return ACK
