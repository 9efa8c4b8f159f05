"""Attribution from the store, against the Shopify and Mailchimp simulators and a real store
(SQLite and PostgreSQL): the first backfill is one bulk export, the tallies match a direct
count of the shop's orders within each campaign's window, they survive a restart without
reading the shop again, and an order outside the window is never counted."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from canonical_schema import Campaign, Money, Order, Platform, SourceRecord
from connectors.mailchimp import MailchimpConnector, api_key_auth
from connectors.shopify import ShopifyConnector, offline_token_auth
from hub.attribution import Attribution
from hub.attribution_windows import campaign_of, count, windows
from hub.exceptions import InvalidCursorError
from hub.graph_campaigns import CampaignReads
from hub.order_store import save_orders
from hub.store import Store
from simulators import SimConfig

SIM_BASE = "http://sim.test"
SHOPIFY_CALL = "POST /admin/api/2025-01/graphql.json"
WINDOW = timedelta(days=30)


@pytest.fixture
def sim_config() -> SimConfig:
    """Enough people that paging the shop's orders would take several pages."""
    return SimConfig(seed=7, people=300, rate_limits="off")


@pytest.fixture
async def connectors(
    sim_app: object, sim: httpx.AsyncClient
) -> AsyncIterator[tuple[ShopifyConnector, MailchimpConnector]]:
    credentials = (await sim.get("/_sim/credentials")).json()
    transport = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    async with (
        httpx.AsyncClient(transport=transport, base_url=f"{SIM_BASE}/shopify") as shop,
        httpx.AsyncClient(transport=transport, base_url=f"{SIM_BASE}/mailchimp/3.0") as mail,
    ):
        shopify = ShopifyConnector(shop, offline_token_auth(credentials["shopify"]["access_token"]))
        mailchimp = MailchimpConnector(
            mail,
            api_key_auth(credentials["mailchimp"]["api_key"]),
            credentials["mailchimp"]["list_id"],
        )
        yield shopify, mailchimp


async def every_order(shopify: ShopifyConnector) -> list[Order]:
    found: list[Order] = []
    after = None
    while True:
        page = await shopify.orders(after=after)
        found += page.items
        if page.next_after is None:
            return found
        after = page.next_after


def expected(orders: Sequence[Order], campaigns: Sequence[Campaign]) -> dict[str, int]:
    """Each campaign's orders, counted directly: same UTM value, placed after the send and at
    most 30 days after it, the latest such send winning."""
    counts: Counter[str] = Counter()
    for order in orders:
        utm = (order.utm_campaign or "").lower()
        claims = [
            c
            for c in campaigns
            if c.sent_at and (c.utm_campaign or "").lower() == utm and utm
            if c.sent_at < order.placed_at <= c.sent_at + WINDOW
        ]
        if claims:
            counts[max(claims, key=lambda c: c.sent_at or datetime.min).id] += 1
    return dict(counts)


async def shopify_stats(sim: httpx.AsyncClient) -> dict[str, int]:
    stats = (await sim.get("/_sim/stats")).json()
    routes: dict[str, int] = stats["shopify"]["requests_by_route"]
    return routes


async def test_tallies_come_from_one_bulk_export_and_match_a_direct_count(
    connectors: tuple[ShopifyConnector, MailchimpConnector],
    sim: httpx.AsyncClient,
    any_store: Store,
) -> None:
    shopify, mailchimp = connectors
    orders = await every_order(shopify)
    campaigns = await mailchimp.campaigns()
    await sim.post("/_sim/reset")
    attribution = Attribution(any_store, shopify, mailchimp, ttl=60)

    await attribution.backfill()
    read = await attribution.tallies(campaigns)
    routes = await shopify_stats(sim)

    assert read.value is not None
    assert not read.failures
    counted = {cid: t.orders for cid, t in read.value.items() if t.orders}
    assert counted == expected(orders, campaigns)
    assert sum(counted.values()) > 0, "the seeded shop has orders from its campaigns"
    downloads = sum(n for route, n in routes.items() if route.startswith("GET /bulk-operation"))
    assert downloads == 1, routes
    assert routes[SHOPIFY_CALL] <= 10, "a bulk run and its polls, not a walk through pages"
    await attribution.close()


