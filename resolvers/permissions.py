"""Scopes on the schema: which field needs which scope, checked per field and per mutation.

A field marked `extensions=needs(READ_PII)` resolves to null for a caller without the scope,
with a FORBIDDEN error at its path naming the scope (`extensions.scope`); where the schema
promises a non-null value (Customer.email), the null reaches the nearest nullable parent, as
GraphQL requires.

Mutations are refused whole: `RootScopes` looks at every root field of a mutation before
anything runs, and one missing scope answers FORBIDDEN with no data and no side effect — not
even the mutations before it in the document, which serial execution would otherwise run.
Subscriptions are checked per field when they start (docs/adr/0050-client-auth.md).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from graphql import ExecutionResult as GraphQLResult
from graphql.utilities import get_operation_ast
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver, SyncExtensionResolver
from strawberry.types import Info

from access.principal import INTERNAL, Principal
from access.scopes import READ_CUSTOMERS

DEFINITION = "strawberry-definition"  # where Strawberry keeps a field's own definition


def forbidden(scopes: list[str], what: str, info: Info | None = None) -> GraphQLError:
    """FORBIDDEN, naming the missing scopes; at the field's path when `info` says which."""
    needed = ", ".join(scopes)
    return GraphQLError(
        f"{what} needs the scope {needed}, which this client does not hold",
        nodes=info._raw_info.field_nodes if info is not None else None,
        path=info.path.as_list() if info is not None else None,
        extensions={"code": "FORBIDDEN", "scope": needed, "scopes": scopes},
    )


class RequiresScope(FieldExtension):
    """The field resolves only for a caller holding `scope`; for anyone else it is null with
    a FORBIDDEN error at its path. (Strawberry's PermissionExtension raises its error without
    a path, which the error masking then cannot place; this one is located.)"""

    def __init__(self, scope: str) -> None:
        self.scope = scope

    def _check(self, info: Info) -> None:
        if not _principal(info.context).has(self.scope):
            raise forbidden([self.scope], f"`{info.field_name}`", info)

    def resolve(self, next_: SyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        self._check(info)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        self._check(info)
        result = next_(source, info, **kwargs)
        return result if inspect.isasyncgen(result) else await result


def needs(scope: str) -> list[FieldExtension]:
    """The field extensions that require `scope` of the caller."""
    return [RequiresScope(scope)]


def scopes_of(field: object) -> list[str]:
    """The scopes a GraphQL field's definition requires."""
    definition = getattr(field, "extensions", {}).get(DEFINITION)
    extensions = getattr(definition, "extensions", None) or ()
    return [extension.scope for extension in extensions if isinstance(extension, RequiresScope)]


GENERATED_ROOTS: dict[str, list[str]] = {"_entities": [READ_CUSTOMERS]}
"""Root fields Strawberry generates (Apollo Federation), which cannot carry a field extension:
`_entities` hands out customers and companies by key, so it needs what `customer` needs."""


class RootScopes(SchemaExtension):
    """Before anything runs: refuses a mutation when any of its root fields needs a scope the
    caller lacks, and a query selecting a generated root field (`_entities`) without its
    scope."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            operation = get_operation_ast(document, context.operation_name)
            if operation is not None and operation.operation is not OperationType.SUBSCRIPTION:
                missing = self._missing(document, operation, _principal(context.context))
                if missing:
                    what = f"this {operation.operation.value}"
                    context.result = GraphQLResult(data=None, errors=[forbidden(missing, what)])
        yield

    def _missing(
        self, document: DocumentNode, operation: OperationDefinitionNode, principal: Principal
    ) -> list[str]:
        schema = self.execution_context.schema._schema
        is_mutation = operation.operation is OperationType.MUTATION
        root: GraphQLObjectType | None = schema.mutation_type if is_mutation else schema.query_type
        if root is None:
            return []
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        needed: set[str] = set()
        for name in _root_fields(operation.selection_set, fragments, set()):
            field = root.fields.get(name)
            if name in GENERATED_ROOTS:
                needed.update(GENERATED_ROOTS[name])
            elif field is not None and is_mutation:
                needed.update(scopes_of(field))
        return sorted(scope for scope in needed if not principal.has(scope))


def _root_fields(
    selections: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    seen: set[str],
) -> Iterator[str]:
    """The names of the fields an operation selects at its root, through fragments."""
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _root_fields(fragment.selection_set, fragments, seen)


def _principal(context: object) -> Principal:
    found = getattr(context, "principal", INTERNAL)
    return found if isinstance(found, Principal) else INTERNAL
