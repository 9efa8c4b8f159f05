"""The read path: fan a request out to every connected platform, merge what comes back.

A platform that fails does not fail the read: the answer is merged from the platforms that did
answer, and the failures travel with it so the GraphQL edge can report them next to the data.
Only when no platform answered does a read have nothing to say but the error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from canonical_schema import Customer, Platform, merge_customers, normalize_email
from connectors import CustomerSource
from connectors.exceptions import ConnectorError
from hub.cursors import ListCursor
from hub.exceptions import InvalidArgumentError, InvalidCursorError

MAX_PAGE = 100


@dataclass(frozen=True)
class CustomerRead:
    """One customer as the platforms that answered see it, and the platforms that failed."""

    customer: Customer | None
    failures: tuple[ConnectorError, ...] = ()
    answered: int = 1


@dataclass(frozen=True)
class CustomerListPage:
    """Customers with the cursor to resume after each; the last cursor ends the page."""

    edges: Sequence[tuple[CustomerRead, str]]
    has_next_page: bool

    @property
    def end_cursor(self) -> str | None:
        return self.edges[-1][1] if self.edges else None


class ReadService:
    def __init__(self, sources: Sequence[CustomerSource]) -> None:
        self._sources = {source.platform: source for source in sources}

    @property
    def platforms(self) -> tuple[Platform, ...]:
        return tuple(self._sources)

    async def customers_by_email(self, emails: Sequence[str]) -> list[CustomerRead]:
        """One read per email, in order; the batch function behind the customer DataLoader."""
        keys = [normalize_email(email) for email in emails]
        sources = list(self._sources.values())
        outcomes = await asyncio.gather(
            *(source.customers_by_email(keys) for source in sources), return_exceptions=True
        )
        views: dict[str, list[Customer]] = {}
        failures: list[ConnectorError] = []
        for outcome in outcomes:
            if isinstance(outcome, ConnectorError):
                failures.append(outcome)
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                for email, customer in outcome.items():
                    views.setdefault(email, []).append(customer)
        answered = len(sources) - len(failures)
        return [
            CustomerRead(
                customer=merge_customers(views[key]) if key in views else None,
                failures=tuple(failures),
                answered=answered,
            )
            for key in keys
        ]

    async def list_customers(self, first: int, after: str | None) -> CustomerListPage:
        """A page of customers in the order of the first connected platform that lists them,
        each enriched from every other platform."""
        if not 1 <= first <= MAX_PAGE:
            raise InvalidArgumentError(f"`first` must be between 1 and {MAX_PAGE}, not {first}")
        if not self._sources:
            return CustomerListPage(edges=(), has_next_page=False)
        start = ListCursor.decode(after) if after is not None else None
        platform = start.platform if start else next(iter(self._sources))
        source = self._sources.get(platform)
        if source is None:
            raise InvalidCursorError(f"`after` pages {platform.value}, which is not connected")
        position = start or ListCursor(platform, None)
        page = await source.list_customers(min(MAX_PAGE, position.skip + first), position.after)
        listed = list(page.customers[position.skip : position.skip + first])
        rest_of_page = len(page.customers) > position.skip + len(listed)
        reads = await self._enrich(listed, [s for s in self._sources.values() if s is not source])
        cursors = [
            ListCursor(platform, position.after, position.skip + i + 1) for i in range(len(reads))
        ]
        if cursors and not rest_of_page and page.next_after is not None:
            cursors[-1] = ListCursor(platform, page.next_after)
        return CustomerListPage(
            edges=tuple(zip(reads, (c.encode() for c in cursors), strict=True)),
            has_next_page=rest_of_page or page.next_after is not None,
        )

    async def count_customers(self) -> int:
        """How many customers the listing platform holds."""
        if not self._sources:
            return 0
        return await next(iter(self._sources.values())).count_customers()

    async def _enrich(
        self, listed: Sequence[Customer], others: Sequence[CustomerSource]
    ) -> list[CustomerRead]:
        if not others:
            return [CustomerRead(customer) for customer in listed]
        emails = [customer.email for customer in listed]
        outcomes = await asyncio.gather(
            *(source.customers_by_email(emails) for source in others), return_exceptions=True
        )
        failures = tuple(o for o in outcomes if isinstance(o, ConnectorError))
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, ConnectorError):
                raise outcome
        found = [o for o in outcomes if isinstance(o, dict)]
        return [
            CustomerRead(
                customer=merge_customers(
                    [customer, *(f[customer.email] for f in found if customer.email in f)]
                ),
                failures=failures,
                answered=1 + len(found),
            )
            for customer in listed
        ]
