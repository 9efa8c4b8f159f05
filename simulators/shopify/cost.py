"""Shopify's calculated query cost and the leaky bucket it drains.

Requested cost, before execution: a scalar or enum costs 0, an object 1, a connection 2 plus
`first` (or `last`) times the cost of one of its items (1 plus what the item selects), and a
mutation field 10. Actual cost, after execution: the same walk over what was returned, so a
short page costs less; the difference is refunded. The bucket (2000 points, 100 a second on
the injected monotonic clock) is per app; a query costing more than 1000 is refused outright.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values

from simulators.core.clock import Clock

MAXIMUM_AVAILABLE = 2000
RESTORE_RATE = 100
MAX_QUERY_COST = 1000
MUTATION_COST = 10


class QueryCost:
    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: VariableValues
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def _fields(self, selection_set: SelectionSetNode | None) -> Iterator[FieldNode]:
        for node, _ in self._typed_fields(selection_set, None):
            yield node

    def _typed_fields(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> Iterator[tuple[FieldNode, GraphQLNamedType | None]]:
        """Each field selected with the type it is selected on (a fragment's type condition
        narrows an interface, as `node(id:) { ... on Customer { … } }` does)."""
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                yield from self._typed_fields(
                    selection.selection_set, self._narrowed(selection, parent)
                )
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    yield from self._typed_fields(
                        fragment.selection_set, self._narrowed(fragment, parent)
                    )

    def _narrowed(
        self,
        fragment: InlineFragmentNode | FragmentDefinitionNode,
        parent: GraphQLNamedType | None,
    ) -> GraphQLNamedType | None:
        condition = fragment.type_condition
        return parent if condition is None else self.schema.get_type(condition.name.value)

    def _children(
        self,
        parent: GraphQLObjectType | GraphQLInterfaceType,
        selection_set: SelectionSetNode | None,
    ) -> Iterator[tuple[FieldNode, GraphQLObjectType | GraphQLInterfaceType]]:
        """The object-typed fields selected (scalars, enums and `__` fields cost nothing)."""
        for node, on in self._typed_fields(selection_set, parent):
            holder = on if isinstance(on, GraphQLObjectType | GraphQLInterfaceType) else parent
            definition = holder.fields.get(node.name.value)
            named = None if definition is None else get_named_type(definition.type)
            if isinstance(named, GraphQLObjectType | GraphQLInterfaceType) and not (
                node.name.value.startswith("__")
            ):
                yield node, named

    def _items(
        self, node: FieldNode, connection: GraphQLObjectType | GraphQLInterfaceType
    ) -> Iterator[tuple[list[str], FieldNode, GraphQLObjectType | GraphQLInterfaceType]]:
        """(path inside the connection, field node, item type) of `nodes` and `edges.node`."""
        for child, child_type in self._children(connection, node.selection_set):
            key = (child.alias or child.name).value
            if child.name.value == "nodes":
                yield [key], child, child_type
            elif child.name.value == "edges":
                for grand, grand_type in self._children(child_type, child.selection_set):
                    if grand.name.value == "node":
                        yield [key, (grand.alias or grand.name).value], grand, grand_type

    def requested(self, operation: OperationDefinitionNode) -> int:
        if operation.operation == OperationType.MUTATION:
            return MUTATION_COST * sum(
                1
                for f in self._fields(operation.selection_set)
                if not f.name.value.startswith("__")
            )
        root = self.schema.query_type
        return 0 if root is None else self._requested(root, operation.selection_set)

    def _requested(
        self,
        parent: GraphQLObjectType | GraphQLInterfaceType,
        selection_set: SelectionSetNode | None,
    ) -> int:
        total = 0
        for node, named in self._children(parent, selection_set):
            if named.name.endswith("Connection"):
                args = get_argument_values(parent.fields[node.name.value], node, self.variables)
                count = args.get("first") or args.get("last") or 0
                per_item = max(
                    (
                        1 + self._requested(t, n.selection_set)
                        for _, n, t in self._items(node, named)
                    ),
                    default=0,
                )
                total += 2 + count * per_item
            else:
                total += 1 + self._requested(named, node.selection_set)
        return total

    def actual(self, operation: OperationDefinitionNode, data: Mapping[str, Any] | None) -> int:
        if operation.operation == OperationType.MUTATION:
            return self.requested(operation)
        root = self.schema.query_type
        return (
            0 if root is None or data is None else self._actual(root, operation.selection_set, data)
        )

    def _actual(
        self,
        parent: GraphQLObjectType | GraphQLInterfaceType,
        selection_set: SelectionSetNode | None,
        data: Any,
    ) -> int:
        if isinstance(data, list):
            return sum(self._actual(parent, selection_set, item) for item in data)
        if not isinstance(data, Mapping):
            return 0
        total = 0
        for node, named in self._children(parent, selection_set):
            value = data.get((node.alias or node.name).value)
            if value is None:
                continue
            if named.name.endswith("Connection"):
                costs = [0]
                for path, item_node, item_type in self._items(node, named):
                    items = _follow(value, path)
                    costs.append(
                        sum(1 + self._actual(item_type, item_node.selection_set, i) for i in items)
                    )
                total += 2 + max(costs)
            else:
                total += (len(value) if isinstance(value, list) else 1) + self._actual(
                    named, node.selection_set, value
                )
        return total


def _follow(value: Any, path: list[str]) -> list[Any]:
    items = value.get(path[0]) if isinstance(value, Mapping) else None
    if not isinstance(items, list):
        return []
    if len(path) == 1:
        return items
    return [i.get(path[1]) for i in items if isinstance(i, Mapping) and i.get(path[1]) is not None]


class CostBucket:
    """Per key: `MAXIMUM_AVAILABLE` points, refilled at `RESTORE_RATE` a second."""

    def __init__(self, clock: Clock, *, enforce: bool) -> None:
        self.clock = clock
        self.enforce = enforce
        self._level: dict[str, tuple[float, float]] = {}  # key -> (points, at monotonic)

    def available(self, key: str) -> float:
        points, at = self._level.get(key, (MAXIMUM_AVAILABLE, self.clock.monotonic()))
        elapsed = self.clock.monotonic() - at
        return min(float(MAXIMUM_AVAILABLE), points + elapsed * RESTORE_RATE)

    def take(self, key: str, cost: int) -> bool:
        """Spend `cost` if the bucket holds it; with limits off, never refuse nor spend."""
        if not self.enforce:
            return True
        available = self.available(key)
        if cost > available:
            return False
        self._level[key] = (available - cost, self.clock.monotonic())
        return True

    def refund(self, key: str, points: int) -> None:
        if self.enforce and points > 0:
            available = self.available(key)
            self._level[key] = (min(MAXIMUM_AVAILABLE, available + points), self.clock.monotonic())

    def status(self, key: str) -> dict[str, Any]:
        return {
            "maximumAvailable": float(MAXIMUM_AVAILABLE),
            "currentlyAvailable": int(self.available(key)),
            "restoreRate": float(RESTORE_RATE),
        }

    def reset(self) -> None:
        self._level.clear()
