"""A customer's behavioural events, merged from every platform that records them
(`EventSource`), newest first; ties keep a stable order by id.

Marketo: the leads' activities (email, form, web visit, score change) over the last `days`
days; Mailchimp: each member's activity feed (its last 50 events); Shopify: ORDER_PLACED for
each of the customer's most recent orders. Platforms that record no behavioural events the
gateway reads (HubSpot, Salesforce) are not asked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from canonical_schema import BehavioralEvent, Platform
from connectors.base import EventSource
from hub.graph_base import Partial, PersonRef, held_by, settle

Events = dict[str, list[BehavioralEvent]]  # by email


class EventReads:
    def __init__(
        self,
        sources: Sequence[EventSource],
        *,
        days: int = 730,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sources = {source.platform: source for source in sources}
        self._days = days
        self._now = now

    async def for_people(self, people: Sequence[PersonRef]) -> list[Partial[list[BehavioralEvent]]]:
        since = self._now() - timedelta(days=self._days)
        calls: dict[Platform, Awaitable[Events]] = {}
        for platform, source in self._sources.items():
            if held := held_by(people, platform):
                calls[platform] = source.events_of(held, since)
        settled = await settle(calls)
        found: list[Partial[list[BehavioralEvent]]] = []
        for person in people:
            events = [e for held in settled.answers.values() for e in held.get(person.email, [])]
            events.sort(key=lambda e: (e.occurred_at, e.id), reverse=True)
            platforms = [platform for platform, _ in person.ids]
            found.append(Partial(events, settled.failures_for(platforms)))
        return found
