"""What the hub asks of a connector. Small protocols, one per capability."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from canonical_schema import Customer, Platform


@dataclass(frozen=True)
class CustomerPage:
    """One page of a platform's customers in its own order; `next_after` is its opaque cursor."""

    customers: Sequence[Customer]
    next_after: str | None


class CustomerSource(Protocol):
    """A platform that holds customers and can read them by email and page through them."""

    @property
    def platform(self) -> Platform: ...

    async def customers_by_email(self, emails: Sequence[str]) -> dict[str, Customer]:
        """The platform's view of each email it holds, keyed by normalized email."""
        ...

    async def list_customers(self, limit: int, after: str | None) -> CustomerPage:
        """One page of customers; `after` is a `next_after` this platform gave before."""
        ...

    async def count_customers(self) -> int:
        """How many customers the platform holds."""
        ...
