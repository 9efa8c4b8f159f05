"""Shopify's webhooks: HMAC-SHA256 of the raw body; one resource per call, its topic and
delivery id in headers; an order is a trigger, a checkout left idle becomes one."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
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


MAX_AGE = timedelta(hours=48)
"""Shopify retries a delivery for at most 48 hours; a body whose resource changed longer ago
than that is a replay."""
_CHECKOUT_MARKS = ("abandoned_checkout_url", "completed_at")


def _kind(resource: dict[str, Any]) -> str:
    """What the signed body is, whatever the (unsigned) topic header says: an order or a
    checkout has a `total_price` (a customer has `total_spent`), and only a checkout an
    `abandoned_checkout_url` or `completed_at`."""
    if "total_price" not in resource:
        return "customers/"
    return "checkouts/" if any(mark in resource for mark in _CHECKOUT_MARKS) else "orders/"


def parse(
    body: bytes, topic: str, webhook_id: str, now: datetime | None = None
) -> list[WebhookEvent]:
    """One resource per call. `X-Shopify-Webhook-Id` and `X-Shopify-Topic` are not signed, so
    neither is trusted: the event's id is the signed body's hash (the same body under a new
    webhook id is a duplicate), the topic must fit the body, and a resource last changed more
    than 48 hours before `now` is refused as stale."""
    if not topic or not webhook_id:
        raise MalformedWebhook("X-Shopify-Topic and X-Shopify-Webhook-Id are required")
    resource = json_body(body)
    if not isinstance(resource, dict):
        raise MalformedWebhook("Shopify sends one JSON object")
    kind = _kind(resource)
    if topic.startswith(("customers/", "orders/", "checkouts/")) and not topic.startswith(kind):
        raise MalformedWebhook(f"X-Shopify-Topic {topic!r} does not fit the body (a {kind[:-2]})")
    updated = _from_iso(resource.get("updated_at"))
    if updated is not None and now is not None and now - updated > MAX_AGE:
        raise MalformedWebhook("stale: the resource's updated_at is more than 48 hours old")
    customer = resource.get("customer") if topic.startswith(("orders/", "checkouts/")) else resource
    email = (customer or {}).get("email") if isinstance(customer, dict) else None
    return [
        WebhookEvent(
            Platform.SHOPIFY,
            "sha256:" + hashlib.sha256(body).hexdigest()[:40],
            topic,
            email=normalize_email(email) if isinstance(email, str) and email else None,
            external_id=str(resource["id"]) if "id" in resource else None,
            payload=resource,
        )
    ]


def _from_iso(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def receive(options: ShopifySettings, delivery: Delivery) -> list[WebhookEvent]:
    if options.client_secret is None:
        raise WebhookRefused("Shopify webhooks need MGW_SHOPIFY__CLIENT_SECRET", 503)
    headers = delivery.headers
    secret = options.client_secret.get_secret_value()
    problem = hmac_problem(secret, delivery.body, headers.get("x-shopify-hmac-sha256", ""))
    if problem is not None:
        raise WebhookRefused(problem)
    topic, webhook_id = headers.get("x-shopify-topic", ""), headers.get("x-shopify-webhook-id", "")
    now = datetime.fromtimestamp(delivery.now_ms / 1000, tz=UTC)
    return parse(delivery.body, topic, webhook_id, now)


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
