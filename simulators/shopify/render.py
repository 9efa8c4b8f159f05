"""Records as the API shows them: GraphQL nodes (dicts keyed by field name, connections as
callables taking the field's arguments) and the REST-style payloads webhooks carry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulators.shopify.paging import SortKey, connection, paginate
from simulators.shopify.records import (
    CURRENCY,
    Checkout,
    Customer,
    Order,
    Visit,
    gid,
    iso,
    money,
    rest_time,
)
from simulators.shopify.store import ShopStore

ORDER_SORT: dict[str, Callable[[Order], SortKey]] = {
    "CREATED_AT": lambda o: (o.created_ms, o.id),
    "UPDATED_AT": lambda o: (o.updated_ms, o.id),
    "PROCESSED_AT": lambda o: (o.processed, o.id),
    "ORDER_NUMBER": lambda o: (o.number, o.id),
    "TOTAL_PRICE": lambda o: (o.total_cents, o.id),
}


def order_key(sort_key: str | None) -> Callable[[Order], SortKey]:
    return ORDER_SORT.get(sort_key or "ID", lambda o: (o.id, o.id))


def price_set(cents: int) -> dict[str, Any]:
    amount = {"amount": money(cents), "currencyCode": CURRENCY}
    return {"shopMoney": amount, "presentmentMoney": dict(amount)}


def _visit(visit: Visit | None, order_id: int) -> dict[str, Any] | None:
    if visit is None:
        return None
    utm = None
    if visit.campaign or visit.utm_source or visit.utm_medium:
        utm = {
            "campaign": visit.campaign,
            "source": visit.utm_source,
            "medium": visit.utm_medium,
            "content": None,
            "term": None,
        }
    return {
        "id": gid("CustomerVisit", order_id),
        "occurredAt": iso(visit.occurred_ms),
        "source": visit.source,
        "landingPage": visit.landing_page,
        "referrerUrl": visit.referrer,
        "utmParameters": utm,
    }


class Renderer:
    def __init__(self, store: ShopStore) -> None:
        self.store = store

    def customer(self, c: Customer) -> dict[str, Any]:
        consent = None
        if c.email:
            consent = {
                "marketingState": c.consent_state,
                "marketingOptInLevel": c.consent_level,
                "consentUpdatedAt": None
                if c.consent_updated_ms is None
                else iso(c.consent_updated_ms),
            }

        def orders(_info: Any, **args: Any) -> dict[str, Any]:
            records = [self.store.orders[i] for i in c.order_ids]
            page = paginate(records, order_key(args.pop("sortKey", None)), **args)
            return connection(page, self.order)

        return {
            "id": c.gid,
            "email": c.email,
            "firstName": c.first_name,
            "lastName": c.last_name,
            "displayName": c.display_name,
            "phone": c.phone,
            "note": c.note,
            "tags": list(c.tags),
            "state": c.state,
            "verifiedEmail": c.email is not None,
            "createdAt": iso(c.created_ms),
            "updatedAt": iso(c.updated_ms),
            "amountSpent": {"amount": money(c.spent_cents), "currencyCode": CURRENCY},
            "numberOfOrders": str(c.orders_count),
            "emailMarketingConsent": consent,
            "orders": orders,
        }

    def _customer_of(self, customer_id: int) -> Callable[[Any], dict[str, Any] | None]:
        def resolve(_info: Any) -> dict[str, Any] | None:
            found = self.store.customers.get(customer_id)
            return None if found is None else self.customer(found)

        return resolve

    def order(self, o: Order) -> dict[str, Any]:
        visit = _visit(o.visit, o.id)
        customer = self.store.customers.get(o.customer_id)
        return {
            "id": o.gid,
            "name": o.name,
            "email": customer.email if customer else None,
            "createdAt": iso(o.created_ms),
            "updatedAt": iso(o.updated_ms),
            "processedAt": iso(o.processed),
            "displayFinancialStatus": o.financial_status,
            "totalPriceSet": price_set(o.total_cents),
            "customer": self._customer_of(o.customer_id),
            "customerJourneySummary": {"ready": True, "firstVisit": visit, "lastVisit": visit},
        }

    def checkout(self, k: Checkout) -> dict[str, Any]:
        return {
            "id": k.gid,
            "createdAt": iso(k.created_ms),
            "updatedAt": iso(k.updated_ms),
            "completedAt": None if k.completed_ms is None else iso(k.completed_ms),
            "abandonedCheckoutUrl": k.url,
            "totalPriceSet": price_set(k.total_cents),
            "customer": self._customer_of(k.customer_id),
        }


def customer_payload(c: Customer) -> dict[str, Any]:
    """The `customers/create` and `customers/update` webhook body (REST shape)."""
    consent = None
    if c.email:
        consent = {
            "state": c.consent_state.lower(),
            "opt_in_level": None if c.consent_level is None else c.consent_level.lower(),
            "consent_updated_at": None
            if c.consent_updated_ms is None
            else rest_time(c.consent_updated_ms),
        }
    return {
        "id": c.id,
        "email": c.email,
        "created_at": rest_time(c.created_ms),
        "updated_at": rest_time(c.updated_ms),
        "first_name": c.first_name,
        "last_name": c.last_name,
        "orders_count": c.orders_count,
        "state": c.state.lower(),
        "total_spent": f"{c.spent_cents // 100}.{c.spent_cents % 100:02d}",
        "last_order_id": c.order_ids[-1] if c.order_ids else None,
        "note": c.note,
        "verified_email": c.email is not None,
        "multipass_identifier": None,
        "tax_exempt": False,
        "tags": ", ".join(c.tags),
        "currency": CURRENCY,
        "phone": c.phone,
        "addresses": [],
        "tax_exemptions": [],
        "email_marketing_consent": consent,
        "sms_marketing_consent": None,
        "admin_graphql_api_id": c.gid,
        "default_address": None,
    }


def order_payload(o: Order, customer: Customer | None) -> dict[str, Any]:
    """The `orders/create` and `orders/updated` webhook body (REST shape, the fields read)."""
    landing = o.visit.landing_page if o.visit else None
    total = f"{o.total_cents // 100}.{o.total_cents % 100:02d}"
    return {
        "id": o.id,
        "admin_graphql_api_id": o.gid,
        "name": o.name,
        "order_number": o.number,
        "email": customer.email if customer else None,
        "contact_email": customer.email if customer else None,
        "created_at": rest_time(o.created_ms),
        "updated_at": rest_time(o.updated_ms),
        "processed_at": rest_time(o.processed),
        "currency": CURRENCY,
        "presentment_currency": CURRENCY,
        "total_price": total,
        "subtotal_price": total,
        "total_tax": "0.00",
        "financial_status": o.financial_status.lower(),
        "landing_site": landing,
        "referring_site": o.visit.referrer if o.visit else None,
        "customer": customer_payload(customer) if customer else None,
        "line_items": [],
    }
