"""Real time, as a personalization engine sees it: subscribed over a WebSocket to `mgw demo`,
it hears of an unsubscribe in Mailchimp and a change in HubSpot within seconds."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets

pytestmark = pytest.mark.e2e


async def subscribe(url: str, query: str) -> Any:
    socket = await websockets.connect(
        url.replace("http://", "ws://"),
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
    )
    await socket.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    return socket


async def next_message(socket: Any) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), timeout=15))
    assert message["type"] == "next", message
    return message["payload"]


async def person_on(demo: dict[str, Any], platform: str, nth: int = 0) -> str:
    """The `nth` seeded person on `platform` (tests change different people)."""
    async with httpx.AsyncClient() as client:
        people = (
            await client.get(demo["simulator_url"] + "/_sim/people", params={"limit": 100})
        ).json()["people"]
    email: str = [p["email"] for p in people if platform in p["external_ids"]][nth]
    return email


async def test_an_unsubscribe_in_mailchimp_reaches_the_subscriber(demo: dict[str, Any]) -> None:
    email = await person_on(demo, "mailchimp")
    socket = await subscribe(
        demo["graphql_url"],
        "subscription { customerEvent(types: [UNSUBSCRIBED]) { type platform } }",
    )
    try:
        await asyncio.sleep(0.2)  # the subscription is registered before the change
        async with httpx.AsyncClient() as client:
            changed = await client.post(
                demo["simulator_url"] + "/_sim/mailchimp/mutate",
                json={"email": email, "fields": {"status": "unsubscribed"}},
            )
            assert changed.is_success, changed.text
        payload = await next_message(socket)
        assert payload["data"]["customerEvent"] == {"type": "UNSUBSCRIBED", "platform": "MAILCHIMP"}
    finally:
        await socket.close()


async def test_a_change_in_hubspot_reaches_a_subscriber_of_that_customer(
    demo: dict[str, Any],
) -> None:
    email = await person_on(demo, "hubspot")
    async with httpx.AsyncClient() as client:
        query = f'{{ customer(email: "{email}") {{ id }} }}'
        read = await client.post(demo["graphql_url"], json={"query": query})
        customer_id = read.json()["data"]["customer"]["id"]
        socket = await subscribe(
            demo["graphql_url"],
            f'subscription {{ customerChanged(id: "{customer_id}") '
            "{ changedFields platform customer { id lastName } } }",
        )
        try:
            await asyncio.sleep(0.2)
            changed = await client.post(
                demo["simulator_url"] + "/_sim/hubspot/mutate",
                json={"email": email, "fields": {"lastname": "Realtime"}},
            )
            assert changed.is_success, changed.text
            change = (await next_message(socket))["data"]["customerChanged"]
        finally:
            await socket.close()
    assert change["platform"] == "HUBSPOT"
    assert change["changedFields"] == ["lastName"]
    assert change["customer"]["id"] == customer_id


async def test_server_sent_events_carry_the_same_triggers(demo: dict[str, Any]) -> None:
    email = await person_on(demo, "mailchimp", nth=5)
    query = "subscription { customerEvent(types: [UNSUBSCRIBED]) { type platform } }"
    stream_url = demo["graphql_url"] + "/stream"
    sse = {"Accept": "text/event-stream"}
    async with (
        httpx.AsyncClient(timeout=20) as client,
        client.stream("POST", stream_url, json={"query": query}, headers=sse) as events,
    ):
        assert events.headers["content-type"].startswith("text/event-stream")
        await asyncio.sleep(0.3)
        unsubscribe = {"email": email, "fields": {"status": "unsubscribed"}}
        await client.post(demo["simulator_url"] + "/_sim/mailchimp/mutate", json=unsubscribe)
        lines = events.aiter_lines()
        while await asyncio.wait_for(anext(lines), timeout=15) != "event: next":
            pass
        data = json.loads((await anext(lines)).removeprefix("data: "))
    assert data == {"data": {"customerEvent": {"type": "UNSUBSCRIBED", "platform": "MAILCHIMP"}}}


async def test_a_bad_subscription_over_sse_is_one_error_then_complete(demo: dict[str, Any]) -> None:
    async with httpx.AsyncClient(timeout=20) as client:
        answer = await client.post(
            demo["graphql_url"] + "/stream", json={"query": "subscription { nope }"}
        )
    assert "event: next" in answer.text
    assert "GRAPHQL_VALIDATION_FAILED" in answer.text
    assert answer.text.rstrip().endswith("event: complete\ndata:")


async def test_a_subscription_outlives_the_operation_deadline(demo: dict[str, Any]) -> None:
    """Each notice is read with a deadline of its own, not the one the subscription began with
    (5 s by default): after it, reads would fail and notices be dropped."""
    email = await person_on(demo, "hubspot", nth=3)
    socket = await subscribe(
        demo["graphql_url"], "subscription { customerChanged { customer { email lastName } } }"
    )
    try:
        await asyncio.sleep(6)
        async with httpx.AsyncClient() as client:
            edit = {"email": email, "fields": {"lastname": "Later"}}
            changed = await client.post(demo["simulator_url"] + "/_sim/hubspot/mutate", json=edit)
            assert changed.is_success, changed.text
        while (change := (await next_message(socket))["data"]["customerChanged"])["customer"][
            "email"
        ] != email:
            pass
    finally:
        await socket.close()
    assert change["customer"]["lastName"] == "Later"


async def test_a_lead_score_change_in_hubspot_is_a_trigger(demo: dict[str, Any]) -> None:
    email = await person_on(demo, "hubspot", nth=7)
    socket = await subscribe(
        demo["graphql_url"],
        "subscription { customerEvent(types: [LEAD_SCORE_CHANGED]) { type platform properties } }",
    )
    try:
        await asyncio.sleep(0.2)
        async with httpx.AsyncClient() as client:
            edit = {"email": email, "fields": {"hubspotscore": "97"}}
            changed = await client.post(demo["simulator_url"] + "/_sim/hubspot/mutate", json=edit)
            assert changed.is_success, changed.text
        event = (await next_message(socket))["data"]["customerEvent"]
    finally:
        await socket.close()
    assert (event["type"], event["platform"]) == ("LEAD_SCORE_CHANGED", "HUBSPOT")
    assert event["properties"]["score"] == "97"


async def test_the_gateways_own_write_is_announced(demo: dict[str, Any]) -> None:
    email = await person_on(demo, "hubspot", nth=9)
    socket = await subscribe(
        demo["graphql_url"],
        "subscription { customerChanged { platform changedFields customer { email firstName } } }",
    )
    try:
        await asyncio.sleep(0.2)
        mutation = (
            'mutation($e: String!) { upsertCustomer(input: {email: $e, firstName: "Written"}, '
            "targets: [HUBSPOT]) { results { platform status } } }"
        )
        async with httpx.AsyncClient(timeout=30) as client:
            answer = await client.post(
                demo["graphql_url"], json={"query": mutation, "variables": {"e": email}}
            )
        assert answer.json()["data"]["upsertCustomer"]["results"][0]["status"] == "WRITTEN"
        while (change := (await next_message(socket))["data"]["customerChanged"])["customer"][
            "email"
        ] != email or change["platform"] is not None:
            pass
    finally:
        await socket.close()
    assert change["changedFields"] == ["firstName"]
    assert change["customer"]["firstName"] == "Written"
