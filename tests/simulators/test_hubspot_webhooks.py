"""Webhooks v3: every change (API write or UI edit) is posted as signed events. The signature
is checked here with HubSpot's documented algorithm, not the simulator's code."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

CONTACTS = "/crm/v3/objects/contacts"
SECRET_KEY = "client_secret"


@pytest.fixture
def config() -> SimConfig:
    return SimConfig(people=30, rate_limits="off")


def verify(secret: str, delivery: dict[str, Any]) -> list[dict[str, Any]]:
    headers = delivery["headers"]
    assert headers["X-HubSpot-Signature-Version"] == "v3"
    assert headers["Content-Type"] == "application/json"
    source = "POST" + delivery["url"] + delivery["body"] + headers["X-HubSpot-Request-Timestamp"]
    expected = hmac.new(secret.encode(), source.encode(), hashlib.sha256).digest()
    assert base64.b64encode(expected).decode() == headers["X-HubSpot-Signature-v3"]
    events: list[dict[str, Any]] = json.loads(delivery["body"])
    return events


async def deliveries(sim: httpx.AsyncClient) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = (await sim.get("/_sim/webhooks")).json()["deliveries"]
    return result


async def test_patch_sends_one_signed_event_per_changed_property(
    hs: httpx.AsyncClient, sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    secret = (await sim.get("/_sim/credentials")).json()["hubspot"][SECRET_KEY]
    contact = (await hs.get(CONTACTS, params={"limit": 1})).json()["results"][0]
    clock.advance(5)
    unchanged = contact["properties"]["lastname"]
    properties = {"firstname": "Webhooked", "phone": "+1-555-111-2222", "lastname": unchanged}
    await hs.patch(f"{CONTACTS}/{contact['id']}", json={"properties": properties})
    [delivery] = await deliveries(sim)
    assert delivery["url"].endswith("/webhooks/hubspot")
    assert delivery["headers"]["X-HubSpot-Request-Timestamp"] == "1767225605000"
    events = verify(secret, delivery)
    assert [(e["propertyName"], e["propertyValue"]) for e in events] == [
        ("firstname", "Webhooked"),
        ("phone", "+1-555-111-2222"),
    ]
    for event in events:
        assert event["subscriptionType"] == "contact.propertyChange"
        assert event["objectId"] == int(contact["id"])
        assert event["changeSource"] == "INTEGRATION"
        assert event["occurredAt"] == 1767225605000
        assert event["attemptNumber"] == 0
        assert {"eventId", "subscriptionId", "portalId", "appId"} <= set(event)
    assert len({e["eventId"] for e in events}) == 2


async def test_ui_edit_creation_and_companies_are_announced(
    hs: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    secret = (await sim.get("/_sim/credentials")).json()["hubspot"][SECRET_KEY]
    contact = (await hs.get(CONTACTS, params={"limit": 1})).json()["results"][0]
    mutated = await sim.post(
        "/_sim/hubspot/mutate",
        json={"email": contact["properties"]["email"], "fields": {"lifecyclestage": "customer"}},
    )
    assert mutated.status_code == 200
    inputs = [{"id": "Fresh@Example.com", "idProperty": "email", "properties": {"firstname": "F"}}]
    await hs.post(f"{CONTACTS}/batch/upsert", json={"inputs": inputs})
    company = (await hs.get("/crm/v3/objects/companies", params={"limit": 1})).json()["results"][0]
    await hs.patch(
        f"/crm/v3/objects/companies/{company['id']}", json={"properties": {"name": "Renamed"}}
    )
    ui, created, company_change = [verify(secret, d) for d in await deliveries(sim)]
    assert [(e["changeSource"], e["propertyName"]) for e in ui] == [("CRM_UI", "lifecyclestage")]
    kinds = [e["subscriptionType"] for e in created]
    assert kinds[0] == "contact.creation"
    assert {e.get("propertyName") for e in created[1:]} >= {"email", "firstname"}
    assert {e["propertyValue"] for e in created if e.get("propertyName") == "email"} == {
        "fresh@example.com"
    }
    [change] = company_change
    assert change["subscriptionType"] == "company.propertyChange"
    assert (change["objectId"], change["propertyValue"]) == (int(company["id"]), "Renamed")


async def _receiver(answers: list[int], seen: list[dict[str, Any]]) -> asyncio.Server:
    """A tiny HTTP server on a real socket: records each POST, answers the next status."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        request_line, *lines = head.strip().split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines)}
        body = await reader.readexactly(int(headers["content-length"]))
        seen.append({"line": request_line, "headers": headers, "body": body.decode()})
        status = answers.pop(0) if answers else 200
        writer.write(f"HTTP/1.1 {status} X\r\ncontent-length: 0\r\n\r\n".encode())
        await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def test_delivery_to_the_subscriber_with_retries() -> None:
    seen: list[dict[str, Any]] = []
    server = await _receiver([500], seen)
    port = server.sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}/gw"
    app: Starlette = create_app(
        SimConfig(people=10, rate_limits="off", webhook_url=base, webhook_retry_seconds=0.01),
        clock=ManualClock(),
    )
    transport = httpx.ASGITransport(app=app)
    async with server, httpx.AsyncClient(transport=transport, base_url="http://sim") as sim:
        secret = (await sim.get("/_sim/credentials")).json()["hubspot"][SECRET_KEY]
        headers = {"Authorization": "Bearer pat-sim-hubspot-0001"}
        contact = (await sim.get(f"/hubspot{CONTACTS}", headers=headers)).json()["results"][0]
        await sim.patch(
            f"/hubspot{CONTACTS}/{contact['id']}",
            headers=headers,
            json={"properties": {"firstname": "Delivered"}},
        )
        await app.state.sim.webhooks.drain()
        [delivery] = await deliveries(sim)
    assert delivery["url"] == f"{base}/webhooks/hubspot"
    assert delivery["statuses"] == [500, 200]
    assert delivery["delivered"] is True
    assert [s["line"] for s in seen] == ["POST /gw/webhooks/hubspot HTTP/1.1"] * 2
    received = seen[-1]
    as_sent = {
        "url": delivery["url"],
        "body": received["body"],
        "headers": {
            "X-HubSpot-Signature-Version": received["headers"]["x-hubspot-signature-version"],
            "Content-Type": received["headers"]["content-type"],
            "X-HubSpot-Request-Timestamp": received["headers"]["x-hubspot-request-timestamp"],
            "X-HubSpot-Signature-v3": received["headers"]["x-hubspot-signature-v3"],
        },
    }
    [event] = verify(secret, as_sent)
    assert event["propertyValue"] == "Delivered"
