"""Transports real clients expect (issue 19, item 16): graphql-sse's own client and GET
streams on /graphql/stream with a keep-alive while idle; a persisted query's hash sent by GET
as browsers and CDNs send it is answered with data, with a `Cache-Control` a CDN can obey.
(Composition with an older Apollo composer: tests/resolvers/test_federation.py.)"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
from typing import Any

import httpx
import pytest

from gateway.edge.settings import EdgeSettings
from tests.conftest import missing_service
from tests.edge.conftest import MakeApp, Served, api_key, in_process, on_a_socket
from tests.edge.test_http_audit import NODE_DIR, _run

SUBSCRIPTION = "subscription { customerEvent { type } }"
CSRF = {"x-mgw-csrf": "1"}  # a GET in serve proves it is no cross-site form (gateway/edge/csrf.py)
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
async def graphql_sse() -> str:
    """The graphql-sse client script (npm `graphql-sse`, tests/edge/node)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        missing_service("Node.js and npm", "install Node 18+ with npm to run graphql-sse")
    if not (NODE_DIR / "node_modules" / "graphql-sse").is_dir():
        code, out, err = await _run("npm", "ci", "--no-audit", "--no-fund")
        assert code == 0, f"npm ci failed:\n{out}\n{err}"
    return str(NODE_DIR / "sse_client.mjs")


async def test_graphql_sses_client_runs_a_query_over_the_stream(
    make_app: MakeApp, graphql_sse: str
) -> None:
    app = make_app("serve")
    async with on_a_socket(app) as base:
        headers = {"authorization": f"Bearer {await api_key(app)}"}
        code, out, err = await _run(
            "node",
            graphql_sse,
            f"{base}/graphql/stream",
            "{ __typename }",
            env={"MGW_SSE_HEADERS": json.dumps(headers)},
        )
    assert code == 0, err
    assert [json.loads(line) for line in out.splitlines()] == [{"data": {"__typename": "Query"}}]


async def test_a_get_stream_subscribes_and_keeps_the_connection_alive(make_app: MakeApp) -> None:
    """An EventSource's GET, the operation in the query string: the subscription stays open
    and a comment comes within 15 s while nothing happens."""
    app = make_app("serve")
    async with on_a_socket(app) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
        headers = {
            "authorization": f"Bearer {await api_key(app)}",
            "accept": "text/event-stream",
            "x-mgw-csrf": "1",
        }
        async with client.stream(
            "GET", "/graphql/stream", params={"query": SUBSCRIPTION}, headers=headers
        ) as answer:
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/event-stream")
            lines = answer.aiter_lines()
            async with asyncio.timeout(16):
                while (line := await anext(lines)) == "":
                    pass
    assert line.startswith(":"), line  # a comment: a keep-alive, not an event


async def test_a_query_by_get_on_the_stream_is_one_next_then_complete(served: Served) -> None:
    answer = await served.client.get(
        "/graphql/stream", params={"query": "{ __typename }"}, headers=served.headers(**CSRF)
    )
    assert answer.status_code == 200
    assert answer.text.split("\n\n")[:2] == [
        'event: next\ndata: {"data": {"__typename": "Query"}}',
        "event: complete\ndata: ",
    ]
    mutation = await served.client.get(
        "/graphql/stream",
        params={"query": 'mutation { discardDeadLetter(id: "x") }'},
        headers=served.headers(**CSRF),
    )
    assert mutation.status_code == 405


def hash_only(query: str) -> dict[str, str]:
    digest = hashlib.sha256(query.encode()).hexdigest()
    return {"extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})}


async def register(client: httpx.AsyncClient, query: str, headers: dict[str, str]) -> None:
    """Apollo's first round trip: the query with its hash, which stores it."""
    digest = hashlib.sha256(query.encode()).hexdigest()
    body = {"query": query, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    stored = await client.post("/graphql", json=body, headers=headers)
    assert stored.status_code == 200, stored.text


@pytest.mark.parametrize("accept", ["*/*", BROWSER_ACCEPT])
async def test_a_persisted_query_by_hash_over_get_answers_data(
    make_app: MakeApp, accept: str
) -> None:
    query = "{ __typename integrations { platform } }"
    app = make_app("serve", edge=EdgeSettings(graphiql=True))  # GraphiQL on: still data
    async with in_process(app) as client:
        headers = {"authorization": f"Bearer {await api_key(app)}", "x-mgw-csrf": "1"}
        await register(client, query, headers)
        answer = await client.get(
            "/graphql", params=hash_only(query), headers={**headers, "accept": accept}
        )
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/"), answer.text[:100]
    assert answer.json()["data"]["__typename"] == "Query"
    assert answer.headers["cache-control"] == "private, no-store"  # an authenticated answer


async def test_get_answers_say_what_a_cdn_may_keep(make_app: MakeApp) -> None:
    plain, personal = "{ integrations { platform } }", '{ customer(email: "a@b.co") { email } }'
    async with in_process(make_app("demo")) as client:  # anonymous callers
        for query in (plain, personal):
            await register(client, query, {})
        answers: dict[str, Any] = {
            query: await client.get("/graphql", params=hash_only(query), headers={"accept": "*/*"})
            for query in (plain, personal)
        }
        broken = await client.get("/graphql", params={"query": "{ nope }"})
        posted = await client.post("/graphql", json={"query": plain})
    assert answers[plain].headers["cache-control"] == "public, max-age=60"
    assert answers[plain].headers["vary"] == "Accept"
    assert answers[personal].headers["cache-control"] == "private, no-store"  # read:pii data
    assert broken.headers["cache-control"] == "private, no-store"
    assert "cache-control" not in posted.headers
