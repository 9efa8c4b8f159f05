"""The Salesforce connector's reads against the simulator: by email, listing, counting,
changes, accounts and opportunities, and the session refreshing under it."""

from __future__ import annotations

from datetime import timedelta

import httpx

from canonical_schema import CustomerRecord, DealStatus, Platform, RecordRef
from connectors.salesforce import SalesforceConnector, SalesforceSession
from simulators.core.clock import EPOCH_BASE, ManualClock
from tests.connectors.salesforce.conftest import LOGIN, ground_truth, raw_records

API = "/salesforce/services/data/v60.0"


def expected_id(records: list[dict[str, object]]) -> str:
    """The record a read should choose: a Contact, else the most recently modified Lead."""
    contacts = [r for r in records if r["attributes"]["type"] == "Contact"]  # type: ignore[index]
    pool = contacts or records
    oldest_first = sorted(pool, key=lambda r: str(r["Id"]))
    return str(max(oldest_first, key=lambda r: str(r["LastModifiedDate"]))["Id"])


async def walk(salesforce: SalesforceConnector, limit: int) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        page = await salesforce.list_records(limit, after)
        assert len(page.records) <= limit
        seen += [r.email for r in page.records]
        if page.next_after is None:
            return seen
        after = page.next_after


async def test_reads_by_email_agree_with_ground_truth_whatever_the_case(http, salesforce) -> None:
    truth = await ground_truth(http)
    asked = [f"  {email.upper()} " for email in truth] + ["ghost@nowhere.example", "not-an-email"]

    found = await salesforce.records_by_email(asked)

    assert set(found) == set(truth)
    for email, record in found.items():
        records = await raw_records(http, email)
        assert record.external_id == expected_id(records)
        if len(records) == 1:
            assert record.external_id == truth[email]
        assert record.platform is Platform.SALESFORCE
        assert record.email == email


async def test_asks_once_per_object_for_a_chunk_of_emails(http, salesforce) -> None:
    truth = await ground_truth(http)
    await salesforce.records_by_email(["warm@up.example"])  # fetch the token first
    await http.post("/_sim/reset")
    await salesforce.records_by_email(list(truth))
    assert (await http.get("/_sim/stats")).json()["salesforce"]["requests"] == 2


async def current_records(http: httpx.AsyncClient) -> int:
    """Contacts and unconverted Leads with an email, counted by hand over the seeded people."""
    total = 0
    for email in await ground_truth(http):
        held = await raw_records(http, email)
        total += sum(1 for r in held if not r.get("IsConverted"))
    return total


async def test_lists_every_person_once_and_counts_them(http, salesforce) -> None:
    truth = await ground_truth(http)
    seen = await walk(salesforce, 7)
    assert sorted(seen) == sorted(truth)  # converted Leads (old addresses) are not people
    await http.post("/_sim/reset")
    assert await salesforce.count_records() == await current_records(http)
    # COUNT(): one call an object, however many records.
    assert (await http.get("/_sim/stats")).json()["salesforce"]["requests"] == 2


async def test_a_converted_lead_is_never_written(http, salesforce) -> None:
    """A Contact converted from a Lead leaves that Lead behind, read-only (Salesforce refuses
    an update: CANNOT_UPDATE_CONVERTED_LEAD). A write for its old address makes a new Lead."""
    converted = None
    for email in await ground_truth(http):
        local, _, domain = email.partition("@")
        held = await raw_records(http, f"{local}+was@{domain}")
        if held and held[0]["IsConverted"]:
            converted = held[0]
            break
    assert converted is not None, "the seed holds no converted Lead"
    old = str(converted["Email"]).lower()
    assert old not in await salesforce.records_by_email([old])
    [result] = await salesforce.upsert_records(
        [CustomerRecord(platform=Platform.HUBSPOT, external_id="1", email=old, last_name="Back")]
    )
    assert result.created
    assert result.external_id != converted["Id"]
    [still] = [r for r in await raw_records(http, old) if r["Id"] == converted["Id"]]
    assert still["LastName"] == converted["LastName"]


