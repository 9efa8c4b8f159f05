"""What an operation will cost the platforms behind the graph, estimated before it runs.

The unit is one upstream call. DataLoaders batch each level of the graph into one call per
platform (docs/adr/0001-dataloader.md, pinned by tests/resolvers/test_upstream_calls.py), so a
field that reads through a batching loader costs its calls once per place it is written, however
many parents it has: `customers(first: 100) { edges { node { company { name } } } }` asks
HubSpot and Salesforce for companies once each, not a hundred times. A field whose platform has
no batch read (Mailchimp's members, behind `engagement`) costs one call per parent instead,
so it is multiplied by every enclosing list's `first`.

The figures are upper bounds with every platform connected; fields not listed cost nothing
(they are answered from what their parent already read, or from the gateway's own store).
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
    SelectionSetNode,
    get_named_type,
)

from resolvers.extensions.result_size import PLATFORMS, argument_value, chosen_operation, width_of

BATCHED: dict[tuple[str, str], int] = {
    ("Query", "customer"): PLATFORMS + 1,  # Salesforce reads contacts and leads
    ("Query", "customers"): PLATFORMS + 2,  # the page of the index, then each platform
    ("Query", "node"): PLATFORMS + 1,
    ("Query", "_entities"): PLATFORMS + 1,
    ("Query", "company"): 2,  # HubSpot and Salesforce
    ("Query", "campaigns"): 2,  # Mailchimp and Marketo
    ("Customer", "company"): 3,  # HubSpot's association and company reads, Salesforce's
    # HubSpot's association and deal reads, Salesforce's Contacts' Accounts and their
    # Opportunities (and, once per process, Opportunity's describe: whether the org is
    # multi-currency). The Accounts lookup is shared with `company` only when both batches
    # ask at once, which a store read before them does not promise (hub/graph_people.py).
    ("Customer", "deals"): 5,
    ("Customer", "orders"): 1,  # Shopify, every customer's orders in one query
    ("Customer", "events"): 3,
    ("Company", "customers"): PLATFORMS + 3,  # the company's people, then each platform
    ("Company", "deals"): 4,  # as Customer.deals, without the Accounts lookup
    ("Deal", "company"): 3,
    ("Order", "campaign"): 2,
    ("BehavioralEvent", "campaign"): 2,
    ("Campaign", "attributedOrders"): 1,
    ("Campaign", "attributedRevenue"): 1,
    ("UpsertCustomerPayload", "customer"): PLATFORMS + 1,
    ("Mutation", "upsertCustomer"): PLATFORMS,  # one write per target platform
    ("Mutation", "triggerSync"): PLATFORMS,
    ("Mutation", "replayDeadLetter"): 1,
}
"""Calls per place the field is written, whatever the number of parents."""

PER_PARENT: dict[tuple[str, str], int] = {
    ("Customer", "engagement"): 1,  # Mailchimp: one member read per customer
}
"""Calls per parent object."""


@dataclass(frozen=True)
class Cost:
    batched: int = 0
    per_parent: int = 0
    """Calls for each object the selection set is selected on."""

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.batched + other.batched, self.per_parent + other.per_parent)


class _Estimate:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Mapping[str, object],
    ) -> None:
        self._schema = schema
        self._fragments = fragments
        self._variables = variables
        self._memo: dict[str, Cost] = {}
        self._open: set[str] = set()

    def selection_set(self, parent: GraphQLNamedType, selections: SelectionSetNode) -> Cost:
        total = Cost()
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self._schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(inner or parent, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return total

    def fragment(self, name: str) -> Cost:
        if name in self._memo:
            return self._memo[name]
        definition = self._fragments.get(name)
        if definition is None or name in self._open:
            return Cost()
        self._open.add(name)
        condition = self._schema.get_type(definition.type_condition.name.value)
        found = self.selection_set(condition, definition.selection_set) if condition else Cost()
        self._open.discard(name)
        self._memo[name] = found
        return found

    def field(self, parent: GraphQLNamedType, node: FieldNode) -> Cost:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return Cost()
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return Cost()
        key = (parent.name, node.name.value)
        inner = Cost()
        if node.selection_set is not None:
            inner = self.selection_set(get_named_type(definition.type), node.selection_set)
        items = self._first(definition, node)
        return Cost(
            BATCHED.get(key, 0) + inner.batched,
            PER_PARENT.get(key, 0) + items * inner.per_parent,
        )

    def _first(self, definition: GraphQLField, node: FieldNode) -> int:
        """How many objects the field returns at most: its `first`, else one."""
        if "first" not in definition.args:
            return 1
        value = width_of(argument_value(definition, node, "first", self._variables))
        return max(value, 1) if value is not None else 1


def estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, object] | None,
) -> int:
    """Upstream calls the operation `operation_name` of `document` may make."""
    found = chosen_operation(schema, document, operation_name, variables)
    if found is None:
        return 0
    estimate = _Estimate(schema, found.fragments, found.variables)
    cost = estimate.selection_set(found.root, found.operation.selection_set)
    return cost.batched + cost.per_parent
