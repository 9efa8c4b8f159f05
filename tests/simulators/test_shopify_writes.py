"""customerCreate / customerUpdate and UI edits: validation as userErrors at HTTP 200, state
changes, the write log, and signed webhooks verified here with base64(HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock

GRAPHQL = "/shopify/admin/api/2025-01/graphql.json"
CREATE = """mutation($input: CustomerInput!) { customerCreate(input: $input) {
  customer { id email firstName updatedAt } userErrors { field message } } }"""
UPDATE = """mutation($input: CustomerInput!) { customerUpdate(input: $input) {
  customer { id email lastName updatedAt } userErrors { field message } } }"""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def sim(clock: ManualClock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SimConfig(people=40, rate_limits="off"), clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim"
    ) as client:
        creds = (await client.get("/_sim/credentials")).json()["shopify"]
        client.headers["X-Shopify-Access-Token"] = creds["access_token"]
        yield client


async def gql(sim: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await sim.post(GRAPHQL, json={"query": query, "variables": variables})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def a_customer(sim: httpx.AsyncClient) -> dict[str, str]:
    body = await gql(sim, "{ customers(first: 2) { nodes { id email updatedAt } } }")
    node: dict[str, str] = body["data"]["customers"]["nodes"][1]
    return node


def verify(delivery: dict[str, Any], secret: str) -> bool:
    digest = hmac.new(secret.encode(), delivery["body"].encode(), hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode()
    return hmac.compare_digest(expected, delivery["headers"]["X-Shopify-Hmac-Sha256"])


async def test_create_normalises_email_logs_and_signs_webhook(sim: httpx.AsyncClient) -> None:
    body = await gql(sim, CREATE, input={"email": "  Ada@Example.COM ", "firstName": "Ada"})
    created = body["data"]["customerCreate"]
    assert created["userErrors"] == []
    assert created["customer"]["email"] == "ada@example.com"
    assert body["extensions"]["cost"]["requestedQueryCost"] == 10
    writes = (await sim.get("/_sim/shopify/writes")).json()["writes"]
    assert writes[-1]["operation"] == "customerCreate"
    assert writes[-1]["id"] == created["customer"]["id"]
    secret = (await sim.get("/_sim/credentials")).json()["shopify"]["webhook_secret"]
    delivery = (await sim.get("/_sim/webhooks")).json()["deliveries"][-1]
    assert delivery["url"].endswith("/webhooks/shopify")
    assert delivery["headers"]["X-Shopify-Topic"] == "customers/create"
    assert delivery["headers"]["X-Shopify-API-Version"] == "2025-01"
    assert delivery["headers"]["X-Shopify-Shop-Domain"] == "sim-shop.myshopify.com"
    assert verify(delivery, secret)
    assert not verify(delivery, "wrong-secret")
    payload = json.loads(delivery["body"])
    assert payload["id"] == int(created["customer"]["id"].rsplit("/", 1)[1])
    assert payload["email"] == "ada@example.com"
    assert payload["email_marketing_consent"]["state"] == "not_subscribed"


async def test_validation_failures_are_user_errors(sim: httpx.AsyncClient) -> None:
    taken = (await a_customer(sim))["email"]
    cases = [
        ({"email": "not-an-email"}, ["email"], "Email is invalid"),
        ({"email": taken.upper()}, ["email"], "Email has already been taken"),
        ({"note": "hi"}, None, "A name, phone number, or email address must be present"),
    ]
    for given, field, message in cases:
        result = (await gql(sim, CREATE, input=given))["data"]["customerCreate"]
        assert result["customer"] is None
        assert result["userErrors"] == [{"field": field, "message": message}]
    assert (await sim.get("/_sim/shopify/writes")).json()["writes"] == []


async def test_unknown_input_field_is_a_graphql_error(sim: httpx.AsyncClient) -> None:
    body = await gql(sim, CREATE, input={"email": "x@y.com", "shoeSize": 9})
    assert "data" not in body
    error = body["errors"][0]
    assert error["message"] == (
        "Variable $input of type CustomerInput! was provided invalid value for shoeSize "
        "(Field is not defined on CustomerInput)"
    )
    assert error["extensions"]["problems"] == [
        {"path": ["shoeSize"], "explanation": "Field is not defined on CustomerInput"}
    ]
    inline = (
        'mutation { customerCreate(input: {email: "x@y.com", shoeSize: 9}) '
        "{ userErrors { message } } }"
    )
    error = (await gql(sim, inline))["errors"][0]
    assert error["message"] == "InputObject 'CustomerInput' doesn't accept argument 'shoeSize'"
    assert error["extensions"]["code"] == "argumentNotAccepted"


async def test_update_bumps_updated_at_and_emits_update(
    sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    customer = await a_customer(sim)
    clock.advance(60)
    body = await gql(sim, UPDATE, input={"id": customer["id"], "lastName": "Lovelace"})
    updated = body["data"]["customerUpdate"]
    assert updated["userErrors"] == []
    assert updated["customer"]["lastName"] == "Lovelace"
    assert updated["customer"]["updatedAt"] > customer["updatedAt"]
    assert updated["customer"]["updatedAt"] == "2026-01-01T00:01:00Z"
    delivery = (await sim.get("/_sim/webhooks")).json()["deliveries"][-1]
    assert delivery["headers"]["X-Shopify-Topic"] == "customers/update"
    assert json.loads(delivery["body"])["last_name"] == "Lovelace"
    missing = await gql(sim, UPDATE, input={"id": "gid://shopify/Customer/1", "lastName": "X"})
    assert missing["data"]["customerUpdate"]["userErrors"][0]["field"] == ["id"]
    consent = {"marketingState": "SUBSCRIBED"}
    refused = await gql(sim, UPDATE, input={"id": customer["id"], "emailMarketingConsent": consent})
    assert refused["data"]["customerUpdate"]["userErrors"][0]["field"] == ["emailMarketingConsent"]


async def test_ui_mutate_changes_record_and_emits_signed_webhook(
    sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    customer = await a_customer(sim)
    clock.advance(5)
    edit = {
        "email": customer["email"],
        "fields": {"first_name": "Grace", "email_marketing_consent": "unsubscribed"},
    }
    response = await sim.post("/_sim/shopify/mutate", json=edit)
    assert response.status_code == 200
    record = response.json()["record"]
    assert record["firstName"] == "Grace"
    assert record["emailMarketingConsent"]["marketingState"] == "UNSUBSCRIBED"
    assert record["updatedAt"] > customer["updatedAt"]
    raw = (
        await sim.get("/_sim/shopify/records", params={"email": customer["email"].upper()})
    ).json()
    assert raw["records"][0]["firstName"] == "Grace"
    delivery = (await sim.get("/_sim/webhooks")).json()["deliveries"][-1]
    secret = (await sim.get("/_sim/credentials")).json()["shopify"]["client_secret"]
    assert verify(delivery, secret)
    assert json.loads(delivery["body"])["email_marketing_consent"]["state"] == "unsubscribed"
    bad = await sim.post(
        "/_sim/shopify/mutate", json={"email": customer["email"], "fields": {"shoe": 1}}
    )
    assert bad.status_code == 400


CONSENT = """mutation($input: CustomerEmailMarketingConsentUpdateInput!) {
  customerEmailMarketingConsentUpdate(input: $input) {
    customer { id updatedAt emailMarketingConsent { marketingState marketingOptInLevel
      consentUpdatedAt } }
    userErrors { field message code } } }"""


async def test_consent_changes_only_through_its_own_mutation(
    sim: httpx.AsyncClient, clock: ManualClock
) -> None:
    customer = await a_customer(sim)
    clock.advance(60)
    given = {"marketingState": "UNSUBSCRIBED", "consentUpdatedAt": "2025-12-31T12:00:00Z"}
    body = await gql(
        sim, CONSENT, input={"customerId": customer["id"], "emailMarketingConsent": given}
    )
    done = body["data"]["customerEmailMarketingConsentUpdate"]
    assert done["userErrors"] == []
    assert done["customer"]["emailMarketingConsent"]["marketingState"] == "UNSUBSCRIBED"
    assert done["customer"]["emailMarketingConsent"]["consentUpdatedAt"] == "2025-12-31T12:00:00Z"
    assert done["customer"]["updatedAt"] == "2026-01-01T00:01:00Z"
    assert body["extensions"]["cost"]["requestedQueryCost"] == 10
    write = (await sim.get("/_sim/shopify/writes")).json()["writes"][-1]
    assert (write["operation"], write["id"]) == (
        "customerEmailMarketingConsentUpdate",
        customer["id"],
    )
    delivery = (await sim.get("/_sim/webhooks")).json()["deliveries"][-1]
    assert delivery["headers"]["X-Shopify-Topic"] == "customers/update"
    assert json.loads(delivery["body"])["email_marketing_consent"]["state"] == "unsubscribed"

    refusals = [
        (
            {"customerId": "gid://shopify/Customer/1", "emailMarketingConsent": given},
            {"field": ["customerId"], "code": "INVALID", "message": "Customer does not exist"},
        ),
        (
            {"customerId": customer["id"], "emailMarketingConsent": {"marketingState": "REDACTED"}},
            {
                "field": ["emailMarketingConsent", "marketingState"],
                "code": "INCLUSION",
                "message": "Marketing state REDACTED cannot be set",
            },
        ),
    ]
    for given_input, error in refusals:
        refused = (await gql(sim, CONSENT, input=given_input))["data"]
        assert refused["customerEmailMarketingConsentUpdate"] == {
            "customer": None,
            "userErrors": [error],
        }
    assert len((await sim.get("/_sim/shopify/writes")).json()["writes"]) == 1
