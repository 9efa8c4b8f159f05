"""Schemathesis against /graphql: operations generated from the exported schema (every root
query and mutation field, with every argument and selection it allows), sent to the gateway
on a real socket over the in-process simulators (demo profile): none may be answered with a
server error, and every answer is GraphQL JSON.

Deterministic (`derandomize`) and bounded: `EXAMPLES` per root field (fewer for
`triggerSync`), at least 1,000 in all.
Hypothesis runs in a worker thread (sync HTTP) while uvicorn serves from the test's loop.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from simulators import SimConfig
from tests.edge.conftest import MakeApp, on_a_socket

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"
EXAMPLES = 95
FEWER = {"Mutation.triggerSync": 25}  # each starts a background sync: the costliest by far
TOTAL = 1000


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


# schemathesis' GraphQL strategies draw from the `random` module, which Hypothesis deprecates.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
async def test_generated_operations_never_get_a_server_error(make_app: MakeApp) -> None:
    async with on_a_socket(make_app("demo")) as base:
        sent = await asyncio.to_thread(fuzz, base)
    assert sum(sent.values()) >= TOTAL, sent
    assert {"Query.customer", "Query.customers", "Mutation.upsertCustomer"} <= set(sent)
