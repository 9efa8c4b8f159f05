"""The Shopify connector against the Shopify simulator: reads, pages, writes and read-backs."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from canonical_schema import CustomerRecord, EmailConsent, EventType, Platform
from connectors.exceptions import FatalError
from connectors.shopify import RecordRejected, ShopifyConnector
from connectors.shopify.client import LOOKUP_CHUNK
from tests.connectors.shopify.conftest import graphql_requests, people_in_shopify


def _record(email: str, **fields: object) -> CustomerRecord:
    return CustomerRecord(platform=Platform.SHOPIFY, external_id="new", email=email, **fields)


async def test_reads_by_email_agree_with_ground_truth_one_query_per_chunk(
    sim: httpx.AsyncClient, shopify: ShopifyConnector
) -> None:
    holders = await people_in_shopify(sim)
    # Other case and whitespace than stored, duplicates, a stranger, and a non-email.
    asked = [f"  {email.upper()} " for email in holders] + [
        *holders,
        "ghost@nowhere.example",
        "nope",
    ]
    await sim.post("/_sim/reset")

    found = await shopify.records_by_email(asked)

    assert {email: r.external_id for email, r in found.items()} == holders
    assert all(r.platform is Platform.SHOPIFY and r.total_spent for r in found.values())
    assert await graphql_requests(sim) == -(-(len(holders) + 1) // LOOKUP_CHUNK)


async def test_an_email_with_quotes_is_searched_for_exactly(
    sim: httpx.AsyncClient, shopify: ShopifyConnector
) -> None:
    await shopify.upsert_records([_record("o'brien+tag@example.com", last_name="O'Brien")])
    found = await shopify.records_by_email(["O'Brien+tag@example.com", "brien+tag@example.com"])
    assert list(found) == ["o'brien+tag@example.com"]


async def test_lists_every_customer_exactly_once_and_counts_them(
    sim: httpx.AsyncClient, shopify: ShopifyConnector
) -> None:
    holders = await people_in_shopify(sim)
    seen: list[str] = []
    after = None
    while True:
        page = await shopify.list_records(7, after)
        seen += [r.external_id for r in page.records]
        if page.next_after is None:
            break
        after = page.next_after
    assert sorted(seen) == sorted(holders.values())
    assert await shopify.count_records() == len(holders)  # customersCount, EXACT
    assert await shopify.count_records() == len(holders)


async def test_pages_are_bounded_by_the_query_cost(shopify: ShopifyConnector) -> None:
    with pytest.raises(ValueError, match="1 to 250"):
        await shopify.list_records(251, None)
    with pytest.raises(ValueError, match="1 to 165"):
        await shopify.orders_for_customers(["gid://shopify/Customer/1"], first=166)


async def test_changed_since_finds_an_edit_made_in_the_shop(
    sim: httpx.AsyncClient, shopify: ShopifyConnector
) -> None:
    email = next(iter(await people_in_shopify(sim)))
    edited = await sim.post(
        "/_sim/shopify/mutate", json={"email": email, "fields": {"firstName": "Edited"}}
    )
    assert edited.is_success, edited.text
    since = datetime(2026, 1, 1, tzinfo=UTC)  # seeded records all predate it

    page = await shopify.records_changed_since(since)

    assert [(r.email, r.first_name) for r in page.records] == [(email, "Edited")]
    assert page.next_after is None
    with pytest.raises(ValueError, match="timezone"):
        await shopify.records_changed_since(datetime(2026, 1, 1))


async def test_orders_of_customers_match_the_shop(
    sim: httpx.AsyncClient, shopify: ShopifyConnector
) -> None:
    holders = await people_in_shopify(sim)
    ids = list(holders.values())
    by_customer = await shopify.orders_for_customers([*ids, "gid://shopify/Customer/1"], first=5)

    assert set(by_customer) == {*ids, "gid://shopify/Customer/1"}
    for email, gid in holders.items():
        stored = (await sim.get("/_sim/shopify/records", params={"email": email})).json()
        names = stored["records"][0]["orders"]
        orders = by_customer[gid]
        assert len(orders) == min(5, len(names))
        assert {o.name for o in orders} <= set(names)
        assert all(o.customer_email == email for o in orders)
        placed = [o.placed_at for o in orders]
        assert placed == sorted(placed, reverse=True)
    assert by_customer["gid://shopify/Customer/1"] == []


async def test_order_and_checkout_events_page_to_the_end(shopify: ShopifyConnector) -> None:
    events, after = [], None
    while True:
        page = await shopify.order_events(40, after)
        events += page.items
        if page.next_after is None:
            break
        after = page.next_after
    orders = [o for o in events if o.type is EventType.ORDER_PLACED]
    assert len(orders) == len({e.id for e in events}) == len(events) > 40
    assert any(e.campaign_name for e in orders)

    checkouts = await shopify.abandoned_checkouts(200)
    assert checkouts.items
    assert checkouts.next_after is None
    assert {e.type for e in checkouts.items} == {EventType.CHECKOUT_ABANDONED}
    assert all(e.customer_email for e in checkouts.items)


async def test_a_write_and_its_read_back(sim: httpx.AsyncClient, shopify: ShopifyConnector) -> None:
    existing = next(iter(await people_in_shopify(sim)))
    new = _record(
        " New.Person@Example.com ",
        first_name="New",
        last_name="Person",
        phone="+1 415 555 2671",
        email_consent=EmailConsent.SUBSCRIBED,
    )
    changed = _record(existing.upper(), first_name="Renamed")

    results = await shopify.upsert_records([new, changed])

    assert [(r.email, r.created) for r in results] == [
        ("new.person@example.com", True),
        (existing, False),
    ]
    back = await shopify.records_by_email(["new.person@example.com", existing])
    created = back["new.person@example.com"]
    assert created.external_id == results[0].external_id
    assert (created.first_name, created.last_name, created.phone) == (
        "New",
        "Person",
        "+14155552671",
    )
    assert created.email_consent is EmailConsent.SUBSCRIBED
    assert back[existing].first_name == "Renamed"
    assert back[existing].external_id == results[1].external_id
    writes = (await sim.get("/_sim/shopify/writes")).json()["writes"]
    assert [w["operation"] for w in writes] == ["customerCreate", "customerUpdate"]
    # customerUpdate cannot carry consent: it is never sent there.
    assert "emailMarketingConsent" not in writes[1]["input"]


async def test_an_existing_customers_consent_goes_through_its_own_mutation(
    sim: httpx.AsyncClient, shopify: ShopifyConnector
) -> None:
    first, second = list(await people_in_shopify(sim))[:2]
    only_consent = _record(first, email_consent=EmailConsent.UNSUBSCRIBED)
    both = _record(second, first_name="Renamed", email_consent=EmailConsent.SUBSCRIBED)

    results = await shopify.upsert_records([only_consent, both])

    assert [(r.email, r.created) for r in results] == [(first, False), (second, False)]
    back = await shopify.records_by_email([first, second])
    assert back[first].email_consent is EmailConsent.UNSUBSCRIBED
    assert (back[second].first_name, back[second].email_consent) == (
        "Renamed",
        EmailConsent.SUBSCRIBED,
    )
    writes = (await sim.get("/_sim/shopify/writes")).json()["writes"]
    # Consent alone is one mutation; with other fields, the update and then the consent.
    assert [(w["operation"], w["email"]) for w in writes] == [
        ("customerEmailMarketingConsentUpdate", first),
        ("customerUpdate", second),
        ("customerEmailMarketingConsentUpdate", second),
    ]
    assert writes[0]["input"] == {
        "customerId": back[first].external_id,
        "emailMarketingConsent": {"marketingState": "UNSUBSCRIBED"},
    }


async def test_a_refused_record_is_reported_and_the_others_are_written(
    sim: httpx.AsyncClient, shopify: ShopifyConnector
) -> None:
    good, bad = (
        _record("fine@example.com", first_name="Fine"),
        _record("bad@example.com", phone="12"),
    )

    outcomes = await shopify.upsert([good, bad])

    assert outcomes[1] == RecordRejected("bad@example.com", ("phone: Phone is invalid",))
    assert "fine@example.com" in await shopify.records_by_email(["fine@example.com"])
    with pytest.raises(FatalError, match=r"refused 1 of 2 records: bad@example.com: phone"):
        await shopify.upsert_records([_record("other@example.com"), bad])
    with pytest.raises(ValueError, match="twice"):
        await shopify.upsert_records([good, _record("FINE@example.com")])
