"""Marketo leads, read and written as canonical customers.

- `records_by_email`: `GET /rest/v1/leads.json?filterType=email`, 300 emails a call, the calls
  of one lookup concurrent (within the API's slots). Long lists go as `POST …?_method=GET` (a
  GET's URI past 8 KB is a 414). Marketo matches emails ignoring case; several leads may hold
  one email (Marketo allows duplicates): the most recently updated wins, then the highest id.
- `list_records`: Marketo has no "list every lead". Every lead gets one New Lead activity
  (type 12) when it is created, so paging New Lead activities from `EARLIEST` with Marketo's
  paging token reaches every lead exactly once, oldest first, and then reads those leads by id
  (`filterType=id`). The cursor is Marketo's `nextPageToken`. A deleted lead, or one without a
  usable email, is left out, so a page may be shorter than `limit`. This serves short live
  pages; where Marketo's retention pruned old New Lead activities those leads are missing,
  and a walk through every lead costs two calls per 300 plus the log's empty stretches.
- `export_page` is one step of a full pass: the leads created in one window of at most 31
  days, through the Bulk Lead Extract API (`export.py`), from `created_since` (the instance's
  first lead; before it every window is an empty job) to now. The cursor is the next
  window's start. Sync's full walks (`feed.py`) and `count_records` go this way
  (`full_page`), unless `full_sync` is `activities`: about 4 calls a month of history
  against 2 per 300 leads, so a small instance may choose the activity walk.
- `upsert_records`: `POST /rest/v1/leads.json` createOrUpdate by email, 300 a call, the calls
  one after another (concurrent syncs of one email can create duplicate leads). A skipped
  record raises `RecordsSkippedError` once every batch was sent.
- Activities and lead changes: `activities.py`. `lead_changes` is one page of the lead-change
  feed with its paging token, so an incremental sync can checkpoint and resume it;
  `records_by_id` reads the changed leads (`filterType=id`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, NamedTuple

import httpx
from pydantic import BaseModel, ConfigDict, StrictInt, ValidationError

from canonical_schema import (
    DEFAULT_REGION,
    BehavioralEvent,
    CustomerRecord,
    is_email,
    normalize_email,
)
from connectors.base import Held, RecordPage, UpsertResult
from connectors.exceptions import InvalidUpstreamDataError
from connectors.marketo.activities import ActivityReader
from connectors.marketo.api import DEFAULT_CONCURRENCY, PLATFORM, MarketoApi
from connectors.marketo.auth import client_credentials_auth
from connectors.marketo.errors import RecordsSkippedError, Skipped
from connectors.marketo.event_mapping import NEW_LEAD_TYPE
from connectors.marketo.export import LeadExport, Sleep, marketo_time, window_after
from connectors.marketo.mapping import LEAD_FIELDS, from_canonical, parse_lead, to_canonical

LEADS = "/rest/v1/leads.json"
BATCH_LIMIT = 300
EARLIEST = datetime(2006, 1, 1, tzinfo=UTC)  # before any Marketo instance existed
EXPORT_CURSOR = "created:"  # export_page's cursor: the next window's start


class SyncResult(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: StrictInt | None = None
    status: str
    reasons: list[dict[str, Any]] = []


class LeadChanges(NamedTuple):
    """One page of lead changes: each changed lead once, where to go on, whether more follow."""

    lead_ids: list[str]
    next_token: str
    more: bool


class MarketoConnector:
    """Leads of one Marketo instance. `http` carries the base URL (`https://{munchkin}.mktorest
    .com`), `auth` the token (`client_credentials_auth`, or use `from_credentials`)."""

    platform = PLATFORM

    def __init__(
        self,
        http: httpx.AsyncClient,
        auth: httpx.Auth,
        *,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        clock: Callable[[], float] = time.time,
        created_since: datetime = EARLIEST,
        sleep: Sleep = asyncio.sleep,
        full_sync: Literal["export", "activities"] = "export",
        phone_region: str = DEFAULT_REGION,
    ) -> None:
        self._api = MarketoApi(http, auth, max_concurrency=max_concurrency, clock=clock)
        self._phone_region = phone_region  # phones without a country code are read in it
        self._activities = ActivityReader(self._api, self._emails_of)
        self._export = LeadExport(self._api, sleep=sleep, phone_region=phone_region)
        self._clock = clock
        self._created_since = created_since
        self.full_sync = full_sync

    @classmethod
    def from_credentials(
        cls, http: httpx.AsyncClient, client_id: str, client_secret: str
    ) -> MarketoConnector:
        return cls(http, client_credentials_auth(http, client_id, client_secret))

    async def records_by_email(self, emails: Sequence[str]) -> dict[str, CustomerRecord]:
        # A comma would split the filter list; no such address is an email Marketo holds.
        wanted = [e for e in dict.fromkeys(map(normalize_email, emails)) if _askable(e)]
        asked = set(wanted)
        chunks = [wanted[i : i + BATCH_LIMIT] for i in range(0, len(wanted), BATCH_LIMIT)]
        found: dict[str, CustomerRecord] = {}
        for records in await asyncio.gather(*(self._leads_by("email", c) for c in chunks)):
            for record in records:
                held = found.get(record.email)
                if record.email in asked and (held is None or _newer(record, held)):
                    found[record.email] = record
        return found

    async def list_records(self, limit: int, after: str | None) -> RecordPage:
        if not 1 <= limit <= BATCH_LIMIT:
            raise ValueError(f"Marketo pages hold 1 to {BATCH_LIMIT} leads, not {limit}")
        token = after or await self._activities.paging_token(EARLIEST)
        lead_ids: list[int] = []
        more = True
        while more and len(lead_ids) < limit:
            params = {"activityTypeIds": NEW_LEAD_TYPE, "batchSize": limit - len(lead_ids)}
            activities, token, more = await self._activities.page(params, token)
            lead_ids += [activity.leadId for activity in activities]
        by_id = {r.external_id: r for r in await self._leads_by("id", list(map(str, lead_ids)))}
        records = [by_id[str(i)] for i in dict.fromkeys(lead_ids) if str(i) in by_id]
        return RecordPage(records=records, next_after=token if more else None)

    async def export_page(self, after: str | None) -> RecordPage:
        """The leads created in the next window of a full pass (an `after` from before, or
        none to begin; a cursor of another kind begins again), through one bulk export job."""
        start = self._created_since
        if after is not None and after.startswith(EXPORT_CURSOR):
            start = datetime.fromisoformat(after.removeprefix(EXPORT_CURSOR))
        end, last = window_after(start, datetime.fromtimestamp(self._clock(), UTC))
        records = await self._export.window(start, end)
        following = marketo_time(end + timedelta(seconds=1))
        return RecordPage(records=records, next_after=None if last else EXPORT_CURSOR + following)

    async def full_page(self, after: str | None) -> RecordPage:
        """One page of a full sync, the way `full_sync` says: a bulk export window, or 300
        leads by their New Lead activities."""
        if self.full_sync == "export":
            return await self.export_page(after)
        if after is not None and after.startswith(EXPORT_CURSOR):
            after = None  # a walk the other way was under way: begin again
        return await self.list_records(BATCH_LIMIT, after)

    async def count_records(self) -> int:
        """Every lead with a usable email, counted through a full pass (`full_page`)."""
        count, after = 0, None
        while True:
            page = await self.full_page(after)
            count += len(page.records)
            if page.next_after is None:
                return count
            after = page.next_after

    async def upsert_records(self, records: Sequence[CustomerRecord]) -> list[UpsertResult]:
        written: list[UpsertResult] = []
        skipped: list[Skipped] = []
        request_id = None
        for start in range(0, len(records), BATCH_LIMIT):
            chunk = records[start : start + BATCH_LIMIT]
            body = {
                "action": "createOrUpdate",
                "lookupField": "email",
                "input": [from_canonical(record) for record in chunk],
            }
            envelope = await self._api.post(LEADS, body)
            results = _sync_results(envelope.result, len(chunk), envelope.requestId)
            for offset, (record, result) in enumerate(zip(chunk, results, strict=True)):
                if result.status in ("created", "updated") and result.id is not None:
                    written.append(
                        UpsertResult(record.email, str(result.id), result.status == "created")
                    )
                else:
                    reasons = tuple({k: str(v) for k, v in r.items()} for r in result.reasons)
                    skipped.append(Skipped(start + offset, record.email, reasons))
                    request_id = envelope.requestId
        if skipped:
            raise RecordsSkippedError(written, skipped, correlation_id=request_id)
        return written

    async def events_for_leads(
        self,
        lead_ids: Sequence[str],
        since: datetime,
        *,
        emails: Mapping[str, str] | None = None,
    ) -> list[BehavioralEvent]:
        """The leads' events since `since`, oldest first (see `activities.py`)."""
        return await self._activities.events_for_leads(lead_ids, since, emails=emails)

    async def events_of(self, people: Held, since: datetime) -> dict[str, list[BehavioralEvent]]:
        """Each lead's activities since `since`, by email (ids that are no lead ids skipped)."""
        leads = {lead: email for email, lead in people.items() if lead.isdigit()}
        if not leads:
            return {}
        found: dict[str, list[BehavioralEvent]] = {}
        for event in await self.events_for_leads(list(leads), since, emails=leads):
            if event.customer_email:
                found.setdefault(event.customer_email, []).append(event)
        return found

    async def changed_lead_ids_since(self, since: datetime) -> list[str]:
        """Leads created or with a read field changed since `since`, first change first."""
        return await self._activities.changed_lead_ids_since(since)

    async def lead_changes(self, since: datetime, after: str | None = None) -> LeadChanges:
        """One call of the lead-change feed, for an incremental sync that resumes: from
        `after` (a `next_token` given before) or else from `since`. Keep the last page's
        `next_token`: it is where the next sync starts, with no gap and no overlap."""
        token = after or await self._activities.paging_token(since)
        return LeadChanges(*await self._activities.lead_changes(token))

    async def records_by_id(self, lead_ids: Sequence[str]) -> dict[str, CustomerRecord]:
        """The leads among `lead_ids` that exist and have a usable email, by lead id."""
        return await self._records_by_id(list(dict.fromkeys(lead_ids)))

    async def _leads_by(self, filter_type: str, values: list[str]) -> list[CustomerRecord]:
        """The leads whose `filter_type` is one of `values` (at most 300), every page."""
        if not values:
            return []
        params: dict[str, str | int] = {
            "filterType": filter_type,
            "filterValues": ",".join(values),
            "fields": ",".join(LEAD_FIELDS),
            "batchSize": BATCH_LIMIT,
        }
        records: list[CustomerRecord] = []
        while True:
            envelope = await self._api.get(LEADS, params)
            records += _map_leads(envelope.result, envelope.requestId, self._phone_region)
            if not envelope.nextPageToken or not envelope.result:
                return records
            params = {**params, "nextPageToken": envelope.nextPageToken}

    async def _emails_of(self, lead_ids: Sequence[str]) -> dict[str, str]:
        records = await self._records_by_id(lead_ids)
        return {lead_id: record.email for lead_id, record in records.items()}

    async def _records_by_id(self, lead_ids: Sequence[str]) -> dict[str, CustomerRecord]:
        chunks = [lead_ids[i : i + BATCH_LIMIT] for i in range(0, len(lead_ids), BATCH_LIMIT)]
        pages = await asyncio.gather(*(self._leads_by("id", list(c)) for c in chunks))
        return {record.external_id: record for page in pages for record in page}


