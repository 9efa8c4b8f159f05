"""Plain leaves without the per-field machinery: the execution context the schema runs with.

graphql-core executes every field the same way: a path, a `ResolveInfo`, the resolver, an
awaitable check, completion. For a page of 100 customers by 8 fields that is about a thousand
rounds of it, most of them for values that are just attributes of an object already in
memory, and it was the largest part of a list request's time (issue 11, BENCHMARKS.md).

`PlainLeavesExecution` takes a shorter road for exactly those fields and no others: a field
with no arguments and no directive on it, read from an attribute (no resolver of its own),
with no field extension but scope checks (resolvers/permissions.py) that this request's
caller passes, while no schema extension wraps resolvers. A scalar or enum is completed the
way graphql-core completes a leaf (`coerce_output_value`); an object, or a list of objects, is
completed the same way all the way down when every field selected below it is plain too (a
page's edges and their nodes), so nothing with effects of its own is skipped. Every other
field takes the ordinary road, in the order of the query.

Errors keep their ordinary shape: when a plain value is null where the schema says non-null,
does not coerce, or is an object of another type, the object is executed again the ordinary
way (reading attributes has no side effects), which reports the error with its path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple, cast

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetails
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from resolvers.permissions import RequiresScope
from resolvers.permissions import _principal as scope_holder

DEFINITION = "strawberry-definition"  # where strawberry keeps a field's own definition

# How to complete one plain field's value: a leaf's `coerce_output_value`, or an object
# type's plan (and whether the field holds a list of them).
Complete = Callable[[Any], Any]


class _Object(NamedTuple):
    type: GraphQLObjectType
    plan: Plan
    is_list: bool
    items_nullable: bool


class Entry(NamedTuple):
    """A plain field: its response name, how to read it, how to complete it, nullable."""

    name: str
    read: Callable[[Any], Any]
    complete: Complete | _Object
    nullable: bool


class Plan(NamedTuple):
    entries: tuple[Entry | None, ...]  # in the query's order; None takes the ordinary road
    any_plain: bool
    all_plain: bool


class _NotPlain(Exception):
    """A plain value the ordinary road must report on (a null where the schema forbids one,
    a value that does not coerce, an object of another type)."""


class PlainLeavesExecution(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        self._shortcut = manager is None or not getattr(manager, "_middleware_resolvers", None)
        self._plans: dict[int, tuple[object, Plan]] = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        plan = self._plan(parent_type, grouped_field_set) if self._shortcut else None
        if plan is None or not plan.any_plain:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        try:
            results = _run(plan, source_value, only_plain=True)
        except Exception:  # reported by the ordinary road, with its path (reads are pure)
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        if plan.all_plain:
            return results
        rest = {
            name: details
            for entry, (name, details) in zip(plan.entries, grouped_field_set.items(), strict=True)
            if entry is None
        }
        others = super().execute_fields(parent_type, source_value, path, rest, position_context)
        order = list(grouped_field_set)
        if self.is_awaitable(others):
            return self._joined(order, results, others)
        done = cast("dict[str, Any]", others)
        return {name: (results[name] if name in results else done[name]) for name in order}

    @staticmethod
    async def _joined(
        order: list[str], plain: dict[str, Any], others: Awaitable[dict[str, Any]]
    ) -> dict[str, Any]:
        rest = await others
        return {name: (plain[name] if name in plain else rest[name]) for name in order}

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Plan:
        """Which fields of this selection are plain; made once per selection and request
        (graphql-core hands every object of a list the same grouped field set)."""
        cached = self._plans.get(id(grouped_field_set))
        if cached is not None and cached[0] is grouped_field_set:
            return cached[1]
        entries = tuple(
            self._entry(parent_type, name, details) for name, details in grouped_field_set.items()
        )
        plan = Plan(
            entries,
            any(entry is not None for entry in entries),
            all(entry is not None for entry in entries),
        )
        self._plans[id(grouped_field_set)] = (grouped_field_set, plan)  # kept alive: id stays
        return plan

    def _entry(
        self, parent_type: GraphQLObjectType, name: str, details: list[FieldDetails]
    ) -> Entry | None:
        found = _leaf(parent_type, name, details, self.context_value)
        if found is None:
            return None
        read, field_type, nullable = found
        if isinstance(field_type, GraphQLScalarType | GraphQLEnumType):
            return Entry(name, read, field_type.coerce_output_value, nullable)
        is_list = isinstance(field_type, GraphQLList)
        item = field_type.of_type if is_list else field_type
        items_nullable = not isinstance(item, GraphQLNonNull)
        item = item.of_type if isinstance(item, GraphQLNonNull) else item
        if not isinstance(item, GraphQLObjectType):
            return None
        collected = self.collect_subfields(item, details)
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            return None
        sub = self._plan(item, collected.grouped_field_set)
        if not sub.all_plain:  # a resolver below: the ordinary road, with its own effects
            return None
        return Entry(name, read, _Object(item, sub, is_list, items_nullable), nullable)


def _run(plan: Plan, source: Any, *, only_plain: bool = False) -> dict[str, Any]:
    """The plain fields of `plan` for `source`; raises when the ordinary road must answer."""
    results: dict[str, Any] = {}
    for entry in plan.entries:
        if entry is None:
            if only_plain:
                continue
            raise _NotPlain
        value = entry.read(source)
        if value is None:
            if not entry.nullable:
                raise _NotPlain
            results[entry.name] = None
        elif isinstance(entry.complete, _Object):
            results[entry.name] = _objects(entry.complete, value)
        else:
            completed = entry.complete(value)
            if completed is None or completed is Undefined:
                raise _NotPlain
            results[entry.name] = completed
    return results


def _objects(shape: _Object, value: Any) -> Any:
    if not shape.is_list:
        return _object(shape, value)
    if not isinstance(value, list | tuple):
        raise _NotPlain
    out: list[Any] = []
    for item in value:
        if item is None:
            if not shape.items_nullable:
                raise _NotPlain
            out.append(None)
        else:
            out.append(_object(shape, item))
    return out


def _object(shape: _Object, value: Any) -> dict[str, Any]:
    check = shape.type.is_type_of
    if check is not None and check(value, None) is not True:  # type: ignore[arg-type]
        raise _NotPlain
    return _run(shape.plan, value)


def _leaf(
    parent_type: GraphQLObjectType, name: str, details: list[FieldDetails], context: Any
) -> tuple[Callable[[Any], Any], Any, bool] | None:
    """How to read a plain field (an attribute: no arguments, no directive, no resolver of
    its own, no field extension but scope checks the caller passes), its type without the
    outer non-null, and whether it is nullable; None for any other field."""
    node = details[0].node
    field = parent_type.fields.get(node.name.value)
    if field is None or field.args or any(d.node.directives or d.node.arguments for d in details):
        return None
    nullable = not isinstance(field.type, GraphQLNonNull)
    field_type = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    definition = field.extensions.get(DEFINITION)
    if not isinstance(definition, StrawberryField) or definition.base_resolver is not None:
        return None
    if type(definition).get_result is not StrawberryField.get_result:
        return None
    if not definition.extensions and getattr(field.resolve, "_is_default", False):
        return field.resolve, field_type, nullable  # a basic field
    if not _granted(definition.extensions, context):
        return None
    attribute, read = definition.python_name, definition.default_resolver
    return (lambda source: read(source, attribute)), field_type, nullable


def _granted(extensions: list[Any], context: Any) -> bool:
    """Whether a field's extensions are only scope checks (resolvers/permissions.py) that this
    request's caller passes. A scope check depends on the caller alone, so one answer holds
    for every object of the request; a caller who lacks the scope takes the ordinary road and
    gets its FORBIDDEN error there."""
    principal = scope_holder(context)
    return all(type(e) is RequiresScope and principal.has(e.scope) for e in extensions)
