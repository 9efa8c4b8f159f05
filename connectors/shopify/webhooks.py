"""Shopify's webhooks: HMAC-SHA256 of the raw body; one resource per call, its topic and
delivery id in headers; an order is a trigger, a checkout left idle becomes one."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from canonical_schema import EventType, Platform, normalize_email
from connectors.shopify.settings import ShopifySettings
from connectors.webhooks import (
    Abandonment,
    CanonicalChange,
    Delivery,
    KeptEvent,
    MalformedWebhook,
    WebhookEvent,
    WebhookRefused,
    WebhookSpec,
    json_body,
)


def hmac_problem(secret: str, body: bytes, signature: str) -> str | None:
    """None when the body is Shopify's: base64 of HMAC-SHA256(app secret, raw body)."""
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature.encode()):
        return "bad X-Shopify-Hmac-Sha256"
    return None


def parse(body: bytes, topic: str, webhook_id: str) -> list[WebhookEvent]:
    """One resource per call; `X-Shopify-Webhook-Id` names the delivery."""
    if not topic or not webhook_id:
        raise MalformedWebhook("X-Shopify-Topic and X-Shopify-Webhook-Id are required")
    resource = json_body(body)
    if not isinstance(resource, dict):
        raise MalformedWebhook("Shopify sends one JSON object")
    customer = resource.get("customer") if topic.startswith(("orders/", "checkouts/")) else resource
    email = (customer or {}).get("email") if isinstance(customer, dict) else None
    return [
        WebhookEvent(
            Platform.SHOPIFY,
            webhook_id,
            topic,
            email=normalize_email(email) if isinstance(email, str) and email else None,
            external_id=str(resource["id"]) if "id" in resource else None,
            payload=resource,
        )
    ]


def receive(options: ShopifySettings, delivery: Delivery) -> list[WebhookEvent]:
    if options.client_secret is None:
        raise WebhookRefused("Shopify webhooks need MGW_SHOPIFY__CLIENT_SECRET", 503)
    headers = delivery.headers
    secret = options.client_secret.get_secret_value()
    problem = hmac_problem(secret, delivery.body, headers.get("x-shopify-hmac-sha256", ""))
    if problem is not None:
        raise WebhookRefused(problem)
    topic, webhook_id = headers.get("x-shopify-topic", ""), headers.get("x-shopify-webhook-id", "")
    return parse(delivery.body, topic, webhook_id)


def change(topic: str, payload: Mapping[str, Any]) -> CanonicalChange:
    if not topic.startswith("orders/"):
        return CanonicalChange()
    fields = ("totalSpent", "orderCount")
    if topic != "orders/create":
        return CanonicalChange(fields)
    total = payload.get("total_price")
    try:
        amount = str(Decimal(str(total))) if total is not None else None
    except InvalidOperation:
        amount = None
    properties = {
        "name": payload.get("name"),
        "total": amount,
        "currency": payload.get("currency"),
        "url": payload.get("abandoned_checkout_url"),
    }
    return CanonicalChange(fields, EventType.ORDER_PLACED, properties)


def _checkout_started(event: KeptEvent) -> str | None:
    """A checkout not completed starts its idle timer (one per checkout)."""
    if not event.topic.startswith("checkouts/") or event.payload.get("completed_at"):
        return None
    checkout = event.payload.get("id")
    return str(checkout) if checkout is not None else None


def _checkout_ended(follow: KeptEvent, checkout_id: str) -> bool:
    """An order by the same person, or the same checkout completed."""
    if follow.topic == "orders/create":
        return True
    same = str(follow.payload.get("id")) == checkout_id
    return same and bool(follow.payload.get("completed_at"))


def _abandoned(event: KeptEvent) -> dict[str, object]:
    total = event.payload.get("total_price")
    return {
        "checkout_id": event.payload.get("id"),
        "total": None if total is None else str(total),
        "currency": event.payload.get("currency"),
        "url": event.payload.get("abandoned_checkout_url"),
    }


WEBHOOKS = WebhookSpec(
    route="shopify",
    receive=receive,
    change=change,
    abandonment=Abandonment(
        starts=_checkout_started,
        follow_topics=("orders/create", "checkouts/update"),
        ends=_checkout_ended,
        properties=_abandoned,
    ),
)
