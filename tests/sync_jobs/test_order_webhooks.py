"""An order placed in the shop reaches the campaign's tally through its webhook: the gateway
over the simulators, the webhook delivered in-process, processed by its job, and read back
through GraphQL. The orders are imported ones dated five days after the latest campaign was
sent (the seeded campaigns are in the past), so they fall inside its attribution window and
outside an older campaign's."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app as create_gateway
from gateway.settings import Settings
from gateway.simulated import with_simulators
from hub.inbox import unprocessed_count
from simulators import SimConfig
from simulators import create_app as create_simulators

SIM, GATEWAY = "http://sim.test", "http://gateway.test"
PEOPLE = 80
CAMPAIGNS = """{ campaigns(first: 100) { edges { node {
  id utmCampaign sentAt attributedOrders attributedRevenue { amount currencyCode } } } } }"""


class LateTransport(httpx.AsyncBaseTransport):
    """In-process delivery to an app built after the simulators (they need each other)."""

    target: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert self.target is not None
        return await self.target.handle_async_request(request)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    late = LateTransport()
    delivery = {"webhook_url": GATEWAY, "webhook_transport": late, "webhook_retry_seconds": 0.01}
    config = SimConfig(people=PEOPLE, rate_limits="off", **delivery)
    sim_app = create_simulators(config)
    sim_transport = httpx.ASGITransport(app=sim_app)
    async with httpx.AsyncClient(transport=sim_transport, base_url=SIM) as sim:
        credentials = (await sim.get("/_sim/credentials")).json()
        database = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
        settings = Settings(database_url=database, platforms="shopify,mailchimp")
        gateway_app = create_gateway(
            with_simulators(settings, SIM, credentials), transport=sim_transport
        )
        late.target = httpx.ASGITransport(app=gateway_app)
        async with gateway_app.router.lifespan_context(gateway_app):
            transport = httpx.ASGITransport(app=gateway_app)
            async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as gateway:
                yield {"sim": sim, "gateway": gateway, "sim_app": sim_app, "app": gateway_app}


async def campaigns(gateway: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    """Every campaign by UTM value, once the shop's orders are known."""
    for _ in range(100):
        body = (await gateway.post("/graphql", json={"query": CAMPAIGNS})).json()
        nodes = [edge["node"] for edge in body["data"]["campaigns"]["edges"]]
        if all(n["attributedOrders"] is not None for n in nodes):
            assert "errors" not in body, body
            return {n["utmCampaign"]: n for n in nodes}
        await asyncio.sleep(0.1)
    raise AssertionError(f"attribution never became known: {body}")


async def processed(app: Any) -> None:
    for _ in range(500):
        if await unprocessed_count(app.state.services.store) == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the order webhook was accepted but never processed")


def revenue(node: dict[str, Any]) -> Decimal:
    money = node["attributedRevenue"]
    return Decimal(money["amount"]) if money else Decimal(0)


async def test_an_order_webhook_moves_its_campaigns_tally(world: dict[str, Any]) -> None:
    sim, gateway = world["sim"], world["gateway"]
    before = await campaigns(gateway)
    sent = sorted((n for n in before.values() if n["sentAt"]), key=lambda n: n["sentAt"])
    latest, old = sent[-1], sent[0]
    people = (await sim.get("/_sim/people", params={"limit": PEOPLE})).json()["people"]
    shopper = next(p["email"] for p in people if "shopify" in p["external_ids"])

    imported = (datetime.fromisoformat(latest["sentAt"]) + timedelta(days=5)).isoformat()
    for utm, total in ((latest["utmCampaign"], "42.50"), (old["utmCampaign"], "19.00")):
        order = {"email": shopper, "total": total, "utm_campaign": utm, "processed_at": imported}
        placed = await sim.post("/_sim/shopify/orders", json=order)
        assert placed.is_success, placed.text
    await world["sim_app"].state.sim.webhooks.drain()
    await processed(world["app"])
    after = await campaigns(gateway)

    moved = after[latest["utmCampaign"]]
    assert moved["attributedOrders"] == latest["attributedOrders"] + 1
    assert revenue(moved) == revenue(latest) + Decimal("42.50")
    opened = datetime.fromisoformat(old["sentAt"])
    assert opened + timedelta(days=30) < datetime.fromisoformat(latest["sentAt"])
    unmoved = after[old["utmCampaign"]]
    assert unmoved["attributedOrders"] == old["attributedOrders"], "past its window"
