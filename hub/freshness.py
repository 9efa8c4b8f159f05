"""What a platform's change notification is about, and what it makes stale.

An event names a person by email (Shopify, Mailchimp) or by the platform's record id
(HubSpot); the identity index turns a record id into the customer it belongs to. Evicting by
tag drops every cached entry of that customer on every replica sharing the cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select, tuple_

from canonical_schema import Platform
from hub.customer_cache import CustomerCache
from hub.identity import IdentityIndex
from hub.store import Store
from hub.tables import identity_links


class ChangeEvent(Protocol):
    @property
    def platform(self) -> Platform: ...
    @property
    def email(self) -> str | None: ...
    @property
    def external_id(self) -> str | None: ...


@dataclass(frozen=True)
class Person:
    customer_id: str
    email: str | None


async def people_named(
    store: Store, identity: IdentityIndex, events: Sequence[ChangeEvent]
) -> list[Person | None]:
    """The customer each event is about, in order; None when the gateway has never seen the
    record an event names by id (nothing of it can be cached or subscribed to yet)."""
    records = sorted(
        {(e.platform.value, e.external_id) for e in events if e.external_id and not e.email}
    )
    linked: dict[tuple[str, str], tuple[str, str]] = {}
    if records:
        async with store.engine.connect() as connection:
            rows = await connection.execute(
                select(identity_links).where(
                    tuple_(identity_links.c.platform, identity_links.c.external_id).in_(records)
                )
            )
            linked = {(r.platform, r.external_id): (r.customer_id, r.email) for r in rows}
    people: list[Person | None] = []
    for event in events:
        if event.email:
            people.append(Person(identity.customer_id(event.email), event.email))
        elif (key := (event.platform.value, event.external_id or "")) in linked:
            people.append(Person(*linked[key]))
        else:
            people.append(None)
    return people


async def evict_people(cache: CustomerCache, people: Sequence[Person | None]) -> int:
    """Evict every cached entry of these people; returns how many entries went."""
    known = [person for person in people if person is not None]
    if not known:
        return 0
    return await cache.evict(
        customer_ids=sorted({p.customer_id for p in known}),
        emails=sorted({p.email for p in known if p.email}),
    )
