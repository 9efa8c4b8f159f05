"""A real GraphQL client (`gql` over HTTP, httpx transport) runs every sample query `mgw demo`
prints and preloads in GraphiQL, against `mgw demo` itself: real processes and sockets."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport

from gateway.demo import sample_queries
from tests.docs.blocks import ROOT, examples

pytestmark = pytest.mark.e2e


def printed_emails(demo: dict[str, Any]) -> list[str]:
    people = httpx.get(demo["simulator_url"] + "/_sim/people", params={"limit": 300}).json()
    printed = Path(demo["log"]).read_text()
    return [p["email"] for p in people["people"] if p["email"] in printed]


def wait_for_attribution(demo: dict[str, Any]) -> None:
    """The demo counts the shop's orders in the background, at Shopify's rate limit; until
    it is done, attributed orders answer with a retryable UPSTREAM_RATE_LIMITED."""
    query = "{ campaigns(first: 1) { edges { node { attributedOrders } } } }"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = httpx.post(demo["graphql_url"], json={"query": query}, timeout=30).json()
        if "errors" not in body:
            return
        assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_RATE_LIMITED", body
        time.sleep(1)
    pytest.fail("attribution was not ready within 120 s")


async def test_every_sample_query_answers_through_a_real_client(demo: dict[str, Any]) -> None:
    samples = sample_queries(printed_emails(demo))
    wait_for_attribution(demo)
    transport = HTTPXAsyncTransport(url=demo["graphql_url"], timeout=30)

    async with Client(transport=transport, fetch_schema_from_transport=True) as session:
        answers = {title: await session.execute(gql(query)) for title, query in samples}

    assert len(answers) == len(samples) >= 5
    customer = next(
        a["customer"] for a in answers.values() if "company" in (a.get("customer") or {})
    )
    assert customer["displayName"]
    assert customer["events"], "the sample customer has events"
    campaigns = next(a["campaigns"] for a in answers.values() if "campaigns" in a)
    assert campaigns["totalCount"] > 0
    assert any(edge["node"]["attributedOrders"] > 0 for edge in campaigns["edges"])


async def test_a_bad_query_is_a_typed_error_for_the_client(demo: dict[str, Any]) -> None:
    transport = HTTPXAsyncTransport(url=demo["graphql_url"], timeout=30)
    async with Client(transport=transport) as session:
        with pytest.raises(TransportQueryError) as raised:
            await session.execute(gql('{ company(domain: "not a domain") { name } }'))

    assert raised.value.errors is not None
    assert raised.value.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_graphiql_opens_on_the_sample_queries(demo: dict[str, Any]) -> None:
    page = httpx.get(demo["graphql_url"], headers={"accept": "text/html"})

    assert page.status_code == 200
    assert "query OneCustomerAcrossTheGraph" in page.text
    assert printed_emails(demo)[0] in page.text


def test_the_documented_campaigns_query_answers_with_attribution_at_once(
    demo: dict[str, Any],
) -> None:
    """The demo stores the shop's orders before its banner: the getting-started page's
    campaigns query answers with every sent campaign's attribution on the first try."""
    [query] = [
        example.query
        for example in examples(ROOT / "docs" / "getting-started.md")
        if "campaigns(" in example.query and "attributedOrders" in example.query
    ]
    body = httpx.post(demo["graphql_url"], json={"query": query}, timeout=30).json()

    assert "errors" not in body, body["errors"]
    sent = [edge["node"] for edge in body["data"]["campaigns"]["edges"] if edge["node"]["sentAt"]]
    assert sent, body
    assert all(node["attributedOrders"] is not None for node in sent), sent
