"""Webhooks from the simulated platforms into the gateway: verified, kept once, answered at
once, processed by a high-priority job; the cached customer they name is fresh on the next
read once it has run, and subscribers hear of it once."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from gateway.app import create_app as create_gateway
from gateway.settings import MergeSettings, Settings
from gateway.simulated import with_simulators
from hub.changes import ChangeNotice
from hub.inbox import unprocessed_count
from hub.tables import webhook_events
from simulators import SimConfig
from simulators import create_app as create_simulators
from tests.waiting import eventually

SIM, GATEWAY = "http://sim.test", "http://gateway.test"


class LateTransport(httpx.AsyncBaseTransport):
    """In-process delivery to an app built after the simulators (they need each other)."""

    target: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert self.target is not None
        return await self.target.handle_async_request(request)


@pytest.fixture
def first(request: pytest.FixtureRequest) -> str:
    """The platform whose names win (so a change there is what every read shows)."""
    return str(getattr(request, "param", "hubspot"))


@pytest.fixture
async def world(tmp_path: Any, first: str) -> AsyncIterator[dict[str, Any]]:
    late = LateTransport()
    sim_app = create_simulators(
        SimConfig(
            people=60,
            rate_limits="off",
            webhook_url=GATEWAY,
            webhook_transport=late,
            webhook_retry_seconds=0.01,
        )
    )
    sim_transport = httpx.ASGITransport(app=sim_app)
    async with httpx.AsyncClient(transport=sim_transport, base_url=SIM) as sim:
        credentials = (await sim.get("/_sim/credentials")).json()
        settings = with_simulators(
            Settings(
                database_url=f"sqlite+aiosqlite:///{tmp_path / 'w.db'}",
                cache="memory",
                platforms="hubspot,shopify,mailchimp",
                abandoned_checkout_seconds=0.3,
                merge=MergeSettings(fields={"first_name": first}),
            ),
            SIM,
            credentials,
        )
        gateway_app = create_gateway(settings, transport=sim_transport)
        late.target = httpx.ASGITransport(app=gateway_app)
        async with gateway_app.router.lifespan_context(gateway_app):
            transport = httpx.ASGITransport(app=gateway_app)
            async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as gateway:
                yield {
                    "sim": sim,
                    "gateway": gateway,
                    "sim_app": sim_app,
                    "app": gateway_app,
                    "credentials": credentials,
                }


async def all_processed(app: Any, within: float = 5.0) -> None:
    """Until every accepted event's job has run (they run off the request path)."""
    store = app.state.services.store
    for _ in range(int(within / 0.01)):
        if await unprocessed_count(store) == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("webhook events were accepted but never processed")


async def first_name(gateway: httpx.AsyncClient, email: str) -> str | None:
    query = '{ customer(email: "EMAIL") { firstName } }'.replace("EMAIL", email)
    body = (await gateway.post("/graphql", json={"query": query})).json()
    assert "errors" not in body, body
    name: str | None = body["data"]["customer"]["firstName"]
    return name


async def someone_on(sim: httpx.AsyncClient, platform: str) -> str:
    people = (await sim.get("/_sim/people", params={"limit": 60})).json()["people"]
    email: str = next(p["email"] for p in people if platform in p["external_ids"])
    return email


@pytest.mark.parametrize(
    ("first", "field"),
    [("shopify", "first_name"), ("hubspot", "firstname"), ("mailchimp", "FNAME")],
    indirect=["first"],
)
async def test_a_change_in_a_platform_is_fresh_on_the_next_read(
    world: dict[str, Any], first: str, field: str
) -> None:
    platform = first
    sim, gateway = world["sim"], world["gateway"]
    email = await someone_on(sim, platform)
    before = await first_name(gateway, email)  # now cached
    changed = await sim.post(
        f"/_sim/{platform}/mutate", json={"email": email, "fields": {field: "Webhooked"}}
    )
    assert changed.is_success, changed.text
    await world["sim_app"].state.sim.webhooks.drain()
    deliveries = (await sim.get("/_sim/webhooks")).json()["deliveries"]
    assert any(d["platform"] == platform and d["delivered"] for d in deliveries), deliveries
    await all_processed(world["app"])
    assert before != "Webhooked"
    assert await first_name(gateway, email) == "Webhooked"


