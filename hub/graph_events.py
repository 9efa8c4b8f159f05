"""A customer's behavioural events, merged from every platform that records them
(`EventSource`), newest first; ties keep a stable order by id.

Marketo: the leads' activities (email, form, web visit, score change) over the last `days`
days; Mailchimp: each member's activity feed (its last 50 events); Shopify: ORDER_PLACED for
each of the customer's most recent orders, taken from the store's orders (attribution's feed)
while the shop's were read within the bound: the same orders, no call. Platforms that record
no behavioural events the gateway reads (HubSpot, Salesforce) are not asked. What each
platform said of a person is kept in the store and answers within the freshness bound
(hub/graph_people.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from pydantic import TypeAdapter

from canonical_schema import BehavioralEvent
from connectors.base import EventSource, Held, OrderEvents
from hub.graph_base import Partial, PersonRef
from hub.graph_orders import StoredOrders
from hub.graph_people import Derive, Fetch, Kind, StoredEntities
from hub.identity import IdentityIndex

Events = dict[str, list[BehavioralEvent]]  # by email


class EventReads:
    def __init__(
        self,
        sources: Sequence[EventSource],
        *,
        days: int = 730,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        identity: IdentityIndex | None = None,
        orders: StoredOrders | None = None,
    ) -> None:
        """`orders`: the shop's stored orders, which a shop's events are (then read from
        them, never asked of the shop, while they are within the bound)."""
        self._days = days
        self._now = now
        fetchers = {source.platform: self._reader(source) for source in sources}
        derived = {
            source.platform: self._from_orders(source, orders)
            for source in sources
            if orders is not None and isinstance(source, OrderEvents)
        }
        codec = TypeAdapter(list[BehavioralEvent])
        kind = Kind("events", fetchers, codec, list, derived=derived)
        self.stored: StoredEntities[list[BehavioralEvent]] = StoredEntities(kind, identity)

    def _reader(self, source: EventSource) -> Fetch[list[BehavioralEvent]]:
        async def read(people: Held) -> Mapping[str, list[BehavioralEvent]]:
            return await source.events_of(people, self._now() - timedelta(days=self._days))

        return read

    def _from_orders(
        self, source: OrderEvents, orders: StoredOrders
    ) -> Derive[list[BehavioralEvent]]:
        async def derive(
            people: Sequence[PersonRef], bound: float
        ) -> Mapping[str, list[BehavioralEvent]] | None:
            kept = await orders.of(people, source.event_orders, bound)
            if kept is None or kept[0] is not source.platform:
                return None
            return {customer: source.events_of_orders(held) for customer, held in kept[1].items()}

        return derive

    async def for_people(
        self, people: Sequence[PersonRef], bound: float = 0
    ) -> list[Partial[list[BehavioralEvent]]]:
        """Each person's events, from the store when it holds them read within `bound`
        seconds, else live (then kept)."""
        found: list[Partial[list[BehavioralEvent]]] = []
        for read in await self.stored.read(people, bound):
            events = [event for held in read.value for event in held]
            events.sort(key=lambda e: (e.occurred_at, e.id), reverse=True)
            found.append(Partial(events, read.failures))
        return found
