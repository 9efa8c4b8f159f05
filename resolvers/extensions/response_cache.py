"""Answers repeated read operations from the response cache (hub/response_cache.py), when one
is configured: a query whose operation, variables and caller's scopes match an answer kept
less than `MGW_RESPONSE_CACHE_SECONDS` ago is not executed again. Only complete answers are
kept, and only those whose operation allows data that old (a `maxStaleness` below the cache's
lifetime keeps nothing: `maxStaleness: 0` reads live every time). A kept answer is marked on
the context so that /graphql keeps its encoded bytes as well (gateway/cached_answers.py); a
mutation clears them all."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult as GraphQLResult
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from resolvers.context import GatewayContext


class CachedResponses(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        gateway = context.context
        responses = gateway.read.responses if isinstance(gateway, GatewayContext) else None
        if responses is None or context.result is not None or context.query is None:
            yield
            return
        kind = context.operation_type
        key = responses.key(
            context.query, context.operation_name, context.variables, gateway.principal.scopes
        )
        if kind is OperationType.QUERY and (kept := responses.get(key)) is not None:
            context.result = GraphQLResult(data=kept, errors=None)
            gateway.cached_as = context.operation_name or ""
            yield
            return
        yield
        if kind is OperationType.MUTATION:
            responses.clear()
        elif kind is OperationType.QUERY:
            result = context.result
            data = getattr(result, "data", None)
            failed = getattr(result, "errors", None) or gateway.partial_failures
            bound = gateway.fresh_within  # a `maxStaleness` under the cache's lifetime
            too_old = bound is not None and bound < responses.ttl
            if data is not None and not failed and not too_old:  # partial failures join later
                responses.put(key, data)
                gateway.cached_as = context.operation_name or ""
