"""The served schema: Shopify's official Admin GraphQL 2025-01 introspection, whole.

Introspection answers exactly what Shopify's does, so a client that validates against the
served schema (gql's `fetch_schema_from_transport`) accepts what the real API accepts. The
simulator resolves a part of it, `SERVED`: a query that validates but selects a field or passes
an argument outside that part is answered with one `NOT_SIMULATED` error per such field and no
data (`not_served`), never with made-up nulls. The official schema breaks one graphql-core
rule (deprecations on interface fields), so it is built with `assume_valid`. The vendored spec
is `spec/admin_schema_2025-01.json.gz` (ISC licence, `spec/LICENSE`).
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_client_schema,
    get_location,
    visit,
)

SPEC = Path(__file__).parent / "spec" / "admin_schema_2025-01.json.gz"
API_VERSION = "2025-01"
_PAGING = ("first", "after", "last", "before", "reverse", "sortKey", "query")
_PAGING_NESTED = ("first", "after", "last", "before", "reverse", "sortKey")


def _plain(names: str) -> dict[str, tuple[str, ...]]:
    """Fields served without arguments."""
    return dict.fromkeys(names.split(), ())


# type -> field -> the arguments served (a field absent here is not served).
SERVED: dict[str, dict[str, tuple[str, ...]]] = {
    "QueryRoot": {
        "customers": _PAGING,
        "customer": ("id",),
        "customerByIdentifier": ("identifier",),
        "customersCount": ("query",),
        "orders": _PAGING,
        "order": ("id",),
        "abandonedCheckouts": _PAGING,
        "currentBulkOperation": ("type",),
        "node": ("id",),
        "shop": (),
    },
    "Mutation": {
        "customerCreate": ("input",),
        "customerUpdate": ("input",),
        "customerEmailMarketingConsentUpdate": ("input",),
        "bulkOperationRunQuery": ("query",),
        "bulkOperationCancel": ("id",),
    },
    "BulkOperation": _plain(
        "id type status errorCode createdAt completedAt objectCount rootObjectCount fileSize "
        "url partialDataUrl query"
    ),
    "BulkOperationRunQueryPayload": _plain("bulkOperation userErrors"),
    "BulkOperationCancelPayload": _plain("bulkOperation userErrors"),
    "BulkOperationUserError": _plain("code field message"),
    "Customer": {
        **_plain(
            "id email firstName lastName displayName phone note tags state verifiedEmail "
            "createdAt updatedAt amountSpent numberOfOrders emailMarketingConsent"
        ),
        "orders": _PAGING_NESTED,
    },
    "CustomerEmailMarketingConsentState": _plain(
        "marketingState marketingOptInLevel consentUpdatedAt"
    ),
    "Order": _plain(
        "id name email createdAt updatedAt processedAt displayFinancialStatus totalPriceSet "
        "customer customerJourneySummary"
    ),
    "CustomerJourneySummary": _plain("firstVisit lastVisit ready"),
    "CustomerVisit": _plain("id occurredAt source landingPage referrerUrl utmParameters"),
    "UTMParameters": _plain("campaign source medium content term"),
    "AbandonedCheckout": _plain(
        "id createdAt updatedAt completedAt abandonedCheckoutUrl totalPriceSet customer"
    ),
    "Node": _plain("id"),
    "Shop": _plain(
        "id name email contactEmail myshopifyDomain currencyCode ianaTimezone "
        "timezoneAbbreviation createdAt url"
    ),
    "MoneyBag": _plain("shopMoney presentmentMoney"),
    "MoneyV2": _plain("amount currencyCode"),
    "PageInfo": _plain("hasNextPage hasPreviousPage startCursor endCursor"),
    "Count": _plain("count precision"),
    "CustomerCreatePayload": _plain("customer userErrors"),
    "CustomerUpdatePayload": _plain("customer userErrors"),
    "CustomerEmailMarketingConsentUpdatePayload": _plain("customer userErrors"),
    "CustomerEmailMarketingConsentUpdateUserError": _plain("code field message"),
    "UserError": _plain("field message"),
    **{
        f"{n}Connection": _plain("edges nodes pageInfo")
        for n in ("Customer", "Order", "AbandonedCheckout")
    },
    **{f"{n}Edge": _plain("cursor node") for n in ("Customer", "Order", "AbandonedCheckout")},
}


@cache
def official_introspection() -> dict[str, Any]:
    """The `__schema` object of the official 2025-01 introspection."""
    with gzip.open(SPEC, "rt", encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)["data"]["__schema"]
    return schema


def not_served(schema: GraphQLSchema, document: DocumentNode) -> list[dict[str, Any]]:
    """One error for each field selected, or argument passed, that the official schema has
    and this simulator does not resolve (introspection fields are always served)."""
    info = TypeInfo(schema)
    errors: list[dict[str, Any]] = []

    class Served(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = info.get_parent_type()
            name = node.name.value
            if parent is None or name.startswith("__") or parent.name.startswith("__"):
                return
            served = SERVED.get(parent.name, {})
            if name not in served:
                problem = f"Field '{name}' on type '{parent.name}'"
            else:
                extra = [
                    a.name.value for a in node.arguments or () if a.name.value not in served[name]
                ]
                if not extra:
                    return
                problem = f"Argument '{extra[0]}' of field '{name}' on type '{parent.name}'"
            errors.append(
                {
                    "message": f"{problem} is not simulated",
                    "locations": [{"line": loc.line, "column": loc.column} for loc in _where(node)],
                    "extensions": {"code": "NOT_SIMULATED"},
                }
            )

    visit(document, TypeInfoVisitor(info, Served()))
    return errors


def _where(node: FieldNode) -> list[Any]:
    if node.loc is None:
        return []
    return [get_location(node.loc.source, node.loc.start)]


@cache
def served_schema() -> GraphQLSchema:
    """Built once per process; resolvers are attached by `simulators.shopify.resolvers`."""
    from simulators.shopify.resolvers import attach

    introspection = {"__schema": official_introspection()}
    schema = build_client_schema(introspection, assume_valid=True)  # type: ignore[arg-type]
    attach(schema)
    return schema
