"""Full passes over a Marketo instance through the Bulk Lead Extract API.

Marketo has no "list every lead" call; paging New Lead activities (`client.list_records`) reads
every lead through two calls per 300 and walks the activity log's empty stretches, and misses
leads whose New Lead activity Marketo's retention already pruned. A full pass instead exports
the leads by `createdAt`, one job per window of at most 31 days (Marketo's limit), from
`created_since` to now:

    POST /bulk/v1/leads/export/create.json   {fields, format: CSV, filter: {createdAt: …}}
    POST /bulk/v1/leads/export/{id}/enqueue.json
    GET  /bulk/v1/leads/export/{id}/status.json   until Completed (polled, waiting between)
    GET  /bulk/v1/leads/export/{id}/file.json     the CSV: a header row, one lead per row

One job at a time, so the pass never holds more than one of the instance's 10 queue places
nor of its 2 processing slots. `1029 Too many jobs in queue` (other integrations' jobs) waits
and retries, `1029 Export daily quota exceeded` (500 MB a day by default) waits for midnight US
Central (both are rate-limited errors, `errors.py`). A job that ends `Failed` or `Canceled` is
fatal for the pass; the checkpoint (the window's start) lets the next sync go on from it.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from canonical_schema import DEFAULT_REGION, CustomerRecord
from connectors.exceptions import FatalError, InvalidUpstreamDataError
from connectors.marketo.api import PLATFORM, MarketoApi
from connectors.marketo.mapping import LEAD_FIELDS, parse_lead, to_canonical

EXPORT = "/bulk/v1/leads/export"
MAX_WINDOW = timedelta(days=31)
FIRST_POLL_S = 1.0  # after one look at once: a job may be done by then on a quiet instance
MAX_POLL_S = 60.0
Sleep = Callable[[float], Awaitable[None]]


def marketo_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def window_after(start: datetime, now: datetime) -> tuple[datetime, bool]:
    """The end of the window that begins at `start` (inclusive, to the second) and whether
    it reaches `now` (the pass's last window)."""
    end = start + MAX_WINDOW - timedelta(seconds=1)
    return (now, True) if end >= now else (end, False)


class LeadExport:
    def __init__(
        self,
        api: MarketoApi,
        *,
        sleep: Sleep = asyncio.sleep,
        first_poll_s: float = FIRST_POLL_S,
        phone_region: str = DEFAULT_REGION,
    ) -> None:
        self._api = api
        self._phone_region = phone_region
        self._sleep = sleep
        self._first_poll_s = first_poll_s

    async def window(self, start: datetime, end: datetime) -> list[CustomerRecord]:
        """The leads created from `start` to `end` (both to the second, inclusive) that have a
        usable email, in the order the file lists them."""
        body = {
            "fields": list(LEAD_FIELDS),
            "format": "CSV",
            "filter": {"createdAt": {"startAt": marketo_time(start), "endAt": marketo_time(end)}},
        }
        created = await self._api.post(f"{EXPORT}/create.json", body)
        export_id = _export_id(created.result)
        await self._api.post(f"{EXPORT}/{export_id}/enqueue.json", None)
        wait = 0.0
        while True:
            if wait:
                await self._sleep(wait)
            status = await self._api.get(f"{EXPORT}/{export_id}/status.json", {})
            state = _status(status.result)
            if state["status"] == "Completed":
                break
            if state["status"] in ("Failed", "Canceled", "Cancelled"):
                raise FatalError(
                    PLATFORM,
                    f"lead export {export_id} ended {state['status']}: "
                    f"{state.get('errorMsg') or 'no reason given'}",
                    endpoint=f"GET {EXPORT}/{{exportId}}/status.json",
                    correlation_id=status.requestId,
                )
            wait = min(wait * 2, MAX_POLL_S) if wait else self._first_poll_s
        text = await self._api.text(f"{EXPORT}/{export_id}/file.json")
        return rows_to_records(text, self._phone_region)


def rows_to_records(text: str, phone_region: str = DEFAULT_REGION) -> list[CustomerRecord]:
    """The export file's leads (CSV, empty cells as nulls) as canonical records; a phone
    without a country code is read in `phone_region`."""
    records = []
    for row in csv.DictReader(io.StringIO(text)):
        try:
            lead = parse_lead(_typed(row))
        except ValidationError as exc:
            raise InvalidUpstreamDataError(
                PLATFORM,
                f"a lead export row has an unexpected shape: {exc.errors()[0]}",
                endpoint=f"GET {EXPORT}/{{exportId}}/file.json",
            ) from exc
        record = to_canonical(lead, phone_region=phone_region)
        if record is not None:
            records.append(record)
    return records


def _typed(row: Mapping[str, str | None]) -> dict[str, Any]:
    """A CSV row as the REST API would type it: blanks are nulls, `id`/`leadScore` integers."""
    typed: dict[str, Any] = {}
    for name, value in row.items():
        if value is None or value == "":
            typed[name] = None
        elif name in ("id", "leadScore") and value.strip().lstrip("-").isdigit():
            typed[name] = int(value)
        else:
            typed[name] = value
    return typed


def _first(result: list[Any], what: str) -> dict[str, Any]:
    if result and isinstance(result[0], dict):
        first: dict[str, Any] = result[0]
        return first
    raise InvalidUpstreamDataError(PLATFORM, f"a lead export {what} answered no job")


def _export_id(result: list[Any]) -> str:
    export_id = _first(result, "create").get("exportId")
    if not isinstance(export_id, str) or not export_id:
        raise InvalidUpstreamDataError(PLATFORM, "a lead export create answered no exportId")
    return export_id


def _status(result: list[Any]) -> dict[str, Any]:
    job = _first(result, "status")
    if not isinstance(job.get("status"), str):
        raise InvalidUpstreamDataError(PLATFORM, "a lead export status answered no status")
    return job
