"""Upserts by email, the way they work against a real org.

`Email` is not an External ID field on standard Contacts and Leads, so sObject Collections
upsert (`PATCH /composite/sobjects/{SObject}/{ExternalIdField}`) cannot key on it. Instead:
find each email's current record (the one reads choose, see mapping.py), update the found ones
with `PATCH /composite/sobjects` and create the rest as Leads with `POST /composite/sobjects`
(new people enter Salesforce as Leads), 200 records a call, `allOrNone: false` so one bad
record fails alone. Every call runs to its end; then the first refusal, if any, is raised
as a `FatalError` naming the email and Salesforce's reason.

A Lead's `Status` is set from the org's own picklist (lead_status.py); a record whose stage
fits none of its values is refused without being sent. Converted Leads are never in `current`
(the reads leave them out: they are read-only).

An email given twice in one upsert is written once, with its last record's values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from canonical_schema import CustomerRecord
from connectors.base import UpsertResult
from connectors.exceptions import FatalError, InvalidUpstreamDataError
from connectors.salesforce.api import PLATFORM, Api
from connectors.salesforce.lead_status import LeadStatuses
from connectors.salesforce.mapping import Contact, Lead, from_canonical

COLLECTION_LIMIT = 200
COLLECTIONS = "/composite/sobjects"


async def upsert(
    api: Api,
    records: Sequence[CustomerRecord],
    current: dict[str, Contact | Lead],
    statuses: LeadStatuses,
) -> list[UpsertResult]:
    """Write `records`; `current` is each email's record as read just before, `statuses` the
    org's Lead Status values."""
    last = {record.email: record for record in records}
    planned: dict[str, list[tuple[str, dict[str, Any]]]] = {"PATCH": [], "POST": []}
    failures: list[str] = []
    for email, record in last.items():
        found = current.get(email)
        kind = "Lead" if found is None else found.kind
        body = from_canonical(record, kind, creating=found is None)
        if "Status" in body and record.lifecycle_stage is not None:
            status = statuses.for_stage(record.lifecycle_stage)
            if status is None:
                failures.append(
                    f"{email}: no Lead Status of this org stands for "
                    f"{record.lifecycle_stage.value} (its values: {', '.join(statuses.values)})"
                )
                continue
            body["Status"] = status
        if found is None:
            planned["POST"].append((email, body))
        else:
            planned["PATCH"].append((email, {**body, "Id": found.Id}))
    ids: dict[str, str] = {}
    for method, writes in planned.items():
        for start in range(0, len(writes), COLLECTION_LIMIT):
            chunk = writes[start : start + COLLECTION_LIMIT]
            body = {"allOrNone": False, "records": [fields for _, fields in chunk]}
            answer = await api.call(method, COLLECTIONS, json=body)
            for (email, _), item in zip(chunk, _items(answer, len(chunk), method), strict=True):
                if item.get("success") is True and isinstance(item.get("id"), str):
                    ids[email] = item["id"]
                else:
                    failures.append(f"{email}: {_reasons(item)}")
    if failures:
        raise FatalError(
            PLATFORM,
            f"{len(failures)} of {len(last)} records were refused; first: {failures[0]}",
            status=200,
            endpoint=f"PATCH|POST {COLLECTIONS}",
        )
    seen: set[str] = set()
    results = []
    for record in records:
        created = record.email not in current and record.email not in seen
        seen.add(record.email)
        results.append(UpsertResult(record.email, ids[record.email], created))
    return results


def _items(answer: Any, expected: int, method: str) -> list[dict[str, Any]]:
    if (
        not isinstance(answer, list)
        or len(answer) != expected
        or not all(isinstance(item, dict) for item in answer)
    ):
        raise InvalidUpstreamDataError(
            PLATFORM,
            f"{method} {COLLECTIONS} did not answer one result per record",
            endpoint=f"{method} {COLLECTIONS}",
        )
    return answer


def _reasons(item: dict[str, Any]) -> str:
    errors = item.get("errors")
    if not isinstance(errors, list) or not errors:
        return "refused without a reason"
    parts = []
    for error in errors:
        if isinstance(error, dict):
            fields = ", ".join(map(str, error.get("fields") or []))
            where = f" [{fields}]" if fields else ""
            parts.append(f"{error.get('statusCode')}: {error.get('message')}{where}")
    return "; ".join(parts) or "refused without a reason"
