"""Schemathesis against /graphql: operations generated from the exported schema (every root
query and mutation field, with every argument and selection it allows), sent to the gateway
on a real socket over the in-process simulators (demo profile): none may be answered with a
server error, and every answer is GraphQL JSON.

Subscriptions, which Schemathesis does not generate, come from the generator it is built on
(hypothesis-graphql) and go over Server-Sent Events to /graphql/stream: each is a stream that
stays open or ends with GraphQL errors, never a server error.

Deterministic (`derandomize`) and bounded: `EXAMPLES` per root field (fewer for
`triggerSync`), at least 1,000 in all.
Hypothesis runs in a worker thread (sync HTTP) while uvicorn serves from the test's loop.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import graphql
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import strategies as gql_st
from schemathesis.generation import GenerationMode

from simulators import SimConfig
from tests.edge.conftest import MakeApp, on_a_socket

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"
EXAMPLES = 95
FEWER = {"Mutation.triggerSync": 25}  # each starts a background sync: the costliest by far
TOTAL = 1000
SUBSCRIPTION_EXAMPLES = 40


@pytest.fixture
def sim_config() -> SimConfig:
    """Fewer people than the suite's default: a generated `triggerSync` syncs them all."""
    return SimConfig(seed=7, people=30, rate_limits="off")


def fuzz(url: str) -> Counter[str]:
    """Sends the generated operations; the count of answers by root field."""
    schema = schemathesis.graphql.from_path(SDL)
    sent: Counter[str] = Counter()
    failures: list[str] = []
    with httpx.Client(base_url=url, timeout=30) as client:

        def send(label: str, case: schemathesis.Case) -> None:
            body = {"query": case.body}  # what schemathesis sends (prepare_request_body)
            response = client.post("/graphql", json=body)
            sent[label] += 1
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {body!r}: {response.text}")
            elif not {"data", "errors"} & set(response.json()):
                failures.append(f"not a GraphQL answer to {body!r}: {response.text}")

        def runner(label: str) -> Callable[[schemathesis.Case], None]:
            return lambda case: send(label, case)

        for result in schema.get_all_operations():
            operation = result.ok()
            strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
            bounded = settings(
                max_examples=FEWER.get(operation.label, EXAMPLES),
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            bounded(given(case=strategy)(runner(operation.label)))()
    assert failures == [], failures[:5]
    return sent


def subscriptions(field: str) -> st.SearchStrategy[str]:
    """Subscription documents selecting `field`: hypothesis-graphql generates queries of a
    schema whose query type is the Subscription type, each then sent as a subscription."""
    served = graphql.build_schema(SDL.read_text())
    assert served.subscription_type is not None
    as_query = graphql.GraphQLSchema(
        query=served.subscription_type, types=list(served.type_map.values())
    )
    return gql_st.queries(as_query, fields=[field]).map(lambda text: f"subscription {text}")


def stream_starts(client: httpx.Client, query: str, *, read: float = 0.3) -> str | None:
    """The start of the stream `query` opens (what came within a moment), or what is wrong.
    A stream whose headers take longer than `read` (a busy machine) is asked again, waiting
    longer for them."""
    try:
        return _stream_start(client, query, read)
    except httpx.ReadTimeout:  # no headers yet: not the stream's silence
        if read >= HEADERS_WAIT:
            raise
        return _stream_start(client, query, HEADERS_WAIT)


HEADERS_WAIT = 15.0


def _stream_start(client: httpx.Client, query: str, read: float) -> str | None:
    received = ""
    with client.stream(
        "POST",
        "/graphql/stream",
        json={"query": query},
        headers={"accept": "text/event-stream"},
        timeout=httpx.Timeout(10, read=read),
    ) as answer:
        if answer.status_code >= 500 or not answer.headers["content-type"].startswith(
            "text/event-stream"
        ):
            return f"{answer.status_code} {answer.headers['content-type']} for {query!r}"
        try:
            for chunk in answer.iter_text():
                received += chunk
        except httpx.ReadTimeout:
            pass  # still open: a subscription waiting for changes
    if "INTERNAL_SERVER_ERROR" in received or "Traceback" in received:
        return f"server error for {query!r}: {received}"
    for line in received.splitlines():
        if line.startswith("data: ") and line != "data: ":
            json.loads(line.removeprefix("data: "))
    return None


def fuzz_subscriptions(url: str) -> Counter[str]:
    sent: Counter[str] = Counter()
    failures: list[str] = []
    timeout = httpx.Timeout(10, read=0.3)
    with httpx.Client(base_url=url, timeout=timeout) as client:

        def runner(field: str) -> Callable[[str], None]:
            def send(query: str) -> None:
                sent[field] += 1
                problem = stream_starts(client, query)
                if problem is not None:
                    failures.append(problem)

            return send

        for field in ("customerChanged", "customerEvent"):
            bounded = settings(
                max_examples=SUBSCRIPTION_EXAMPLES,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            bounded(given(query=subscriptions(field))(runner(field)))()
    assert failures == [], failures[:5]
    return sent


# schemathesis' GraphQL strategies draw from the `random` module, which Hypothesis deprecates.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
async def test_generated_operations_never_get_a_server_error(make_app: MakeApp) -> None:
    async with on_a_socket(make_app("demo")) as base:
        sent = await asyncio.to_thread(fuzz, base)
    assert sum(sent.values()) >= TOTAL, sent
    assert {"Query.customer", "Query.customers", "Mutation.upsertCustomer"} <= set(sent)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
async def test_generated_subscriptions_over_sse_never_get_a_server_error(
    make_app: MakeApp,
) -> None:
    async with on_a_socket(make_app("demo")) as base:
        sent = await asyncio.to_thread(fuzz_subscriptions, base)
    assert sent == {
        "customerChanged": SUBSCRIPTION_EXAMPLES,
        "customerEvent": SUBSCRIPTION_EXAMPLES,
    }
