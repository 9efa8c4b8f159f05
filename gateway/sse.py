"""Operations over Server-Sent Events, for clients without WebSocket.

`/graphql/stream` — and `/graphql` for a request that accepts `text/event-stream` — answers
in the graphql-sse "distinct connections" shape: one `event: next` per result (`data:` its
JSON), then `event: complete`. The operation comes as a POST with the usual JSON body, or as a
GET with `query`, `variables`, `operationName` and `extensions` parameters (graphql-sse's and
Hive Gateway's HTTP subscription transport). A subscription streams until the client closes
the connection; a query or mutation (mutations by POST only) is one `next`, then `complete`.
A request error — the document does not parse or validate, a bound refuses it — is one `next`
with the errors, then `complete`, never a cut connection. While idle, the stream sends a
comment (`: keep-alive`) every KEEP_ALIVE_SECONDS, so proxies do not close it. A stream opened
with a credential ends (one error, then `complete`) when the key is revoked or the JWT
expires (gateway/security/sessions.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import aclosing, nullcontext, suppress
from typing import TYPE_CHECKING, Any

from cross_web import HTTPException
from graphql import (
    ExecutionResult as GraphQLResult,
)
from graphql import (
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
)
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from access.principal import STATE_KEY, Principal
from gateway.edge import error_response
from gateway.security.sessions import Session, Sessions
from resolvers import schema
from resolvers.extensions.error_codes import public_error

if TYPE_CHECKING:
    from gateway.graphql_http import GatewayGraphQL

KEEP_ALIVE_SECONDS = 12.0
logger = logging.getLogger("mgw.graphql")
INTERNAL = {"message": "Internal server error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}


def _event(kind: str, payload: Any = None) -> str:
    data = "" if payload is None else json.dumps(payload)
    return f"event: {kind}\ndata: {data}\n\n"


def _result(result: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"data": getattr(result, "data", None)}
    errors = getattr(result, "errors", None)
    if errors:
        body["errors"] = [public_error(error).formatted for error in errors]
    return body


def _operation_type(query: str | None, name: str | None) -> OperationType | None:
    """The operation's type, or None when the document does not say (it does not parse, or
    it is a persisted query's hash): the subscription path then reports what is wrong."""
    if not query:
        return None
    try:
        operation = get_operation_ast(parse(query), name)
    except (GraphQLError, RecursionError):
        return None
    return operation.operation if isinstance(operation, OperationDefinitionNode) else None


class EventStreams:
    """The handler of `/graphql/stream`, and of `/graphql` asked for an event stream."""

    def __init__(self, graphql: GatewayGraphQL, sessions: Sessions | None) -> None:
        self._graphql = graphql
        self._sessions = sessions

    async def handle(self, request: Request) -> Response:
        admitted = await self._graphql.admitted(request)  # CSRF, rate limit, body bound
        if isinstance(admitted, Response):
            return admitted
        request = admitted
        try:
            params = await self._params(request)
        except HTTPException as exc:
            return error_response(request, exc.status_code, exc.reason)
        query, name = params.get("query"), params.get("operationName")
        variables, extensions = params.get("variables") or {}, params.get("extensions")
        if not isinstance(variables, dict) or not isinstance(extensions, dict | None):
            return error_response(request, 400, "`variables` and `extensions` must be objects.")
        if not isinstance(query, str | None) or (not query and extensions is None):
            return error_response(
                request, 400, "A `query` (or a persisted query's hash) is required."
            )
        kind = _operation_type(query, name)
        if kind is OperationType.MUTATION and request.method == "GET":
            return error_response(
                request,
                405,
                "Mutations are not allowed over GET: send mutations as POST.",
                headers={"Allow": "POST"},
            )
        context = await self._graphql.get_context(request, Response())
        source: Any
        if kind in (OperationType.QUERY, OperationType.MUTATION):
            source = self._once(query, variables, name, extensions, context)
        else:
            source = await schema.subscribe(
                query or "",
                variable_values=variables,
                context_value=context,
                operation_name=name,
                operation_extensions=extensions,
            )
        return StreamingResponse(
            self._events(source, request),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.method == "GET":
            return self._graphql.parse_query_params(request.query_params)
        parsed = self._graphql.parse_json(await request.body())
        if not isinstance(parsed, dict):
            raise HTTPException(400, "Send one operation per stream, not a batch.")
        return parsed

    async def _once(self, *args: Any) -> AsyncIterator[Any]:
        query, variables, name, extensions, context = args
        yield await schema.execute(
            query,
            variable_values=variables,
            context_value=context,
            operation_name=name,
            operation_extensions=extensions,
        )

    def _session(self, request: Request, ended: asyncio.Event, why: list[str]) -> Any:
        principal = request.scope.get("state", {}).get(STATE_KEY)
        credential = request.headers.get("authorization")
        if self._sessions is None or credential is None or not isinstance(principal, Principal):
            return nullcontext()

        async def end(reason: str) -> None:
            why.append(reason)
            ended.set()

        return self._sessions.watching(Session(credential, principal, end))

    async def _events(self, outcome: Any, request: Request) -> AsyncIterator[str]:
        if isinstance(outcome, GraphQLResult) or not hasattr(outcome, "__aiter__"):
            yield _event("next", _result(outcome))
            yield _event("complete")
            return
        ended, why = asyncio.Event(), list[str]()
        with self._session(request, ended, why):
            async for event in _until_ended(outcome, ended, why):
                yield event
        yield _event("complete")


async def _until_ended(source: Any, ended: asyncio.Event, why: list[str]) -> AsyncIterator[str]:
    """`source`'s results as `next` events, a keep-alive comment while it is quiet, until it
    ends, fails (its error as the last `next`) or `ended` is set (the credential's end).

    One task reads `source` from start to close: the schema's extensions set context
    variables as it starts and reset them as it closes, which must happen in one context."""
    results: asyncio.Queue[tuple[str, Any]] = asyncio.Queue(maxsize=1)

    async def pump() -> None:
        try:
            async with aclosing(source):
                async for result in source:
                    await results.put(("next", _result(result)))
            await results.put(("end", None))
        except GraphQLError as error:  # a refusal raised as the stream starts
            await results.put(("end", {"errors": [public_error(error).formatted]}))
        except Exception:
            logger.exception("a subscription failed")
            await results.put(("end", {"errors": [INTERNAL]}))

    pumping = asyncio.create_task(pump())
    stopper = asyncio.create_task(ended.wait())
    try:
        while True:
            getter = asyncio.ensure_future(results.get())
            done, _ = await asyncio.wait(
                {getter, stopper}, timeout=KEEP_ALIVE_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            if getter in done:
                kind, payload = getter.result()
                if payload is not None:
                    yield _event("next", payload)
                if kind == "end":
                    return
                continue
            getter.cancel()
            if stopper in done:
                message = f"The stream's credential no longer holds: {why[0] if why else ''}"
                error = {"message": message, "extensions": {"code": "UNAUTHENTICATED"}}
                yield _event("next", {"errors": [error]})
                return
            yield ": keep-alive\n\n"
    finally:
        for task in (pumping, stopper):
            task.cancel()
            with suppress(BaseException):
                await task


def sse_route(graphql: GatewayGraphQL) -> Route:
    return Route("/graphql/stream", graphql.streams.handle, methods=["GET", "POST"])