async def test_forged_stale_and_replayed_webhooks_keep_nothing_twice(world: dict[str, Any]) -> None:
    gateway, secret = world["gateway"], world["credentials"]["shopify"]["client_secret"]
    heard: list[ChangeNotice] = []

    async def listen() -> None:
        async for notice in world["app"].state.services.changes.subscribe():
            heard.append(notice)

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0)
    body = json.dumps({"id": 1, "email": "x@y.zz"}).encode()
    good = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    headers = {"X-Shopify-Topic": "customers/update", "X-Shopify-Webhook-Id": "wh-1"}

    forged_headers = {**headers, "X-Shopify-Hmac-Sha256": "Zm9yZ2Vk"}
    forged = await gateway.post("/webhooks/shopify", content=body, headers=forged_headers)
    first = await gateway.post(
        "/webhooks/shopify", content=body, headers={**headers, "X-Shopify-Hmac-Sha256": good}
    )
    replay = await gateway.post(
        "/webhooks/shopify", content=body, headers={**headers, "X-Shopify-Hmac-Sha256": good}
    )
    stale = await gateway.post(
        "/webhooks/hubspot",
        content=b"[]",
        headers={"X-HubSpot-Request-Timestamp": "1000", "X-HubSpot-Signature-v3": "x"},
    )
    wrong_secret = await gateway.post("/webhooks/mailchimp/guess", data={"type": "unsubscribe"})

    assert forged.status_code == 401
    assert (first.status_code, first.json()) == (200, {"accepted": 1, "duplicates": 0})
    assert (replay.status_code, replay.json()) == (200, {"accepted": 0, "duplicates": 1})
    assert stale.status_code == 401
    assert "stale" in stale.json()["error"]
    assert wrong_secret.status_code == 401
    store = world["app"].state.services.store
    async with store.engine.connect() as connection:
        kept = await connection.scalar(select(func.count()).select_from(webhook_events))
    assert kept == 1
    await all_processed(world["app"])
    assert await eventually(lambda: heard), "the accepted event was never announced"
    await asyncio.sleep(0.05)  # a second announcement, were there one, would come now
    listener.cancel()
    assert [(n.email, n.changed_fields) for n in heard] == [("x@y.zz", ())]  # one event, once


def shopify_call(
    secret: str, topic: str, webhook_id: str, payload: dict[str, Any]
) -> dict[str, Any]:
    body = json.dumps(payload).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    headers = {
        "X-Shopify-Topic": topic,
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Hmac-Sha256": signature,
    }
    return {"content": body, "headers": headers}


@pytest.mark.parametrize("ordered", [False, True])
async def test_a_checkout_left_idle_is_abandoned_unless_an_order_follows(
    world: dict[str, Any], ordered: bool
) -> None:
    gateway, secret = world["gateway"], world["credentials"]["shopify"]["client_secret"]
    services = world["app"].state.services
    heard = []

    async def listen() -> None:
        async for notice in services.changes.subscribe():
            if notice.event is not None:
                heard.append(notice.event)

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0)
    checkout = {
        "id": 901,
        "email": "cart@example.com",
        "total_price": "42.50",
        "currency": "USD",
        "completed_at": None,
        "customer": {"email": "cart@example.com"},
    }
    call = shopify_call(secret, "checkouts/create", "wh-c1", checkout)
    started = await gateway.post("/webhooks/shopify", **call)
    assert started.status_code == 200
    if ordered:
        order = {
            "id": 77,
            "name": "#9001",
            "total_price": "42.50",
            "currency": "USD",
            "customer": {"email": "cart@example.com"},
        }
        await gateway.post(
            "/webhooks/shopify", **shopify_call(secret, "orders/create", "wh-o1", order)
        )
    assert await eventually(lambda: heard), "neither the order nor the abandonment was heard"
    await asyncio.sleep(0.6)  # past the idle time the fixture configures: a wrong trigger fires
    listener.cancel()
    kinds = [event.type.name for event in heard]
    if ordered:
        assert kinds == ["ORDER_PLACED"]
    else:
        assert kinds == ["CHECKOUT_ABANDONED"]
        assert heard[0].properties["total"] == "42.50"
