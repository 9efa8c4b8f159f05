"""Repeated queries answered from the response cache before the GraphQL pipeline
(gateway/cached_answers.py): the bytes sent the first time, again, with no upstream call; a
caller with other scopes gets its own answer; the rate limit counts every answer."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from access.scopes import ALL_SCOPES, READ_CUSTOMERS, READ_PII
from gateway.edge import EdgeSettings
from tests.edge.conftest import MakeApp, api_key, serving

LIST = "{ customers(first: 3) { edges { node { id email lastName } } } }"
BODY = json.dumps({"query": LIST}).encode()


async def post(
    client: httpx.AsyncClient, key: str, body: bytes = BODY, **headers: str
) -> httpx.Response:
    sent = {"authorization": f"Bearer {key}", "content-type": "application/json", **headers}
    return await client.post("/graphql", content=body, headers=sent)


async def hubspot_calls(sim: httpx.AsyncClient) -> int:
    return int((await sim.get("/_sim/stats")).json()["hubspot"]["requests"])


async def test_a_repeated_query_gets_the_same_bytes_without_reading_again(
    make_app: MakeApp, sim: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app("serve", response_cache_seconds=60, cache="memory")
    async with serving(app) as served:
        first = await post(served.client, served.key)
        assert first.status_code == 200, first.text
        email = first.json()["data"]["customers"]["edges"][0]["node"]["email"]
        await sim.post("/_sim/hubspot/mutate", json={"email": email, "fields": {"lastname": "X"}})
        calls = await hubspot_calls(sim)
        with caplog.at_level(logging.INFO, logger="mgw.graphql"):
            again = await post(served.client, served.key)
        assert "ok (kept)" in caplog.text  # answered before the pipeline, and counted
        assert again.status_code == 200
        assert again.content == first.content  # byte for byte: kept, not encoded again
        assert again.headers["content-type"] == first.headers["content-type"]
        assert again.headers["x-correlation-id"] != first.headers["x-correlation-id"]
        assert await hubspot_calls(sim) == calls
        # the other media type is its own entry, with its own content type
        graphql_json = await post(
            served.client,
            served.key,
            accept="application/graphql-response+json",
        )
        assert graphql_json.headers["content-type"] == "application/graphql-response+json"
        assert graphql_json.json() == first.json()


async def test_a_caller_without_the_scope_gets_its_own_answer(make_app: MakeApp) -> None:
    app = make_app("serve", response_cache_seconds=60, cache="memory")
    async with serving(app) as served:
        full = await post(served.client, served.key)
        assert "errors" not in full.json()
        no_pii = await api_key(app, frozenset({READ_CUSTOMERS}))
        for _ in range(2):  # neither the first time nor from a cache
            limited = (await post(served.client, no_pii)).json()
            nodes = [edge["node"] for edge in limited["data"]["customers"]["edges"]]
            assert nodes
            assert all(node["email"] is None for node in nodes)  # no PII
            assert {e["extensions"]["code"] for e in limited["errors"]} == {"FORBIDDEN"}
            assert READ_PII in limited["errors"][0]["extensions"]["scope"]
        nobody = await served.client.post("/graphql", content=BODY)  # no credentials at all
        assert nobody.status_code == 401
        same_scopes = await api_key(app, ALL_SCOPES)  # another client, the same scopes
        shared = await post(served.client, same_scopes)
        assert shared.content == full.content


async def test_the_rate_limit_counts_answers_from_the_cache(make_app: MakeApp) -> None:
    edge = EdgeSettings(rate_limit_requests=3, rate_limit_window_seconds=30)
    app = make_app("serve", edge=edge, response_cache_seconds=60, cache="memory")
    async with serving(app) as served:
        answers = [await post(served.client, served.key) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert answers[2].content == answers[0].content
        limited = await post(served.client, served.key)
        assert limited.status_code == 429
        assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_max_staleness_below_the_cache_lifetime_reads_live_every_time(
    make_app: MakeApp, sim: httpx.AsyncClient
) -> None:
    """A client that asks for `maxStaleness: 0` is never answered from the response cache;
    one whose bound the cache's lifetime fits in is."""
    app = make_app("serve", response_cache_seconds=60, cache="memory")
    live = "{ customers(first: 3, maxStaleness: 0) { edges { node { id lastName } } } }"
    loose = "{ customers(first: 3, maxStaleness: 600) { edges { node { id lastName } } } }"
    async with serving(app) as served:
        for query, reads_again in ((live, True), (loose, False)):
            body = json.dumps({"query": query}).encode()
            first = await post(served.client, served.key, body)
            assert first.status_code == 200, first.text
            assert "errors" not in first.json(), first.text
            calls = await hubspot_calls(sim)
            again = await post(served.client, served.key, body)
            assert again.json() == first.json()
            assert (await hubspot_calls(sim) > calls) is reads_again
