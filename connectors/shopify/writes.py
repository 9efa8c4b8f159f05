"""Upserts: look every email up in one query per chunk, then `customerCreate` the new ones and
`customerUpdate` (by id) the known ones, up to `WRITE_BATCH` aliased mutations a document.

A mutation Shopify refuses answers `userErrors` (e.g. "Phone has already been taken") at HTTP
200: that refuses the one record, not the batch, and comes back as a `RecordRejected`. One
refusal is not final: "Email has already been taken" on a create means the lookup (a search,
which trails writes by seconds) missed a customer created a moment ago; that customer is read
directly (`direct`) and the record written to it as an update.
Consent: `customerCreate` takes it in its input; `customerUpdate` refuses it, so an existing
customer's consent goes through `customerEmailMarketingConsentUpdate`, aliased in the same
document right after the customer's `customerUpdate`. A change of consent alone is that one
mutation (the `customerUpdate` would only repeat the email it was found by).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from canonical_schema import CustomerRecord, normalize_email
from canonical_schema.invariants import BrokenInvariant
from connectors.base import UpsertResult
from connectors.exceptions import InvalidUpstreamDataError
from connectors.shopify.api import PLATFORM, GraphQLApi
from connectors.shopify.mapping import consent_input, from_canonical, update_input
from connectors.shopify.queries import MUTATION_COST, upsert_document

WRITE_BATCH = 25  # records a document, ≤ 2 mutations each: ≤ 500 of a query's 1000 points
if not (WRITE_BATCH * 2 * MUTATION_COST <= 1000):
    raise BrokenInvariant("expected WRITE_BATCH * 2 * MUTATION_COST <= 1000")


@dataclass(frozen=True)
class RecordRejected:
    """Shopify refused this record: its `userErrors`, as `field: message`."""

    email: str
    errors: tuple[str, ...]


Outcome = UpsertResult | RecordRejected
Lookup = Callable[[Sequence[str]], Awaitable[dict[str, CustomerRecord]]]
Direct = Callable[[str], Awaitable[CustomerRecord | None]]
TAKEN = "email: Email has already been taken"


@dataclass(frozen=True)
class _Write:
    email: str
    steps: tuple[tuple[str, dict[str, Any]], ...]  # (mutation, its input), run in order

    @property
    def creates(self) -> bool:
        return self.steps[0][0] == "customerCreate"


async def upsert(
    api: GraphQLApi, lookup: Lookup, records: Sequence[CustomerRecord], direct: Direct
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
    outcomes = await _run_all(api, writes)
    missed = [
        (i, record)
        for i, (record, write, outcome) in enumerate(zip(records, writes, outcomes, strict=True))
        if write.creates and isinstance(outcome, RecordRejected) and TAKEN in outcome.errors
    ]
    found = await asyncio.gather(*(direct(record.email) for _, record in missed))
    pairs = zip(missed, found, strict=True)
    again = [(i, _plan(record, held)) for (i, record), held in pairs if held is not None]
    for (i, _), outcome in zip(again, await _run_all(api, [w for _, w in again]), strict=True):
        outcomes[i] = outcome
    return outcomes


async def _run_all(api: GraphQLApi, writes: list[_Write]) -> list[Outcome]:
    batches = [writes[i : i + WRITE_BATCH] for i in range(0, len(writes), WRITE_BATCH)]
    done = await asyncio.gather(*(_run(api, batch) for batch in batches))
    return [outcome for batch in done for outcome in batch]


def _plan(record: CustomerRecord, existing: CustomerRecord | None) -> _Write:
    fields = from_canonical(record)
    if existing is None:
        return _Write(fields["email"], (("customerCreate", fields),))
    update = update_input(existing.external_id, fields)
    consent = consent_input(existing.external_id, fields)
    if consent is None:
        return _Write(fields["email"], (("customerUpdate", update),))
    steps: list[tuple[str, dict[str, Any]]] = []
    if update.keys() - {"id", "email"}:
        steps.append(("customerUpdate", update))
    steps.append(("customerEmailMarketingConsentUpdate", consent))
    return _Write(fields["email"], tuple(steps))


async def _run(api: GraphQLApi, batch: list[_Write]) -> list[Outcome]:
    steps = [step for write in batch for step in write.steps]
    document = upsert_document([mutation for mutation, _ in steps])
    data = await api.data(document, {f"i{n}": given for n, (_, given) in enumerate(steps)})
    outcomes: list[Outcome] = []
    n = 0
    for write in batch:
        payloads = [data.get(f"w{n + k}") for k in range(len(write.steps))]
        n += len(write.steps)
        outcomes.append(_outcome(write, payloads, api.path))
    return outcomes


def _outcome(write: _Write, payloads: list[Any], where: str) -> Outcome:
    """One record's outcome from its mutations' payloads: refused if any refused it."""
    errors: list[str] = []
    external_id: Any = None
    for (mutation, _), payload in zip(write.steps, payloads, strict=True):
        if not isinstance(payload, dict):
            raise InvalidUpstreamDataError(
                PLATFORM, f"{mutation} answered no payload for {write.email}", endpoint=where
            )
        refused = payload.get("userErrors") or []
        errors += [_user_error(error) for error in refused]
        if refused:
            continue
        customer = payload.get("customer")
        external_id = customer.get("id") if isinstance(customer, dict) else None
        if not isinstance(external_id, str) or not external_id:
            raise InvalidUpstreamDataError(
                PLATFORM, f"{mutation} answered no customer id for {write.email}", endpoint=where
            )
    if errors:
        return RecordRejected(write.email, tuple(errors))
    if not isinstance(external_id, str):
        raise BrokenInvariant("expected isinstance(external_id, str)")
    return UpsertResult(write.email, external_id, created=write.creates)


def _user_error(error: Any) -> str:
    if not isinstance(error, dict):
        return str(error)
    field = error.get("field")
    where = ".".join(str(part) for part in field) if isinstance(field, list) else "(record)"
    return f"{where}: {error.get('message')}"
