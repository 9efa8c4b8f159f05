"""Each scope rule, through HTTP in the serve profile: a field the caller lacks the scope for
is null with FORBIDDEN naming the scope; a mutation without its scope is refused whole and
writes nothing; no credential, or a bad one, is 401 before any of the graph runs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from canonical_schema import Platform
from tests.security.conftest import Secured

PII = "{ customers(first: 2) { edges { node { id leadScore firstName lastName phone } } } }"
UPSERT = """mutation($input: CustomerInput!) {
  upsertCustomer(input: $input) { results { platform status } } }"""
NEW = {"email": "scoped.person@example.org", "firstName": "Scoped"}


def forbidden(body: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """(path, scope) of each FORBIDDEN error, sorted."""
    return sorted(
        (tuple(error.get("path") or ()), error["extensions"]["scope"])
        for error in body.get("errors", [])
        if error["extensions"]["code"] == "FORBIDDEN"
    )


async def one_email(secured: Secured) -> str:
    body = await secured.post("{ customers(first: 1) { edges { node { email } } } }", "all")
    email: str = body["data"]["customers"]["edges"][0]["node"]["email"]
    return email


async def writes(sim: httpx.AsyncClient) -> int:
    counts = [
        len((await sim.get(f"/_sim/{platform.value}/writes")).json()["writes"])
        for platform in Platform
    ]
    return sum(counts)


async def test_no_credentials_is_401_with_a_bearer_challenge(secured: Secured) -> None:
    response = await secured.request(PII)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in response.json()


@pytest.mark.parametrize(
    "credential",
    ["mgw_0123456789ab_" + "A" * 43, "not-a-key", "Basic dXNlcjpwYXNz", "a.b.c"],
)
async def test_a_bad_credential_is_401_invalid_token(secured: Secured, credential: str) -> None:
    headers = {"Authorization": credential if " " in credential else f"Bearer {credential}"}
    response = await secured.client.post("/graphql", json={"query": PII}, headers=headers)

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Bearer" in response.headers["www-authenticate"]


async def test_the_sse_stream_needs_credentials_too(secured: Secured) -> None:
    response = await secured.client.post(
        "/graphql/stream",
        json={"query": "subscription { customerEvent { type } }"},
        headers={"Accept": "text/event-stream"},
    )

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_sse_stream_carries_the_callers_scopes(secured: Secured) -> None:
    key = secured.keys["write"]  # no read:customers: the subscription is refused, then complete

    response = await secured.client.post(
        "/graphql/stream",
        json={"query": "subscription { customerEvent { type } }"},
        headers={"Accept": "text/event-stream", "Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 200
    assert "FORBIDDEN" in response.text
    assert "read:customers" in response.text
    assert response.text.rstrip().endswith("event: complete\ndata:")


async def test_a_persisted_query_by_get_is_not_mistaken_for_the_graphiql_page(
    secured: Secured,
) -> None:
    response = await secured.client.get(
        "/graphql",
        params={"extensions": '{"persistedQuery": {"version": 1, "sha256Hash": "00"}}'},
        headers={"Accept": "text/html"},
    )

    assert response.status_code == 401


async def test_pii_fields_are_null_and_forbidden_without_read_pii(secured: Secured) -> None:
    body = await secured.post(PII, "read")

    nodes = [edge["node"] for edge in body["data"]["customers"]["edges"]]
    assert len(nodes) == 2
    assert all(n["id"].startswith("cus_") and n["leadScore"] is not None for n in nodes)
    assert all(n["firstName"] is n["lastName"] is n["phone"] is None for n in nodes)
    assert forbidden(body) == sorted(
        (("customers", "edges", i, "node", name), "read:pii")
        for i in range(2)
        for name in ("firstName", "lastName", "phone")
    )


async def test_pii_fields_answer_with_read_pii(secured: Secured) -> None:
    email = await one_email(secured)
    query = f'{{ customer(email: "{email}") {{ email displayName firstName }} }}'

    body = await secured.post(query, "pii")

    assert "errors" not in body, body
    assert body["data"]["customer"]["email"] == email
    assert body["data"]["customer"]["firstName"]


async def test_a_pii_field_is_null_and_the_rest_of_the_customer_stays(secured: Secured) -> None:
    email = await one_email(secured)
    query = f'{{ customer(email: "{email}") {{ id email displayName }} }}'

    body = await secured.post(query, "read")

    # email and displayName are nullable (the contract): only they are lost, not the customer
    customer = body["data"]["customer"]
    assert customer["id"].startswith("cus_")
    assert (customer["email"], customer["displayName"]) == (None, None)
    assert {scope for _, scope in forbidden(body)} == {"read:pii"}
    assert ("customer", "email") in {path for path, _ in forbidden(body)}


@pytest.mark.parametrize(
    ("query", "scope"),
    [
        ("{ customers(first: 1) { edges { node { id } } } }", "read:customers"),
        ('{ customer(id: "cus_aaaaaaaaaaaaaaaaaaaaaaaaaa") { id } }', "read:customers"),
        ('{ node(id: "cus_aaaaaaaaaaaaaaaaaaaaaaaaaa") { id } }', "read:customers"),
        ('{ company(domain: "example.com") { id } }', "read:customers"),
        ("{ campaigns(first: 1) { edges { node { id } } } }", "read:customers"),
        ('{ syncRun(id: "nope") { id } }', "admin:sync"),
        ("{ deadLetters(first: 1) { edges { node { id } } } }", "admin:dlq"),
    ],
)
async def test_each_query_root_needs_its_scope(secured: Secured, query: str, scope: str) -> None:
    refused = await secured.post(query, "write")  # write:customers holds none of these
    root = query.split("(")[0].strip("{ ")

    assert forbidden(refused) == [((root,), scope)]
    assert (refused["data"] or {}).get(root) is None
    allowed = await secured.post(query, "all")
    assert not forbidden(allowed), allowed


async def test_integrations_need_only_a_valid_credential(secured: Secured) -> None:
    body = await secured.post("{ integrations { platform } }", "write")

    assert "errors" not in body
    assert len(body["data"]["integrations"]) == len(Platform)


@pytest.mark.parametrize(
    ("mutation", "variables", "scope", "holder"),
    [
        (UPSERT, {"input": NEW}, "write:customers", "write"),
        ("mutation { triggerSync { id status } }", {}, "admin:sync", "sync"),
        ('mutation { replayDeadLetter(id: "dlq_nope") { status } }', {}, "admin:dlq", "dlq"),
        ('mutation { discardDeadLetter(id: "dlq_nope") }', {}, "admin:dlq", "dlq"),
    ],
)
async def test_a_mutation_without_its_scope_is_refused_whole(
    secured: Secured,
    sim: httpx.AsyncClient,
    mutation: str,
    variables: dict[str, Any],
    scope: str,
    holder: str,
) -> None:
    refused = await secured.post(mutation, "read", **variables)

    assert refused["data"] is None
    assert len(refused["errors"]) == 1
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert refused["errors"][0]["extensions"]["scopes"] == [scope]
    allowed = await secured.post(mutation, holder, **variables)
    assert not forbidden(allowed), allowed


async def test_one_forbidden_root_field_stops_the_mutations_before_it(
    secured: Secured, sim: httpx.AsyncClient
) -> None:
    both = """mutation($input: CustomerInput!) {
      upsertCustomer(input: $input) { results { status } }
      ...sync }
    fragment sync on Mutation { triggerSync { id } }"""

    refused = await secured.post(both, "write", input=NEW)

    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["scopes"] == ["admin:sync"]
    assert await writes(sim) == 0  # upsertCustomer, first in the document, never ran
    again = await secured.post(UPSERT, "write", input=NEW)
    assert {r["status"] for r in again["data"]["upsertCustomer"]["results"]} == {"WRITTEN"}
    assert await writes(sim) == len(Platform)


async def test_the_payload_of_an_allowed_mutation_still_hides_pii(secured: Secured) -> None:
    query = """mutation($input: CustomerInput!) {
      upsertCustomer(input: $input) { results { status } customer { id firstName } } }"""

    body = await secured.post(query, "write-read", input=NEW)

    assert body["data"]["upsertCustomer"]["customer"]["firstName"] is None
    assert forbidden(body) == [(("upsertCustomer", "customer", "firstName"), "read:pii")]


async def test_the_principal_is_on_the_request_state_for_other_layers(secured: Secured) -> None:
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def whoami(request: Request) -> JSONResponse:
        principal = request.state.principal
        return JSONResponse({"client": principal.client_id, "scopes": sorted(principal.scopes)})

    secured.app.router.routes.append(Route("/graphql/whoami", whoami))
    key = secured.keys["pii"]

    response = await secured.client.get(
        "/graphql/whoami", headers={"Authorization": f"Bearer {key}"}
    )

    assert response.json() == {
        "client": "key:" + key.split("_")[1],
        "scopes": ["read:customers", "read:pii"],
    }


OPEN_ROOTS = {"integrations", "_service", "_entities"}  # _entities: checked per operation


def test_every_root_field_says_its_scope() -> None:
    from resolvers import schema
    from resolvers.permissions import GENERATED_ROOTS, scopes_of

    core = schema._schema
    roots = [core.query_type, core.mutation_type, core.subscription_type]
    unscoped = {
        name
        for root in roots
        if root is not None
        for name, field in root.fields.items()
        if not scopes_of(field)
    }
    assert unscoped == OPEN_ROOTS
    assert GENERATED_ROOTS == {"_entities": ["read:customers"]}


async def test_federation_entities_need_read_customers(secured: Secured) -> None:
    email = await one_email(secured)
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Customer { id leadScore } } }"""
    representations = [{"__typename": "Customer", "email": email}]

    refused = await secured.post(query, "write", r=representations)
    allowed = await secured.post(query, "read", r=representations)

    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["scopes"] == ["read:customers"]
    assert allowed["data"]["_entities"][0]["id"].startswith("cus_")


