"""The graph as a client sees it: the gateway in-process over the in-process simulators."""

from __future__ import annotations

from typing import Any

import httpx

from canonical_schema import is_customer_id

CUSTOMER = """
query($email: String!) {
  customer(email: $email) {
    id email firstName lastName displayName phone lifecycleStage leadScore emailConsent updatedAt
    sources { platform externalId updatedAt }
    fieldSources { field platform }
  }
}"""


async def hubspot_people(sim: httpx.AsyncClient, limit: int = 120) -> list[dict[str, Any]]:
    people = (await sim.get("/_sim/people", params={"limit": limit})).json()["people"]
    return [p for p in people if "hubspot" in p["external_ids"]]


async def test_customer_by_email_answers_with_the_hubspot_record(sim, gql) -> None:
    person = (await hubspot_people(sim))[0]
    raw = (await sim.get("/_sim/hubspot/records", params={"email": person["email"]})).json()
    [record] = raw["records"]
    props = record["properties"]

    body = await gql(CUSTOMER, email=person["email"].upper())

    assert "errors" not in body
    customer = body["data"]["customer"]
    assert customer["email"] == person["email"]
    assert is_customer_id(customer["id"])
    assert customer["firstName"] == props.get("firstname")
    assert customer["lastName"] == props.get("lastname")
    assert customer["sources"] == [
        {
            "platform": "HUBSPOT",
            "externalId": person["external_ids"]["hubspot"],
            "updatedAt": customer["updatedAt"],
        }
    ]
    assert customer["emailConsent"] == "UNKNOWN"
    assert {"field": "firstName", "platform": "HUBSPOT"} in customer["fieldSources"]


async def test_a_customer_is_found_again_by_its_id(sim, gql) -> None:
    person = (await hubspot_people(sim))[3]
    by_email = (await gql(CUSTOMER, email=person["email"]))["data"]["customer"]
    body = await gql(
        "query($id: ID!) { customer(id: $id) { id email sources { externalId } } }",
        id=by_email["id"],
    )
    assert body == {
        "data": {
            "customer": {
                "id": by_email["id"],
                "email": person["email"],
                "sources": [{"externalId": person["external_ids"]["hubspot"]}],
            }
        }
    }


async def test_an_unknown_or_malformed_id_is_null(gql) -> None:
    for unknown in ("cus_" + "a" * 26, "not-an-id"):
        body = await gql("query($id: ID!) { customer(id: $id) { email } }", id=unknown)
        assert body == {"data": {"customer": None}}


async def test_customer_needs_exactly_one_of_id_and_email(gql) -> None:
    for arguments in ("", 'id: "cus_x", email: "a@b.co"'):
        body = await gql(f"{{ customer{'(' + arguments + ')' if arguments else ''} {{ email }} }}")
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_an_email_that_is_not_one_is_refused_before_any_call(sim, gql) -> None:
    await sim.post("/_sim/reset")
    body = await gql(CUSTOMER, email="not an email")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await sim.get("/_sim/stats")).json()["hubspot"]["requests"] == 0


async def test_unknown_email_is_null_without_error(gql) -> None:
    body = await gql(CUSTOMER, email="nobody-at-all@nowhere.example")
    assert body == {"data": {"customer": None}}


async def test_aliases_are_batched_into_one_upstream_call(sim, gql) -> None:
    people = await hubspot_people(sim)
    await sim.post("/_sim/reset")
    query = (
        "{ "
        + " ".join(
            f'c{i}: customer(email: "{p["email"]}") {{ email }}' for i, p in enumerate(people[:5])
        )
        + ' missing: customer(email: "ghost@nowhere.example") { email } }'
    )

    body = await gql(query)

    assert "errors" not in body
    assert [body["data"][f"c{i}"]["email"] for i in range(5)] == [p["email"] for p in people[:5]]
    assert body["data"]["missing"] is None
    routes = (await sim.get("/_sim/stats")).json()["hubspot"]["requests_by_route"]
    assert sum(routes.values()) == 1, routes


async def test_paging_walks_every_customer_exactly_once(sim, gql) -> None:
    expected = {p["email"] for p in await hubspot_people(sim)}
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        body = await gql(
            "query($after: String) { customers(first: 25, after: $after) {"
            " edges { cursor node { email } } pageInfo { hasNextPage endCursor } } }",
            after=after,
        )
        assert "errors" not in body, body
        connection = body["data"]["customers"]
        seen += [edge["node"]["email"] for edge in connection["edges"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        assert connection["pageInfo"]["endCursor"] == connection["edges"][-1]["cursor"]
        after = connection["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen))
    assert set(seen) == expected
    assert pages == -(-len(expected) // 25)


async def test_every_edge_cursor_resumes_right_after_its_edge(gql) -> None:
    query = (
        "query($after: String) { customers(first: 6, after: $after) {"
        " edges { cursor node { email } } } }"
    )
    first = (await gql(query))["data"]["customers"]["edges"]
    resumed = (await gql(query, after=first[2]["cursor"]))["data"]["customers"]["edges"]
    assert [e["node"]["email"] for e in resumed[:3]] == [e["node"]["email"] for e in first[3:]]


async def test_total_count_counts_every_customer(sim, gql) -> None:
    body = await gql("{ customers(first: 1) { totalCount } }")
    assert body["data"]["customers"]["totalCount"] == len(await hubspot_people(sim))


async def test_bad_paging_arguments_are_user_errors(gql) -> None:
    for arguments in ("first: 0", "first: 101", 'after: "not-a-cursor"'):
        body = await gql(f"{{ customers({arguments}) {{ edges {{ cursor }} }} }}")
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert "Traceback" not in error["message"]


async def test_malformed_graphql_gets_a_parse_error(gateway) -> None:
    response = await gateway.post("/graphql", json={"query": "{ customer(email: "})
    assert response.status_code in (200, 400)
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert "Syntax Error" in error["message"]


async def test_unknown_field_gets_a_validation_error(gql) -> None:
    body = await gql('{ customer(email: "a@b.co") { shoeSize } }')
    [error] = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "shoeSize" in error["message"]
