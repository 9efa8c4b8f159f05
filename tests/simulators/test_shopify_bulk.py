"""Bulk query operations in the Shopify simulator, as the 2025-01 Admin API defines them: one
at a time per app, the documented query rules refused as `userErrors`, the status moving to
COMPLETED on the clock, and a JSONL result read without the token, nested connections as
lines of their own with `__parentId`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

GRAPHQL = "/admin/api/2025-01/graphql.json"
RUN = """mutation($q: String!) { bulkOperationRunQuery(query: $q) {
  bulkOperation { id status } userErrors { field message code } } }"""
CURRENT = """{ currentBulkOperation { id status objectCount rootObjectCount url fileSize
  completedAt } }"""
THREE_DEEP = (
    "{ customers { nodes { id orders { nodes { id customer { orders { nodes { id } } } } } } } }"
)
CANCEL = """mutation($id: ID!) { bulkOperationCancel(id: $id) {
  bulkOperation { status } userErrors { field message } } }"""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def shop(clock: ManualClock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SimConfig(people=60, rate_limits="off"), clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as sim:
        token = (await sim.get("/_sim/credentials")).json()["shopify"]["access_token"]
    headers = {"X-Shopify-Access-Token": token}
    base = "http://sim/shopify"
    async with httpx.AsyncClient(transport=transport, base_url=base, headers=headers) as client:
        yield client


async def call(shop: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await shop.post(GRAPHQL, json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def run(shop: httpx.AsyncClient, query: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await call(shop, RUN, q=query))["bulkOperationRunQuery"]
    return payload


async def test_a_bulk_query_completes_with_every_order_in_its_jsonl(
    shop: httpx.AsyncClient, clock: ManualClock
) -> None:
    started = await run(shop, "{ orders { edges { node { id name email } } } }")
    running = (await call(shop, CURRENT))["currentBulkOperation"]
    clock.advance(60)
    done = (await call(shop, CURRENT))["currentBulkOperation"]
    result = await shop.get(done["url"], headers={"X-Shopify-Access-Token": ""})
    lines = [json.loads(line) for line in result.text.splitlines()]
    paged = (await call(shop, "{ orders(first: 250) { nodes { id } } }"))["orders"]["nodes"]

    assert started["userErrors"] == []
    assert started["bulkOperation"]["status"] == "CREATED"
    assert running["status"] in ("CREATED", "RUNNING")
    assert running["url"] is None
    assert done["status"] == "COMPLETED"
    assert done["completedAt"]
    assert result.status_code == 200
    assert {line["id"] for line in lines} == {node["id"] for node in paged}
    assert int(done["objectCount"]) == int(done["rootObjectCount"]) == len(lines)
    assert int(done["fileSize"]) == len(result.content)
    assert all(set(line) == {"id", "name", "email"} for line in lines)


async def test_nested_connections_are_lines_of_their_own_with_their_parent(
    shop: httpx.AsyncClient, clock: ManualClock
) -> None:
    await run(shop, "{ customers { nodes { id email orders { edges { node { id } } } } } }")
    clock.advance(60)
    done = (await call(shop, CURRENT))["currentBulkOperation"]
    lines = [json.loads(line) for line in (await shop.get(done["url"])).text.splitlines()]

    customers = [line for line in lines if "__parentId" not in line]
    orders = [line for line in lines if "__parentId" in line]
    assert orders, "the shop's customers have orders"
    assert int(done["rootObjectCount"]) == len(customers) < int(done["objectCount"])
    ids = {c["id"] for c in customers}
    assert all(
        o["__parentId"] in ids and o["id"].startswith("gid://shopify/Order/") for o in orders
    )
    assert all("orders" not in c for c in customers)
    position = {line["id"]: n for n, line in enumerate(lines)}
    assert all(position[o["__parentId"]] < position[o["id"]] for o in orders), "parents first"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ orders { nodes { nope } } }", "Invalid bulk query"),
        ("{ currentBulkOperation { id } }", "at least one connection"),
        ("{ orders { nodes { id } } customers { nodes { id } } }", "exactly one top-level"),
        (THREE_DEEP, "nesting depth"),
    ],
)
async def test_queries_breaking_the_bulk_rules_are_refused(
    shop: httpx.AsyncClient, query: str, message: str
) -> None:
    refused = await run(shop, query)

    assert refused["bulkOperation"] is None
    [error] = refused["userErrors"]
    assert error["code"] == "INVALID"
    assert error["field"] == ["query"]
    assert message in error["message"]


async def test_one_bulk_query_at_a_time_and_a_canceled_one_has_no_result(
    shop: httpx.AsyncClient, clock: ManualClock
) -> None:
    first = await run(shop, "{ orders { nodes { id } } }")
    second = await run(shop, "{ customers { nodes { id } } }")
    canceled = (await call(shop, CANCEL, id=first["bulkOperation"]["id"]))["bulkOperationCancel"]
    clock.advance(60)
    after = (await call(shop, CURRENT))["currentBulkOperation"]
    third = await run(shop, "{ customers { nodes { id } } }")

    assert second["bulkOperation"] is None
    assert second["userErrors"][0]["code"] == "OPERATION_IN_PROGRESS"
    assert first["bulkOperation"]["id"] in second["userErrors"][0]["message"]
    assert canceled["userErrors"] == []
    assert canceled["bulkOperation"]["status"] == "CANCELED"
    assert after["status"] == "CANCELED"
    assert after["url"] is None
    assert third["userErrors"] == []


async def test_a_result_url_is_refused_once_expired_or_guessed(
    shop: httpx.AsyncClient, clock: ManualClock
) -> None:
    await run(shop, "{ orders { nodes { id } } }")
    clock.advance(60)
    url = (await call(shop, CURRENT))["currentBulkOperation"]["url"]
    guessed = await shop.get(url.rsplit("/", 1)[0] + "/guess.jsonl")
    clock.advance(8 * 86_400)
    expired = await shop.get(url)
    status = (await call(shop, CURRENT))["currentBulkOperation"]

    assert guessed.status_code == 404
    assert expired.status_code == 400
    assert status["status"] == "EXPIRED"
    assert status["url"] is None
