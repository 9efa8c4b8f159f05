"""Subscriptions over Server-Sent Events, for clients without WebSocket.

`POST /graphql/stream` with the usual JSON body (`query`, `variables`, `operationName`) and
`Accept: text/event-stream` answers a stream in the graphql-sse "distinct connections"
shape: one `event: next` per result (`data:` its JSON), then `event: complete`. A request
error (the document does not parse or validate, or is not a subscription) is one `next` with
the errors, then `complete`. Closing the connection ends the subscription.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from graphql import ExecutionResult as GraphQLResult
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway.graphql_http import GatewayGraphQL
from resolvers import schema
from resolvers.extensions.error_codes import public_error


def _event(kind: str, payload: Any = None) -> str:
    data = "" if payload is None else json.dumps(payload)
    return f"event: {kind}\ndata: {data}\n\n"


def _result(result: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"data": getattr(result, "data", None)}
    errors = getattr(result, "errors", None)
    if errors:
        body["errors"] = [public_error(error).formatted for error in errors]
    return body


def sse_route(graphql: GatewayGraphQL) -> Route:
    async def stream(request: Request) -> Response:
        admitted = await graphql.admitted(request)  # CSRF, rate limit, body bound
        if isinstance(admitted, Response):
            return admitted
        request = admitted
        try:
            body = await request.json()
            query = body["query"]
            variables = body.get("variables") or {}
        except (ValueError, KeyError, TypeError):
            return JSONResponse(
                {"error": "a JSON body with a `query` is required"}, status_code=400
            )
        context = await graphql.get_context(request, Response())
        outcome = await schema.subscribe(
            query,
            variable_values=variables,
            context_value=context,
            operation_name=body.get("operationName"),
        )

        async def events() -> AsyncIterator[str]:
            if isinstance(outcome, GraphQLResult) or not hasattr(outcome, "__aiter__"):
                yield _event("next", _result(outcome))
            else:
                async for result in outcome:
                    yield _event("next", _result(result))
            yield _event("complete")

        return StreamingResponse(
            events(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return Route("/graphql/stream", stream, methods=["POST"])
