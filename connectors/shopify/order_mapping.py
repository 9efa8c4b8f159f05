"""Shopify orders and abandoned checkouts -> canonical `Order` and `BehavioralEvent`. Pure.

An order is attributed to a campaign by the UTM campaign of the customer's last visit before
it (`customerJourneySummary.lastVisit.utmParameters.campaign`), which is how it joins a
Mailchimp campaign's `tracking.google_analytics`. An abandoned checkout's event happens at its
last activity (`updatedAt`), after which the buyer left.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from pydantic import Field

from canonical_schema import (
    BehavioralEvent,
    EventType,
    Order,
    Platform,
    RecordRef,
    SourceRecord,
    is_email,
    normalize_email,
    normalize_text,
)
from connectors.shopify.mapping import RawModel, ShopifyMoney

PLATFORM = Platform.SHOPIFY


class MoneyBag(RawModel):
    shopMoney: ShopifyMoney


class UtmParameters(RawModel):
    campaign: str | None = None


class Visit(RawModel):
    utmParameters: UtmParameters | None = None


class JourneySummary(RawModel):
    lastVisit: Visit | None = None


class ShopifyOrder(RawModel):
    """An `Order` node with the fields `queries.ORDER_FIELDS` selects."""

    id: str = Field(pattern=r"^gid://shopify/Order/\d+$")
    name: str
    email: str | None
    createdAt: datetime
    processedAt: datetime | None
    updatedAt: datetime | None
    displayFinancialStatus: str | None
    totalPriceSet: MoneyBag
    customerJourneySummary: JourneySummary | None


class CheckoutCustomer(RawModel):
    id: str
    email: str | None


class ShopifyCheckout(RawModel):
    """An `AbandonedCheckout` node with the fields `queries.CHECKOUT_FIELDS` selects."""

    id: str = Field(pattern=r"^gid://shopify/AbandonedCheckout/\d+$")
    createdAt: datetime
    updatedAt: datetime
    completedAt: datetime | None
    abandonedCheckoutUrl: str
    totalPriceSet: MoneyBag
    customer: CheckoutCustomer | None


def parse_order(raw: Any) -> ShopifyOrder:
    return ShopifyOrder.model_validate(raw)


def parse_checkout(raw: Any) -> ShopifyCheckout:
    return ShopifyCheckout.model_validate(raw)


def _email(*candidates: str | None) -> str | None:
    for candidate in candidates:
        text = normalize_text(candidate)
        if text is not None and is_email(text):
            return normalize_email(text)
    return None


def utm_campaign(order: ShopifyOrder) -> str | None:
    journey = order.customerJourneySummary
    visit = journey.lastVisit if journey else None
    utm = visit.utmParameters if visit else None
    return normalize_text(utm.campaign) if utm else None


def to_order(order: ShopifyOrder, *, customer_email: str | None = None) -> Order:
    """The canonical order; `customer_email` (the customer it was read under) when the order
    itself carries no email."""
    return Order(
        id=RecordRef("order", PLATFORM, order.id).public_id(),
        name=order.name,
        total=order.totalPriceSet.shopMoney.canonical(),
        placed_at=order.processedAt or order.createdAt,
        financial_status=(order.displayFinancialStatus or "").lower() or None,
        customer_email=_email(order.email, customer_email),
        utm_campaign=utm_campaign(order),
        sources=(
            SourceRecord(platform=PLATFORM, external_id=order.id, updated_at=order.updatedAt),
        ),
    )


def event_id(kind: EventType, external_id: str) -> str:
    """Stable across reads: the event of one record is always the same event."""
    digest = hashlib.sha256(f"{PLATFORM.value}|{kind.value}|{external_id}".encode()).hexdigest()
    return f"evt_{digest[:24]}"


def order_event(order: Order) -> BehavioralEvent:
    """ORDER_PLACED for a canonical order (its campaign is its UTM campaign)."""
    external_id = order.sources[0].external_id if order.sources else order.id
    return BehavioralEvent(
        id=event_id(EventType.ORDER_PLACED, external_id),
        type=EventType.ORDER_PLACED,
        platform=PLATFORM,
        occurred_at=order.placed_at,
        customer_email=order.customer_email,
        campaign_name=order.utm_campaign,
        properties={
            "order_id": order.id,
            "name": order.name,
            "total": str(order.total.amount),
            "currency": order.total.currency_code,
            "financial_status": order.financial_status,
        },
    )


def checkout_event(checkout: ShopifyCheckout) -> BehavioralEvent:
    """CHECKOUT_ABANDONED, at the checkout's last activity; `recovered` when later completed."""
    total = checkout.totalPriceSet.shopMoney
    return BehavioralEvent(
        id=event_id(EventType.CHECKOUT_ABANDONED, checkout.id),
        type=EventType.CHECKOUT_ABANDONED,
        platform=PLATFORM,
        occurred_at=checkout.updatedAt,
        customer_email=_email(checkout.customer.email if checkout.customer else None),
        properties={
            "checkout_id": checkout.id,
            "total": str(total.amount),
            "currency": total.currencyCode,
            "recovery_url": checkout.abandonedCheckoutUrl,
            "created_at": checkout.createdAt.isoformat(),
            "recovered": checkout.completedAt is not None,
        },
    )
