"""Upserts by email against the simulator: updates of the record reads choose, new people as
Leads, per-record refusals, and each write read back."""

from __future__ import annotations

import pytest

from canonical_schema import CustomerRecord, LifecycleStage, Platform
from connectors.exceptions import FatalError
from tests.connectors.salesforce.conftest import ground_truth, raw_records


def record(email: str, **fields: object) -> CustomerRecord:
    return CustomerRecord(platform=Platform.SALESFORCE, external_id="new", email=email, **fields)


async def writes(http) -> list[dict[str, object]]:
    answer: list[dict[str, object]] = (await http.get("/_sim/salesforce/writes")).json()["writes"]
    return answer


async def test_updates_the_chosen_records_and_creates_leads_then_reads_them_back(
    http, salesforce
) -> None:
    truth = await ground_truth(http)
    contact = next(e for e in truth if truth[e].startswith("003"))
    lead = next(e for e in truth if truth[e].startswith("00Q"))
    new = "o'neil.new+tag@example.com"  # a quote: SOQL escaping on the read-back
    wanted = [
        record(contact, first_name="Ada", phone="+14155552671"),
        record(
            lead,
            last_name="Lovelace",
            lifecycle_stage=LifecycleStage.SALES_QUALIFIED_LEAD,
            company_name="Analytical Engines",
        ),
        record(new, first_name="Nia"),
    ]

    results = await salesforce.upsert_records(wanted)

    assert [(r.email, r.created) for r in results] == [(contact, False), (lead, False), (new, True)]
    assert results[0].external_id == truth[contact]
    assert results[1].external_id == truth[lead]
    assert results[2].external_id.startswith("00Q")
    back = await salesforce.records_by_email([contact, lead, new])
    assert (back[contact].first_name, back[contact].phone) == ("Ada", "+14155552671")
    assert back[lead].last_name == "Lovelace"
    assert back[lead].lifecycle_stage is LifecycleStage.SALES_QUALIFIED_LEAD
    assert back[lead].company_name == "Analytical Engines"
    assert (back[new].first_name, back[new].last_name, back[new].company_name) == (
        "Nia",
        None,
        None,
    )
    assert back[new].external_id == results[2].external_id
    created = (await raw_records(http, new))[0]
    assert (created["LastName"], created["Company"]) == ("[not provided]", "[not provided]")
    log = await writes(http)
    assert [(w["operation"], w["sobject"]) for w in log] == [
        ("update", "Contact"),
        ("update", "Lead"),
        ("create", "Lead"),
    ]
    assert "Email" not in log[0]["fields"]  # the stored case stays as typed


async def test_an_email_twice_is_written_once_with_its_last_values(http, salesforce) -> None:
    email = "twice@example.com"
    results = await salesforce.upsert_records(
        [record(email, first_name="One"), record(email, first_name="Two")]
    )
    assert [r.created for r in results] == [True, False]
    assert results[0].external_id == results[1].external_id
    assert len(await writes(http)) == 1
    assert (await salesforce.records_by_email([email]))[email].first_name == "Two"


async def test_a_record_salesforce_refuses_fails_alone_and_is_reported(http, salesforce) -> None:
    good, bad = "good@example.com", "bad@example.com"
    with pytest.raises(FatalError) as caught:
        await salesforce.upsert_records([record(good), record(bad, phone="5" * 60)])
    assert "bad@example.com: STRING_TOO_LONG" in caught.value.message
    assert [w["operation"] for w in await writes(http)] == ["create"]
    assert set(await salesforce.records_by_email([good, bad])) == {good}


async def test_more_than_two_hundred_records_go_in_several_calls(http, salesforce) -> None:
    people = [record(f"bulk{i}@example.com") for i in range(230)]
    await salesforce.records_by_email(["warm@up.example"])
    await http.post("/_sim/reset")
    results = await salesforce.upsert_records(people)
    assert all(r.created for r in results)
    stats = (await http.get("/_sim/stats")).json()["salesforce"]
    assert stats["requests"] == 2 + 2  # the lookup (Contact, Lead), then 200 + 30 creates
    found = await salesforce.records_by_email([p.email for p in people])
    assert len(found) == 230
