"""Behavioural triggers that need time to be true: a Shopify checkout is abandoned only once
it has sat idle, uncompleted, for `abandoned_checkout_seconds` (60 minutes by default).

The checkout webhook schedules `checkout_idle` that long ahead (one timer per checkout); when
it runs, a completed checkout or an order by the same person since then means no trigger;
otherwise `customerEvent` subscribers hear CHECKOUT_ABANDONED.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from canonical_schema import BehavioralEvent, EventType, Platform
from hub.changes import ChangeNotice
from hub.inbox import kept, later_events
from sync_jobs.registry import job

CHECKOUT_IDLE = "checkout_idle"


@job(CHECKOUT_IDLE, max_tries=5)
async def checkout_idle(ctx: dict[str, Any], event_id: str) -> str:
    services = ctx["services"]
    event = await kept(services.store, Platform.SHOPIFY, event_id)
    if event is None or not event.email:
        return "unknown checkout"
    checkout_id = event.payload.get("id")
    later = await later_events(
        services.store,
        Platform.SHOPIFY,
        event.email,
        ("orders/create", "checkouts/update"),
        event.received_at,
    )
    for follow in later:
        if follow.topic == "orders/create":
            return "ordered"
        if follow.payload.get("id") == checkout_id and follow.payload.get("completed_at"):
            return "completed"
    if services.changes is None:
        return "no subscribers"
    digest = hashlib.sha256(f"shopify:abandoned:{checkout_id}".encode()).hexdigest()
    total = event.payload.get("total_price")
    abandoned = BehavioralEvent(
        id=f"evt_{digest[:24]}",
        type=EventType.CHECKOUT_ABANDONED,
        platform=Platform.SHOPIFY,
        occurred_at=event.received_at,
        customer_email=event.email,
        properties={
            "checkout_id": checkout_id,
            "total": None if total is None else str(total),
            "currency": event.payload.get("currency"),
            "url": event.payload.get("abandoned_checkout_url"),
        },
    )
    await services.changes.publish(
        ChangeNotice(
            customer_id=services.identity.customer_id(event.email),
            email=event.email,
            platform=Platform.SHOPIFY,
            at=datetime.now(UTC),
            event=abandoned,
        )
    )
    return "abandoned"
