"""Report platforms that failed while a field was still answered from the others.

Resolvers record such failures on the context (`GatewayContext.report`); this extension turns
each into an entry of the response's `errors`, with the field's path, next to the data.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from resolvers.context import GatewayContext
from resolvers.extensions.results import ResultWithErrors


class PartialFailures(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        if not isinstance(context, GatewayContext) or not context.partial_failures:
            return
        if not isinstance(result, ResultWithErrors):
            return
        reported = [
            GraphQLError(str(failure.error), path=list(failure.path), original_error=failure.error)
            for failure in context.partial_failures
        ]
        result.errors = [*(result.errors or []), *reported]
