"""/graphql over HTTP, per the GraphQL-over-HTTP spec's media types and status codes.

A client that accepts `application/graphql-response+json` gets that media type, and a request
error (the document does not parse or validate, or the variables do not fit, or it is refused
by a bound before execution) comes back as 400 without a `data` entry. A client that only
accepts `application/json` gets 200 for every well-formed request, as the spec requires for
that legacy media type. Malformed HTTP (a body that is not JSON, no query) is 400 either way,
a mutation over GET is 405, and every such refusal is a GraphQL-shaped error with a code.

Before any of that, the edge (gateway/edge/) checks CSRF, the client's rate limit and the
body's size, and sets the operation bounds of this app's profile for the schema's
`OperationLimitsExtension` (resolvers/extensions/operation_limits.py). Then a repeated query
whose complete answer the response cache keeps is answered with its bytes, before the
pipeline (gateway/cached_answers.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from cross_web import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from access.principal import INTERNAL, Principal
from gateway.cached_answers import ANSWER_KEY, keep, kept_answer, responses_of, send_kept
from gateway.edge import EdgeGuard, EdgeRefusal, EdgeSettings, error_response
from gateway.edge.caching import cache_control
from gateway.edge.refusals import GRAPHQL_RESPONSE_JSON
from gateway.graphiql import graphiql_html
from gateway.json_encoding import encode_json
from gateway.security.sessions import Sessions
from gateway.services import Services
from gateway.sse import EventStreams
from hub.response_cache import Key, ResponseCache
from resolvers import GatewayContext, make_context, schema
from resolvers.extensions.operation_limits import (
    QUERY_TOO_COMPLEX,
    RESULT_TOO_LARGE,
    operation_limits,
)
from resolvers.extensions.persisted_queries import persisted_query

REQUEST_ERROR_CODES = frozenset(
    {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", QUERY_TOO_COMPLEX, RESULT_TOO_LARGE}
)
RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE"
logger = logging.getLogger("mgw.graphql")
SUBSCRIPTION_TRANSPORT = "SUBSCRIPTION_TRANSPORT_REQUIRED"
SUBSCRIPTION_TRANSPORTS = (
    "Subscriptions are not answered by a plain POST or GET: subscribe over a WebSocket at "
    "/graphql (graphql-transport-ws), or over Server-Sent Events at /graphql/stream (or at "
    "/graphql with `Accept: text/event-stream`)."
)
EVENT_STREAM = "text/event-stream"


class _SubResponse(Response):
    """Strawberry's per-request sub-response, remembering what the client accepts."""

    accepts_graphql_response: bool = False
    answer_key: Key | None = None  # where to keep a complete answer (gateway/cached_answers.py)
    responses: ResponseCache | None = None
    context: GatewayContext | None = None


def _in_process(connection: HTTPConnection) -> Principal:
    return INTERNAL


