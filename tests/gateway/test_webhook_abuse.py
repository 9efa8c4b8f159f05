"""Webhook routes against a hostile sender (issue 19): bodies bounded in size and read time
before any signature is checked; a captured Shopify delivery replayed under a new webhook id,
with a swapped topic, or long after the fact is kept nothing of."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.types import Message

from gateway.app import create_app
from gateway.edge.settings import EdgeSettings
from gateway.settings import Settings
from gateway.simulated import with_simulators
from hub.inbox import webhook_events
from tests.gateway.test_webhooks import shopify_call

BOUNDS = EdgeSettings(webhook_max_body_bytes=4096, body_read_seconds=0.5)


@pytest.fixture
async def world(
    sim_app: object, sim: httpx.AsyncClient, database_url: str
) -> AsyncIterator[dict[str, Any]]:
    """The gateway (HubSpot and Shopify, small webhook bounds) over the simulators."""
    credentials = (await sim.get("/_sim/credentials")).json()
    base = Settings(database_url=database_url, platforms="hubspot,shopify", edge=BOUNDS)
    settings = with_simulators(base, "http://sim.test", credentials)
    app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as gateway:
            yield {"app": app, "gateway": gateway, "credentials": credentials}


async def kept(world: dict[str, Any]) -> int:
    store = world["app"].state.services.store
    async with store.engine.connect() as connection:
        found = await connection.scalar(select(func.count()).select_from(webhook_events))
    return int(found or 0)


async def test_an_oversized_body_is_refused_before_it_is_read_whole(
    world: dict[str, Any],
) -> None:
    gateway = world["gateway"]
    limit = BOUNDS.webhook_max_body_bytes
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:  # streamed: no Content-Length to trust
        nonlocal sent
        for _ in range(64):
            sent += 1
            yield b"x" * (limit // 8)

    for path in ("/webhooks/hubspot", "/webhooks/shopify"):
        sent = 0
        response = await gateway.post(path, content=chunks())
        assert response.status_code == 413, response.text
        assert sent < 64  # stopped reading past the bound
    declared = await gateway.post(
        "/webhooks/shopify", content=b"{}", headers={"Content-Length": str(limit + 1)}
    )
    assert declared.status_code == 413
    assert await kept(world) == 0


async def test_a_trickling_body_is_refused_after_the_read_time_bound(
    world: dict[str, Any],
) -> None:
    """Straight to the ASGI app: one byte, then nothing; the route answers 408 instead of
    waiting for the rest."""
    app = world["app"]
    seconds = BOUNDS.body_read_seconds
    sent: list[Message] = []
    first = True

    async def receive() -> Message:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b"[", "more_body": True}
        await asyncio.sleep(3600)  # the rest never comes
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    headers = [(b"content-type", b"application/json")]
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/webhooks/hubspot",
        "raw_path": b"",
        "query_string": b"",
        "headers": headers,
        "scheme": "http",
        "http_version": "1.1",
        "server": ("gateway.test", 80),
        "client": ("203.0.113.9", 1),
        "root_path": "",
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=seconds + 10)
    assert sent[0]["status"] == 408


ORDER = {
    "id": 77,
    "name": "#9001",
    "total_price": "42.50",
    "currency": "USD",
    "customer": {"email": "cart@example.com"},
}
CUSTOMER = {"id": 5, "email": "someone@example.com", "first_name": "Some", "total_spent": "0.00"}


async def deliver(world: dict[str, Any], topic: str, webhook_id: str, body: object) -> Any:
    secret = world["credentials"]["shopify"]["client_secret"]
    call = shopify_call(secret, topic, webhook_id, body)  # type: ignore[arg-type]
    return await world["gateway"].post("/webhooks/shopify", **call)


async def test_a_captured_delivery_replayed_under_new_webhook_ids_is_kept_once(
    world: dict[str, Any],
) -> None:
    answers = [(await deliver(world, "orders/create", f"wh-{n}", ORDER)).json() for n in range(3)]

    assert answers[0] == {"accepted": 1, "duplicates": 0}
    assert answers[1:] == [{"accepted": 0, "duplicates": 1}] * 2
    assert await kept(world) == 1


async def test_a_topic_that_does_not_fit_the_signed_body_is_refused(
    world: dict[str, Any],
) -> None:
    as_customer = await deliver(world, "customers/update", "wh-a", ORDER)
    as_checkout = await deliver(world, "checkouts/create", "wh-b", ORDER)
    as_order = await deliver(world, "orders/create", "wh-c", CUSTOMER)
    fits = await deliver(world, "customers/update", "wh-d", CUSTOMER)

    for refused in (as_customer, as_checkout, as_order):
        assert refused.status_code == 400, refused.text
        assert "does not fit the body" in refused.json()["error"]
    assert fits.json() == {"accepted": 1, "duplicates": 0}
    assert await kept(world) == 1


async def test_a_resource_changed_long_ago_is_refused_as_stale(world: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    old = {**CUSTOMER, "updated_at": (now - timedelta(days=3)).isoformat()}
    recent = {**CUSTOMER, "updated_at": (now - timedelta(minutes=5)).isoformat()}

    stale = await deliver(world, "customers/update", "wh-old", old)
    fresh = await deliver(world, "customers/update", "wh-new", recent)

    assert stale.status_code == 400
    assert "stale" in stale.json()["error"]
    assert fresh.json() == {"accepted": 1, "duplicates": 0}
