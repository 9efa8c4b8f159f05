"""What the hub asks of a connector. Small protocols, one per capability."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from canonical_schema import (
    BehavioralEvent,
    Company,
    CustomerRecord,
    Deal,
    Order,
    Platform,
)


@dataclass(frozen=True)
class RecordPage:
    """One page of a platform's people in its own order; `next_after` is its opaque cursor."""

    records: Sequence[CustomerRecord]
    next_after: str | None


class CustomerSource(Protocol):
    """A platform that holds people and can read them by email and page through them."""

    @property
    def platform(self) -> Platform: ...

    async def records_by_email(self, emails: Sequence[str]) -> dict[str, CustomerRecord]:
        """The platform's record of each email it holds, keyed by normalized email."""
        ...

    async def list_records(self, limit: int, after: str | None) -> RecordPage:
        """One page of records; `after` is a `next_after` this platform gave before."""
        ...

    async def count_records(self) -> int:
        """How many people the platform holds."""
        ...


@dataclass(frozen=True)
class UpsertResult:
    """What a platform did with one upserted record. `kept`: what the platform holds as the
    person's own standing choice and the write therefore left as it was (a Mailchimp member
    who unsubscribed stays unsubscribed), said for the people reading the write's outcome."""

    email: str
    external_id: str
    created: bool
    kept: str | None = None


class CustomerSink(Protocol):
    """A platform people can be written to: create or update by email, in batches."""

    @property
    def platform(self) -> Platform: ...

    async def upsert_records(self, records: Sequence[CustomerRecord]) -> list[UpsertResult]:
        """Create or update each record (matched by email) with its writable fields; one
        result per record, in order. Raises a connector error if the platform refuses."""
        ...


Held = Mapping[str, str]
"""The people a platform holds, asked about in one batch: normalized email -> the person's id
on that platform."""


@runtime_checkable
class CompanySource(Protocol):
    """A platform that holds companies (HubSpot companies, Salesforce Accounts)."""

    @property
    def platform(self) -> Platform: ...

    async def companies_of(self, people: Held) -> dict[str, Company]:
        """Each person's company (their primary one), by email; people without one left out."""
        ...

    async def companies_by_id(self, ids: Sequence[str]) -> dict[str, Company]: ...

    async def companies_by_domain(self, domains: Sequence[str]) -> dict[str, Company]:
        """By lower-cased domain."""
        ...

    async def company_people(self, company_ids: Sequence[str]) -> dict[str, list[str]]:
        """Each company's people, as emails."""
        ...


@runtime_checkable
class DealSource(Protocol):
    """A platform that holds deals (HubSpot deals, Salesforce Opportunities)."""

    @property
    def platform(self) -> Platform: ...

    async def deals_of(self, people: Held) -> dict[str, list[Deal]]:
        """Each person's deals, by email."""
        ...

    async def deals_of_companies(self, company_ids: Sequence[str]) -> dict[str, list[Deal]]: ...

    async def deals_by_id(self, ids: Sequence[str]) -> dict[str, Deal]: ...

    async def deal_companies(self, deal_ids: Sequence[str]) -> dict[str, str]:
        """Each deal's company id on this platform, for deals that do not name it already."""
        ...


@runtime_checkable
class OrderSource(Protocol):
    """A shop: its customers' orders."""

    @property
    def platform(self) -> Platform: ...

    def is_order_id(self, external_id: str) -> bool:
        """Whether `external_id` can name one of its orders (before asking)."""
        ...

    async def orders_for_customers(
        self, customer_ids: Sequence[str], first: int
    ) -> dict[str, list[Order]]:
        """Each customer's `first` most recent orders, by the platform's customer id."""
        ...

    async def orders_by_id(self, order_ids: Sequence[str]) -> dict[str, Order]: ...


@runtime_checkable
class OrderEvents(Protocol):
    """A shop whose behavioural events are its orders: what it says of stored orders."""

    @property
    def platform(self) -> Platform: ...

    event_orders: int
    """How many of a person's most recent orders their events are."""

    def events_of_orders(self, orders: Sequence[Order]) -> list[BehavioralEvent]:
        """The events a person's orders (newest first) are: what `events_of` answers."""
        ...


@runtime_checkable
class EventSource(Protocol):
    """A platform that records what people did (email activity, forms, orders, …)."""

    @property
    def platform(self) -> Platform: ...

    async def events_of(self, people: Held, since: datetime) -> dict[str, list[BehavioralEvent]]:
        """Each person's events since `since`, by email (at most the platform's own window)."""
        ...