class GatewayGraphQL(GraphQL[GatewayContext, None]):
    def __init__(
        self,
        *args: Any,
        edge: EdgeGuard | None = None,
        sessions: Sessions | None = None,
        caller: Callable[[HTTPConnection], Principal] = _in_process,
        **kwargs: Any,
    ) -> None:
        """`caller` says who asks (on the context, for the schema's permission checks);
        `sessions` watches open sockets and streams while their credential holds."""
        super().__init__(*args, **kwargs)
        self.edge = edge or EdgeGuard(EdgeSettings().policy("demo"))
        if not self.edge.policy.graphiql:
            self.graphql_ide = None  # GET /graphql in a browser: 404
        self.sessions = sessions
        self.caller = caller
        self.streams = EventStreams(self, sessions)
        """Answers a request as Server-Sent Events: at /graphql/stream (`sse_route`), and at
        /graphql for a request that accepts `text/event-stream`."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            try:
                await self.edge.admit_connection(HTTPConnection(scope))
            except EdgeRefusal as refusal:  # refused before the upgrade: HTTP 403
                await WebSocket(scope, receive, send).close(4429, refusal.message[:120])
                return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        started = time.perf_counter()
        request = Request(scope, receive)
        response: Response
        if EVENT_STREAM in request.headers.get("accept", ""):
            await (await self.streams.handle(request))(scope, receive, send)
            return
        admitted = await self.admitted(request)
        if isinstance(admitted, Response):
            response = admitted
        else:
            receive = admitted.receive
            if (kept := await kept_answer(admitted)) is not None:
                await send_kept(kept, send, started)
                return
            try:
                response = await self.run(admitted)
            except HTTPException as exc:
                response = _http_error(request, exc)
            except EdgeRefusal as refusal:
                response = refusal.response(request)
        await response(scope, receive, send)

    async def admitted(self, request: Request) -> Request | Response:
        """`request` past the edge's HTTP checks (CSRF, rate limit, body bound), its body read;
        or the refusal to answer. For every HTTP route that runs operations (/graphql, and
        the SSE stream)."""
        try:
            receive = await self.edge.admit(request)
        except EdgeRefusal as refusal:
            return refusal.response(request)
        return Request(request.scope, receive)

    def should_render_graphql_ide(self, request: Any) -> bool:
        """GraphiQL only for a bare GET from a browser: a GET carrying an operation (a
        persisted query's hash alone, sent with `Accept: */*` or a browser's Accept) is run."""
        operation = ("query", "extensions", "variables", "operationName")
        if any(request.query_params.get(name) for name in operation):
            return False
        return super().should_render_graphql_ide(request)

    def parse_json(self, data: str | bytes) -> Any:
        """JSON that is not an object (or a list, which is a batch) is no GraphQL request;
        nor is JSON nested deeper than Python's parser goes (`[[[[…` 50,000 deep)."""
        try:
            parsed = super().parse_json(data)
        except RecursionError:
            raise HTTPException(400, "The request's JSON is nested too deep.") from None
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The request body must be a JSON object.")
        return parsed

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: GatewayContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Strawberry's, but a subscription is refused with the transports that carry one,
        rather than executed as if it were a query (an internal error)."""
        allowed = OperationType.from_http(request_adapter.method) - {OperationType.SUBSCRIPTION}
        try:
            result = await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as exc:
            if exc.operation_type is OperationType.SUBSCRIPTION:
                raise EdgeRefusal(
                    400, SUBSCRIPTION_TRANSPORTS, code=SUBSCRIPTION_TRANSPORT
                ) from None
            raise HTTPException(400, exc.as_http_error_reason(request_adapter.method)) from exc
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request") from exc
        if request_adapter.method == "GET":  # what a CDN may keep (gateway/edge/caching.py)
            query = request_data.query or persisted_query(request_data.extensions)
            value, more = cache_control(schema, query, context.principal, bool(result.errors))
            sub_response.headers.update({"Cache-Control": value, **more})
        return result

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> GatewayContext:
        operation_limits.set(self.edge.policy.operation)  # for this request's task(s)
        state = request.app.state
        services: Services = state.services
        context = make_context(
            services.read,
            integrations=services.integrations,
            deadline_seconds=state.deadline_seconds,
            graph=services.graph,
            sync=services.sync,
            write=services.write,
            changes=services.changes,
            phone_region=state.phone_region,
            principal=self.caller(request),
        )
        if isinstance(response, _SubResponse):  # a complete answer may be kept as sent
            response.context = context
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
        sub.answer_key = request.scope.get(ANSWER_KEY)
        if sub.answer_key is not None and isinstance(request, Request):
            sub.responses = responses_of(request)
        return sub

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if _is_request_error(result):
            processed.pop("data", None)
        return processed

    def encode_json(self, data: object) -> str:
        return encode_json(data)  # orjson, same JSON

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        most = self.edge.policy.max_response_bytes
        if len(response.body) > most:  # the last line behind RESULT_TOO_LARGE
            response_data = _too_large(len(response.body), most)
            response = super().create_response(response_data, sub_response)
        if isinstance(sub_response, _SubResponse) and sub_response.accepts_graphql_response:
            response.headers["content-type"] = GRAPHQL_RESPONSE_JSON
            if isinstance(response_data, dict) and "data" not in response_data:
                response.status_code = 400
        if isinstance(sub_response, _SubResponse) and sub_response.context is not None:
            cached_as = sub_response.context.cached_as
            keep(
                sub_response.responses, sub_response.answer_key, cached_as, response, response_data
            )
        return response


def _too_large(found: int, most: int) -> GraphQLHTTPResponse:
    message = (
        f"The answer is {found} bytes long; at most {most} are sent. "
        "Ask for fewer items (`first`) or fewer fields."
    )
    logger.warning("answer of %d bytes not sent (max_response_bytes %d)", found, most)
    extensions = dict(code=RESPONSE_TOO_LARGE, limit="responseBytes", max=most, found=found)
    return {"errors": [{"message": message, "extensions": extensions}]}


def _http_error(request: Request, exc: HTTPException) -> Response:
    """Strawberry's refusals (malformed body, no query, batching, wrong method) as GraphQL
    errors; an operation type the method may not run (a mutation over GET) is 405."""
    if isinstance(exc.__cause__, InvalidOperationTypeError) and request.method == "GET":
        return error_response(
            request,
            405,
            f"{exc.reason.capitalize()}: send mutations as POST.",
            headers={"Allow": "POST"},
        )
    return error_response(request, exc.status_code, exc.reason)


def _is_request_error(result: ExecutionResult) -> bool:
    if result.data is not None or not result.errors:
        return False
    codes: list[Any] = [(error.extensions or {}).get("code") for error in result.errors]
    return all(code in REQUEST_ERROR_CODES for code in codes)
