"""Segments: `customers(filter:, sort:)` on the canonical fields the store keeps per person, after
a sync of all five simulators. Each filter and sort is checked against the same people read
live and merged (the ground truth), with keyset cursors across pages and exact totals; and on
PostgreSQL as on SQLite, over records written as sync writes them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from canonical_schema import Customer, CustomerRecord, EmailConsent, MergePolicy, Money, Platform
from gateway.services import Services
from hub import InvalidArgumentError, InvalidCursorError
from hub.customer_list import CustomerFilter, CustomerList, CustomerSort
from hub.identity import IdentityIndex
from hub.store import Store
from tests.sync_jobs.sync_services import ground_truth, open_all


async def walk(services: Services, wanted: CustomerFilter, first: int) -> list[Customer]:
    found: list[Customer] = []
    after = None
    while True:
        page = await services.read.list_customers(first, after, wanted)
        found += [read.customer for read, _ in page.edges if read.customer]
        if not page.has_next_page:
            return found
        after = page.end_cursor


@pytest.fixture
async def services(sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path) -> AsyncIterator[Services]:
    async with open_all(sim_app, sim, tmp_path) as opened:
        yield opened


@pytest.fixture
async def everyone(services: Services, sim: httpx.AsyncClient) -> list[Customer]:
    """Every synced person, read live and merged: what a segment must agree with."""
    assert services.sync is not None
    await services.sync.run()
    truth = await ground_truth(sim)
    reads = await services.read.customers_by_email([p["email"] for p in truth])
    return [read.customer for read in reads if read.customer]


def spent(customer: Customer) -> Decimal | None:
    return customer.total_spent.amount if customer.total_spent else None


SEGMENTS: list[tuple[CustomerFilter, Callable[[Customer], bool]]] = [
    (
        CustomerFilter(lead_score_min=40, lead_score_max=80),
        lambda c: c.lead_score is not None and 40 <= c.lead_score <= 80,
    ),
    (
        CustomerFilter(email_consent=EmailConsent.SUBSCRIBED),
        lambda c: c.email_consent is EmailConsent.SUBSCRIBED,
    ),
    (
        CustomerFilter(total_spent_min=Decimal("100.5")),
        lambda c: (spent(c) or Decimal(-1)) >= Decimal("100.5"),
    ),
    (
        CustomerFilter(total_spent_max=Decimal(50), email_consent=EmailConsent.UNSUBSCRIBED),
        lambda c: (
            c.email_consent is EmailConsent.UNSUBSCRIBED and spent(c) is not None and spent(c) <= 50
        ),  # type: ignore[operator]
    ),
]


@pytest.mark.parametrize(("wanted", "holds"), SEGMENTS)
async def test_a_segment_lists_exactly_the_people_it_describes(
    services: Services,
    everyone: list[Customer],
    wanted: CustomerFilter,
    holds: Callable[[Customer], bool],
) -> None:
    expected = sorted(c.email for c in everyone if holds(c))
    listed = await walk(services, wanted, 7)

    assert expected, "the seeded people include some of this segment"
    assert sorted(c.email for c in listed) == expected
    assert await services.read.count_customers(wanted) == len(expected)


@pytest.mark.parametrize(
    ("sort", "value"),
    [
        (CustomerSort.LEAD_SCORE, lambda c: c.lead_score),
        (CustomerSort.TOTAL_SPENT, spent),
    ],
)
async def test_a_sorted_list_pages_highest_first_then_those_without(
    services: Services,
    everyone: list[Customer],
    sort: CustomerSort,
    value: Callable[[Customer], Any],
) -> None:
    wanted = CustomerFilter(sort=sort)
    listed = await walk(services, wanted, 9)
    values = [value(c) for c in listed]
    known = [v for v in values if v is not None]

    assert sorted(c.email for c in listed) == sorted(c.email for c in everyone)
    assert known == sorted(known, reverse=True)
    assert values == known + [None] * (len(values) - len(known)), "people without it last"
    assert [c.email for c in await walk(services, wanted, 50)] == [c.email for c in listed]


async def test_synced_since_and_the_cursor_belong_to_their_filter(
    services: Services, everyone: list[Customer]
) -> None:
    later = CustomerFilter(synced_since=datetime.now(UTC) + timedelta(minutes=5))
    recent = CustomerFilter(synced_since=datetime.now(UTC) - timedelta(hours=1))
    by_score = CustomerFilter(sort=CustomerSort.LEAD_SCORE)
    page = await services.read.list_customers(5, None, by_score)

    assert await services.read.count_customers(later) == 0
    assert await services.read.count_customers(recent) == len(everyone)
    with pytest.raises(InvalidCursorError):
        await services.read.list_customers(5, page.end_cursor, CustomerFilter())
    with pytest.raises(InvalidArgumentError):
        CustomerFilter(lead_score_min=90, lead_score_max=10)
    with pytest.raises(InvalidArgumentError):
        CustomerFilter(synced_since=datetime(2026, 1, 1))


def _record(platform: Platform, n: int, **fields: Any) -> CustomerRecord:
    return CustomerRecord(
        platform=platform,
        external_id=f"{platform.value}-{n}",
        email=f"person{n}@example.com",
        updated_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n),
        **fields,
    )


async def test_segments_merge_each_persons_records_on_sqlite_and_postgresql(
    any_store: Store,
) -> None:
    identity = await IdentityIndex.open(any_store, b"test-identity-key-0123456789")
    usd = "USD"
    records = [
        _record(Platform.MARKETO, 1, lead_score=90),
        _record(Platform.SHOPIFY, 1, total_spent=Money(amount=Decimal("12.5"), currency_code=usd)),
        _record(Platform.MARKETO, 2, lead_score=30, email_consent=EmailConsent.SUBSCRIBED),
        _record(Platform.SHOPIFY, 3, total_spent=Money(amount=Decimal(700), currency_code=usd)),
        _record(Platform.HUBSPOT, 4),
    ]
    async with any_store.engine.begin() as connection:
        await identity.apply_records(connection, records, MergePolicy())
    listing = CustomerList(any_store)

    async def emails(wanted: CustomerFilter) -> list[str]:
        found, _ = await listing.page(wanted, 10, None)
        customers = await identity.emails_for([f.customer_id for f in found])
        return [customers[f.customer_id] for f in found]

    by_score = await emails(CustomerFilter(sort=CustomerSort.LEAD_SCORE))
    by_spent = await emails(CustomerFilter(sort=CustomerSort.TOTAL_SPENT))
    scored = await emails(CustomerFilter(lead_score_min=50))
    spenders = await emails(CustomerFilter(total_spent_min=Decimal("12.5"), lead_score_min=1))

    assert by_score[:2] == ["person1@example.com", "person2@example.com"]
    assert by_spent[:2] == ["person3@example.com", "person1@example.com"]
    assert scored == ["person1@example.com"]
    assert spenders == ["person1@example.com"], "one person's records merged: score and spend"
    assert await listing.count(CustomerFilter(email_consent=EmailConsent.SUBSCRIBED)) == 1
