"""Bounds on what one operation may ask: its size and shape before validation, its cost in
upstream calls before execution, and what its errors may reveal.

The bounds are an `OperationLimits` in the context variable `operation_limits`, which the HTTP
view sets for each request from the gateway's settings (gateway/edge/): the schema is one
object shared by every app in the process, while the serve and demo profiles differ. Code
that executes the schema directly gets the defaults (the demo's bounds).

Refusals, all before anything is executed:

- tokens: graphql-core stops parsing, `GRAPHQL_PARSE_FAILED`;
- depth, aliases, root fields, directives, one field repeated, introspection:
  `GRAPHQL_VALIDATION_FAILED` with `limit`, `max` and `found` in `extensions`;
- the objects the answer can hold, list widths multiplied through the document
  (resolvers/extensions/result_size.py): `RESULT_TOO_LARGE` with `limit: "resultObjects"`,
  `max` and `found`;
- estimated upstream calls: `QUERY_TOO_COMPLEX` with `cost: {estimatedCalls, maxCalls}`.

As a last line, an answer whose JSON is longer than `max_response_bytes` is not sent
(gateway/graphql_http.py): `RESPONSE_TOO_LARGE`.

What errors may reveal is bounded too (resolvers/extensions/error_disclosure.py): with
`suggestions` off, messages lose graphql-core's "Did you mean …?" hints, and with
`upstream_messages` off a platform's own error text is replaced by a sentence per code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from resolvers.extensions.document_shape import SDL_FIELD, SHAPES, Shape
from resolvers.extensions.error_disclosure import without_suggestions, without_upstream_text
from resolvers.extensions.operation_cost import estimate
from resolvers.extensions.result_size import result_size
from resolvers.extensions.results import ResultWithErrors

QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
RESULT_TOO_LARGE = "RESULT_TOO_LARGE"


@dataclass(frozen=True)
class OperationLimits:
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    max_root_fields: int = 20
    max_directives: int = 50
    max_directives_at_once: int = 4
    """On one field, fragment or operation: `@include`, `@skip`, `@defer` need no more."""
    max_field_repeats: int = 5
    max_cost: int | None = None
    """Most upstream calls an operation may be estimated to make; None: no bound."""
    max_result_objects: int = 100_000
    """Most objects an answer may hold, list widths multiplied through the document."""
    introspection: bool = True
    """`__schema`, `__type` and the federation `_service` SDL may be queried."""
    suggestions: bool = True
    """Error messages may suggest names ("Did you mean …?")."""
    upstream_messages: bool = True
    """Upstream failures keep the platform's own message (error_disclosure.py)."""


DEFAULT_LIMITS = OperationLimits()
operation_limits: ContextVar[OperationLimits] = ContextVar(
    "operation_limits",
    default=DEFAULT_LIMITS,  # frozen: shared safely
)


def _refusal(message: str, limit: str, bound: int, found: int) -> GraphQLError:
    return GraphQLError(
        message,
        extensions={
            "code": "GRAPHQL_VALIDATION_FAILED",
            "limit": limit,
            "max": bound,
            "found": found,
        },
    )


def shape_refusal(shape: Shape, limits: OperationLimits) -> GraphQLError | None:
    """The first bound `shape` breaks, as the error to answer; None when it keeps them all."""
    if not limits.introspection and shape.schema_fields:
        names = ", ".join(sorted(shape.schema_fields))
        what = "the federation SDL" if shape.schema_fields == {SDL_FIELD} else "introspection"
        return GraphQLError(
            f"GraphQL introspection is not allowed here ({names}); {what} is turned off.",
            extensions={"code": "GRAPHQL_VALIDATION_FAILED", "limit": "introspection"},
        )
    checks = (
        ("depth", shape.depth, limits.max_depth, "Operation exceeds maximum operation depth"),
        ("aliases", shape.aliases, limits.max_aliases, "Too many aliases"),
        ("rootFields", shape.root_fields, limits.max_root_fields, "Too many root fields"),
        ("directives", shape.directives, limits.max_directives, "Too many directives"),
        (
            "directivesAtOnce",
            shape.directives_at_once,
            limits.max_directives_at_once,
            "Too many directives on one field or fragment",
        ),
        (
            "fieldRepeats",
            shape.repeats,
            limits.max_field_repeats,
            f"Field `{shape.repeated}` is selected too many times in one selection set",
        ),
    )
    for limit, found, bound, what in checks:
        if found > bound:
            return _refusal(f"{what}: {found}, at most {bound} allowed.", limit, bound, found)
    return None


class OperationLimitsExtension(SchemaExtension):
    def __init__(self) -> None:
        self._limits = OperationLimits()

    def on_operation(self) -> Iterator[None]:
        self._limits = operation_limits.get()
        self.execution_context.parse_options["max_tokens"] = self._limits.max_tokens
        yield
        result = self.execution_context.result
        if isinstance(result, ResultWithErrors) and result.errors:
            if not self._limits.suggestions:
                result.errors = [without_suggestions(error) for error in result.errors]
            if not self._limits.upstream_messages:
                result.errors = [without_upstream_text(error) for error in result.errors]

    def on_parse(self) -> Iterator[None]:
        yield
        context = self.execution_context
        if context.graphql_document is not None:
            shape = SHAPES.of(context.query, context.graphql_document)
            refusal = shape_refusal(shape, self._limits)
            if refusal is not None:
                raise refusal

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            objects = result_size(
                context.schema._schema,
                context.graphql_document,
                context.operation_name,
                context.variables,
            )
            most = self._limits.max_result_objects
            if objects > most:
                raise GraphQLError(
                    f"The answer could hold {objects} objects; at most {most} are allowed. "
                    "Ask for fewer items (`first`) or fewer nested lists.",
                    extensions={
                        "code": RESULT_TOO_LARGE,
                        "limit": "resultObjects",
                        "max": most,
                        "found": objects,
                    },
                )
        bound = self._limits.max_cost
        if bound is not None and context.graphql_document is not None:
            calls = estimate(
                context.schema._schema,
                context.graphql_document,
                context.operation_name,
                context.variables,
            )
            if calls > bound:
                raise GraphQLError(
                    f"The operation would make about {calls} upstream calls; at most {bound} "
                    "are allowed. Ask for fewer items (`first`) or fewer nested lists.",
                    extensions={
                        "code": QUERY_TOO_COMPLEX,
                        "cost": {"estimatedCalls": calls, "maxCalls": bound},
                    },
                )
        yield
