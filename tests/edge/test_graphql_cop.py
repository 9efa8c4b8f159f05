"""graphql-cop's checks (github.com/dolevf/graphql-cop, lib/tests/), re-implemented as tests
against the serve profile: each sends what graphql-cop sends, as an authenticated client, and
asserts the opposite of graphql-cop's finding.

graphql-cop posts with `application/json` and reads the JSON body; a probe "finds" the issue
when data comes back where it should not (or, for directive overloading, when every
directive was processed into an error of its own).
"""

from __future__ import annotations

from typing import Any

import httpx

from gateway.edge.settings import EdgeSettings
from tests.edge.conftest import MakeApp, Served, serving


async def probe(served: Served, query: str) -> Any:
    """graphql-cop's `graph_query`: a JSON POST, the decoded body (or {} when not JSON)."""
    response = await served.client.post("/graphql", json={"query": query}, headers=served.headers())
    assert response.status_code < 500
    try:
        return response.json()
    except ValueError:
        return {}


def data_of(body: Any) -> Any:
    return body.get("data") if isinstance(body, dict) else None


async def test_alias_overloading(served: Served) -> None:
    aliases = "".join(f"alias{i}:__typename \n" for i in range(101))
    body = await probe(served, "query { " + aliases + " }")
    assert not (data_of(body) or {}).get("alias100")
    assert body["errors"][0]["extensions"]["limit"] == "aliases"


async def test_batch_queries(served: Served) -> None:
    batch = [{"query": "query { __typename }"} for _ in range(11)]
    response = await served.client.post("/graphql", json=batch, headers=served.headers())
    body = response.json()
    assert response.status_code == 400
    assert isinstance(body, dict)
    assert len(body.get("data") or []) < 10


async def test_directive_overloading(served: Served) -> None:
    body = await probe(served, "query { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }")
    assert len(body["errors"]) != 10
    assert body["errors"][0]["extensions"]["limit"] == "directivesAtOnce"


async def test_circular_introspection(make_app: MakeApp, served: Served) -> None:
    query = (
        "query { __schema { types { fields { type { fields { type { fields { type { "
        "fields { type { name } } } } } } } } } } }"
    )
    assert data_of(await probe(served, query)) is None
    # Even where introspection is allowed, the nesting is refused (graphql-core's
    # MaxIntrospectionDepthRule, kept in every profile).
    async with serving(make_app("serve", edge=EdgeSettings(introspection=True))) as open_:
        assert data_of(await probe(open_, query)) is None


async def test_field_duplication(served: Served) -> None:
    body = await probe(served, "query { " + "__typename \n" * 500 + "} ")
    assert not (data_of(body) or {}).get("__typename")


async def test_field_suggestions(make_app: MakeApp, served: Served) -> None:
    body = await probe(served, "query { __schema { directive } }")
    assert "Did you mean" not in body["errors"][0]["message"]
    async with serving(make_app("serve", edge=EdgeSettings(introspection=True))) as open_:
        body = await probe(open_, "query { __schema { directive } }")
        message = body["errors"][0]["message"]
        assert "directive" in message
        assert "Did you mean" not in message


async def test_get_based_mutation(served: Served) -> None:
    for headers in (served.headers(), served.headers(**{"x-mgw-csrf": "1"})):
        response = await served.client.get(
            "/graphql", params={"query": "mutation {__typename}"}, headers=headers
        )
        assert response.status_code in {400, 405}
        assert data_of(response.json()) is None


async def test_get_method_support_needs_a_preflight_header(served: Served) -> None:
    response = await served.client.get(
        "/graphql", params={"query": "query {__typename}"}, headers=served.headers()
    )
    assert response.status_code == 400
    assert data_of(response.json()) is None


async def test_post_based_csrf(served: Served) -> None:
    """A POST with the query in the URL and a form body, as an HTML form would send it."""
    for content_type in ("application/x-www-form-urlencoded", None):
        headers = served.headers(**({"content-type": content_type} if content_type else {}))
        response = await served.client.post(
            "/graphql", params={"query": "query {__typename}"}, headers=headers
        )
        assert response.status_code == 400
        assert data_of(response.json()) is None


async def test_graphiql_and_playground(served: Served) -> None:
    heuristics = ("graphiql.min.css", "GraphQL Playground", "GraphiQL", "graphql-playground")
    for endpoint in ("/graphiql", "/playground", "/console", "/graphql"):
        response = await served.client.get(endpoint, headers=served.headers())
        assert not any(word in response.text for word in heuristics), endpoint


async def test_introspection(served: Served) -> None:
    body = await probe(served, "query { __schema { types { name } } }")
    assert data_of(body) is None
    assert "introspection" in body["errors"][0]["message"]


async def test_unhandled_errors_and_trace_mode(served: Served) -> None:
    body = await probe(served, "qwerty cop { abc }")
    [error] = body["errors"]
    assert "exception" not in error.get("extensions", {})
    assert "exception" not in str(body).lower()
    body = await probe(served, "query { __typename }")
    assert "tracing" not in (body.get("extensions") or {})


async def test_every_probe_is_refused_without_credentials_too(served: Served) -> None:
    response = await served.client.post("/graphql", json={"query": "query { __typename }"})
    assert response.status_code == 401
    assert isinstance(response, httpx.Response)
    assert data_of(response.json()) is None
