"""Ways around the scopes an adversarial review found (issue 19): the profile read through a
mutation's payload, and personal data encoded in a platform's id."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.security.conftest import Secured
from tests.security.test_scopes import NEW, one_email

UPSERT_THEN_READ = """mutation($input: CustomerInput!) { upsertCustomer(input: $input) {
  results { platform status } customer { id orders { name } events { type } } } }"""


async def test_a_write_only_key_cannot_read_the_profile_through_the_payload(
    secured: Secured,
) -> None:
    body = await secured.post(UPSERT_THEN_READ, "write", input=NEW)

    payload = body["data"]["upsertCustomer"]
    assert payload["customer"] is None
    assert {result["status"] for result in payload["results"]} <= {"WRITTEN", "QUEUED"}
    [error] = body["errors"]
    assert error["path"] == ["upsertCustomer", "customer"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["scope"] == "read:customers"


async def test_a_key_with_both_scopes_reads_the_payload(secured: Secured) -> None:
    body = await secured.post(UPSERT_THEN_READ, "all", input=NEW)

    assert "errors" not in body
    assert body["data"]["upsertCustomer"]["customer"]["id"].startswith("cus_")


SOURCES = "query($e: String!) { customer(email: $e) { sources { platform externalId } } }"


async def test_an_id_that_encodes_the_email_is_shown_only_with_read_pii(secured: Secured) -> None:
    email = await one_email(secured)
    member_hash = hashlib.md5(email.encode(), usedforsecurity=False).hexdigest()

    def mailchimp_id(body: dict[str, object]) -> str:
        sources = body["data"]["customer"]["sources"]  # type: ignore[index]
        [found] = [s["externalId"] for s in sources if s["platform"] == "MAILCHIMP"]
        return str(found)

    with_pii = mailchimp_id(await secured.post(SOURCES, "pii", e=email))
    without = await secured.post(SOURCES, "read", e=email)
    again = await secured.post(SOURCES, "read", e=email)

    assert with_pii == member_hash
    assert mailchimp_id(without).startswith("opq_")
    assert member_hash not in str(without)
    assert mailchimp_id(without) == mailchimp_id(again)  # stable, so clients can still join
    others = [s for s in without["data"]["customer"]["sources"] if s["platform"] != "MAILCHIMP"]
    assert others
    assert not any(s["externalId"].startswith("opq_") for s in others)


KEYED = """mutation($input: CustomerInput!, $idem: String) {
  upsertCustomer(input: $input, idempotencyKey: $idem) { results { platform status } } }"""
PII_READ = "query($e: String!) { customer(email: $e) { firstName } }"


async def test_idempotency_keys_belong_to_the_client_that_sent_them(secured: Secured) -> None:
    """Another client reusing a key neither receives the first client's results nor learns
    the key exists: its own change is written."""
    email = "idempotent.person@example.org"

    async def upsert(client: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = await secured.post(
            KEYED, client, input={"email": email, "firstName": name}, idem="order-42"
        )
        return found

    first = await upsert("write", "Ada")
    other = await upsert("all", "Grace")
    replay = await upsert("write", "Ada")
    conflict = await upsert("write", "Bob")

    assert "errors" not in first
    assert "errors" not in other, other["errors"]
    assert replay == first
    assert conflict["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_CONFLICT"
    read = await secured.post(PII_READ, "all", e=email)
    assert read["data"]["customer"]["firstName"] == "Grace"
