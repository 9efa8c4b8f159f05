"""What a webhook tells subscribers: which canonical fields changed, and which behavioural
trigger happened (an order, an unsubscribe, a lead score change). An abandoned checkout takes
time to be one: see sync_jobs/triggers.py. Read from the event as the inbox kept it, by the job
that processes it (sync_jobs/webhook_jobs.py)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from canonical_schema import BehavioralEvent, EventType, Platform
from hub.changes import ChangeNotice
from hub.freshness import Person


class WebhookEvent(Protocol):
    @property
    def platform(self) -> Platform: ...
    @property
    def event_id(self) -> str: ...
    @property
    def topic(self) -> str: ...
    @property
    def occurred_at(self) -> datetime | None: ...
    @property
    def payload(self) -> dict[str, Any]: ...


_HUBSPOT_FIELDS = {
    "firstname": "firstName",
    "lastname": "lastName",
    "phone": "phone",
    "email": "email",
    "lifecyclestage": "lifecycleStage",
    "hubspotscore": "leadScore",
    "company": "companyName",
}
_MAILCHIMP_FIELDS = {
    "subscribe": ("emailConsent",),
    "unsubscribe": ("emailConsent",),
    "cleaned": ("emailConsent",),
    "profile": ("firstName", "lastName", "phone"),
    "upemail": ("email",),
}


def notice_for(event: WebhookEvent, person: Person) -> ChangeNotice:
    return ChangeNotice(
        customer_id=person.customer_id,
        email=person.email,
        platform=event.platform,
        at=event.occurred_at or datetime.now(UTC),
        changed_fields=_changed_fields(event),
        event=_behaviour(event, person),
    )


def _changed_fields(event: WebhookEvent) -> tuple[str, ...]:
    if event.platform is Platform.HUBSPOT:
        name = _HUBSPOT_FIELDS.get(str(event.payload.get("propertyName", "")))
        return (name,) if name else ()
    if event.platform is Platform.MAILCHIMP:
        return _MAILCHIMP_FIELDS.get(event.topic, ())
    if event.topic.startswith("orders/"):
        return ("totalSpent", "orderCount")
    return ()


def _behaviour(event: WebhookEvent, person: Person) -> BehavioralEvent | None:
    kind: EventType | None = None
    if event.platform is Platform.SHOPIFY and event.topic == "orders/create":
        kind = EventType.ORDER_PLACED
    elif event.platform is Platform.MAILCHIMP and event.topic == "unsubscribe":
        kind = EventType.UNSUBSCRIBED
    elif event.platform is Platform.HUBSPOT and event.payload.get("propertyName") == "hubspotscore":
        kind = EventType.LEAD_SCORE_CHANGED
    if kind is None:
        return None
    digest = hashlib.sha256(f"{event.platform.value}:{event.event_id}".encode()).hexdigest()
    return BehavioralEvent(
        id=f"evt_{digest[:24]}",
        type=kind,
        platform=event.platform,
        occurred_at=event.occurred_at or datetime.now(UTC),
        customer_email=person.email,
        properties=_properties(event),
    )


def _properties(event: WebhookEvent) -> dict[str, object]:
    payload = event.payload
    if event.platform is Platform.SHOPIFY:
        total = payload.get("total_price")
        try:
            amount = str(Decimal(str(total))) if total is not None else None
        except InvalidOperation:
            amount = None
        return {
            "name": payload.get("name"),
            "total": amount,
            "currency": payload.get("currency"),
            "url": payload.get("abandoned_checkout_url"),
        }
    if event.platform is Platform.HUBSPOT:
        return {"score": payload.get("propertyValue"), "source": payload.get("changeSource")}
    return {"reason": payload.get("data[reason]"), "list_id": payload.get("data[list_id]")}
