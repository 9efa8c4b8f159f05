"""Webhook bodies as events: one per change, with the id that makes replays detectable."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from canonical_schema import Platform, normalize_email


class MalformedWebhook(ValueError):
    """The body is not what the platform sends."""


@dataclass(frozen=True)
class WebhookEvent:
    platform: Platform
    event_id: str
    topic: str
    email: str | None = None
    external_id: str | None = None
    occurred_at: datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def hubspot(body: bytes) -> list[WebhookEvent]:
    """A JSON array of up to 100 events, each with its own `eventId`."""
    events = _json(body)
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise MalformedWebhook("HubSpot sends a JSON array of event objects")
    parsed = []
    for event in events:
        if "eventId" not in event or "subscriptionType" not in event:
            raise MalformedWebhook("a HubSpot event lacks eventId or subscriptionType")
        occurred = event.get("occurredAt")
        parsed.append(
            WebhookEvent(
                Platform.HUBSPOT, str(event["eventId"]), str(event["subscriptionType"]),
                external_id=str(event["objectId"]) if "objectId" in event else None,
                occurred_at=_from_ms(occurred) if occurred is not None else None,
                payload=event,
            )
        )  # fmt: skip
    return parsed


SHOPIFY_MAX_AGE = timedelta(hours=48)
"""Shopify retries a delivery for at most 48 hours; a body whose resource changed longer ago
than that is a replay."""
_CHECKOUT_MARKS = ("abandoned_checkout_url", "completed_at")


def _shopify_kind(resource: dict[str, Any]) -> str:
    """What the signed body is, whatever the (unsigned) topic header says: an order or a
    checkout has a `total_price` (a customer has `total_spent`), and only a checkout an
    `abandoned_checkout_url` or `completed_at`."""
    if "total_price" not in resource:
        return "customers/"
    return "checkouts/" if any(mark in resource for mark in _CHECKOUT_MARKS) else "orders/"


def shopify(
    body: bytes, topic: str, webhook_id: str, now: datetime | None = None
) -> list[WebhookEvent]:
    """One resource per call. `X-Shopify-Webhook-Id` and `X-Shopify-Topic` are not signed, so
    neither is trusted: the event's id is the signed body's hash (the same body under a new
    webhook id is a duplicate), the topic must fit the body, and a resource last changed more
    than 48 hours before `now` is refused as stale."""
    if not topic or not webhook_id:
        raise MalformedWebhook("X-Shopify-Topic and X-Shopify-Webhook-Id are required")
    resource = _json(body)
    if not isinstance(resource, dict):
        raise MalformedWebhook("Shopify sends one JSON object")
    kind = _shopify_kind(resource)
    if topic.startswith(("customers/", "orders/", "checkouts/")) and not topic.startswith(kind):
        raise MalformedWebhook(f"X-Shopify-Topic {topic!r} does not fit the body (a {kind[:-2]})")
    updated = _from_iso(resource.get("updated_at"))
    if updated is not None and now is not None and now - updated > SHOPIFY_MAX_AGE:
        raise MalformedWebhook("stale: the resource's updated_at is more than 48 hours old")
    customer = resource.get("customer") if topic.startswith(("orders/", "checkouts/")) else resource
    email = (customer or {}).get("email") if isinstance(customer, dict) else None
    return [
        WebhookEvent(
            Platform.SHOPIFY, "sha256:" + hashlib.sha256(body).hexdigest()[:40], topic,
            email=normalize_email(email) if isinstance(email, str) and email else None,
            external_id=str(resource["id"]) if "id" in resource else None,
            payload=resource,
        )
    ]  # fmt: skip


def mailchimp(body: bytes) -> list[WebhookEvent]:
    """A form post; Mailchimp gives no event id, so the body's hash is one (a retry of the
    same event carries the same body)."""
    try:
        pairs = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedWebhook("Mailchimp sends an url-encoded form") from exc
    form = dict(pairs)
    if "type" not in form:
        raise MalformedWebhook("a Mailchimp webhook has a `type`")
    email = form.get("data[email]") or form.get("data[new_email]")
    fired = form.get("fired_at")
    return [
        WebhookEvent(
            Platform.MAILCHIMP, hashlib.sha256(body).hexdigest()[:32], form["type"],
            email=normalize_email(email) if email else None,
            external_id=form.get("data[id]"),
            occurred_at=_from_fired_at(fired) if fired else None,
            payload=form,
        )
    ]  # fmt: skip


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedWebhook("the body is not JSON") from exc


def _from_iso(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _from_ms(value: object) -> datetime:
    """Milliseconds since the epoch; anything else (`1e20`, a string, a year past 9999) is
    not a time HubSpot sends."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedWebhook("a HubSpot event's occurredAt is not epoch milliseconds")
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedWebhook("a HubSpot event's occurredAt is not a time") from None


def _from_fired_at(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None