async def test_tallies_survive_a_restart_without_reading_the_shop_again(
    connectors: tuple[ShopifyConnector, MailchimpConnector],
    sim: httpx.AsyncClient,
    any_store: Store,
) -> None:
    shopify, mailchimp = connectors
    first = Attribution(any_store, shopify, mailchimp, ttl=60)
    await first.backfill()
    campaigns = (await first.campaigns()).value
    before = await first.tallies(campaigns)
    await first.close()
    await sim.post("/_sim/reset")

    again = Attribution(any_store, shopify, mailchimp, ttl=60)  # a restart: nothing in memory
    after = await again.tallies(campaigns)
    building = again.warm()
    if building is not None:
        await building
    routes = await shopify_stats(sim)

    assert after.value is not None
    assert after.value == before.value
    assert not any(route.startswith("GET /bulk-operation") for route in routes)
    assert routes.get(SHOPIFY_CALL, 0) == 1, "only the orders changed since the last read"
    await again.close()


def _order(number: int, placed: datetime, utm: str | None, total: str) -> Order:
    gid = f"gid://shopify/Order/{number}"
    return Order(
        id=f"ord_{number}",
        name=f"#{number}",
        total=Money(amount=Decimal(total), currency_code="USD"),
        placed_at=placed,
        utm_campaign=utm,
        sources=(SourceRecord(platform=Platform.SHOPIFY, external_id=gid, updated_at=placed),),
    )


def _campaign(cid: str, sent: datetime | None, utm: str) -> Campaign:
    status = "sent" if sent else "save"
    return Campaign(
        id=cid, name=cid, platform=Platform.MAILCHIMP, status=status, sent_at=sent, utm_campaign=utm
    )


async def test_an_order_before_the_send_or_past_the_window_is_not_attributed(
    any_store: Store,
) -> None:
    september = datetime(2025, 9, 10, 12, tzinfo=UTC)
    autumn = _campaign("cmp_autumn", september, "Autumn_Sale")
    autumn_again = _campaign("cmp_autumn_again", september + timedelta(days=20), "autumn_sale")
    orders = [
        _order(1, datetime(2024, 2, 14, 9, tzinfo=UTC), "autumn_sale", "80.00"),  # long before
        _order(2, september - timedelta(minutes=1), "autumn_sale", "10.00"),  # just before
        _order(3, september + timedelta(days=3), "AUTUMN_SALE ", "25.50"),  # the first send's
        _order(4, september + timedelta(days=25), "autumn_sale", "4.50"),  # the second send's
        _order(5, september + timedelta(days=20 + 31), "autumn_sale", "7.00"),  # past both
        _order(6, september + timedelta(days=4), "spring_sale", "99.00"),  # another campaign's
    ]
    await save_orders(any_store, "https://shop.example", orders)
    spans = windows([autumn, autumn_again], WINDOW)

    tallies = await count(any_store, "https://shop.example", spans, "USD")
    other_shop = await count(any_store, "https://other.example", spans, "USD")

    assert {cid: t.orders for cid, t in tallies.items()} == {"cmp_autumn": 1, "cmp_autumn_again": 1}
    revenue = tallies["cmp_autumn"].revenue
    assert revenue is not None
    assert revenue.amount == Decimal("25.50")
    assert {t.orders for t in other_shop.values()} == {0}, "another shop's orders never mix"
    for order, owner in zip(orders, [None, None, autumn, autumn_again, None, None], strict=True):
        found = campaign_of(order.utm_campaign, order.placed_at, [autumn, autumn_again], WINDOW)
        assert found == owner, order.name


async def test_campaign_pages_resume_after_their_cursor(
    connectors: tuple[ShopifyConnector, MailchimpConnector], store: Store
) -> None:
    reads = CampaignReads(Attribution(store, *connectors))
    every = (await reads.page(100, None, None)).edges

    first = await reads.page(4, None, None)
    second = await reads.page(4, first.end_cursor, None)

    assert [c.id for c, _ in first.edges + second.edges] == [c.id for c, _ in every[:8]]
    assert first.has_next_page
    assert first.total_count == len(every)
    with pytest.raises(InvalidCursorError):
        await reads.page(4, "bm9wZQ", None)
