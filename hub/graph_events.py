"""A customer's behavioural events, merged from every platform that records them, newest first.

- Marketo: the leads' activities (email, form, web visit, score change) in one paging-token call
  and one activities call per 30 leads (Marketo's `leadIds` cap), over the last `days` days.
- Mailchimp: each member's activity feed (its last 50 events); Mailchimp has no batch read,
  so these are one call per member, at most the connector's concurrency (5 of its 10
  connections) at a time.
- Shopify: ORDER_PLACED for each of the customer's most recent orders (one query for many
  customers, as for `Customer.orders`).

HubSpot and Salesforce record no behavioural events the gateway reads. Events are listed
newest first; ties keep a stable order by id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from canonical_schema import BehavioralEvent, Platform
from canonical_schema.invariants import BrokenInvariant
from connectors.mailchimp import MailchimpConnector
from connectors.marketo import MarketoConnector
from connectors.shopify import ShopifyConnector
from connectors.shopify.order_mapping import order_event
from hub.graph_base import Partial, PersonRef, settle

MARKETO, MAILCHIMP, SHOPIFY = Platform.MARKETO, Platform.MAILCHIMP, Platform.SHOPIFY
ORDER_EVENTS = 10  # most recent orders a customer's events include
Events = dict[str, list[BehavioralEvent]]  # by email


class EventReads:
    def __init__(
        self,
        marketo: MarketoConnector | None,
        mailchimp: MailchimpConnector | None,
        shopify: ShopifyConnector | None,
        *,
        days: int = 730,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._marketo = marketo
        self._mailchimp = mailchimp
        self._shopify = shopify
        self._days = days
        self._now = now

    async def for_people(self, people: Sequence[PersonRef]) -> list[Partial[list[BehavioralEvent]]]:
        calls: dict[Platform, Awaitable[Events]] = {}
        if self._marketo is not None:
            calls[MARKETO] = self._marketo_events(people)
        if self._mailchimp is not None:
            calls[MAILCHIMP] = self._mailchimp_events(people)
        if self._shopify is not None:
            calls[SHOPIFY] = self._shopify_events(people)
        settled = await settle(calls)
        found: list[Partial[list[BehavioralEvent]]] = []
        for person in people:
            events = [e for held in settled.answers.values() for e in held.get(person.email, [])]
            events.sort(key=lambda e: (e.occurred_at, e.id), reverse=True)
            platforms = [platform for platform, _ in person.ids]
            found.append(Partial(events, settled.failures_for(platforms)))
        return found

    async def _marketo_events(self, people: Sequence[PersonRef]) -> Events:
        if self._marketo is None:
            raise BrokenInvariant("expected self._marketo is not None")
        leads = {lead: p.email for p in people if (lead := p.id_on(MARKETO)) and lead.isdigit()}
        if not leads:
            return {}
        since = self._now() - timedelta(days=self._days)
        events = await self._marketo.events_for_leads(list(leads), since, emails=leads)
        return _by_email(events)

    async def _mailchimp_events(self, people: Sequence[PersonRef]) -> Events:
        mailchimp = self._mailchimp
        if mailchimp is None:
            raise BrokenInvariant("expected mailchimp is not None")
        emails = [p.email for p in people if p.held_by(MAILCHIMP)]

        async def one(email: str) -> list[BehavioralEvent]:
            return await mailchimp.activity(email)

        # The connector's semaphore bounds how many of these run at once.
        feeds = await _each(emails, one)
        return dict(zip(emails, feeds, strict=True))

    async def _shopify_events(self, people: Sequence[PersonRef]) -> Events:
        if self._shopify is None:
            raise BrokenInvariant("expected self._shopify is not None")
        gids = {gid: p.email for p in people if (gid := p.id_on(SHOPIFY))}
        if not gids:
            return {}
        orders = await self._shopify.orders_for_customers(list(gids), ORDER_EVENTS)
        return {gids[gid]: [order_event(order) for order in held] for gid, held in orders.items()}


def _by_email(events: list[BehavioralEvent]) -> Events:
    found: Events = {}
    for event in events:
        if event.customer_email:
            found.setdefault(event.customer_email, []).append(event)
    return found


async def _each(
    emails: list[str], step: Callable[[str], Awaitable[list[BehavioralEvent]]]
) -> list[list[BehavioralEvent]]:
    results = await asyncio.gather(*(step(email) for email in emails), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [r for r in results if not isinstance(r, BaseException)]
