"""`POST /admin/api/2025-01/graphql.json`: authenticate, parse, validate, cost, throttle,
execute, and answer the way Shopify does (GraphQL errors and throttling at HTTP 200, with
`extensions.cost` on every answer)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    execute,
    get_operation_ast,
    parse,
    print_ast,
    validate,
)
from graphql.execution.values import get_variable_values
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.core.clock import Clock
from simulators.core.invariants import BrokenInvariant
from simulators.shopify.auth import Tokens
from simulators.shopify.bulk import BulkOperations
from simulators.shopify.cost import MAX_QUERY_COST, CostBucket, QueryCost
from simulators.shopify.errors import (
    http_error,
    max_cost_exceeded,
    parse_error,
    throttled,
    validation_errors,
    variable_error,
)
from simulators.shopify.records import Customer
from simulators.shopify.resolvers import Context
from simulators.shopify.schema import not_served, served_schema
from simulators.shopify.store import ShopStore

_MISSING_QUERY = {"errors": {"query": "Required parameter missing or invalid"}}


def _introspection_only(operation: OperationDefinitionNode) -> bool:
    """An operation that reads only `__schema` / `__type` (what a client's schema fetch sends)."""
    fields = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
    return len(fields) == len(operation.selection_set.selections) and all(
        f.name.value in ("__schema", "__type") for f in fields
    )


@lru_cache(maxsize=8)
def _introspect(query: str, name: str | None) -> dict[str, Any] | None:
    """The official schema's introspection is several megabytes, seconds to build: the same
    introspection document (printed, so spacing does not matter) is answered from the first
    answer."""
    result = execute(served_schema(), parse(query), operation_name=name)
    if not isinstance(result, ExecutionResult):
        raise BrokenInvariant("expected isinstance(result, ExecutionResult)")
    return result.data


class GraphQLEndpoint:
    def __init__(
        self,
        store: ShopStore,
        tokens: Tokens,
        bucket: CostBucket,
        clock: Clock,
        changed: Callable[[str, Customer], None],
        bulk: BulkOperations | None = None,
    ) -> None:
        self.store = store
        self.tokens = tokens
        self.bucket = bucket
        self.clock = clock
        self.changed = changed
        self.bulk = bulk or BulkOperations(clock)

    async def handle(self, request: Request) -> Response:
        app = self.tokens.app_for(request.headers.get("x-shopify-access-token"))
        if app is None:
            return http_error(401)
        raw = await request.body()
        if "application/graphql" in request.headers.get("content-type", ""):
            body: Any = {"query": raw.decode("utf-8", errors="replace")}
        else:
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = None
        query = body.get("query") if isinstance(body, dict) else None
        variables = body.get("variables") if isinstance(body, dict) else None
        if not isinstance(query, str) or not query.strip():
            return JSONResponse(_MISSING_QUERY, status_code=400)
        if variables is not None and not isinstance(variables, dict):
            return JSONResponse(_MISSING_QUERY, status_code=400)
        operation_name = body.get("operationName")
        name = operation_name if isinstance(operation_name, str) else None
        origin = str(request.url).split("/admin/api/", 1)[0]
        return JSONResponse(self.run(app, query, variables or {}, name, origin=origin))

    def _cost(self, app: str, requested: int, actual: int | None) -> dict[str, Any]:
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": self.bucket.status(app),
            }
        }

    def run(
        self,
        app: str,
        query: str,
        variables: dict[str, Any],
        name: str | None,
        *,
        origin: str = "",
    ) -> dict[str, Any]:
        schema = served_schema()
        try:
            document = parse(query)
        except GraphQLError as exc:
            return {"errors": [parse_error(query, exc)], "extensions": self._cost(app, 0, 0)}
        invalid = validate(schema, document)
        if invalid:
            errors = validation_errors(document, invalid)
            return {"errors": errors, "extensions": self._cost(app, 0, 0)}
        unserved = not_served(schema, document)
        if unserved:
            return {"errors": unserved, "extensions": self._cost(app, 0, 0)}
        operation = get_operation_ast(document, name)
        if operation is None:
            message = f'No operation named "{name}"' if name else "An operation name is required"
            return {"errors": [{"message": message}], "extensions": self._cost(app, 0, 0)}
        if _introspection_only(operation) and not variables:
            data = _introspect(print_ast(document), name)  # the schema is fixed: kept
            return {"data": data, "extensions": self._cost(app, 0, 0)}
        coerced = get_variable_values(schema, operation.variable_definitions or (), variables)
        if isinstance(coerced, list):
            declared = {
                d.variable.name.value: print_ast(d.type)
                for d in operation.variable_definitions or ()
            }
            errors = [variable_error(e, declared, variables) for e in coerced]
            return {"errors": errors, "extensions": self._cost(app, 0, 0)}
        cost = QueryCost(schema, document, coerced)
        requested = cost.requested(operation)
        if requested > MAX_QUERY_COST:
            error = max_cost_exceeded(requested, MAX_QUERY_COST)
            return {"errors": [error], "extensions": self._cost(app, requested, None)}
        if not self.bucket.take(app, requested):
            return {"errors": [throttled()], "extensions": self._cost(app, requested, None)}
        context = Context(
            self.store, self.clock, self.changed, bulk=self.bulk, app=app, origin=origin
        )
        result = execute(
            schema, document, context_value=context, variable_values=variables, operation_name=name
        )
        # every resolver is synchronous
        if not isinstance(result, ExecutionResult):
            raise BrokenInvariant("expected isinstance(result, ExecutionResult)")
        actual = cost.actual(operation, result.data)
        self.bucket.refund(app, requested - actual)
        answer: dict[str, Any] = {}
        if result.errors:
            answer["errors"] = [e.formatted for e in result.errors]
        answer["data"] = result.data
        answer["extensions"] = self._cost(app, requested, actual)
        if context.warnings:
            answer["extensions"]["search"] = context.warnings
        return answer
