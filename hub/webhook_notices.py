"""What a webhook tells subscribers: which canonical fields changed, and which behavioural
trigger happened (an order, an unsubscribe, a lead score change) — as the platform's own
`WebhookSpec.change` reads the event (`connectors/<platform>/webhooks.py`). A trigger that takes
time to be true (an abandoned checkout) is in sync_jobs/triggers.py. Read from the event as the
inbox kept it, by the job that processes it (sync_jobs/webhook_jobs.py)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, Protocol

from canonical_schema import BehavioralEvent, Platform
from connectors.registry import spec_of
from connectors.webhooks import CanonicalChange
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


def change_of(event: WebhookEvent) -> CanonicalChange:
    webhooks = spec_of(event.platform).webhooks
    return webhooks.change(event.topic, event.payload) if webhooks else CanonicalChange()


def notice_for(event: WebhookEvent, person: Person) -> ChangeNotice:
    change = change_of(event)
    return ChangeNotice(
        customer_id=person.customer_id,
        email=person.email,
        platform=event.platform,
        at=event.occurred_at or datetime.now(UTC),
        changed_fields=change.changed_fields,
        event=_behaviour(event, person, change),
    )


def _behaviour(
    event: WebhookEvent, person: Person, change: CanonicalChange
) -> BehavioralEvent | None:
    if change.trigger is None:
        return None
    digest = hashlib.sha256(f"{event.platform.value}:{event.event_id}".encode()).hexdigest()
    return BehavioralEvent(
        id=f"evt_{digest[:24]}",
        type=change.trigger,
        platform=event.platform,
        occurred_at=event.occurred_at or datetime.now(UTC),
        customer_email=person.email,
        properties=change.properties,
    )
