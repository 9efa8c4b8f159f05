"""HubSpot signs the URL it called. Behind a reverse proxy that terminates TLS the gateway sees
another URL, so the signature is checked against the public URL from settings, or against the
scheme and host a trusted proxy forwarded, never against headers anyone else sends."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.proxy_settings import WebhookSettings
from gateway.settings import Settings
from gateway.simulated import with_simulators

PUBLIC = "https://hooks.example.com/webhooks/hubspot"


def signed(secret: str, url: str) -> dict[str, Any]:
    """A delivery as HubSpot sends it to `url`: v3 signature over method, URL, body, time."""
    event = {"eventId": 7, "subscriptionType": "contact.creation", "objectId": 1}
    body = json.dumps([{**event, "occurredAt": int(time.time() * 1000)}]).encode()
    stamp = str(int(time.time() * 1000))
    digest = hmac.new(
        secret.encode(), b"POST" + url.encode() + body + stamp.encode(), hashlib.sha256
    )
    headers = {
        "Content-Type": "application/json",
        "X-HubSpot-Request-Timestamp": stamp,
        "X-HubSpot-Signature-v3": base64.b64encode(digest.digest()).decode(),
    }
    return {"content": body, "headers": headers}


@pytest.fixture
async def gateway_with(
    sim_app: object, sim: httpx.AsyncClient, database_url: str
) -> AsyncIterator[Callable[[WebhookSettings], Any]]:
    credentials = (await sim.get("/_sim/credentials")).json()
    opened: list[Any] = []

    async def build(webhooks: WebhookSettings) -> tuple[httpx.AsyncClient, str]:
        base = Settings(database_url=database_url, platforms="hubspot", webhooks=webhooks)
        settings = with_simulators(base, "http://sim.test", credentials)
        app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))  # type: ignore[arg-type]
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        opened.append(lifespan)
        # The proxy reaches the gateway over plain HTTP, from 127.0.0.1.
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://10.0.0.5:8000"
        )
        opened.append(client)
        return client, credentials["hubspot"]["client_secret"]

    yield build
    for thing in reversed(opened):
        if isinstance(thing, httpx.AsyncClient):
            await thing.aclose()
        else:
            await thing.__aexit__(None, None, None)


async def test_the_public_url_setting_checks_what_hubspot_signed(gateway_with) -> None:
    gateway, secret = await gateway_with(WebhookSettings(public_url="https://hooks.example.com/"))
    answer = await gateway.post("/webhooks/hubspot", **signed(secret, PUBLIC))
    assert answer.status_code == 200, answer.text


async def test_without_it_a_delivery_through_a_proxy_fails_its_signature(gateway_with) -> None:
    gateway, secret = await gateway_with(WebhookSettings())
    assert (await gateway.post("/webhooks/hubspot", **through_proxy(secret))).status_code == 401


def through_proxy(secret: str) -> dict[str, Any]:
    call = signed(secret, PUBLIC)
    call["headers"].update({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hooks.example.com"})
    return call


async def test_forwarded_headers_count_from_a_trusted_proxy_only(gateway_with) -> None:
    gateway, secret = await gateway_with(WebhookSettings(trusted_proxies=["127.0.0.0/8"]))
    assert (await gateway.post("/webhooks/hubspot", **through_proxy(secret))).status_code == 200
    elsewhere, _ = await gateway_with(WebhookSettings(trusted_proxies=["10.9.0.0/16"]))
    assert (await elsewhere.post("/webhooks/hubspot", **through_proxy(secret))).status_code == 401


def test_settings_refuse_what_cannot_work() -> None:
    with pytest.raises(ValueError, match="absolute http"):
        WebhookSettings(public_url="hooks.example.com")
    with pytest.raises(ValueError, match="not an IP"):
        WebhookSettings(trusted_proxies="10.0.0.0/8,proxy.local")
    assert WebhookSettings(trusted_proxies="10.0.0.0/8, ::1").trusted_proxies == [
        "10.0.0.0/8",
        "::1",
    ]
