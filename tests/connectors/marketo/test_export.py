"""Full passes through the Bulk Lead Extract API: every lead once, one job per window of at most
31 days, one job in the queue at a time, no activity scans; 1029 waits as Marketo means it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import httpx
import pytest

from connectors.change_feeds import begin_full
from connectors.exceptions import RateLimitedError
from connectors.marketo import MarketoConnector
from connectors.marketo.errors import retry_after
from connectors.marketo.feed import MarketoFeed
from simulators.core.clock import ManualClock
from tests.connectors.marketo.conftest import held_leads, stats

EXPORT_ROUTES = (
    "POST /bulk/v1/leads/export/create.json",
    "POST /bulk/v1/leads/export/{exportId}/enqueue.json",
    "GET /bulk/v1/leads/export/{exportId}/status.json",
    "GET /bulk/v1/leads/export/{exportId}/file.json",
)


async def test_a_full_walk_exports_every_lead_once_by_creation_windows(
    http: httpx.AsyncClient, marketo: MarketoConnector, marketo_app, clock: ManualClock
) -> None:
    holders = await held_leads(http)
    feed = MarketoFeed(marketo.platform, marketo)
    position = begin_full(datetime.fromtimestamp(clock.now(), UTC))
    seen: list[str] = []
    while not position.done:
        page = await feed.read(position)
        seen += [record.external_id for record in page.records]
        position = page.next
    assert sorted(seen) == sorted(holders.values())
    routes = (await stats(http))["requests_by_route"]
    assert not any("activities" in route for route in routes)
    assert all(routes.get(route) for route in EXPORT_ROUTES)
    jobs = marketo_app.state.sim.platforms["marketo"].exports.jobs.values()
    assert all(job.status == "Completed" for job in jobs)
    assert all(job.end_s - job.start_s <= 31 * 86_400 for job in jobs)
    windows = sorted((job.start_s, job.end_s) for job in jobs)
    assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(windows))


async def test_counting_exports_instead_of_scanning_activities(
    http: httpx.AsyncClient, marketo: MarketoConnector
) -> None:
    holders = await held_leads(http)
    assert await marketo.count_records() == len(holders)
    routes = (await stats(http))["requests_by_route"]
    assert "GET /rest/v1/activities.json" not in routes


async def test_a_full_queue_waits_a_minute_and_a_spent_allocation_until_midnight_central(
    http: httpx.AsyncClient, marketo: MarketoConnector, marketo_app
) -> None:
    exports = marketo_app.state.sim.platforms["marketo"].exports
    exports.daily_bytes = 0
    with pytest.raises(RateLimitedError) as spent:
        await marketo.export_page(None)
    assert "Export daily quota exceeded" in str(spent.value)
    july_evening = datetime(2026, 7, 2, 3, 0, tzinfo=UTC).timestamp()  # 22:00 CDT (UTC-5)
    assert retry_after("1029", july_evening, "1029 Export daily quota exceeded") == 7200.0
    assert retry_after("1029", july_evening, "1029 Too many jobs (10) in queue") == 60.0
    january_evening = datetime(2026, 1, 2, 3, 0, tzinfo=UTC).timestamp()  # 21:00 CST (UTC-6)
    assert retry_after("1029", january_evening, "1029 Export daily quota exceeded") == 10800.0
    assert spent.value.retry_after is not None
    assert spent.value.retry_after > 0


async def test_a_cursor_of_the_old_activity_walk_begins_the_export_again(
    http: httpx.AsyncClient, marketo: MarketoConnector
) -> None:
    first = await marketo.export_page(None)
    again = await marketo.export_page("GVRDUOJRGQ6W23DUN4")  # an activity paging token
    assert [r.external_id for r in again.records] == [r.external_id for r in first.records]
    assert again.next_after == first.next_after
    assert first.next_after is not None
    assert first.next_after.startswith("created:")


async def test_a_slow_job_is_polled_with_growing_waits_until_it_completes(
    http: httpx.AsyncClient, marketo: MarketoConnector, marketo_app, clock: ManualClock
) -> None:
    marketo_app.state.sim.platforms["marketo"].exports.process_s = 90  # minutes on a busy day
    began = clock.now()
    page = await marketo.export_page(None)
    assert page.next_after is not None
    polls = (await stats(http))["requests_by_route"][
        "GET /bulk/v1/leads/export/{exportId}/status.json"
    ]
    assert 5 <= polls <= 9  # at once, then after 1, 2, 4, ... s: not once a second for 90 s
    assert clock.now() - began >= 90


async def test_the_setting_chooses_the_walk_and_a_switch_begins_again(
    http: httpx.AsyncClient, marketo: MarketoConnector
) -> None:
    exported = await marketo.full_page(None)
    assert exported.next_after is not None
    marketo.full_sync = "activities"
    walked = await marketo.full_page(exported.next_after)  # an export cursor: begin again
    assert walked.records
    routes = (await stats(http))["requests_by_route"]
    assert routes["GET /rest/v1/activities.json"] >= 1
