"""The shape of a parsed document, measured in one walk before validation runs.

What is measured is what an abusive document inflates: nesting depth, aliases, root fields,
directives, the same field repeated in one selection set, and whether it asks for the schema
(`__schema`, `__type`, or the federation SDL `_service`). It runs before graphql-core's
validation because some of those rules cost O(n²) in exactly these numbers (overlapping-field
checks over 5,000 copies of `__typename`), so the limits must refuse first.

Fragments are measured once each (memoized), so a document that spreads a fragment that
spreads another many times costs linear time, and a fragment cycle (which validation would
refuse) counts as depth 0 instead of looping.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableDefinitionNode,
    Visitor,
    visit,
)

SCHEMA_FIELDS = frozenset({"__schema", "__type"})
SDL_FIELD = "_service"  # Apollo Federation's `_service { sdl }`: the whole schema as text


@dataclass
class Shape:
    depth: int = 0
    """The most fields nested in one another (a root field alone is 1; introspection's
    `__schema`/`__type` count 1, their inside is bounded by graphql-core's own rule)."""
    aliases: int = 0
    """Aliases written anywhere in the document."""
    root_fields: int = 0
    """Fields one operation selects at its root, fragments expanded (the largest operation)."""
    directives: int = 0
    """Directives written anywhere in the document (known or not)."""
    directives_at_once: int = 0
    """The most directives written on one field, fragment or operation."""
    repeats: int = 0
    """The most times one response name appears in one selection set."""
    repeated: str | None = None
    """That response name."""
    schema_fields: set[str] = field(default_factory=set)
    """`__schema`, `__type` or `_service`, where selected."""


_Directed = (
    FieldNode
    | FragmentSpreadNode
    | InlineFragmentNode
    | OperationDefinitionNode
    | FragmentDefinitionNode
    | VariableDefinitionNode
)


class _Counts(Visitor):
    """The syntactic counts: aliases, directives, repeats, schema fields."""

    def __init__(self, shape: Shape) -> None:
        super().__init__()
        self.shape = shape

    def _directives(self, node: _Directed, *_: object) -> None:
        self.shape.directives_at_once = max(
            self.shape.directives_at_once, len(node.directives or ())
        )

    enter_operation_definition = enter_fragment_definition = _directives
    enter_inline_fragment = enter_fragment_spread = enter_variable_definition = _directives

    def enter_field(self, node: FieldNode, *_: object) -> None:
        self._directives(node)
        if node.alias is not None:
            self.shape.aliases += 1
        if node.name.value in SCHEMA_FIELDS or node.name.value == SDL_FIELD:
            self.shape.schema_fields.add(node.name.value)  # also inside (inline) fragments

    def enter_directive(self, node: DirectiveNode, *_: object) -> None:
        self.shape.directives += 1

    def enter_selection_set(self, node: SelectionSetNode, *_: object) -> None:
        names = Counter(
            (selection.alias or selection.name).value
            for selection in node.selections
            if isinstance(selection, FieldNode)
        )
        if names:
            name, count = names.most_common(1)[0]
            if count > self.shape.repeats:
                self.shape.repeats, self.shape.repeated = count, name


class _Expanded:
    """Depth and root fields, following fragment spreads (each fragment measured once)."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self._fragments = fragments
        self._depths: dict[str, int] = {}
        self._widths: dict[str, int] = {}
        self._open: set[tuple[str, int]] = set()

    def depth(self, selections: SelectionSetNode | None) -> int:
        deepest = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                inner = selection.selection_set
                # Introspection nests `ofType` deep by design; graphql-core's
                # MaxIntrospectionDepthRule bounds it instead.
                found = 1 + (0 if selection.name.value.startswith("__") else self.depth(inner))
            elif isinstance(selection, InlineFragmentNode):
                found = self.depth(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                found = self._fragment(selection, self._depths, self.depth)
            else:
                found = 0
            deepest = max(deepest, found)
        return deepest

    def width(self, selections: SelectionSetNode | None) -> int:
        total = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                total += 1
            elif isinstance(selection, InlineFragmentNode):
                total += self.width(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection, self._widths, self.width)
        return total

    def _fragment(
        self,
        spread: FragmentSpreadNode,
        memo: dict[str, int],
        measure: Callable[[SelectionSetNode | None], int],
    ) -> int:
        name = spread.name.value
        if name in memo:
            return memo[name]
        definition = self._fragments.get(name)
        if definition is None or (name, id(memo)) in self._open:
            return 0  # unknown or cyclic: validation reports it
        self._open.add((name, id(memo)))
        memo[name] = measure(definition.selection_set)
        self._open.discard((name, id(memo)))
        return memo[name]


class Shapes:
    """The shapes of the last `size` query texts: a client repeats its few documents, and the
    parser cache hands back the same document for the same text, so the walk runs once each."""

    def __init__(self, size: int = 1000) -> None:
        self._size = size
        self._shapes: OrderedDict[str, Shape] = OrderedDict()

    def of(self, text: str | None, document: DocumentNode) -> Shape:
        if not text:
            return measure(document)
        shape = self._shapes.get(text)
        if shape is None:
            shape = self._shapes[text] = measure(document)
            if len(self._shapes) > self._size:
                self._shapes.popitem(last=False)
        else:
            self._shapes.move_to_end(text)
        return shape


SHAPES = Shapes()


def measure(document: DocumentNode) -> Shape:
    """The document's shape; linear in its size."""
    shape = Shape()
    visit(document, _Counts(shape))
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    expanded = _Expanded(fragments)
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            shape.depth = max(shape.depth, expanded.depth(definition.selection_set))
            shape.root_fields = max(shape.root_fields, expanded.width(definition.selection_set))
    return shape
