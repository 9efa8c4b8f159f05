"""When one platform fails, every field the others can answer still answers, and each field
the failing platform could not fill carries an error naming the platform, a stable code and
a correlation id. One test per failure mode, each injected with `POST /_sim/faults`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.resolvers.conftest import Post

QUERY = """
query($email: String!) {
  customer(email: $email, maxStaleness: 0) {  # the live path: faults show
    email displayName engagement { openRate } totalSpent { amount }
    company { name } deals { name } orders(first: 3) { name } events(first: 50) { platform }
  }
}"""

# platform, fault, expected code, the field the platform feeds and what else must still answer
MODES = [
    ("hubspot", {"error_rate": 1.0, "status": 503}, "UPSTREAM_UNAVAILABLE", "company"),
    ("shopify", {"error_rate": 1.0, "status": 429}, "UPSTREAM_RATE_LIMITED", "orders"),
    ("salesforce", {"error_rate": 1.0, "status": 401}, "UPSTREAM_AUTH", "deals"),
    ("marketo", {"malformed_rate": 1.0}, "UPSTREAM_INVALID_DATA", "events"),
]


def errors_at(body: dict[str, Any], path: list[str]) -> list[dict[str, Any]]:
    return [e for e in body.get("errors", []) if e.get("path") == path]


@pytest.mark.parametrize(("platform", "fault", "code", "field"), MODES, ids=[m[2] for m in MODES])
async def test_one_platform_failing_leaves_the_others_answering(
    sim: httpx.AsyncClient,
    post: Post,
    people: list[dict[str, Any]],
    platform: str,
    fault: dict[str, Any],
    code: str,
    field: str,
) -> None:
    person = next(p for p in people if len(p["external_ids"]) == 5)
    healthy = (await post(QUERY, email=person["email"]))["data"]["customer"]
    assert (await sim.post("/_sim/faults", json={"platform": platform, **fault})).status_code == 200

    body = await post(QUERY, email=person["email"])

    customer = body["data"]["customer"]
    assert customer["email"] == person["email"]
    failed = errors_at(body, ["customer", field])
    assert failed, f"no error on `{field}`: {body.get('errors')}"
    extensions = failed[0]["extensions"]
    assert extensions["code"] == code
    assert extensions["platform"] == platform.upper()
    assert extensions["correlationId"]
    assert all(e["extensions"]["platform"] == platform.upper() for e in body["errors"])
    # Every field another platform feeds answers as when all were healthy.
    if platform != "shopify":
        assert customer["orders"] == healthy["orders"]
        assert customer["totalSpent"] == healthy["totalSpent"]
    if platform != "mailchimp":
        assert customer["engagement"] == healthy["engagement"]
    if platform not in ("hubspot", "salesforce"):
        assert customer["company"] == healthy["company"]
        assert customer["deals"] == healthy["deals"]
    if platform != "marketo":
        kept = [e for e in healthy["events"] if e["platform"] != platform.upper()]
        assert [e for e in customer["events"] if e["platform"] != platform.upper()] == kept


async def test_every_failed_field_of_a_list_is_reported_with_its_path(
    sim: httpx.AsyncClient, post: Post
) -> None:
    await sim.post("/_sim/faults", json={"platform": "shopify", "error_rate": 1.0, "status": 503})

    body = await post("{ customers(first: 5) { edges { node { email orders { name } } } } }")

    edges = body["data"]["customers"]["edges"]
    assert len(edges) == 5
    assert all(edge["node"]["email"] for edge in edges)
    order_errors = [e for e in body["errors"] if e["path"][-1:] == ["orders"]]
    # Shopify failed for every customer's read, so nobody's orders are known: each says so.
    assert sorted(e["path"][2] for e in order_errors) == list(range(5))
    assert all(edge["node"]["orders"] == [] for edge in edges)
    assert {e["extensions"]["code"] for e in order_errors} == {"UPSTREAM_UNAVAILABLE"}
    assert {e["extensions"]["platform"] for e in order_errors} == {"SHOPIFY"}
