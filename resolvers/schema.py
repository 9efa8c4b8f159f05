"""The served schema, assembled from the roots and the extensions.

Each area of the graph keeps its own root classes in its own module; they are merged here into
one `Query`, one `Mutation` and one `Subscription`. Adding an area is one line in a tuple.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import QueryDepthLimiter
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from resolvers.extensions import ErrorCodes, PartialFailures
from resolvers.queries import Query as CustomerQueries
from resolvers.types import CustomerType

QUERIES: tuple[type, ...] = (CustomerQueries,)
MUTATIONS: tuple[type, ...] = ()
SUBSCRIPTIONS: tuple[type, ...] = ()

MAX_DEPTH = 12


class GatewaySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log nothing here: a client's bad query is not an operator's error, and the
        `ErrorCodes` extension logs every unexpected one with its traceback."""


def _merged(name: str, roots: tuple[type, ...]) -> type | None:
    return merge_types(name, roots) if roots else None


schema = GatewaySchema(
    query=merge_types("Query", QUERIES),
    mutation=_merged("Mutation", MUTATIONS),
    subscription=_merged("Subscription", SUBSCRIPTIONS),
    types=[CustomerType],
    extensions=[ErrorCodes, PartialFailures, lambda: QueryDepthLimiter(max_depth=MAX_DEPTH)],
)


def sdl() -> str:
    """The schema in SDL, as exported to schema.graphql (with a trailing newline)."""
    return schema.as_str().rstrip("\n") + "\n"
