"""HubSpot's webhooks: signature v3 over method, URI, body and timestamp; a JSON array of up to
100 events, each with its `eventId`; a property change names the property."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from canonical_schema import EventType, Platform
from connectors.hubspot.settings import HubSpotSettings
from connectors.webhooks import (
    CanonicalChange,
    Delivery,
    MalformedWebhook,
    WebhookEvent,
    WebhookRefused,
    WebhookSpec,
    from_ms,
    json_body,
)

MAX_AGE_MS = 5 * 60 * 1000
_FIELDS = {
    "firstname": "firstName",
    "lastname": "lastName",
    "phone": "phone",
    "email": "email",
    "lifecyclestage": "lifecycleStage",
    "hubspotscore": "leadScore",
    "company": "companyName",
}


def signature_v3(
    secret: str, method: str, uri: str, body: bytes, timestamp: str, signature: str, now_ms: int
) -> str | None:
    """None when the request is HubSpot's; else why not. The signature is base64 of
    HMAC-SHA256(client secret, method + uri + body + timestamp); older than 5 min is stale."""
    if not timestamp.isdigit():
        return "missing or malformed X-HubSpot-Request-Timestamp"
    if abs(now_ms - int(timestamp)) > MAX_AGE_MS:
        return "stale: X-HubSpot-Request-Timestamp is more than 5 minutes away"
    source = method.encode() + uri.encode() + body + timestamp.encode()
    expected = base64.b64encode(hmac.new(secret.encode(), source, hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature.encode()):
        return "bad X-HubSpot-Signature-v3"
    return None


def parse(body: bytes) -> list[WebhookEvent]:
    """A JSON array of up to 100 events, each with its own `eventId`."""
    events = json_body(body)
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
                occurred_at=_occurred(occurred) if occurred is not None else None,
                payload=event,
            )
        )
    return parsed


def _occurred(value: object) -> datetime:
    """Milliseconds since the epoch; anything else (`1e20`, a string, a year past 9999) is
    not a time HubSpot sends."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedWebhook("a HubSpot event's occurredAt is not epoch milliseconds")
    try:
        return from_ms(value)
    except (OverflowError, OSError, ValueError):
        raise MalformedWebhook("a HubSpot event's occurredAt is not a time") from None


def receive(options: HubSpotSettings, delivery: Delivery) -> list[WebhookEvent]:
    if options.client_secret is None:
        raise WebhookRefused("HubSpot webhooks need MGW_HUBSPOT__CLIENT_SECRET", 503)
    problem = signature_v3(
        options.client_secret.get_secret_value(),
        delivery.method,
        delivery.url,
        delivery.body,
        delivery.headers.get("x-hubspot-request-timestamp", ""),
        delivery.headers.get("x-hubspot-signature-v3", ""),
        delivery.now_ms,
    )
    if problem is not None:
        raise WebhookRefused(problem)
    return parse(delivery.body)


def change(topic: str, payload: Mapping[str, Any]) -> CanonicalChange:
    name = _FIELDS.get(str(payload.get("propertyName", "")))
    if payload.get("propertyName") != "hubspotscore":
        return CanonicalChange((name,) if name else ())
    properties = {"score": payload.get("propertyValue"), "source": payload.get("changeSource")}
    return CanonicalChange(("leadScore",), EventType.LEAD_SCORE_CHANGED, properties)


WEBHOOKS = WebhookSpec(route="hubspot", receive=receive, change=change)
