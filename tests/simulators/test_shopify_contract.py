"""Contract: every type, field and argument the Shopify simulator serves exists in the official
Admin GraphQL 2025-01 introspection with the same type, and every served field resolves."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from simulators import SimConfig, create_app

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


def official() -> dict[str, dict[str, Any]]:
    with gzip.open(SPEC, "rt", encoding="utf-8") as handle:
        types = json.load(handle)["data"]["__schema"]["types"]
    return {t["name"]: t for t in types}


async def served(shop: httpx.AsyncClient) -> dict[str, Any]:
    response = await shop.post(GRAPHQL, json={"query": get_introspection_query()})
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()["data"]["__schema"]
    return schema


async def test_every_served_type_field_and_argument_is_official(shop: httpx.AsyncClient) -> None:
    schema = await served(shop)
    truth = official()
    assert schema["queryType"]["name"] == "QueryRoot"
    assert schema["mutationType"]["name"] == "Mutation"
    checked_fields = checked_args = 0
    for kind in schema["types"]:
        name = kind["name"]
        if name.startswith("__"):
            continue
        assert name in truth, name
        real = truth[name]
        assert kind["kind"] == real["kind"], name
        real_fields = {f["name"]: f for f in real["fields"] or ()}
        for field in kind["fields"] or ():
            assert field["name"] in real_fields, f"{name}.{field['name']}"
            real_field = real_fields[field["name"]]
            assert field["type"] == real_field["type"], f"{name}.{field['name']}"
            real_args = {a["name"]: a for a in real_field["args"]}
            for arg in field["args"]:
                assert arg["type"] == real_args[arg["name"]]["type"], f"{name}.{field['name']}"
                checked_args += 1
            checked_fields += 1
        real_inputs = {f["name"]: f["type"] for f in real["inputFields"] or ()}
        for item in kind["inputFields"] or ():
            assert item["type"] == real_inputs[item["name"]], f"{name}.{item['name']}"
        real_values = {v["name"] for v in real["enumValues"] or ()}
        assert {v["name"] for v in kind["enumValues"] or ()} <= real_values, name
    assert checked_fields > 80
    assert checked_args > 20


def _selection(types: dict[str, Any], name: str, depth: int) -> str:
    """Every served field of `name`, objects to `depth`, connections with `first: 2`."""
    parts = []
    for field in types[name]["fields"]:
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
    schema = await served(shop)
    types = {t["name"]: t for t in schema["types"]}
    for root in ("customers", "orders", "abandonedCheckouts"):
        connection = f"{root[0].upper()}{root[1:-1]}Connection"
        if root == "abandonedCheckouts":
            connection = "AbandonedCheckoutConnection"
        query = f"{{ {root}(first: 2) {{ {_selection(types, connection, 3)} }} }}"
        body = (await shop.post(GRAPHQL, json={"query": query})).json()
        assert "errors" not in body, (root, body.get("errors"))
        assert body["data"][root]["nodes"], root
