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
from resolvers.execution import PlainLeavesExecution
from resolvers.extensions import (
    ErrorCodes,
    OperationDeadline,
    OperationLimitsExtension,
    OperationTelemetry,
    PartialFailures,
    PersistedQueries,
    StoreNotes,
    parser_cache,
    validation_cache,
)
from resolvers.extensions.response_cache import CachedResponses
from resolvers.federation import standalone_sdl
from resolvers.graph_queries import Query as GraphQueries
from resolvers.integrations import Query as IntegrationQueries
from resolvers.mutations import WriteMutations
from resolvers.permissions import RootScopes
from resolvers.queries import Query as CustomerQueries
from resolvers.subscriptions import Subscriptions
from resolvers.sync import SyncMutations, SyncQueries
from resolvers.types import NODE_TYPES

QUERIES: tuple[type, ...] = (
    CustomerQueries,
    GraphQueries,
    IntegrationQueries,
    SyncQueries,
    DeadLetterQueries,
)
MUTATIONS: tuple[type, ...] = (SyncMutations, WriteMutations)
SUBSCRIPTIONS: tuple[type, ...] = (Subscriptions,)


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
    execution_context_class=PlainLeavesExecution,  # plain leaves skip per-field work
    # The lowest Federation version the subgraph's directives need (only @key: 2.0), so every
    # composer from 2.0 on accepts it; Strawberry refuses a directive newer than this.
    federation_version="2.0",
    extensions=[
        OperationTelemetry,  # first: its span holds the others, it sees the final errors
        PersistedQueries,
        parser_cache,
        validation_cache,
        OperationDeadline,
        RootScopes,  # before anything runs: a mutation lacking a scope is refused whole
        OperationLimitsExtension,  # bounds, checked before running; after ErrorCodes' rewrite
        CachedResponses,  # after the checks above: a cached answer skips only execution
        ErrorCodes,
        PartialFailures,
        StoreNotes,
    ],
)


def sdl() -> str:
    """The schema in SDL, as exported to schema.graphql (with a trailing newline): the
    federation subgraph SDL with its directives defined (resolvers/federation.py)."""
    return standalone_sdl(schema)