async def test_the_demo_profile_needs_no_key_and_hides_nothing(gateway: httpx.AsyncClient) -> None:
    query = "{ customers(first: 1) { edges { node { email phone firstName } } } }"

    response = await gateway.post("/graphql", json={"query": query})

    assert response.status_code == 200
    assert "errors" not in response.json(), response.json()
    assert "@" in response.json()["data"]["customers"]["edges"][0]["node"]["email"]


def test_the_demo_banner_says_no_keys_are_needed() -> None:
    from gateway.demo import access_banner

    assert "no API keys needed" in access_banner(None, "http://127.0.0.1:8000/graphql")


async def test_graphiql_when_enabled_loads_without_a_key_but_its_queries_need_one(
    sim_app: object, sim: httpx.AsyncClient, database_url: str
) -> None:
    from gateway.app import create_app
    from gateway.edge.settings import EdgeSettings
    from tests.security.conftest import serve_settings

    credentials = (await sim.get("/_sim/credentials")).json()
    settings = serve_settings(database_url, credentials, edge=EdgeSettings(graphiql=True))
    app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
            page = await client.get("/graphql", headers={"Accept": "text/html"})
            asked = await client.get(
                "/graphql",
                params={"query": "{ integrations { platform } }"},
                headers={"Accept": "text/html", "X-MGW-CSRF": "1"},
            )

    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert asked.status_code == 401
