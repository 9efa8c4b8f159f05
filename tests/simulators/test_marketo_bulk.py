"""The Bulk Lead Extract API: jobs move Created -> Queued -> Processing -> Completed only as a
client polls, the file is CSV (TSV, SSV) with a header row, and Marketo's limits hold: 31 days
per date filter, 10 jobs in queue, 500 MB of files a day (the day turning at midnight US
Central)."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from simulators.core.clock import ManualClock

EXPORT = "/bulk/v1/leads/export"
SUMMER_EVENING = datetime(2026, 7, 2, 4, 59, tzinfo=UTC)  # 23:59 CDT (UTC-5)
EVERYTHING = {"createdAt": {"startAt": "2022-12-01T00:00:00Z", "endAt": "2022-12-31T00:00:00Z"}}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SUMMER_EVENING.timestamp())


def result(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert body["success"] is True, body
    job: dict[str, Any] = body["result"][0]
    return job


def error(response: httpx.Response) -> tuple[str, str]:
    body = response.json()
    assert response.status_code == 200
    assert body["success"] is False, body
    return body["errors"][0]["code"], body["errors"][0]["message"]


def window_with_leads(app: Starlette) -> dict[str, Any]:
    """A createdAt filter of 31 days holding some of the seeded leads."""
    leads = app.state.sim.platforms["marketo"].store.leads.values()
    first = min(lead.created_ms for lead in leads) // 1000
    start = datetime.fromtimestamp(first, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = datetime.fromtimestamp(first + 31 * 86_400, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"createdAt": {"startAt": start, "endAt": end}}


async def test_a_job_completes_as_it_is_polled_and_its_file_is_csv(
    app: Starlette, mk: httpx.AsyncClient, clock: ManualClock
) -> None:
    app.state.sim.platforms["marketo"].exports.process_s = 30
    wanted = window_with_leads(app)
    body = {
        "fields": ["id", "email", "firstName", "leadScore"],
        "filter": wanted,
        "columnHeaderNames": {"firstName": "First Name"},
    }
    job = result(await mk.post(f"{EXPORT}/create.json", json=body))
    assert (job["status"], job["format"]) == ("Created", "CSV")
    export_id = job["exportId"]
    assert error(await mk.get(f"{EXPORT}/{export_id}/file.json"))[0] == "1003"
    assert result(await mk.post(f"{EXPORT}/{export_id}/enqueue.json"))["status"] == "Queued"
    seen = [result(await mk.get(f"{EXPORT}/{export_id}/status.json"))["status"]]
    clock.advance(30)
    seen.append(result(await mk.get(f"{EXPORT}/{export_id}/status.json"))["status"])
    assert seen == ["Processing", "Completed"]
    done = result(await mk.get(f"{EXPORT}/{export_id}/status.json"))
    file = await mk.get(f"{EXPORT}/{export_id}/file.json")
    assert file.status_code == 200
    assert done["fileSize"] == len(file.content)
    assert done["fileChecksum"] == hashlib.sha256(file.content).hexdigest()
    rows = list(csv.reader(io.StringIO(file.text)))
    assert rows[0] == ["id", "email", "First Name", "leadScore"]
    assert done["numberOfRecords"] == len(rows) - 1 > 0
    store = app.state.sim.platforms["marketo"].store
    assert all(store.leads[int(row[0])].email == row[1] for row in rows[1:])
    part = await mk.get(f"{EXPORT}/{export_id}/file.json", headers={"Range": "bytes=0-9"})
    assert (part.status_code, part.content) == (206, file.content[:10])
    listed = (await mk.get(f"{EXPORT}.json", params={"status": "Completed"})).json()["result"]
    assert [j["exportId"] for j in listed] == [export_id]


async def test_filters_are_checked_as_marketo_does(mk: httpx.AsyncClient) -> None:
    async def create(**body: Any) -> httpx.Response:
        return await mk.post(f"{EXPORT}/create.json", json={"fields": ["email"], **body})

    too_long = {"createdAt": {"startAt": "2024-01-01T00:00:00Z", "endAt": "2024-02-02T00:00:00Z"}}
    assert error(await create(filter=too_long))[0] == "1003"
    assert error(await create())[0] == "1003"  # a filter is required
    assert error(await create(filter={"staticListName": "VIPs"}))[0] == "1003"
    assert error(await create(filter=EVERYTHING, format="XLS"))[0] == "1003"
    unknown = await mk.post(
        f"{EXPORT}/create.json", json={"fields": ["shoeSize"], "filter": EVERYTHING}
    )
    assert error(unknown) == ("1006", "Field 'shoeSize' not found")
    assert error(await mk.get(f"{EXPORT}/no-such-job/status.json"))[0] == "1003"


async def test_the_queue_holds_ten_jobs_and_two_process_at_once(
    app: Starlette, mk: httpx.AsyncClient
) -> None:
    app.state.sim.platforms["marketo"].exports.process_s = 600  # each job takes ten minutes
    ids = []
    for _ in range(11):
        job = await mk.post(f"{EXPORT}/create.json", json={"fields": ["id"], "filter": EVERYTHING})
        ids.append(result(job)["exportId"])
    for export_id in ids[:10]:
        assert result(await mk.post(f"{EXPORT}/{export_id}/enqueue.json"))["status"] == "Queued"
    assert error(await mk.post(f"{EXPORT}/{ids[10]}/enqueue.json")) == (
        "1029",
        "Too many jobs (10) in queue",
    )
    statuses = [j["status"] for j in (await mk.get(f"{EXPORT}.json")).json()["result"]]
    assert statuses.count("Processing") == 2
    assert statuses.count("Queued") == 8
    again = await mk.post(f"{EXPORT}/{ids[0]}/enqueue.json")
    assert error(again)[0] == "1003"  # only a Created job can be queued


async def test_the_daily_export_allocation_turns_at_midnight_central(
    app: Starlette, mk: httpx.AsyncClient, clock: ManualClock
) -> None:
    exports = app.state.sim.platforms["marketo"].exports
    exports.daily_bytes = 1  # any file spends it
    body = {"fields": ["id", "email"], "filter": window_with_leads(app)}
    export_id = result(await mk.post(f"{EXPORT}/create.json", json=body))["exportId"]
    await mk.post(f"{EXPORT}/{export_id}/enqueue.json")
    for _ in range(2):
        await mk.get(f"{EXPORT}/{export_id}/status.json")
    refused = await mk.post(f"{EXPORT}/create.json", json=body)
    assert error(refused) == ("1029", "Export daily quota exceeded")
    clock.advance(59)  # 23:59:59 CDT: still the same export day
    assert error(await mk.post(f"{EXPORT}/create.json", json=body))[0] == "1029"
    clock.advance(2)  # 00:00:01 CDT, 05:00:01 UTC: the allocation is back
    assert result(await mk.post(f"{EXPORT}/create.json", json=body))["status"] == "Created"


async def test_the_api_quota_day_turns_at_midnight_central_in_summer_too(
    app: Starlette, mk: httpx.AsyncClient, clock: ManualClock
) -> None:
    """At 05:00 UTC in July (UTC-5), not at 06:00 as in winter."""
    app.state.sim.platforms["marketo"].limits.daily_quota = 1
    assert (await mk.get(f"{EXPORT}.json")).json()["success"] is True
    assert error(await mk.get(f"{EXPORT}.json"))[0] == "607"
    clock.advance(61)  # 05:00:01 UTC
    assert (await mk.get(f"{EXPORT}.json")).json()["success"] is True
