"""Each bound on an operation, refused in the serve profile with a clear error before anything
runs: 400 for a client accepting `application/graphql-response+json`, the bound in
`extensions`, no `data`."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query, parse

from gateway.edge.settings import EdgeSettings
from resolvers import schema
from resolvers.extensions.document_shape import measure
from resolvers.extensions.operation_cost import estimate
from tests.edge.conftest import MakeApp, Served, in_process, serving
from tests.waiting import eventually

ONE = '{ customer(email: "nobody@example.com") { email } }'


def refused(response: httpx.Response, code: str = "GRAPHQL_VALIDATION_FAILED") -> dict[str, Any]:
    """The one error of a request refused before execution, checked for shape and status."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/graphql-response+json"
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == code, error
    assert "Traceback" not in response.text
    found: dict[str, Any] = error
    return found


def nested(levels: int) -> str:
    """`levels` fields nested in one another, the innermost a leaf (lists of 2, so the
    answer's size stays far within its own bound: tests/edge/test_result_size.py)."""
    inner = "email"
    while levels > 2:  # company { customers { … } } adds two levels
        inner = f"company {{ customers(first: 2) {{ {inner} }} }}"
        levels -= 2
    return f'{{ customer(email: "a@b.co") {{ {inner} }} }}' if levels == 2 else inner


async def test_an_honest_operation_passes(served: Served) -> None:
    response = await served.post(ONE)
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"customer": None}}


@pytest.mark.parametrize(
    ("query", "limit", "bound", "found"),
    [
        (nested(14), "depth", 12, 14),
        ("{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }", "aliases", 30, 31),
        (
            "{ " + " ".join(f"a{i}: integrations {{ platform }}" for i in range(21)) + " }",
            "aliases",
            30,
            21,
        ),
        ("{ __typename " + "@include(if: true) " * 51 + "}", "directives", 50, 51),
        ("{ " + "__typename " * 6 + "}", "fieldRepeats", 5, 6),
    ],
    ids=["depth", "aliases", "root-fields", "directives", "field-duplication"],
)
async def test_each_shape_bound_is_refused_naming_itself(
    served: Served, query: str, limit: str, bound: int, found: int
) -> None:
    if limit == "aliases" and found == 21:  # 21 aliased root fields: the root-field bound
        limit, bound = "rootFields", 20
    error = refused(await served.post(query))
    assert error["extensions"]["limit"] == limit
    assert error["extensions"]["max"] == bound
    assert error["extensions"]["found"] == found
    assert str(bound) in error["message"]


async def test_exactly_at_each_bound_passes(served: Served) -> None:
    at_bounds = [
        nested(12),
        "{ " + " ".join(f"a{i}: __typename" for i in range(20)) + " }",
        "{ integrations { " + "... @include(if: true) { platform } " * 50 + "} }",
        "{ " + "__typename " * 5 + "}",
    ]
    for query in at_bounds:
        response = await served.post(query)
        assert response.status_code == 200, response.text
        assert "errors" not in response.json(), query


async def test_too_many_tokens_stops_parsing(served: Served) -> None:
    query = "{ " + "__typename " * 5001 + "}"
    error = refused(await served.post(query), code="GRAPHQL_PARSE_FAILED")
    assert "5000 tokens" in error["message"]


async def test_introspection_is_off_in_serve_and_on_when_enabled(make_app: MakeApp) -> None:
    queries = [
        "{ __schema { queryType { name } } }",
        '{ __type(name: "Customer") { name } }',
        "{ _service { sdl } }",
    ]
    async with serving(make_app("serve")) as served:
        for query in queries:
            error = refused(await served.post(query))
            assert error["extensions"]["limit"] == "introspection"
            assert "introspection" in error["message"]
        typename = await served.post("{ __typename }")  # not introspection
        assert typename.json() == {"data": {"__typename": "Query"}}
    enabled = make_app("serve", edge=EdgeSettings(introspection=True))
    async with serving(enabled) as served:
        for query in queries:
            response = await served.post(query)
            assert response.status_code == 200, query
            assert "errors" not in response.json(), query


async def test_the_standard_introspection_query_passes_where_introspection_is_on(
    make_app: MakeApp,
) -> None:
    """GraphiQL's and client generators' query nests `ofType` past depth 12: introspection is
    bounded by graphql-core's MaxIntrospectionDepthRule instead of the depth bound."""
    query = get_introspection_query(descriptions=True)
    async with in_process(make_app("demo")) as demo:
        body = (await demo.post("/graphql", json={"query": query})).json()
        assert "errors" not in body
        assert body["data"]["__schema"]["queryType"]["name"] == "Query"
    async with serving(make_app("serve", edge=EdgeSettings(introspection=True))) as served:
        response = await served.post(query)
        assert response.status_code == 200, response.text


async def test_suggestions_are_removed_in_serve_only(make_app: MakeApp) -> None:
    typo = '{ customr(email: "a@b.co") { email } }'
    async with serving(make_app("serve")) as served:
        error = refused(await served.post(typo))
        assert error["message"] == "Cannot query field 'customr' on type 'Query'."
    async with in_process(make_app("demo")) as demo:
        body = (await demo.post("/graphql", json={"query": typo})).json()
        assert "Did you mean 'customer'" in body["errors"][0]["message"]