async def test_duplicates_are_one_person_the_contact_or_the_latest_lead(
    http, salesforce, creds, clock: ManualClock
) -> None:
    truth = await ground_truth(http)
    contact_email = next(e for e in truth if truth[e].startswith("003"))
    lead_email = next(e for e in truth if truth[e].startswith("00Q"))
    headers = {"Authorization": f"Bearer {await access_token(http, creds)}"}
    clock.advance(60)
    created = await http.post(
        f"{API}/composite/sobjects",
        headers=headers,
        json={
            "allOrNone": True,
            "records": [
                {
                    "attributes": {"type": "Lead"},
                    "Email": contact_email.upper(),
                    "LastName": "Dup",
                    "Company": "Dup Inc",
                },
                {
                    "attributes": {"type": "Lead"},
                    "Email": lead_email,
                    "LastName": "Again",
                    "Company": "Again Inc",
                },
            ],
        },
    )
    assert created.status_code == 200, created.text
    newer_lead = created.json()[1]["id"]

    found = await salesforce.records_by_email([contact_email, lead_email])
    assert found[contact_email].external_id == truth[contact_email]
    assert found[lead_email].external_id == newer_lead
    assert found[lead_email].last_name == "Again"
    seen = await walk(salesforce, 11)
    assert sorted(seen) == sorted(truth)
    assert await salesforce.count_records() == await current_records(http)


async def access_token(http: httpx.AsyncClient, creds: dict[str, str]) -> str:
    form = {k: creds[k] for k in ("client_id", "client_secret", "refresh_token")}
    answer = await http.post(
        f"{LOGIN}/services/oauth2/token", data={"grant_type": "refresh_token", **form}
    )
    token: str = answer.json()["access_token"]
    return token


async def test_the_session_is_refreshed_when_it_expires_mid_walk(
    http, salesforce, session: SalesforceSession, clock: ManualClock
) -> None:
    truth = await ground_truth(http)
    seen: list[str] = []
    after = None
    while True:
        page = await salesforce.list_records(20, after)
        seen += [r.email for r in page.records]
        clock.advance(1801)  # the simulator's sessions live 1,800 s
        if page.next_after is None:
            break
        after = page.next_after
    assert sorted(seen) == sorted(truth)
    assert session.refreshes > 2


async def test_reports_the_orgs_api_usage(salesforce) -> None:
    assert salesforce.api_usage is None
    await salesforce.records_by_email(["a@b.co"])
    used, limit = salesforce.api_usage
    assert (used, limit) == (2, 15_000)


async def test_changes_since_a_time_are_the_people_edited_after_it(
    http, salesforce, clock: ManualClock
) -> None:
    truth = await ground_truth(http)
    edited = sorted(truth)[:3]
    clock.advance(3600)
    for email in edited:
        response = await http.post(
            "/_sim/salesforce/mutate", json={"email": email, "fields": {"FirstName": "Edited"}}
        )
        assert response.is_success, response.text
        clock.advance(5)

    changes = await salesforce.records_changed_since(EPOCH_BASE + timedelta(minutes=30))

    assert [r.email for r in changes.records] == edited
    assert all(r.first_name == "Edited" for r in changes.records)
    assert changes.through == EPOCH_BASE + timedelta(seconds=3610)
    later = await salesforce.records_changed_since(changes.through + timedelta(seconds=1))
    assert later.records == []
    assert later.through is None


async def test_a_contacts_account_and_its_opportunities(http, salesforce) -> None:
    truth = await ground_truth(http)
    contacts = [e for e in truth if truth[e].startswith("003")]
    accounts = await salesforce.contact_account_ids(contacts)
    assert set(accounts) == set(contacts)

    account_ids = sorted(set(accounts.values()))
    companies = await salesforce.accounts_by_id([*account_ids, "001000000000000AAA"])
    assert set(companies) == set(account_ids)
    for account_id, company in companies.items():
        assert company.id == RecordRef("company", Platform.SALESFORCE, account_id).public_id()
        assert company.domain
        assert "/" not in company.domain
        assert not company.domain.startswith("www.")

    deals = await salesforce.opportunities_by_account(account_ids)
    assert deals
    for account_id, listed in deals.items():
        for deal in listed:
            assert deal.company_id == companies[account_id].id
            assert deal.amount is None or deal.amount.currency_code == "USD"
            won = deal.stage == "Closed Won"
            lost = deal.stage == "Closed Lost"
            assert deal.status is (
                DealStatus.WON if won else DealStatus.LOST if lost else DealStatus.OPEN
            )


async def test_nothing_to_ask_makes_no_call(http, salesforce) -> None:
    assert await salesforce.records_by_email(["", "nope"]) == {}
    assert await salesforce.accounts_by_id([]) == {}
    assert (await http.get("/_sim/stats")).json()["salesforce"]["requests"] == 0
