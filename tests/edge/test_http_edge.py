"""The HTTP rules of /graphql in the serve profile: CSRF, no mutations over GET, a bounded
body, per-client rate limits, no GraphiQL, no batching, and errors that reveal nothing of
the platforms behind the graph. Each refusal is a GraphQL error with a code."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
import websockets

from gateway.edge.settings import EdgeSettings
from tests.edge.conftest import MakeApp, Served, api_key, in_process, on_a_socket, serving

QUERY = "{ integrations { platform } }"
MUTATION = 'mutation { discardDeadLetter(id: "nope") }'


def error_of(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == code, error
    message: str = error["message"]
    return message


async def test_csrf_refuses_what_a_browser_sends_cross_site_without_preflight(
    served: Served,
) -> None:
    client, auth = served.client, served.headers()
    get = await client.get("/graphql", params={"query": QUERY}, headers=auth)
    assert "CSRF" in error_of(get, 400, "CSRF_CHECK_FAILED")
    for simple in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        post = await client.post(
            "/graphql",
            content=b'{"query": "{ integrations { platform } }"}',
            headers={**auth, "content-type": simple},
        )
        error_of(post, 400, "CSRF_CHECK_FAILED")

    for header in ("X-MGW-CSRF", "Apollo-Require-Preflight"):
        allowed = await client.get(
            "/graphql", params={"query": QUERY}, headers={**auth, header: "1"}
        )
        assert allowed.status_code == 200, allowed.text
        assert len(allowed.json()["data"]["integrations"]) == 5
    json_post = await served.post(QUERY)
    assert json_post.status_code == 200


async def test_csrf_is_off_in_demo_and_a_setting(make_app: MakeApp) -> None:
    async with in_process(make_app("demo")) as demo:
        assert (await demo.get("/graphql", params={"query": QUERY})).status_code == 200
    async with serving(make_app("serve", edge=EdgeSettings(csrf_protection=False))) as served:
        response = await served.client.get(
            "/graphql", params={"query": QUERY}, headers=served.headers()
        )
        assert response.status_code == 200


async def test_no_mutation_over_get(served: Served) -> None:
    response = await served.client.get(
        "/graphql", params={"query": MUTATION}, headers=served.headers(**{"x-mgw-csrf": "1"})
    )
    assert "POST" in error_of(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "POST"


async def test_a_body_past_the_bound_is_413_declared_or_streamed(make_app: MakeApp) -> None:
    async with serving(make_app("serve", edge=EdgeSettings(max_body_bytes=2000))) as served:
        padding = " " * 2100
        big = await served.client.post(
            "/graphql",
            content=f'{{"query": "{QUERY}"{padding}}}'.encode(),
            headers=served.headers(**{"content-type": "application/json"}),
        )
        assert "2000 bytes" in error_of(big, 413, "PAYLOAD_TOO_LARGE")

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
            yield b'{"query": "' + QUERY.encode() + b'"'
            for _ in range(30):
                yield b" " * 100
            yield b"}"

        streamed = await served.client.post(
            "/graphql",
            content=chunks(),
            headers=served.headers(**{"content-type": "application/json"}),
        )
        error_of(streamed, 413, "PAYLOAD_TOO_LARGE")
        small = await served.post(QUERY)
        assert small.status_code == 200


async def test_a_client_past_its_rate_gets_429_with_retry_after(make_app: MakeApp) -> None:
    edge = EdgeSettings(rate_limit_requests=3, rate_limit_window_seconds=30)
    async with serving(make_app("serve", edge=edge)) as served:
        for _ in range(3):
            assert (await served.post(QUERY)).status_code == 200
        limited = await served.post(QUERY)
        assert "Retry in" in error_of(limited, 429, "RATE_LIMITED")
        assert 1 <= int(limited.headers["retry-after"]) <= 30
        assert limited.json()["errors"][0]["extensions"]["retryAfter"] == int(
            limited.headers["retry-after"]
        )
        assert limited.headers["content-type"] == "application/graphql-response+json"

        other = await api_key(served.app)  # another client, its own budget
        response = await served.client.post(
            "/graphql", json={"query": QUERY}, headers={"authorization": f"Bearer {other}"}
        )
        assert response.status_code == 200


async def test_the_rate_limit_is_shared_by_replicas_through_redis(
    make_app: MakeApp, redis_url: str
) -> None:
    edge = EdgeSettings(rate_limit_requests=4, rate_limit_window_seconds=30)
    first = make_app("serve", edge=edge, redis_url=redis_url, cache="off")
    second = make_app("serve", edge=edge, redis_url=redis_url, cache="off")
    async with serving(first) as one, in_process(second) as two:
        # Both replicas share one store (the same SQLite file), so the key works on both.
        statuses = []
        for client in (one.client, two, one.client, two, one.client, two):
            response = await client.post("/graphql", json={"query": QUERY}, headers=one.headers())
            statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 200, 429, 429]


async def test_anonymous_requests_are_limited_by_address_in_demo_when_asked(
    make_app: MakeApp,
) -> None:
    edge = EdgeSettings(rate_limit_requests=2, rate_limit_in_demo=True)
    async with in_process(make_app("demo", edge=edge)) as demo:
        statuses = [
            (await demo.post("/graphql", json={"query": QUERY})).status_code for _ in range(3)
        ]
    assert statuses == [200, 200, 429]


async def test_graphiql_is_off_in_serve_unless_enabled(make_app: MakeApp) -> None:
    browser = {"accept": "text/html"}
    async with serving(make_app("serve")) as served:
        page = await served.client.get("/graphql", headers=served.headers(**browser))
        assert page.status_code == 404
        assert "graphiql" not in page.text.lower()
    async with serving(make_app("serve", edge=EdgeSettings(graphiql=True))) as served:
        page = await served.client.get("/graphql", headers=served.headers(**browser))
        assert page.status_code == 200
        assert "graphiql" in page.text.lower()


async def test_batches_are_refused_clearly(served: Served) -> None:
    response = await served.client.post(
        "/graphql", json=[{"query": QUERY}, {"query": QUERY}], headers=served.headers()
    )
    assert "Batching is not enabled" in error_of(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize("status", [400, 500])
async def test_errors_show_nothing_of_the_platforms_answers(
    served: Served, sim: httpx.AsyncClient, status: int
) -> None:
    upstream = []
    for platform in ("hubspot", "salesforce", "shopify", "marketo", "mailchimp"):
        await sim.post(
            "/_sim/faults", json={"platform": platform, "error_rate": 1.0, "status": status}
        )
    upstream.append((await sim.post("/hubspot/crm/v3/objects/contacts/batch/read")).json())
    response = await served.post('{ customer(email: "a@b.co") { email } }')
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"customer": None}
    assert {e["extensions"]["platform"] for e in body["errors"]} >= {"HUBSPOT"}
    for answer in upstream:
        for value in (answer["message"], answer["category"]):
            assert value not in response.text
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    hubspot = next(e for e in body["errors"] if e["extensions"]["platform"] == "HUBSPOT")
    assert (
        hubspot["message"]
        == {400: "HubSpot refused the request.", 500: "HubSpot is unavailable; try again later."}[
            status
        ]
    )


@pytest.mark.parametrize("body", [b'"{ __typename }"', b"42", b"null", b"true"])
async def test_a_json_body_that_is_not_an_object_is_a_400(served: Served, body: bytes) -> None:
    response = await served.client.post(
        "/graphql", content=body, headers=served.headers(**{"content-type": "application/json"})
    )
    assert "JSON object" in error_of(response, 400, "BAD_REQUEST")


async def test_websocket_upgrades_count_against_the_client_rate(make_app: MakeApp) -> None:
    edge = EdgeSettings(rate_limit_requests=2, rate_limit_window_seconds=30)
    app = make_app("serve", edge=edge)
    async with on_a_socket(app) as base:
        headers = {"Authorization": f"Bearer {await api_key(app)}"}
        url = base.replace("http://", "ws://") + "/graphql"
        for _ in range(2):
            async with websockets.connect(
                url,
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                additional_headers=headers,
            ) as socket:
                await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
                assert json.loads(await socket.recv())["type"] == "connection_ack"
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(
                url,
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                additional_headers=headers,
            )
        assert refused.value.response.status_code == 403
