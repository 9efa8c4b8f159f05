"""How many objects an operation's answer can hold, counted before it runs.

Depth and cost bounds do not see it: `customer { company { customers(first: 100) { company {
customers(first: 100) { … } } } } }` is 12 deep and costs a few batched calls, yet its answer
holds 100^n objects, and building them takes every other request's time and gigabytes of
memory. So the widths of the lists are multiplied through the document, as GitHub's node limit
does: a list field holds its `first` objects (the value written, else the variable's value,
else the variable's declared default, else the field's default), a connection's `edges` the
connection's `first`, a list without `first` the most its table below allows (a list of
platforms: as many as are registered), and each of those objects holds what its selection set
selects. Scalars cost nothing; they are bounded by the objects that hold them.

Fragments are counted once each for a given width (memoized), so a fragment bomb costs linear
time here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast_untyped,
)

from hub.capabilities import Capability, with_capability

PLATFORMS = len(with_capability(Capability.CUSTOMERS))  # every registered platform
UNKNOWN_WIDTH = 100
"""A list the table does not name: as wide as the widest `first` allows."""

WIDTHS: dict[tuple[str, str], int] = {
    ("Query", "integrations"): PLATFORMS,
    ("UpsertCustomerPayload", "results"): PLATFORMS,
    ("Customer", "sources"): PLATFORMS + 1,  # Salesforce: a Contact and a Lead
    ("Company", "sources"): PLATFORMS,
    ("Deal", "sources"): PLATFORMS,
    ("Customer", "fieldSources"): 20,  # one per merged field
}
"""The most objects a list without `first` holds."""

CONNECTION_LISTS = frozenset({"edges", "nodes"})
"""A connection's lists, as wide as the connection's `first`."""


def declared_defaults(operation: OperationDefinitionNode) -> dict[str, object]:
    """Each variable's declared default (`query($n: Int = 100)`), where it has one."""
    return {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        for definition in operation.variable_definitions or ()
        if definition.default_value is not None
    }


@dataclass(frozen=True)
class ChosenOperation:
    """What a count over one operation of a document starts from."""

    operation: OperationDefinitionNode
    root: GraphQLObjectType
    fragments: dict[str, FragmentDefinitionNode]
    variables: dict[str, object]
    """The values sent over the declared defaults."""


def chosen_operation(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, object] | None,
) -> ChosenOperation | None:
    """The operation `operation_name` names in `document` (without a name, the first one:
    graphql-core's `get_operation_ast` would give None for several unnamed operations), with
    its root type, the document's fragments and its variables; None when there is none.
    Shared by the result-size count and the cost estimate (operation_cost.py)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    if not chosen:
        return None
    operation = chosen[0]
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    given = {**declared_defaults(operation), **(variables or {})}
    return ChosenOperation(operation, root, fragments, given)


def argument_value(
    definition: GraphQLField,
    node: FieldNode,
    name: str,
    variables: Mapping[str, object],
) -> object:
    """The value `name` will have when the field runs: as written, else from the variable
    (`variables` holds the declared defaults under the values sent), else the field's
    default. A null means the default, as the resolvers read it."""
    argument = definition.args.get(name)
    default = argument.default_value if argument is not None else None
    for given in node.arguments or ():
        if given.name.value == name:
            value = _value(given.value, variables)
            return default if value is None else value
    return default


def _value(node: ValueNode, variables: Mapping[str, object]) -> object:
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, ListValueNode):
        return [_value(item, variables) for item in node.values]
    return value_from_ast_untyped(node)


def width_of(value: object) -> int | None:
    """A `first` as a width: a non-negative integer, else unknown."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _Count:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Mapping[str, object],
    ) -> None:
        self._schema = schema
        self._fragments = fragments
        self._variables = variables
        self._memo: dict[tuple[str, int], int] = {}
        self._open: set[str] = set()

    def selection_set(
        self, parent: GraphQLNamedType, selections: SelectionSetNode, first: int
    ) -> int:
        """Objects one `parent` object holds through `selections`; `first`: the connection's
        width, when `parent` is a connection."""
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection, first)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self._schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(inner or parent, selection.selection_set, first)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, first)
        return total

    def fragment(self, name: str, first: int) -> int:
        key = (name, first)
        if key in self._memo:
            return self._memo[key]
        definition = self._fragments.get(name)
        if definition is None or name in self._open:
            return 0
        self._open.add(name)
        condition = self._schema.get_type(definition.type_condition.name.value)
        found = self.selection_set(condition, definition.selection_set, first) if condition else 0
        self._open.discard(name)
        self._memo[key] = found
        return found

    def field(self, parent: GraphQLNamedType, node: FieldNode, first: int) -> int:
        if node.selection_set is None:
            return 0  # a scalar, or a list of them
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 0
        own = width_of(argument_value(definition, node, "first", self._variables))
        inner = self.selection_set(
            get_named_type(definition.type), node.selection_set, own if own is not None else 1
        )
        if not is_list_type(get_nullable_type(definition.type)):
            return 1 + inner
        return self._width(parent, node, definition, own, first) * (1 + inner)

    def _width(
        self,
        parent: GraphQLNamedType,
        node: FieldNode,
        definition: GraphQLField,
        own: int | None,
        first: int,
    ) -> int:
        name = node.name.value
        if own is not None:
            return max(own, 0)
        if name in CONNECTION_LISTS and parent.name.endswith("Connection"):
            return first
        if "representations" in definition.args:  # Apollo Federation's `_entities`
            given = argument_value(definition, node, "representations", self._variables)
            return len(given) if isinstance(given, list) else UNKNOWN_WIDTH
        return WIDTHS.get((parent.name, name), UNKNOWN_WIDTH)


def result_size(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, object] | None,
) -> int:
    """The most objects the answer to operation `operation_name` of `document` can hold."""
    found = chosen_operation(schema, document, operation_name, variables)
    if found is None:
        return 0
    count = _Count(schema, found.fragments, found.variables)
    return count.selection_set(found.root, found.operation.selection_set, 1)
