"""The GraphQL documents the connector sends, what each costs, and Shopify's search syntax.

Shopify prices a query before running it: a scalar costs 0, an object 1, a connection
2 + `first` * (cost of one item), a mutation 10; more than 1000 requested points is refused
(MAX_COST_EXCEEDED). The `*_COST` constants below are the per-item costs of the selections
here, and page sizes are derived from them so every query stays within `MAX_QUERY_COST`.
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.shopify.api import MAX_QUERY_COST

# One customer: the node (1) + amountSpent (1) + emailMarketingConsent (1).
CUSTOMER_FIELDS = (
    "id email firstName lastName phone updatedAt amountSpent { amount currencyCode } "
    "numberOfOrders emailMarketingConsent { marketingState }"
)
CUSTOMER_COST = 3
# One order: node (1) + totalPriceSet (1) + shopMoney (1) + journey, lastVisit, utm (3).
ORDER_FIELDS = (
    "id name email createdAt processedAt updatedAt displayFinancialStatus "
    "totalPriceSet { shopMoney { amount currencyCode } } "
    "customerJourneySummary { lastVisit { utmParameters { campaign } } }"
)
ORDER_COST = 6
# One abandoned checkout: node (1) + totalPriceSet (1) + shopMoney (1) + customer (1).
CHECKOUT_FIELDS = (
    "id createdAt updatedAt completedAt abandonedCheckoutUrl "
    "totalPriceSet { shopMoney { amount currencyCode } } customer { id email }"
)
CHECKOUT_COST = 4
CONNECTION_COST = 3  # the connection (2) + pageInfo (1)
PAGE_INFO = "pageInfo { hasNextPage endCursor }"
MAX_PAGE = 250  # Shopify's cap on `first`


def page_cap(item_cost: int) -> int:
    """The largest `first` a one-connection query of `item_cost` items may ask for."""
    return min(MAX_PAGE, (MAX_QUERY_COST - CONNECTION_COST) // item_cost)


CUSTOMERS = f"""
query Customers($first: Int!, $after: String, $query: String, $sortKey: CustomerSortKeys) {{
  customers(first: $first, after: $after, query: $query, sortKey: $sortKey) {{
    nodes {{ {CUSTOMER_FIELDS} }}
    {PAGE_INFO}
  }}
}}"""

CUSTOMER_IDS = f"""
query CustomerIds($first: Int!, $after: String) {{
  customers(first: $first, after: $after) {{ nodes {{ id email }} {PAGE_INFO} }}
}}"""
CUSTOMER_ID_COST = 1

CUSTOMERS_COUNT = "query CustomersCount { customersCount { count precision } }"

# A direct lookup, not search: it sees a customer created a moment ago (search trails writes).
CUSTOMER_BY_EMAIL = f"""
query CustomerByEmail($email: String!) {{
  customerByIdentifier(identifier: {{ emailAddress: $email }}) {{ {CUSTOMER_FIELDS} }}
}}"""

CUSTOMER_ORDERS = f"""
query CustomerOrders($first: Int!, $after: String, $query: String!, $orders: Int!) {{
  customers(first: $first, after: $after, query: $query) {{
    nodes {{
      id email
      orders(first: $orders, sortKey: PROCESSED_AT, reverse: true) {{ nodes {{ {ORDER_FIELDS} }} }}
    }}
    {PAGE_INFO}
  }}
}}"""


def customer_orders_cost(orders: int) -> int:
    """One customer of `CUSTOMER_ORDERS`: node (1) + its orders connection."""
    return 1 + 2 + orders * ORDER_COST


# The most orders one customer's connection may ask for, alone in its query.
MAX_ORDERS_A_CUSTOMER = (MAX_QUERY_COST - CONNECTION_COST - 3) // ORDER_COST


ORDERS = f"""
query Orders($first: Int!, $after: String, $query: String) {{
  orders(first: $first, after: $after, query: $query, sortKey: PROCESSED_AT) {{
    nodes {{ {ORDER_FIELDS} }}
    {PAGE_INFO}
  }}
}}"""

ABANDONED_CHECKOUTS = f"""
query AbandonedCheckouts($first: Int!, $after: String, $query: String) {{
  abandonedCheckouts(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {{
    nodes {{ {CHECKOUT_FIELDS} }}
    {PAGE_INFO}
  }}
}}"""

MUTATION_COST = 10
WRITE_RESULT = "customer { id email } userErrors { field message }"


WRITE_INPUTS = {
    "customerCreate": "CustomerInput!",
    "customerUpdate": "CustomerInput!",
    "customerEmailMarketingConsentUpdate": "CustomerEmailMarketingConsentUpdateInput!",
}


def upsert_document(kinds: Sequence[str]) -> str:
    """One mutation document with an aliased `customerCreate`/`customerUpdate`/
    `customerEmailMarketingConsentUpdate` per input (`w0`, `w1`, …), each with its own `$iN`
    variable; Shopify runs them in order."""
    inputs = WRITE_INPUTS
    declared = ", ".join(f"$i{n}: {inputs[kind]}" for n, kind in enumerate(kinds))
    fields = "\n  ".join(
        f"w{n}: {kind}(input: $i{n}) {{ {WRITE_RESULT} }}" for n, kind in enumerate(kinds)
    )
    return f"mutation Upsert({declared}) {{\n  {fields}\n}}"


def quoted(value: str) -> str:
    """A search value in double quotes; `\\` and `"` inside it escaped with a backslash
    (Shopify's search syntax: https://shopify.dev/docs/api/usage/search-syntax)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def any_of(field: str, values: Sequence[str]) -> str:
    """`field:"a" OR field:"b" …`."""
    return " OR ".join(f"{field}:{quoted(value)}" for value in values)


def updated_since(timestamp: str) -> str:
    """`updated_at:>'2026-01-01T00:00:00Z'` (dates must be quoted)."""
    return f"updated_at:>'{timestamp}'"
