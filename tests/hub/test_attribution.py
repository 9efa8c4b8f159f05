"""The attribution index against the Shopify and Mailchimp simulators: tallies that match a
direct count of the shop's orders, incremental refreshes, and stale answers on failure."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from connectors.exceptions import ConnectorError
from connectors.mailchimp import MailchimpConnector, api_key_auth
from connectors.shopify import ShopifyConnector, offline_token_auth
from hub.attribution import AttributionIndex
from hub.exceptions import InvalidCursorError
from hub.graph_campaigns import CampaignReads
from simulators import SimConfig

SIM_BASE = "http://sim.test"
SHOPIFY_CALL = "POST /admin/api/2025-01/graphql.json"


@pytest.fixture
def sim_config() -> SimConfig:
    """Enough people that the shop's orders take several pages."""
    return SimConfig(seed=7, people=300, rate_limits="off")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


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


async def every_order_utm(shopify: ShopifyConnector) -> tuple[Counter[str], dict[str, Decimal]]:
    counts: Counter[str] = Counter()
    sums: dict[str, Decimal] = {}
    after = None
    while True:
        page = await shopify.orders(after=after)
        for order in page.items:
            if order.utm_campaign:
                key = order.utm_campaign.lower()
                counts[key] += 1
                sums[key] = sums.get(key, Decimal(0)) + order.total.amount
        if page.next_after is None:
            return counts, sums
        after = page.next_after


async def finished(index: AttributionIndex) -> None:
    building = index.warm()
    if building is not None:
        await building


async def shopify_calls(sim: httpx.AsyncClient) -> int:
    stats = (await sim.get("/_sim/stats")).json()
    calls: int = stats["shopify"]["requests_by_route"].get(SHOPIFY_CALL, 0)
    return calls


async def test_tallies_match_a_direct_count_and_refresh_incrementally(
    connectors: tuple[ShopifyConnector, MailchimpConnector], sim: httpx.AsyncClient
) -> None:
    shopify, mailchimp = connectors
    clock = Clock()
    index = AttributionIndex(shopify, mailchimp, ttl=60, full_every=3600, clock=clock)
    counts, sums = await every_order_utm(shopify)

    await sim.post("/_sim/reset")
    first = await index.tallies()
    full_read = await shopify_calls(sim)
    cached = await index.tallies()
    clock.now += 61
    answered_at_once = await index.tallies()  # the refresh runs in the background
    await finished(index)
    refreshed = await index.tallies()

    assert first.value is not None
    assert not first.failures
    assert {utm: t.orders for utm, t in first.value.items()} == dict(counts)
    assert all(
        t.revenue is not None and t.revenue.amount == sums[u] for u, t in first.value.items()
    )
    assert cached.value == first.value
    assert answered_at_once.value == refreshed.value == first.value
    assert full_read > 1, "the shop's orders take several pages"
    assert await shopify_calls(sim) == full_read + 1, "a refresh reads only what changed"


async def test_a_failed_refresh_keeps_answering_with_the_failure(
    connectors: tuple[ShopifyConnector, MailchimpConnector], sim: httpx.AsyncClient
) -> None:
    shopify, mailchimp = connectors
    clock = Clock()
    index = AttributionIndex(shopify, mailchimp, ttl=60, clock=clock)
    known = await index.tallies()
    await sim.post("/_sim/faults", json={"platform": "shopify", "error_rate": 1.0, "status": 503})
    clock.now += 61
    await index.tallies()
    await finished(index)

    stale = await index.tallies()

    assert stale.value == known.value
    assert [type(f).__name__ for f in stale.failures] == ["UnavailableError"]
    assert all(isinstance(f, ConnectorError) for f in stale.failures)


async def test_campaign_pages_resume_after_their_cursor(
    connectors: tuple[ShopifyConnector, MailchimpConnector],
) -> None:
    reads = CampaignReads(AttributionIndex(*connectors))
    every = (await reads.page(100, None, None)).edges

    first = await reads.page(4, None, None)
    second = await reads.page(4, first.end_cursor, None)

    assert [c.id for c, _ in first.edges + second.edges] == [c.id for c, _ in every[:8]]
    assert first.has_next_page
    assert first.total_count == len(every)
    with pytest.raises(InvalidCursorError):
        await reads.page(4, "bm9wZQ", None)
