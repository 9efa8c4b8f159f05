"""The Subscription root: changes and behavioural triggers, as they happen.

Notices come from the change bus (hub/changes.py), published once a change is known and its
cache entries are gone, so the customer read for each notice is current. Served over
WebSocket at /graphql (graphql-transport-ws, or the older graphql-ws protocol).
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from access.scopes import READ_CUSTOMERS
from cache.throttle import deadline
from canonical_schema import EventType, Platform
from hub import CustomerRead
from hub.changes import ChangeNotice
from resolvers.common import Info
from resolvers.customer import CustomerType
from resolvers.errors import BadUserInputError
from resolvers.event import BehavioralEventType
from resolvers.permissions import needs


@strawberry.type(name="CustomerChange", description="A customer changed on some platform.")
class CustomerChangeType:
    customer: CustomerType = strawberry.field(
        description="The customer as it is now, read after the change (all platforms merged)."
    )
    changed_fields: list[str] = strawberry.field(
        description="Fields the platform said changed (camelCase); empty when it did not say."
    )
    platform: Platform | None = strawberry.field(
        description="Where the change was made; null when the gateway itself wrote it."
    )
    at: datetime = strawberry.field(description="When the change happened.")


@strawberry.type
class Subscriptions:
    @strawberry.subscription(
        description=(
            "Every change to customers the gateway learns of (webhooks, sync, its own writes); "
            "with `id`, only that customer's."
        ),
        extensions=needs(READ_CUSTOMERS),
    )
    async def customer_changed(
        self, info: Info, id: strawberry.ID | None = None
    ) -> AsyncGenerator[CustomerChangeType, None]:
        bus = info.context.changes
        if bus is None:
            raise BadUserInputError("this gateway publishes no changes")
        async for notice in bus.subscribe():
            if id is not None and notice.customer_id != str(id):
                continue
            read = await _read_now(info, notice)
            if read.customer is None:
                continue  # gone everywhere by the time we read it
            yield CustomerChangeType(
                customer=CustomerType.from_model(read.customer, read.failures),
                changed_fields=list(notice.changed_fields),
                platform=notice.platform,
                at=notice.at,
            )

    @strawberry.subscription(
        description=(
            "Behavioural triggers as they happen: abandoned checkouts, orders, unsubscribes, "
            "score changes; `types` keeps only those."
        ),
        extensions=needs(READ_CUSTOMERS),
    )
    async def customer_event(
        self, info: Info, types: list[EventType] | None = None
    ) -> AsyncGenerator[BehavioralEventType, None]:
        bus = info.context.changes
        if bus is None:
            raise BadUserInputError("this gateway publishes no events")
        wanted = set(types) if types else None
        async for notice in bus.subscribe():
            event = notice.event
            if event is not None and (wanted is None or event.type in wanted):
                yield BehavioralEventType.from_model(event)


async def _read_now(info: Info, notice: ChangeNotice) -> CustomerRead:
    """The customer a notice names, read with a deadline of its own: a subscription lives far
    longer than the operation deadline its start was given."""
    seconds = info.context.deadline_seconds
    token = deadline.set(time.monotonic() + seconds) if seconds else None
    try:
        read_service = info.context.read
        # By email when the notice has it: this replica may never have seen the id.
        if notice.email:
            [read] = await read_service.customers_by_email([notice.email])
        else:
            [read] = await read_service.customers_by_id([notice.customer_id])
        return read
    finally:
        if token is not None:
            deadline.reset(token)
