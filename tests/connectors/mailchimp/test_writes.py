"""Upserts: what is sent, what Mailchimp ends up holding, and consent never flipped by accident."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from canonical_schema import CustomerRecord, EmailConsent, Platform
from connectors.mailchimp import MailchimpConnector
from connectors.mailchimp.errors import MembersRefused
from connectors.mailchimp.mapping import subscriber_hash
from tests.connectors.mailchimp.conftest import holders, raw_member


def record(email: str, **fields: Any) -> CustomerRecord:
    return CustomerRecord(platform=Platform.HUBSPOT, external_id="1", email=email, **fields)


async def writes(sim: httpx.AsyncClient) -> list[dict[str, Any]]:
    found = (await sim.get("/_sim/mailchimp/writes")).json()
    entries: list[dict[str, Any]] = found["writes"] if isinstance(found, dict) else found
    return entries


async def member_with_status(sim: httpx.AsyncClient, status: str) -> str:
    for email in await holders(sim):
        if (await raw_member(sim, email))["status"] == status:
            return email
    raise AssertionError(f"the seed holds no {status} member")


async def test_a_new_member_is_created_and_reads_back(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector
) -> None:
    new = record(
        "Nia.Okafor@Example.com ",
        first_name="Nia",
        last_name="Okafor",
        phone="+14155552671",
        email_consent=EmailConsent.SUBSCRIBED,
    )
    [result] = await mailchimp.upsert_records([new])
    assert result.created
    assert result.email == "nia.okafor@example.com"
    assert result.external_id == subscriber_hash("nia.okafor@example.com")

    back = (await mailchimp.records_by_email(["NIA.okafor@example.com"]))["nia.okafor@example.com"]
    assert (back.first_name, back.last_name, back.phone) == ("Nia", "Okafor", "+14155552671")
    assert back.email_consent is EmailConsent.SUBSCRIBED
    assert back.external_id == result.external_id
    [write] = await writes(sim)
    assert write["new"] is True
    assert write["body"]["status_if_new"] == "subscribed"


async def test_an_update_keeps_what_the_record_does_not_carry(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector
) -> None:
    email = await member_with_status(sim, "unsubscribed")
    before = await raw_member(sim, email)
    [result] = await mailchimp.upsert_records([record(email, first_name="Renamed")])
    assert not result.created
    after = await raw_member(sim, email)
    assert after["status"] == "unsubscribed"  # no consent on the record: status untouched
    assert after["merge_fields"]["FNAME"] == "Renamed"
    assert after["merge_fields"]["LNAME"] == before["merge_fields"]["LNAME"]
    [write] = await writes(sim)
    assert "status" not in write["body"]
    assert write["body"]["status_if_new"] == "transactional"


async def test_an_explicit_consent_is_written(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector
) -> None:
    email = await member_with_status(sim, "subscribed")
    await mailchimp.upsert_records([record(email, email_consent=EmailConsent.UNSUBSCRIBED)])
    found = await mailchimp.records_by_email([email])
    assert found[email].email_consent is EmailConsent.UNSUBSCRIBED


async def test_a_cleaned_member_keeps_its_status_and_still_takes_the_write(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector
) -> None:
    email = await member_with_status(sim, "subscribed")
    bounced = {"email": email, "fields": {"status": "cleaned"}}
    assert (await sim.post("/_sim/mailchimp/mutate", json=bounced)).is_success
    update = record(email, last_name="Bounced", email_consent=EmailConsent.SUBSCRIBED)
    [result] = await mailchimp.upsert_records([update])
    assert not result.created
    after = await raw_member(sim, email)
    assert (after["status"], after["merge_fields"]["LNAME"]) == ("cleaned", "Bounced")


async def test_many_upserts_run_concurrently_in_order(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector
) -> None:
    existing = list(await holders(sim))[:5]
    batch = [record(e, last_name="Batch") for e in existing] + [
        record(f"new{i}@example.com", last_name="Batch") for i in range(5)
    ]
    results = await mailchimp.upsert_records(batch)
    assert [r.email for r in results] == [r.email for r in batch]
    assert [r.created for r in results] == [False] * 5 + [True] * 5
    found = await mailchimp.records_by_email([r.email for r in batch])
    assert {r.last_name for r in found.values()} == {"Batch"}
    assert len(found) == 10


async def test_an_unsubscribed_member_stays_so_and_the_rest_is_written(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector
) -> None:
    """Mailchimp refuses to set a member who unsubscribed `subscribed` (400 "Member In
    Compliance State"): their choice stands, the other fields land, and the result says so."""
    email = await member_with_status(sim, "unsubscribed")
    others = [e for e in list(await holders(sim))[:6] if e != email][:4]
    batch = [record(e, last_name="Batch", email_consent=EmailConsent.SUBSCRIBED) for e in others]
    batch.insert(2, record(email, last_name="Returned", email_consent=EmailConsent.SUBSCRIBED))

    results = await mailchimp.upsert_records(batch)

    assert [r.email for r in results] == [r.email for r in batch]
    after = await raw_member(sim, email)
    assert (after["status"], after["merge_fields"]["LNAME"]) == ("unsubscribed", "Returned")
    assert results[2].kept is not None
    assert "unsubscribed" in results[2].kept
    assert all(r.kept is None for r in results if r.email != email)


async def test_a_refused_record_does_not_lose_the_rest_of_the_batch(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector
) -> None:
    existing = list(await holders(sim))[:3]
    batch = [record(e, last_name="Kept") for e in existing]
    batch.insert(1, record("someone@example.c"))  # Mailchimp wants a top-level domain of 2+

    with pytest.raises(MembersRefused) as refused:
        await mailchimp.upsert_records(batch)

    assert list(refused.value.failures) == ["someone@example.c"]
    assert [r.email for r in refused.value.results] == existing
    found = await mailchimp.records_by_email(existing)
    assert {found[e].last_name for e in existing} == {"Kept"}
