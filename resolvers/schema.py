"""The served schema, assembled from the roots and the extensions.

Each area of the graph keeps its own root classes in its own module; they are merged here into
one `Query`, one `Mutation` and one `Subscription`. Adding an area is one line in a tuple.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from resolvers.dead_letters import DeadLetterQueries
from resolvers.extensions import (
    ErrorCodes,
    OperationDeadline,
    PartialFailures,
    PersistedQueries,
    depth_limit,
    parser_cache,
    validation_cache,
)
from resolvers.federation import standalone_sdl
from resolvers.graph_queries import Query as GraphQueries
from resolvers.integrations import Query as IntegrationQueries
from resolvers.mutations import WriteMutations
from resolvers.queries import Query as CustomerQueries
from resolvers.subscriptions import Subscriptions
from resolvers.sync import SyncMutations, SyncQueries
from resolvers.types import NODE_TYPES

QUERIES: tuple[type, ...] = (
    CustomerQueries, GraphQueries, IntegrationQueries, SyncQueries, DeadLetterQueries
)  # fmt: skip
MUTATIONS: tuple[type, ...] = (SyncMutations, WriteMutations)
SUBSCRIPTIONS: tuple[type, ...] = (Subscriptions,)

MAX_DEPTH = 12


class GatewaySchema(strawberry.federation.Schema):  # also an Apollo Federation 2 subgraph
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
    types=list(NODE_TYPES),
    extensions=[
        PersistedQueries,
        parser_cache,
        validation_cache,
        OperationDeadline,
        ErrorCodes,
        PartialFailures,
        depth_limit(MAX_DEPTH),  # one rule class for every request: validation is cached
    ],
)


def sdl() -> str:
    """The schema in SDL, as exported to schema.graphql (with a trailing newline): the
    federation subgraph SDL with its directives defined (resolvers/federation.py)."""
    return standalone_sdl(schema)
