"""Behavioural triggers that need time to be true: a Shopify checkout is abandoned only once
it has sat idle, uncompleted, for `abandoned_checkout_seconds` (60 minutes by default).

What starts and ends such a timer is the platform's (`WebhookSpec.abandonment`,
`connectors/<platform>/webhooks.py`). The event that starts one schedules `checkout_idle` that
long ahead (one timer per checkout); when it runs, an event since then that ends it (an order
by the same person, the checkout completed) means no trigger; otherwise `customerEvent`
subscribers hear CHECKOUT_ABANDONED.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from canonical_schema import BehavioralEvent, Platform
from connectors.registry import spec_of, specs
from connectors.webhooks import Abandonment
from hub.changes import ChangeNotice
from hub.inbox import KeptEvent, kept, later_events
from hub.store import Store
from sync_jobs.registry import job

CHECKOUT_IDLE = "checkout_idle"


def abandonment_of(platform: Platform) -> Abandonment | None:
    webhooks = spec_of(platform).webhooks
    return webhooks.abandonment if webhooks is not None else None


async def _started(
    store: Store, event_id: str, platform: str | None
) -> tuple[KeptEvent, Abandonment] | None:
    """The kept event that started the timer, and its platform's rule. A timer queued before
    jobs named the platform is looked up on every platform that has the rule."""
    candidates = [Platform(platform)] if platform else [s.platform for s in specs()]
    for candidate in candidates:
        rule = abandonment_of(candidate)
        if rule is not None and (event := await kept(store, candidate, event_id)) is not None:
            return event, rule
    return None


@job(CHECKOUT_IDLE, max_tries=5)
async def checkout_idle(ctx: dict[str, Any], event_id: str, platform: str | None = None) -> str:
    services = ctx["services"]
    found = await _started(services.store, event_id, platform)
    if found is None or not found[0].email:
        return "unknown checkout"
    event, rule = found
    email = event.email
    thing = rule.starts(event)
    if email is None or thing is None:
        return "unknown checkout"
    later = await later_events(
        services.store, event.platform, email, rule.follow_topics, event.received_at
    )
    for follow in later:
        if rule.ends(follow, thing):
            return f"ended by {follow.topic}"
    digest = hashlib.sha256(f"{event.platform.value}:abandoned:{thing}".encode()).hexdigest()
    abandoned = BehavioralEvent(
        id=f"evt_{digest[:24]}",
        type=rule.trigger,
        platform=event.platform,
        occurred_at=event.received_at,
        customer_email=email,
        properties=rule.properties(event),
    )
    await services.changes.publish(
        ChangeNotice(
            customer_id=services.identity.customer_id(email),
            email=email,
            platform=event.platform,
            at=datetime.now(UTC),
            event=abandoned,
        )
    )
    return "abandoned"
