"""What the hub asks of a connector. Small protocols, one per capability."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from canonical_schema import CustomerRecord, Platform


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
