"""`customers(filter:)` over the identity index after a sync of all five simulators: each
filter against the simulators' ground truth, stable keyset cursors, exact totals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from canonical_schema import LifecycleStage, Platform
from gateway.services import Services
from hub import InvalidArgumentError, InvalidCursorError
from hub.customer_list import CustomerFilter
from hub.read_service import CustomerListPage
from tests.sync_jobs.sync_services import ground_truth, open_all


async def walk(services: Services, wanted: CustomerFilter | None, first: int) -> list[str]:
    emails: list[str] = []
    after = None
    while True:
        page: CustomerListPage = await services.read.list_customers(first, after, wanted)
        assert page.from_index
        emails += [read.customer.email for read, _ in page.edges if read.customer]
        if not page.has_next_page:
            return emails
        after = page.end_cursor


@pytest.fixture
async def services(sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path) -> AsyncIterator[Services]:
    async with open_all(sim_app, sim, tmp_path) as opened:
        yield opened


@pytest.fixture
async def synced(services: Services, sim: httpx.AsyncClient) -> list[dict[str, Any]]:
    assert services.sync is not None
    await services.sync.run()
    return await ground_truth(sim)


async def test_every_customer_once_in_a_stable_order(
    services: Services, synced: list[dict[str, Any]]
) -> None:
    emails = await walk(services, None, 17)
    assert sorted(emails) == sorted(p["email"] for p in synced)
    assert emails == await walk(services, None, 50)
    assert await services.read.count_customers() == len(synced)


@pytest.mark.parametrize("platform", list(Platform))
async def test_platform_filter_lists_exactly_its_people(
    services: Services, synced: list[dict[str, Any]], platform: Platform
) -> None:
    wanted = CustomerFilter(platform=platform)
    held = sorted(p["email"] for p in synced if platform.value in p["external_ids"])
    assert sorted(await walk(services, wanted, 25)) == held
    assert await services.read.count_customers(wanted) == len(held)


async def test_email_domain_filter(services: Services, synced: list[dict[str, Any]]) -> None:
    domain = synced[0]["email"].split("@")[1]
    wanted = CustomerFilter(email_domain=f" @{domain.upper()}")
    at_domain = sorted(p["email"] for p in synced if p["email"].endswith("@" + domain))
    assert sorted(await walk(services, wanted, 5)) == at_domain
    assert await services.read.count_customers(wanted) == len(at_domain)


async def test_lifecycle_stage_filter_matches_the_live_merged_stage(
    services: Services, synced: list[dict[str, Any]]
) -> None:
    everyone = await services.read.customers_by_email([p["email"] for p in synced])
    stages = {read.customer.lifecycle_stage for read in everyone if read.customer}
    for stage in stages - {None}:
        assert stage is not None
        wanted = CustomerFilter(lifecycle_stage=stage)
        live = sorted(
            r.customer.email for r in everyone if r.customer and r.customer.lifecycle_stage == stage
        )
        assert sorted(await walk(services, wanted, 20)) == live
        assert await services.read.count_customers(wanted) == len(live)
    assert LifecycleStage.LEAD in stages


async def test_updated_since_lists_who_changed_after_a_sync(
    services: Services, synced: list[dict[str, Any]], sim: httpx.AsyncClient
) -> None:
    assert services.sync is not None
    before = datetime.now(UTC) - timedelta(seconds=2)
    changed = [p["email"] for p in synced if "hubspot" in p["external_ids"]][:4]
    for email in changed:
        body = {"email": email, "fields": {"firstname": "Changed"}}
        assert (await sim.post("/_sim/hubspot/mutate", json=body)).status_code == 200
    await services.sync.run(Platform.HUBSPOT)
    wanted = CustomerFilter(updated_since=before)
    assert sorted(await walk(services, wanted, 3)) == sorted(changed)
    assert await services.read.count_customers(wanted) == 4


async def test_cursors_are_stable_when_customers_arrive_between_pages(
    services: Services, synced: list[dict[str, Any]]
) -> None:
    first = await services.read.list_customers(10, None)
    rest = await services.read.list_customers(10, first.end_cursor)
    again = await services.read.list_customers(10, first.end_cursor)
    assert [c for _, c in rest.edges] == [c for _, c in again.edges]
    assert {r.customer.email for r, _ in first.edges if r.customer}.isdisjoint(
        {r.customer.email for r, _ in rest.edges if r.customer}
    )


async def test_a_cursor_only_works_with_its_own_filter(
    services: Services, synced: list[dict[str, Any]]
) -> None:
    page = await services.read.list_customers(5, None, CustomerFilter(platform=Platform.SHOPIFY))
    with pytest.raises(InvalidCursorError, match="different `filter`"):
        await services.read.list_customers(5, page.end_cursor, None)


def test_bad_filters_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="emailDomain"):
        CustomerFilter(email_domain="a@b.com")
    with pytest.raises(InvalidArgumentError, match="UTC offset"):
        CustomerFilter(updated_since=datetime(2026, 1, 1))


async def test_before_the_first_sync_the_list_pages_the_first_platform(services: Services) -> None:
    page = await services.read.list_customers(5, None)
    assert not page.from_index
    assert len(page.edges) == 5
    filtered = await services.read.list_customers(
        5, None, CustomerFilter(platform=Platform.HUBSPOT)
    )
    assert filtered.from_index
    assert not filtered.edges
