"""Webhook bodies as events: one per change, with the id that makes replays detectable."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
                Platform.HUBSPOT,
                str(event["eventId"]),
                str(event["subscriptionType"]),
                external_id=str(event["objectId"]) if "objectId" in event else None,
                occurred_at=_from_ms(occurred) if isinstance(occurred, int) else None,
                payload=event,
            )
        )
    return parsed


def shopify(body: bytes, topic: str, webhook_id: str) -> list[WebhookEvent]:
    """One resource per call; `X-Shopify-Webhook-Id` names the delivery."""
    if not topic or not webhook_id:
        raise MalformedWebhook("X-Shopify-Topic and X-Shopify-Webhook-Id are required")
    resource = _json(body)
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
            Platform.MAILCHIMP,
            hashlib.sha256(body).hexdigest()[:32],
            form["type"],
            email=normalize_email(email) if email else None,
            external_id=form.get("data[id]"),
            occurred_at=_from_fired_at(fired) if fired else None,
            payload=form,
        )
    ]


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedWebhook("the body is not JSON") from exc


def _from_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def _from_fired_at(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None
