"""The answer's size is bounded before anything runs: list widths multiplied through the
document (written, from variables, from their declared defaults, through fragments), refused
with RESULT_TOO_LARGE naming the bound; and an answer longer than `max_response_bytes` is not
sent (issue 19, item 1)."""

from __future__ import annotations

import httpx
from graphql import parse

from gateway.edge.settings import EdgeSettings
from resolvers import schema
from resolvers.extensions.operation_cost import estimate
from resolvers.extensions.result_size import result_size
from tests.edge.conftest import MakeApp, Served, in_process, serving
from tests.edge.test_operation_limits import refused


def widening(levels: int, width: str = "100") -> str:
    """`customer { company { customers(first: width) { … } } }`, `levels` lists deep."""
    inner = "email"
    for _ in range(levels):
        inner = f"company {{ customers(first: {width}) {{ {inner} }} }}"
    return inner


BLOW_UP = f'{{ customer(email: "a@b.co") {{ {widening(5)} }} }}'
"""Depth 12, a few batched calls: within both bounds, yet 100^5 customers."""


async def calls_made(sim: httpx.AsyncClient) -> int:
    stats = (await sim.get("/_sim/stats")).json()
    return sum(sum(found["requests_by_route"].values()) for found in stats.values())


async def test_nested_lists_are_refused_before_they_run_naming_the_bound(
    served: Served, sim: httpx.AsyncClient
) -> None:
    await sim.post("/_sim/reset")
    error = refused(await served.post(BLOW_UP), code="RESULT_TOO_LARGE")
    assert error["extensions"]["limit"] == "resultObjects"
    assert error["extensions"]["max"] == 100_000
    assert error["extensions"]["found"] > 100**5
    assert "100000" in error["message"]
    assert await calls_made(sim) == 0


async def test_widths_from_variables_and_their_declared_defaults_count(
    served: Served, sim: httpx.AsyncClient
) -> None:
    lists = widening(3, "$n")
    by_variable = f'query($n: Int) {{ customer(email: "a@b.co") {{ {lists} }} }}'
    by_default = f'query($n: Int = 100) {{ customer(email: "a@b.co") {{ {lists} }} }}'
    await sim.post("/_sim/reset")
    refused(await served.post(by_variable, {"n": 100}), code="RESULT_TOO_LARGE")
    refused(await served.post(by_default), code="RESULT_TOO_LARGE")
    assert await calls_made(sim) == 0
    for query, variables in ((by_variable, {"n": 2}), (by_default, {"n": 2})):
        response = await served.post(query, variables)
        assert response.status_code == 200, response.text


async def test_widths_through_fragments_count(served: Served) -> None:
    query = """{ customer(email: "a@b.co") { ...Wide } }
      fragment Wide on Customer { company { customers(first: 100) { ...Wider } } }
      fragment Wider on Customer { company { customers(first: 100) { ... on Customer {
        company { customers(first: 100) { email } } } } } }"""
    error = refused(await served.post(query), code="RESULT_TOO_LARGE")
    assert error["extensions"]["found"] >= 100**3


async def test_exactly_at_the_bound_passes_and_the_bound_applies_in_demo(
    make_app: MakeApp,
) -> None:
    query = "{ customers(first: 10) { edges { node { email orders(first: 3) { name } } } } }"
    size = result_size(schema._schema, parse(query), None, {})
    assert size == 1 + 10 * (1 + 1 + 3)  # the connection, its edges, their nodes and orders
    async with serving(make_app("serve", edge=EdgeSettings(max_result_objects=size))) as served:
        response = await served.post(query)
        assert response.status_code == 200, response.text
    small = EdgeSettings(max_result_objects=size - 1)
    async with in_process(make_app("demo", edge=small)) as demo:
        body = (await demo.post("/graphql", json={"query": query})).json()
        assert body["errors"][0]["extensions"]["code"] == "RESULT_TOO_LARGE"
        assert body["errors"][0]["extensions"]["found"] == size


async def test_an_answer_past_the_response_bound_is_not_sent(make_app: MakeApp) -> None:
    query = "{ integrations { platform connected } }"
    async with serving(make_app("serve", edge=EdgeSettings(max_response_bytes=100))) as served:
        error = refused(await served.post(query), code="RESPONSE_TOO_LARGE")
        assert error["extensions"]["max"] == 100
        assert error["extensions"]["found"] > 100
        legacy = await served.post(query, accept="application/json")
        assert legacy.status_code == 200
        assert legacy.json()["errors"][0]["extensions"]["code"] == "RESPONSE_TOO_LARGE"
        assert "data" not in legacy.json()


def test_the_cost_estimate_reads_declared_defaults_too() -> None:
    """`query($n: Int = 300)` sent without `n` asks for 300 customers, not the field's 20."""
    query = """query($n: Int = 300) { customers(first: $n) { edges { node {
      engagement { openRate } } } } }"""
    assert estimate(schema._schema, parse(query), None, {}) == 7 + 300
    assert estimate(schema._schema, parse(query), None, {"n": 10}) == 7 + 10
