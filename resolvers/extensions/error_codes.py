"""Every error a client sees has a stable `extensions.code`, and none shows a stack trace.

Connector errors name the platform and whether a retry may help; input errors are
`BAD_USER_INPUT`; parse and validation errors keep graphql-core's message with the codes
Apollo clients know. Anything else is a bug: it is logged with its traceback and the client
gets `INTERNAL_SERVER_ERROR` and nothing more (docs/adr/0004-error-codes.md).

Every error carries `correlationId`: the operation's trace id, the one in the
`X-Correlation-ID` header, the logs and the spans (docs/adr/0054-observability.md); an upstream
failure also carries the platform's own request id, when it gave one, as `platformCorrelationId`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension

from hub import InvalidArgumentError
from hub.exceptions import PlatformError
from resolvers.errors import BadUserInputError
from resolvers.extensions.results import ResultWithErrors

logger = logging.getLogger("mgw.graphql")


def public_error(error: GraphQLError, correlation_id: str | None = None) -> GraphQLError:
    """The error as a client may see it, naming the operation by `correlation_id` (its trace id)."""
    original = error.original_error
    extensions: dict[str, Any] = dict(error.extensions or {})
    message = error.message
    if isinstance(original, PlatformError):
        extensions.update(
            code=original.code, platform=original.platform.name, retryable=original.retryable
        )
        if original.correlation_id:
            extensions["platformCorrelationId"] = original.correlation_id
    elif isinstance(original, InvalidArgumentError | BadUserInputError):
        extensions["code"] = "BAD_USER_INPUT"
    elif isinstance(original, GraphQLError) and original is not error:
        return public_error(original, correlation_id)
    elif original is not None:
        logger.error("unexpected error in %s", error.path, exc_info=original)
        message, extensions = "Internal server error.", {"code": "INTERNAL_SERVER_ERROR"}
    elif isinstance(error, GraphQLSyntaxError):
        extensions["code"] = "GRAPHQL_PARSE_FAILED"
    else:
        extensions.setdefault("code", "GRAPHQL_VALIDATION_FAILED")
    if correlation_id:
        extensions["correlationId"] = correlation_id
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, ResultWithErrors) and result.errors:
            correlation_id = getattr(self.execution_context.context, "correlation_id", None)
            result.errors = [public_error(error, correlation_id) for error in result.errors]
