"""Every error a client gets names the operation by its trace id, the `X-Correlation-ID` of
the response: invalid queries, refusals made before execution, upstream failures."""

from __future__ import annotations

import httpx
import pytest


def deep(levels: int) -> str:
    inner = "email"
    for _ in range(levels):
        inner = f"company {{ people(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"
    return f'{{ customer(email: "a@b.co") {{ {inner} }} }}'


@pytest.mark.parametrize(
    "query",
    [
        "{ nope }",  # invalid
        "{ customer(email: ",  # does not parse
        deep(8),  # refused for its depth before it runs
        "{ customers(first: 0) { edges { cursor } } }",  # bad input
    ],
)
async def test_each_error_carries_the_trace_id_of_the_response(
    gateway: httpx.AsyncClient, query: str
) -> None:
    response = await gateway.post("/graphql", json={"query": query})

    errors = response.json()["errors"]
    assert errors
    trace_id = response.headers["x-correlation-id"]
    assert [e["extensions"]["correlationId"] for e in errors] == [trace_id] * len(errors)
