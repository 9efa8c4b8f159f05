"""The served schema, assembled from the roots and the extensions."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import QueryDepthLimiter
from strawberry.types import ExecutionContext

from resolvers.extensions import ErrorCodes, PartialFailures
from resolvers.queries import Query
from resolvers.types import CustomerType

MAX_DEPTH = 12


class GatewaySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log nothing here: a client's bad query is not an operator's error, and the
        `ErrorCodes` extension logs every unexpected one with its traceback."""


schema = GatewaySchema(
    query=Query,
    types=[CustomerType],
    extensions=[ErrorCodes, PartialFailures, lambda: QueryDepthLimiter(max_depth=MAX_DEPTH)],
)


def sdl() -> str:
    """The schema in SDL, as exported to schema.graphql (with a trailing newline)."""
    return schema.as_str().rstrip("\n") + "\n"
