"""Contract: the Shopify simulator's introspection is the official Admin GraphQL 2025-01 schema,
whole (so gql validates valid queries against it); every field it resolves (`SERVED`) exists
there with the same type and resolves; a valid query outside `SERVED` is refused plainly."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from simulators import SimConfig, create_app
from simulators.shopify.schema import SERVED

SPEC = (
    Path(__file__).parents[2] / "simulators" / "shopify" / "spec" / "admin_schema_2025-01.json.gz"
)
GRAPHQL = "/admin/api/2025-01/graphql.json"


@pytest.fixture
async def shop() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SimConfig(people=60, rate_limits="off"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as sim:
        token = (await sim.get("/_sim/credentials")).json()["shopify"]["access_token"]
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://sim/shopify",
        headers={"X-Shopify-Access-Token": token},
    ) as client:
        yield client


@cache
def official() -> dict[str, dict[str, Any]]:
    with gzip.open(SPEC, "rt", encoding="utf-8") as handle:
        types = json.load(handle)["data"]["__schema"]["types"]
    return {t["name"]: t for t in types}


async def served(shop: httpx.AsyncClient) -> dict[str, Any]:
    response = await shop.post(GRAPHQL, json={"query": get_introspection_query()})
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()["data"]["__schema"]
    return schema


async def test_introspection_is_the_official_schema_whole(shop: httpx.AsyncClient) -> None:
    schema = await served(shop)
    truth = official()
    assert schema["queryType"]["name"] == "QueryRoot"
    assert schema["mutationType"]["name"] == "Mutation"
    served_types = {t["name"]: t for t in schema["types"] if not t["name"].startswith("__")}
    assert served_types.keys() == {n for n in truth if not n.startswith("__")}
    assert len(served_types) > 1000
    for name in ("Customer", "QueryRoot", "Shop", "Node", "Count", "CustomerInput"):
        got, real = served_types[name], truth[name]
        assert [f["name"] for f in got["fields"] or ()] == [
            f["name"] for f in real["fields"] or ()
        ], name
        for field, real_field in zip(got["fields"] or (), real["fields"] or (), strict=True):
            assert field["type"] == real_field["type"], f"{name}.{field['name']}"
            assert [a["name"] for a in field["args"]] == [a["name"] for a in real_field["args"]]
        assert [f["name"] for f in got["inputFields"] or ()] == [
            f["name"] for f in real["inputFields"] or ()
        ], name


def test_every_served_field_and_argument_is_official() -> None:
    truth = official()
    for type_name, fields in SERVED.items():
        real_fields = {f["name"]: f for f in truth[type_name]["fields"]}
        for name, args in fields.items():
            assert name in real_fields, f"{type_name}.{name}"
            real_args = {a["name"] for a in real_fields[name]["args"]}
            assert set(args) <= real_args, f"{type_name}.{name}"


async def test_a_valid_query_outside_what_is_simulated_is_refused_plainly(
    shop: httpx.AsyncClient,
) -> None:
    body = (
        await shop.post(GRAPHQL, json={"query": "{ products(first: 1) { nodes { id } } }"})
    ).json()
    assert "data" not in body
    assert body["errors"][0]["extensions"] == {"code": "NOT_SIMULATED"}
    assert body["errors"][0]["message"] == "Field 'products' on type 'QueryRoot' is not simulated"
    product = '{ node(id: "gid://shopify/Product/1") { id } }'
    body = (await shop.post(GRAPHQL, json={"query": product})).json()
    assert body["errors"][0]["extensions"]["code"] == "NOT_SIMULATED"
    assert body["data"] == {"node": None}


async def test_node_shop_and_customers_count(shop: httpx.AsyncClient) -> None:
    first = await shop.post(GRAPHQL, json={"query": "{ customers(first: 1) { nodes { id } } }"})
    customer_id = first.json()["data"]["customers"]["nodes"][0]["id"]
    query = """query ($id: ID!) {
      node(id: $id) { __typename id ... on Customer { email numberOfOrders } }
      missing: node(id: "gid://shopify/Customer/1") { id }
      shop { name myshopifyDomain currencyCode ianaTimezone }
      customersCount { count precision }
    }"""
    body = (
        await shop.post(GRAPHQL, json={"query": query, "variables": {"id": customer_id}})
    ).json()
    assert "errors" not in body, body
    data = body["data"]
    assert data["node"]["__typename"] == "Customer"
    assert data["node"]["id"] == customer_id
    assert "@" in data["node"]["email"]
    assert data["missing"] is None
    assert data["shop"]["myshopifyDomain"].endswith(".myshopify.com")
    assert data["customersCount"]["precision"] == "EXACT"
    assert data["customersCount"]["count"] > 0
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] >= 3  # node, shop and customersCount are objects


def _selection(types: dict[str, Any], name: str, depth: int) -> str:
    """Every served field of `name`, objects to `depth`, connections with `first: 2`."""
    parts = []
    for field in types[name]["fields"]:
        if field["name"] not in SERVED.get(name, {}):
            continue
        ref = field["type"]
        while ref.get("ofType"):
            ref = ref["ofType"]
        target = types[ref["name"]]
        if target["kind"] != "OBJECT":
            parts.append(field["name"])
        elif depth > 0:
            args = "(first: 2)" if ref["name"].endswith("Connection") else ""
            parts.append(f"{field['name']}{args} {{ {_selection(types, ref['name'], depth - 1)} }}")
    return " ".join(parts) or "__typename"


async def test_every_served_field_resolves_with_its_declared_type(
    shop: httpx.AsyncClient,
) -> None:
    types = official()
    for root in ("customers", "orders", "abandonedCheckouts"):
        connection = f"{root[0].upper()}{root[1:-1]}Connection"
        if root == "abandonedCheckouts":
            connection = "AbandonedCheckoutConnection"
        query = f"{{ {root}(first: 2) {{ {_selection(types, connection, 3)} }} }}"
        body = (await shop.post(GRAPHQL, json={"query": query})).json()
        assert "errors" not in body, (root, body.get("errors"))
        assert body["data"][root]["nodes"], root
