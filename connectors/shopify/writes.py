"""Upserts: look every email up in one query per chunk, then `customerCreate` the new ones and
`customerUpdate` (by id) the known ones, up to `WRITE_BATCH` aliased mutations a document.

A mutation Shopify refuses answers `userErrors` (e.g. "Phone has already been taken") at HTTP
200: that refuses the one record, not the batch, and comes back as a `RecordRejected`.
Consent is written on create only: `customerUpdate` refuses `emailMarketingConsent` (Shopify's
`customerEmailMarketingConsentUpdate` exists for that and is not used here; see client.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from canonical_schema import CustomerRecord, normalize_email
from connectors.base import UpsertResult
from connectors.exceptions import InvalidUpstreamDataError
from connectors.shopify.api import PLATFORM, GraphQLApi
from connectors.shopify.mapping import from_canonical, update_input
from connectors.shopify.queries import MUTATION_COST, upsert_document

WRITE_BATCH = 25  # mutations a document: 250 of the 1000 points a query may cost
assert WRITE_BATCH * MUTATION_COST <= 1000


@dataclass(frozen=True)
class RecordRejected:
    """Shopify refused this record: its `userErrors`, as `field: message`."""

    email: str
    errors: tuple[str, ...]


Outcome = UpsertResult | RecordRejected
Lookup = Callable[[Sequence[str]], Awaitable[dict[str, CustomerRecord]]]


@dataclass(frozen=True)
class _Write:
    email: str
    mutation: str  # customerCreate | customerUpdate
    input: dict[str, Any]


async def upsert(
    api: GraphQLApi, lookup: Lookup, records: Sequence[CustomerRecord]
) -> list[Outcome]:
    """One outcome per record, in order."""
    emails = [normalize_email(record.email) for record in records]
    repeated = sorted({email for email in emails if emails.count(email) > 1})
    if repeated:
        raise ValueError(f"one upsert cannot write an email twice: {', '.join(repeated)}")
    existing = await lookup(emails)
    writes = [
        _plan(record, existing.get(email)) for record, email in zip(records, emails, strict=True)
    ]
    batches = [writes[i : i + WRITE_BATCH] for i in range(0, len(writes), WRITE_BATCH)]
    done = await asyncio.gather(*(_run(api, batch) for batch in batches))
    return [outcome for batch in done for outcome in batch]


def _plan(record: CustomerRecord, existing: CustomerRecord | None) -> _Write:
    fields = from_canonical(record)
    if existing is None:
        return _Write(fields["email"], "customerCreate", fields)
    return _Write(fields["email"], "customerUpdate", update_input(existing.external_id, fields))


async def _run(api: GraphQLApi, batch: list[_Write]) -> list[Outcome]:
    document = upsert_document([write.mutation for write in batch])
    data = await api.data(document, {f"i{n}": write.input for n, write in enumerate(batch)})
    return [_outcome(write, data.get(f"w{n}"), api.path) for n, write in enumerate(batch)]


def _outcome(write: _Write, payload: Any, where: str) -> Outcome:
    if not isinstance(payload, dict):
        raise InvalidUpstreamDataError(
            PLATFORM, f"{write.mutation} answered no payload for {write.email}", endpoint=where
        )
    errors = payload.get("userErrors") or []
    if errors:
        return RecordRejected(write.email, tuple(_user_error(error) for error in errors))
    customer = payload.get("customer")
    external_id = customer.get("id") if isinstance(customer, dict) else None
    if not isinstance(external_id, str) or not external_id:
        raise InvalidUpstreamDataError(
            PLATFORM, f"{write.mutation} answered no customer id for {write.email}", endpoint=where
        )
    return UpsertResult(write.email, external_id, created=write.mutation == "customerCreate")


def _user_error(error: Any) -> str:
    if not isinstance(error, dict):
        return str(error)
    field = error.get("field")
    where = ".".join(str(part) for part in field) if isinstance(field, list) else "(record)"
    return f"{where}: {error.get('message')}"
