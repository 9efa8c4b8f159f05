"""The served schema: Shopify's official Admin GraphQL 2025-01 introspection, pruned to the
subset this simulator resolves.

Pruning keeps every served type, field and argument exactly as the official introspection
declares it (same type, same nullability, same description), so the served schema is a subset
of the real one by construction. Input types are kept whole (with everything they reach), so a
mutation input the real API accepts parses here too. Interfaces are dropped from the kept
objects: no interface-typed field (`node`, `nodes(ids)`) is served. The vendored spec is
`spec/admin_schema_2025-01.json.gz` (ISC licence, `spec/LICENSE`).
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema, build_client_schema

SPEC = Path(__file__).parent / "spec" / "admin_schema_2025-01.json.gz"
API_VERSION = "2025-01"
_PAGING = ("first", "after", "last", "before", "reverse", "sortKey", "query")
_PAGING_NESTED = ("first", "after", "last", "before", "reverse", "sortKey")
_DIRECTIVES = ("include", "skip", "deprecated", "specifiedBy", "oneOf")

# type -> field -> the arguments served (a field absent here is not served).


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


def _named(ref: dict[str, Any]) -> str:
    while ref.get("ofType"):
        ref = ref["ofType"]
    name: str = ref["name"]
    return name


def pruned_introspection() -> dict[str, Any]:
    """The official introspection with only the served types, fields and arguments."""
    official = official_introspection()
    by_name = {t["name"]: t for t in official["types"]}
    kept: dict[str, dict[str, Any]] = {}
    pending: list[str] = []
    for type_name, fields in SERVED.items():
        source = by_name[type_name]
        served_fields = []
        for field in source["fields"]:
            if field["name"] not in fields:
                continue
            args = [a for a in field["args"] if a["name"] in fields[field["name"]]]
            served_fields.append({**field, "args": args})
            pending.extend(_named(a["type"]) for a in args)
            pending.append(_named(field["type"]))
        kept[type_name] = {**source, "fields": served_fields, "interfaces": []}
    while pending:  # everything else reached: scalars, enums and input objects, whole
        name = pending.pop()
        if name in kept:
            continue
        source = by_name[name]
        if source["kind"] in ("OBJECT", "INTERFACE", "UNION"):
            raise ValueError(f"served field reaches unserved type {name}")
        kept[name] = source
        pending.extend(_named(f["type"]) for f in source.get("inputFields") or ())
    directives = [d for d in official["directives"] if d["name"] in _DIRECTIVES]
    return {
        "queryType": official["queryType"],
        "mutationType": official["mutationType"],
        "subscriptionType": None,
        "types": list(kept.values()),
        "directives": directives,
    }


@cache
def served_schema() -> GraphQLSchema:
    """Built once per process; resolvers are attached by `simulators.shopify.resolvers`."""
    from simulators.shopify.resolvers import attach

    schema = build_client_schema({"__schema": pruned_introspection()})  # type: ignore[typeddict-item]
    attach(schema)
    return schema
