"""/graphql over HTTP, per the GraphQL-over-HTTP spec's media types and status codes.

A client that accepts `application/graphql-response+json` gets that media type, and a request
error (the document does not parse or validate, or the variables do not fit) comes back as
400 without a `data` entry. A client that only accepts `application/json` gets 200 for every
well-formed request, as the spec requires for that legacy media type. Malformed HTTP (a body
that is not JSON, no query) is 400 either way.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from gateway.graphiql import graphiql_html
from hub import ReadService
from resolvers import GatewayContext, make_context

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
REQUEST_ERROR_CODES = frozenset({"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"})


class _SubResponse(Response):
    """Strawberry's per-request sub-response, remembering what the client accepts."""

    accepts_graphql_response: bool = False


class GatewayGraphQL(GraphQL[GatewayContext, None]):
    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> GatewayContext:
        read: ReadService = request.app.state.read
        state = request.app.state
        context = make_context(
            read,
            integrations=state.integrations,
            deadline_seconds=state.deadline_seconds,
            graph=state.services.graph,
        )
        context.sync = getattr(state, "sync", None)
        context.write = getattr(state, "write", None)
        context.changes = state.services.changes
        return context

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL, opening on the sample queries (`mgw demo` fills in seeded emails)."""
        from gateway.demo import sample_queries  # the demo imports the app, which imports us

        samples = getattr(request.app.state, "sample_queries", None) or sample_queries([])
        return HTMLResponse(graphiql_html(samples))

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub = _SubResponse()
        sub.status_code = None  # type: ignore[assignment]  # Strawberry's "not set"
        del sub.headers["content-length"]
        sub.accepts_graphql_response = GRAPHQL_RESPONSE_JSON in request.headers.get("accept", "")
        return sub

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if _is_request_error(result):
            processed.pop("data", None)
        return processed

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if isinstance(sub_response, _SubResponse) and sub_response.accepts_graphql_response:
            response.headers["content-type"] = GRAPHQL_RESPONSE_JSON
            if isinstance(response_data, dict) and "data" not in response_data:
                response.status_code = 400
        return response


def _is_request_error(result: ExecutionResult) -> bool:
    if result.data is not None or not result.errors:
        return False
    codes: list[Any] = [(error.extensions or {}).get("code") for error in result.errors]
    return all(code in REQUEST_ERROR_CODES for code in codes)
