"""Real time, as a personalization engine sees it: subscribed over a WebSocket to `mgw demo`,
it hears of an unsubscribe in Mailchimp and a change in HubSpot within seconds."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
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


ATTEMPTS, EACH_WAIT = 5, 3.0


async def next_message(socket: Any) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), timeout=15))
    assert message["type"] == "next", message
    return message["payload"]


async def heard(
    socket: Any,
    change: Callable[[int], Awaitable[None]],
    wanted: Callable[[dict[str, Any]], bool] = lambda payload: True,
) -> dict[str, Any]:
    """The first notice `wanted` after `change(attempt)`, made again (attempt 1, 2, …) while
    none comes within a few seconds: a change made before the subscription listens is
    announced to no one, and the demo shows no sign of when it starts listening."""
    for attempt in range(ATTEMPTS + 1):
        if attempt < ATTEMPTS:
            await change(attempt)
        try:
            async with asyncio.timeout(EACH_WAIT if attempt < ATTEMPTS else 15):
                while True:
                    message: dict[str, Any] = json.loads(await socket.recv())
                    assert message["type"] == "next", message
                    if wanted(message["payload"]):
                        return message["payload"]  # type: ignore[no-any-return]
        except TimeoutError:
            continue
    raise AssertionError(f"no notice after {ATTEMPTS} changes")


async def mutate(demo: dict[str, Any], platform: str, email: str, **fields: str) -> None:
    async with httpx.AsyncClient() as client:
        changed = await client.post(
            demo["simulator_url"] + f"/_sim/{platform}/mutate",
            json={"email": email, "fields": fields},
        )
    assert changed.is_success, changed.text


async def person_on(demo: dict[str, Any], platform: str, nth: int = 0) -> str:
    """The `nth` seeded person on `platform` (tests change different people)."""
    async with httpx.AsyncClient() as client:
        people = (
            await client.get(demo["simulator_url"] + "/_sim/people", params={"limit": 100})
        ).json()["people"]
    email: str = [p["email"] for p in people if platform in p["external_ids"]][nth]
    return email


async def test_an_unsubscribe_in_mailchimp_reaches_the_subscriber(demo: dict[str, Any]) -> None:
    emails = [await person_on(demo, "mailchimp", nth) for nth in (0, 10, 11, 12, 13)]
    socket = await subscribe(
        demo["graphql_url"],
        "subscription { customerEvent(types: [UNSUBSCRIBED]) { type platform } }",
    )
    try:
        payload = await heard(
            socket, lambda n: mutate(demo, "mailchimp", emails[n], status="unsubscribed")
        )
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
            change = (
                await heard(
                    socket, lambda n: mutate(demo, "hubspot", email, lastname=f"Realtime {n}")
                )
            )["data"]["customerChanged"]
        finally:
            await socket.close()
    assert change["platform"] == "HUBSPOT"
    assert change["changedFields"] == ["lastName"]
    assert change["customer"]["id"] == customer_id


async def test_server_sent_events_carry_the_same_triggers(demo: dict[str, Any]) -> None:
    emails = [await person_on(demo, "mailchimp", nth) for nth in (5, 14, 15, 16, 17)]
    query = "subscription { customerEvent(types: [UNSUBSCRIBED]) { type platform } }"
    stream_url = demo["graphql_url"] + "/stream"
    sse = {"Accept": "text/event-stream"}
    async with (
        httpx.AsyncClient(timeout=20) as client,
        client.stream("POST", stream_url, json={"query": query}, headers=sse) as events,
    ):
        assert events.headers["content-type"].startswith("text/event-stream")
        lines: asyncio.Queue[str] = asyncio.Queue()  # read apart, so waiting can time out

        async def pump() -> None:
            async for line in events.aiter_lines():
                await lines.put(line)

        reader = asyncio.create_task(pump())
        try:
            data = await first_event(
                lines, lambda n: mutate(demo, "mailchimp", emails[n], status="unsubscribed")
            )
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
    assert data == {"data": {"customerEvent": {"type": "UNSUBSCRIBED", "platform": "MAILCHIMP"}}}


async def first_event(
    lines: asyncio.Queue[str], change: Callable[[int], Awaitable[None]]
) -> dict[str, Any]:
    """`heard` for a server-sent event stream: the first event's data after `change(attempt)`,
    made again while none comes within a few seconds."""
    for attempt in range(ATTEMPTS + 1):
        if attempt < ATTEMPTS:
            await change(attempt)
        try:
            async with asyncio.timeout(EACH_WAIT if attempt < ATTEMPTS else 15):
                while await lines.get() != "event: next":
                    pass
                data: dict[str, Any] = json.loads((await lines.get()).removeprefix("data: "))
                return data
        except TimeoutError:
            continue
    raise AssertionError(f"no event after {ATTEMPTS} changes")


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
        scores = [str(97 - n) for n in range(ATTEMPTS)]
        event = (
            await heard(socket, lambda n: mutate(demo, "hubspot", email, hubspotscore=scores[n]))
        )["data"]["customerEvent"]
    finally:
        await socket.close()
    assert (event["type"], event["platform"]) == ("LEAD_SCORE_CHANGED", "HUBSPOT")
    assert event["properties"]["score"] in scores


async def test_the_gateways_own_write_is_announced(demo: dict[str, Any]) -> None:
    email = await person_on(demo, "hubspot", nth=9)
    socket = await subscribe(
        demo["graphql_url"],
        "subscription { customerChanged { platform changedFields customer { email firstName } } }",
    )
    mutation = (
        "mutation($e: String!, $name: String!) { upsertCustomer(input: {email: $e, "
        "firstName: $name}, targets: [HUBSPOT]) { results { platform status } } }"
    )

    async def write(attempt: int) -> None:
        variables = {"e": email, "name": f"Written {attempt}"}
        async with httpx.AsyncClient(timeout=30) as client:
            answer = await client.post(
                demo["graphql_url"], json={"query": mutation, "variables": variables}
            )
        assert answer.json()["data"]["upsertCustomer"]["results"][0]["status"] == "WRITTEN"

    def ours(payload: dict[str, Any]) -> bool:  # the gateway's announcement, not HubSpot's
        change = payload["data"]["customerChanged"]
        return bool(change["customer"]["email"] == email and change["platform"] is None)

    try:
        change = (await heard(socket, write, ours))["data"]["customerChanged"]
    finally:
        await socket.close()
    assert change["changedFields"] == ["firstName"]
    assert change["customer"]["firstName"].startswith("Written")
