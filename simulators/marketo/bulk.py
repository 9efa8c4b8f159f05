"""The Bulk Lead Extract API (`/bulk/v1/leads/export…`), as Marketo's Swagger and limits say.

- `POST …/export/create.json {fields, filter, format?, columnHeaderNames?}` makes a job in
  `Created` state. The filter is one of `createdAt` / `updatedAt` (`{startAt, endAt}`, ISO
  8601, at most 31 days apart); the list filters need lists this instance does not have (1003).
- `POST …/{exportId}/enqueue.json` queues a `Created` job; more than 10 jobs `Queued` or
  `Processing` is `1029 Too many jobs (10) in queue`. At most 2 process at once.
- `GET …/{exportId}/status.json` and `GET …/export.json` (the last 7 days' jobs) show the job
  move `Queued` → `Processing` → `Completed` on the instance's clock (`queue_s`, `process_s`:
  0 unless a test sets them; enqueue itself always answers `Queued`, so a client has to poll).
  A `Completed` job has `numberOfRecords`, `fileSize` and `fileChecksum` (SHA-256 of the file).
- `GET …/{exportId}/file.json` is the file (only once `Completed`, kept 7 days): a header row of
  the fields (or their `columnHeaderNames`), one row per lead; CSV, TSV or SSV; `Range: bytes=`
  answers 206 with that part.
- `POST …/{exportId}/cancel.json` cancels a job not yet finished.
- The daily export allocation (500 MB of files, shared by all bulk exports; the day turns at
  midnight US Central as the API quota does) is `1029 Export daily quota exceeded` on create
  and enqueue once spent.

Bulk calls count towards the REST rate window and daily quota like any other call (the guard
in front of them is the same).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from simulators.core.clock import Clock
from simulators.marketo.envelope import MarketoError, ok
from simulators.marketo.fields import FIELDS, iso_s
from simulators.marketo.store import LeadStore

MAX_QUEUED = 10  # Queued and Processing together
MAX_PROCESSING = 2
MAX_SPAN = timedelta(days=31)
DAILY_EXPORT_BYTES = 500 * 1024 * 1024
FILE_KEPT = timedelta(days=7)
LISTED = timedelta(days=7)
SEPARATORS = {"CSV": ",", "TSV": "\t", "SSV": ";"}
DATE_FILTERS = ("createdAt", "updatedAt")
LIST_FILTERS = ("staticListId", "staticListName", "smartListId", "smartListName")
_CENTRAL = ZoneInfo("America/Chicago")


@dataclass
class ExportJob:
    export_id: str
    fields: tuple[str, ...]
    headers: tuple[str, ...]
    format: str
    filter_field: str
    start_s: int
    end_s: int
    created: float
    status: str = "Created"
    queued: float | None = None
    started: float | None = None
    finished: float | None = None
    file: bytes | None = None
    rows: int | None = None
    error: str | None = None

    def render(self) -> dict[str, Any]:
        def stamp(at: float | None) -> str | None:
            return None if at is None else iso_s(int(at * 1000))

        body: dict[str, Any] = {
            "exportId": self.export_id,
            "format": self.format,
            "status": self.status,
            "createdAt": stamp(self.created),
        }
        if self.queued is not None:
            body["queuedAt"] = stamp(self.queued)
        if self.started is not None:
            body["startedAt"] = stamp(self.started)
        if self.finished is not None:
            body["finishedAt"] = stamp(self.finished)
        if self.status == "Completed" and self.file is not None:
            body["numberOfRecords"] = self.rows
            body["fileSize"] = len(self.file)
            body["fileChecksum"] = hashlib.sha256(self.file).hexdigest()
        if self.error is not None:
            body["errorMsg"] = self.error
        return body


def _instant(raw: Any, name: str) -> int:
    if not isinstance(raw, str) or not raw.strip():
        raise MarketoError(1003, f"{name} is required")
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise MarketoError(1003, f"Invalid date value '{raw}' for {name}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_CENTRAL)
    return int(moment.timestamp())


def _filter(raw: Any) -> tuple[str, int, int]:
    if not isinstance(raw, dict) or not raw:
        raise MarketoError(1003, "filter is required")
    if len(raw) != 1:
        raise MarketoError(1003, "Only one filter type may be specified")
    ((name, value),) = raw.items()
    if name in LIST_FILTERS:
        raise MarketoError(1003, f"{name} not found")
    if name not in DATE_FILTERS:
        raise MarketoError(1003, f"Invalid filter type '{name}'")
    if not isinstance(value, dict):
        raise MarketoError(1003, f"Invalid value for filter {name}")
    start = _instant(value.get("startAt"), f"{name}.startAt")
    end = _instant(value.get("endAt"), f"{name}.endAt")
    if end < start:
        raise MarketoError(1003, f"{name}.endAt is before {name}.startAt")
    if end - start > MAX_SPAN.total_seconds():
        raise MarketoError(1003, f"Date range for {name} exceeds the maximum of 31 days")
    return name, start, end


class BulkLeadExports:
    def __init__(self, store: LeadStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.jobs: dict[str, ExportJob] = {}
        self.queue_s = 0.0  # how long a queued job waits for a slot at least
        self.process_s = 0.0  # how long a job processes at least
        self.daily_bytes = DAILY_EXPORT_BYTES

    # -- state ---------------------------------------------------------------------------------

    def _day(self, at: float) -> int:
        return datetime.fromtimestamp(at, _CENTRAL).date().toordinal()

    def _exported_today(self, now: float) -> int:
        today = self._day(now)
        return sum(
            len(job.file or b"")
            for job in self.jobs.values()
            if job.finished is not None and self._day(job.finished) == today
        )

    def _check_allocation(self, now: float) -> None:
        if self._exported_today(now) >= self.daily_bytes:
            raise MarketoError(1029, "Export daily quota exceeded")

    def _advance(self, now: float) -> None:
        """Move the jobs on to `now`: queued jobs start, oldest first, while fewer than two
        process; a processing job completes `process_s` after it started (0 by default: in
        the same look that started it, so a client's first poll may find it done)."""
        for job in sorted(self.jobs.values(), key=lambda j: j.queued or 0.0):
            processing = sum(1 for j in self.jobs.values() if j.status == "Processing")
            if job.status != "Queued" or job.queued is None or processing >= MAX_PROCESSING:
                continue
            if now >= job.queued + self.queue_s:
                job.status, job.started = "Processing", now
        for job in self.jobs.values():
            started = job.started
            if (
                job.status == "Processing"
                and started is not None
                and now >= started + self.process_s
            ):
                self._complete(job, now)

    def _complete(self, job: ExportJob, now: float) -> None:
        lo_ms, hi_ms = job.start_s * 1000, job.end_s * 1000 + 999
        leads = sorted(self.store.leads.values(), key=lambda lead: lead.id)
        kept = [
            lead
            for lead in leads
            if lo_ms
            <= (lead.created_ms if job.filter_field == "createdAt" else lead.updated_ms)
            <= hi_ms
        ]
        text = io.StringIO()
        writer = csv.writer(text, delimiter=SEPARATORS[job.format], lineterminator="\n")
        writer.writerow(job.headers)
        for lead in kept:
            writer.writerow(["" if (v := lead.get(f)) is None else v for f in job.fields])
        job.file = text.getvalue().encode("utf-8")
        job.rows = len(kept)
        job.status, job.finished = "Completed", now

    def _job(self, request: Request) -> ExportJob:
        now = self.clock.now()
        self._advance(now)
        job = self.jobs.get(request.path_params["exportId"])
        if job is None or now - job.created > timedelta(days=30).total_seconds():
            raise MarketoError(1003, f"Export Id {request.path_params['exportId']} not found")
        return job

    # -- routes --------------------------------------------------------------------------------

    async def create(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError as exc:
            raise MarketoError(609) from exc
        if not isinstance(body, dict):
            raise MarketoError(609)
        now = self.clock.now()
        raw_fields = body.get("fields")
        if not isinstance(raw_fields, list) or not raw_fields:
            raise MarketoError(1003, "fields is required")
        names = tuple(dict.fromkeys(str(f) for f in raw_fields))
        for name in names:
            if name not in FIELDS:
                raise MarketoError(1006, name)
        fmt = body.get("format") or "CSV"
        if fmt not in SEPARATORS:
            raise MarketoError(1003, f"Invalid format '{fmt}'")
        renamed = body.get("columnHeaderNames") or {}
        if not isinstance(renamed, dict):
            raise MarketoError(1003, "Invalid columnHeaderNames")
        filter_field, start, end = _filter(body.get("filter"))
        self._advance(now)
        self._check_allocation(now)
        job = ExportJob(
            export_id=str(uuid.UUID(int=len(self.jobs) + 1, version=4)),
            fields=names,
            headers=tuple(str(renamed.get(n, n)) for n in names),
            format=fmt,
            filter_field=filter_field,
            start_s=start,
            end_s=end,
            created=now,
        )
        self.jobs[job.export_id] = job
        return ok([job.render()])

    async def enqueue(self, request: Request) -> Response:
        job = self._job(request)
        now = self.clock.now()
        if job.status != "Created":
            raise MarketoError(1003, f"Export job is in {job.status} state, not Created")
        waiting = sum(1 for j in self.jobs.values() if j.status in ("Queued", "Processing"))
        if waiting >= MAX_QUEUED:
            raise MarketoError(1029, f"Too many jobs ({MAX_QUEUED}) in queue")
        self._check_allocation(now)
        job.status, job.queued = "Queued", now
        return ok([job.render()])

    async def status(self, request: Request) -> Response:
        return ok([self._job(request).render()])

    async def cancel(self, request: Request) -> Response:
        job = self._job(request)
        if job.status in ("Completed", "Failed", "Canceled"):
            raise MarketoError(1003, f"Export job is in {job.status} state")
        job.status = "Canceled"
        return ok([job.render()])

    async def listing(self, request: Request) -> Response:
        now = self.clock.now()
        self._advance(now)
        wanted = {s for s in request.query_params.get("status", "").split(",") if s}
        jobs = [
            j.render()
            for j in self.jobs.values()
            if now - j.created <= LISTED.total_seconds() and (not wanted or j.status in wanted)
        ]
        return ok(jobs)

    async def file(self, request: Request) -> Response:
        job = self._job(request)
        if job.status != "Completed" or job.file is None or job.finished is None:
            raise MarketoError(1003, f"Export job is in {job.status} state, not Completed")
        if self.clock.now() - job.finished > FILE_KEPT.total_seconds():
            raise MarketoError(1003, "Export file has expired")
        data = job.file
        media = "text/csv" if job.format == "CSV" else "text/plain"
        wanted = request.headers.get("range", "")
        if wanted.startswith("bytes=") and "-" in wanted:
            first, _, last = wanted[len("bytes=") :].partition("-")
            lo = int(first) if first.isdigit() else 0
            hi = int(last) if last.isdigit() else len(data) - 1
            part = data[lo : hi + 1]
            headers = {"Content-Range": f"bytes {lo}-{lo + len(part) - 1}/{len(data)}"}
            return Response(part, status_code=206, media_type=media, headers=headers)
        return Response(data, media_type=media)
