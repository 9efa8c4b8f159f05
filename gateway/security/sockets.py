"""WebSocket handlers that check each operation, not just the connection.

Strawberry's handlers (graphql-transport-ws and the legacy graphql-ws) authenticate once, at
`connection_init`. These check again before every `subscribe` (`start`): the credential the
socket opened with must still verify (a revoked key or an expired JWT closes the socket with
4403), and the operation counts against the caller's edge rate limit, the same window its HTTP
requests spend (spent: an `error` message for that operation, code RATE_LIMITED). While the
socket is open, the session watcher (gateway/security/sessions.py) closes it at revocation or
at the token's `exp`, even if it sends nothing more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, GraphQLFormattedError
from starlette.websockets import WebSocket
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    SubscribeMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ConnectionInitMessage as LegacyInitMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.types import ErrorMessage as LegacyError
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage

from access.principal import STATE_KEY
from gateway.edge import EdgeGuard, EdgeRefusal
from gateway.security.authenticator import AuthenticationError
from gateway.security.jwt import KeysUnavailableError
from gateway.security.sessions import Session, Sessions
from resolvers import GatewayContext

if TYPE_CHECKING:
    from strawberry.http.async_base_view import AsyncWebSocketAdapter

FORBIDDEN = 4403  # graphql-transport-ws: the server refuses the client


class _Revoked(Exception):
    """The socket's credential no longer verifies: the socket closes."""


class SocketChecks:
    """One socket's credential, its watched session, and the checks before each operation."""

    def __init__(
        self,
        adapter: AsyncWebSocketAdapter,
        context: GatewayContext,
        sessions: Sessions | None,
        edge: EdgeGuard,
    ) -> None:
        self._adapter = adapter
        self._socket: WebSocket = adapter.ws  # type: ignore[attr-defined]
        self._context = context
        self._sessions = sessions
        self._edge = edge
        self._session: Session | None = None

    def credential(self) -> str | None:
        from gateway.security.graphql_view import credential_in  # the view imports us

        return self._socket.headers.get("authorization") or credential_in(
            self._context.connection_params
        )

    def opened(self) -> None:
        """After `connection_ack`: the caller's principal is the socket's, watched until the
        socket closes."""
        self._socket.scope.setdefault("state", {})[STATE_KEY] = self._context.principal
        credential = self.credential()
        if credential is not None and self._sessions is not None:
            self._session = Session(credential, self._context.principal, self._end)
            self._sessions.watch(self._session)

    def closed(self) -> None:
        if self._session is not None and self._sessions is not None:
            self._sessions.forget(self._session)

    async def _end(self, reason: str) -> None:
        await self._adapter.close(code=FORBIDDEN, reason=f"Forbidden: {reason}"[:120])

    async def refusal(self) -> GraphQLFormattedError | None:
        """None when the operation may run; else the GraphQL error refusing it. Raises
        _Revoked when the credential no longer verifies."""
        credential = self.credential()
        if credential is not None and self._sessions is not None:
            try:
                self._context.principal = await self._sessions.verify(credential)
            except AuthenticationError as exc:
                raise _Revoked(str(exc)) from None
            except KeysUnavailableError as exc:
                return GraphQLError(str(exc), extensions={"code": "AUTH_UNAVAILABLE"}).formatted
        try:
            await self._edge.admit_operation(self._socket)
        except EdgeRefusal as refusal:
            extensions = {"code": refusal.code, **refusal.extensions}
            return GraphQLError(refusal.message, extensions=extensions).formatted
        return None

    async def admit(self, operation_id: str, send: Any) -> bool:
        """Whether operation `operation_id` may run; if not, it is refused (`send` its error)
        or the socket is closed."""
        try:
            error = await self.refusal()
        except _Revoked as exc:
            self.closed()
            await self._end(str(exc))
            return False
        if error is not None:
            await send(operation_id, error)
            return False
        return True


class TransportWSHandler(BaseGraphQLTransportWSHandler[GatewayContext, None]):
    """graphql-transport-ws (graphql-ws on npm, Apollo Client, Hive Gateway)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        view: Any = self.view
        self.checks = SocketChecks(self.websocket, self.context, view.sessions, view.edge)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged:
            self.checks.opened()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and message["id"] not in self.operations:

            async def send(operation_id: str, error: GraphQLFormattedError) -> None:
                await self.send_message(
                    ErrorMessage(id=operation_id, type="error", payload=[error])
                )

            if not await self.checks.admit(message["id"], send):
                return
        await super().handle_subscribe(message)

    async def shutdown(self) -> None:
        self.checks.closed()
        await super().shutdown()


class LegacyWSHandler(BaseGraphQLWSHandler[GatewayContext, None]):
    """The older subscriptions-transport-ws protocol (`graphql-ws` subprotocol)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        view: Any = self.view
        self.checks = SocketChecks(self.websocket, self.context, view.sessions, view.edge)

    async def handle_connection_init(self, message: LegacyInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged:
            self.checks.opened()

    async def handle_start(self, message: StartMessage) -> None:
        if self.connection_acknowledged:

            async def send(operation_id: str, error: GraphQLFormattedError) -> None:
                await self.send_message(LegacyError(type="error", id=operation_id, payload=error))

            if not await self.checks.admit(message["id"], send):
                return
        await super().handle_start(message)

    async def cleanup(self) -> None:
        self.checks.closed()
        await super().cleanup()