async def test_suggestions_are_removed_from_variable_errors_too(served: Served) -> None:
    query = "query($p: Platform) { campaigns(platform: $p) { totalCount } }"
    response = await served.post(query, {"p": "MAILCHIMPP"})
    error = refused(response)
    assert "MAILCHIMPP" in error["message"]
    assert "Did you mean" not in error["message"]
    assert "MAILCHIMP'" not in error["message"]


async def test_a_costly_operation_is_refused_with_its_estimate_before_it_runs(
    served: Served, sim: httpx.AsyncClient
) -> None:
    query = """query($n: Int!) { customers(first: $n) { edges { node {
      email engagement { openRate } company { name } } } } }"""
    cheap = await served.post(query, {"n": 10})
    assert cheap.status_code == 200, cheap.text
    await sim.post("/_sim/reset")
    error = refused(await served.post(query, {"n": 300}), code="QUERY_TOO_COMPLEX")
    stats = (await sim.get("/_sim/stats")).json()
    assert sum(sum(found["requests_by_route"].values()) for found in stats.values()) == 0
    assert error["extensions"]["cost"] == {"estimatedCalls": 7 + 3 + 300, "maxCalls": 250}
    assert "upstream calls" in error["message"]


async def test_the_cost_bound_is_a_setting_and_off_in_demo(make_app: MakeApp) -> None:
    aliased = "{ " + " ".join(f'c{i}: customer(email: "x{i}@b.co") {{ email }}' for i in range(8))
    async with serving(make_app("serve", edge=EdgeSettings(max_cost=30))) as served:
        error = refused(await served.post(aliased + " }"), code="QUERY_TOO_COMPLEX")
        assert error["extensions"]["cost"] == {"estimatedCalls": 8 * 6, "maxCalls": 30}
    async with in_process(make_app("demo", edge=EdgeSettings(max_cost=30))) as demo:
        body = (await demo.post("/graphql", json={"query": aliased + " }"})).json()
        assert "errors" not in body


def test_the_estimate_counts_batched_fields_once_and_unbatched_per_parent() -> None:
    def calls(query: str, **variables: object) -> int:
        return estimate(schema._schema, parse(query), None, dict(variables))

    assert calls("{ integrations { platform } }") == 0
    assert calls('{ customer(email: "a@b.co") { email } }') == 6
    page = "query($n: Int) { customers(first: $n) { edges { node { company { name } %s } } } }"
    assert calls(page % "", n=10) == calls(page % "", n=100) == 7 + 3
    assert calls(page % "engagement { openRate }", n=100) == 7 + 3 + 100
    assert calls(page % "engagement { openRate }") == 7 + 3 + 20  # the default `first`
    fragment = """{ customers(first: 10) { edges { node { ...F } } } }
      fragment F on Customer { deals { name } engagement { openRate } }"""
    assert calls(fragment) == 7 + 5 + 10


def test_measuring_a_fragment_bomb_takes_linear_time() -> None:
    """Each fragment spreads the next twice: expanded, 2^60 fields; measured, 60 fragments
    (expanding them would never finish; the bound on time is loose for busy machines)."""
    levels = 60
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    document = parse(
        "{ ...F0 } " + " ".join(fragments) + f" fragment F{levels} on Query {{ __typename }}"
    )
    started = time.perf_counter()
    shape = measure(document)
    assert time.perf_counter() - started < 5
    assert shape.root_fields == 2**levels
    assert shape.depth == 1
    calls = estimate(schema._schema, document, None, {})
    assert calls == 0


async def test_the_estimate_bounds_the_calls_the_platforms_see(
    make_app: MakeApp, sim: httpx.AsyncClient
) -> None:
    """Counted by the simulators, token grants and Mailchimp's one-time audience check left
    out (as tests/resolvers/test_upstream_calls.py does)."""
    people = (await sim.get("/_sim/people", params={"limit": 1})).json()["people"]
    customer = (
        "query($e: String!) { customer(email: $e) { email company { name } deals { name } } }"
    )
    listed = """query($n: Int!) { customers(first: $n) { edges { node { email company { name }
       deals { name } orders(first: 2) { name } engagement { openRate } } } } }"""
    # (query, variables, fewest calls): campaigns and their attribution come from the store,
    # filled once at start (the warm-up here), so a repeated read may call nobody.
    queries = [
        (customer, {"e": people[0]["email"]}, 1),
        (listed, {"n": 10}, 1),
        ("{ campaigns(first: 5) { edges { node { name attributedOrders } } } }", {}, 0),
    ]
    warm_up = "{ campaigns(first: 1) { totalCount edges { node { attributedOrders } } } }"
    async with in_process(make_app("demo")) as demo:

        async def stored() -> bool:  # the shop's orders
            known = (await demo.post("/graphql", json={"query": warm_up})).json()
            return known["data"]["campaigns"]["edges"][0]["node"]["attributedOrders"] is not None

        assert await eventually(stored, every=0.1), "the shop's orders were never stored"
        for query, variables, fewest in queries:
            await sim.post("/_sim/reset")
            body = (
                await demo.post("/graphql", json={"query": query, "variables": variables})
            ).json()
            assert "errors" not in body, body["errors"]
            stats = (await sim.get("/_sim/stats")).json()
            made = sum(
                count
                for found in stats.values()
                for route, count in found["requests_by_route"].items()
                if "token" not in route and route != "GET /3.0/lists/{list_id}"
            )
            estimated = estimate(schema._schema, parse(query), None, variables)
            assert fewest <= made <= estimated, (query, made, estimated)