def _askable(email: str) -> bool:
    return "," not in email and is_email(email)


def _newer(record: CustomerRecord, than: CustomerRecord) -> bool:
    """Of two leads with one email: the later `updatedAt`, then the higher (newer) id."""
    mine = (record.updated_at or EARLIEST, int(record.external_id))
    theirs = (than.updated_at or EARLIEST, int(than.external_id))
    return mine > theirs


def _map_leads(raw: list[Any], request_id: str | None, phone_region: str) -> list[CustomerRecord]:
    mapped = []
    for item in raw:
        try:
            lead = parse_lead(item)
        except ValidationError as exc:
            raise InvalidUpstreamDataError(
                PLATFORM,
                f"a lead has an unexpected shape: {exc.errors()[0]}",
                endpoint=f"GET {LEADS}",
                correlation_id=request_id,
            ) from exc
        record = to_canonical(lead, phone_region=phone_region)
        if record is not None:
            mapped.append(record)
    return mapped


def _sync_results(raw: list[Any], expected: int, request_id: str | None) -> list[SyncResult]:
    try:
        results = [SyncResult.model_validate(item) for item in raw]
    except ValidationError as exc:
        problem = str(exc.errors()[0])
    else:
        if len(results) == expected:
            return results
        problem = f"{len(results)} results for {expected} records"
    raise InvalidUpstreamDataError(
        PLATFORM,
        f"a createOrUpdate sync answered {problem}",
        endpoint=f"POST {LEADS}",
        correlation_id=request_id,
    )
