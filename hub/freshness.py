"""What a platform's change notification makes stale: the cached customers it names.

An event names a person by email (Shopify, Mailchimp) or by the platform's record id
(HubSpot); the identity index turns a record id into the customer it belongs to. Evicting by
tag drops every cached entry of that customer on every replica sharing the cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import select, tuple_

from canonical_schema import Platform
from hub.customer_cache import CustomerCache
from hub.store import Store, identity_links


class ChangeEvent(Protocol):
    @property
    def platform(self) -> Platform: ...
    @property
    def email(self) -> str | None: ...
    @property
    def external_id(self) -> str | None: ...


async def evict_changed(store: Store, cache: CustomerCache, events: Sequence[ChangeEvent]) -> int:
    """Evict every cached customer the events name; returns how many entries went."""
    emails = sorted({event.email for event in events if event.email})
    records = {
        (event.platform.value, event.external_id)
        for event in events
        if event.external_id and not event.email
    }
    customer_ids: list[str] = []
    if records:
        async with store.engine.connect() as connection:
            rows = await connection.execute(
                select(identity_links.c.customer_id).where(
                    tuple_(identity_links.c.platform, identity_links.c.external_id).in_(
                        sorted(records)
                    )
                )
            )
            customer_ids = sorted({row.customer_id for row in rows})
    if not emails and not customer_ids:
        return 0
    return await cache.evict(customer_ids=customer_ids, emails=emails)
