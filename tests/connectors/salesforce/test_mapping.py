"""The pure Salesforce mappings, against recorded-shape samples and as properties."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from canonical_schema import CustomerRecord, DealStatus, LifecycleStage, Platform, RecordRef
from connectors.salesforce.account_mapping import Account, Opportunity, domain, to_company, to_deal
from connectors.salesforce.mapping import (
    STAGE_LEAD_STATUSES,
    Contact,
    Lead,
    choose,
    from_canonical,
    to_canonical,
)

# Shaped as `GET /services/data/v60.0/query` answers them: `attributes` first, every selected
# field present, dateTimes as `2025-02-22T11:45:19.000+0000`.
CONTACT = {
    "attributes": {
        "type": "Contact",
        "url": "/services/data/v60.0/sobjects/Contact/0035g00000AbCdEAAA",
    },
    "Id": "0035g00000AbCdEAAA",
    "Email": "Hugo.Campbell74@Proton.me",
    "FirstName": "Hugo",
    "LastName": "Campbell",
    "Phone": "(415) 555-2671",
    "LastModifiedDate": "2025-02-22T11:45:19.000+0000",
    "SystemModstamp": "2025-02-23T08:00:00.000+0000",
    "AccountId": "0015g00000XyZaBAAA",
}
LEAD = {
    "attributes": {"type": "Lead", "url": "/services/data/v60.0/sobjects/Lead/00Q5g00000QqRrSAAA"},
    "Id": "00Q5g00000QqRrSAAA",
    "Email": "maya@initech.io",
    "FirstName": None,
    "LastName": "[not provided]",
    "Phone": None,
    "LastModifiedDate": "2025-03-01T09:30:00.000+0000",
    "SystemModstamp": "2025-03-01T09:30:00.000+0000",
    "Company": "Initech",
    "Status": "Working - Contacted",
}
ACCOUNT = {
    "attributes": {
        "type": "Account",
        "url": "/services/data/v60.0/sobjects/Account/0015g00000XyZaBAAA",
    },
    "Id": "0015g00000XyZaBAAA",
    "Name": "Initech",
    "Website": "https://www.Initech.io/about",
    "Industry": "Technology",
    "NumberOfEmployees": 250,
    "LastModifiedDate": "2025-01-10T00:00:00.000+0000",
}
OPPORTUNITY = {
    "attributes": {
        "type": "Opportunity",
        "url": "/services/data/v60.0/sobjects/Opportunity/0065g00000OpPoRAAA",
    },
    "Id": "0065g00000OpPoRAAA",
    "Name": "Initech - Renewal",
    "Amount": 45000.5,
    "StageName": "Closed Won",
    "CloseDate": "2025-06-30",
    "IsClosed": True,
    "IsWon": True,
    "AccountId": "0015g00000XyZaBAAA",
    "LastModifiedDate": "2025-07-01T12:00:00.000+0000",
}


def test_a_contact_becomes_a_customer_record() -> None:
    record = to_canonical(Contact.model_validate(CONTACT))
    assert record is not None
    assert (record.platform, record.external_id) == (Platform.SALESFORCE, "0035g00000AbCdEAAA")
    assert record.email == "hugo.campbell74@proton.me"
    assert (record.first_name, record.last_name, record.phone) == (
        "Hugo",
        "Campbell",
        "+14155552671",
    )
    assert record.lifecycle_stage is None  # a Contact alone does not say
    assert record.company_name is None
    assert record.email_consent is None
    assert record.updated_at == datetime(2025, 2, 22, 11, 45, 19, tzinfo=UTC)


def test_a_lead_has_a_stage_a_company_and_no_placeholder_name() -> None:
    record = to_canonical(Lead.model_validate(LEAD))
    assert record is not None
    assert record.lifecycle_stage is LifecycleStage.SALES_QUALIFIED_LEAD
    assert (record.company_name, record.last_name, record.first_name) == ("Initech", None, None)


@pytest.mark.parametrize(
    ("status", "stage"),
    [
        ("Open - Not Contacted", LifecycleStage.LEAD),
        ("Working - Contacted", LifecycleStage.SALES_QUALIFIED_LEAD),
        ("Closed - Converted", LifecycleStage.OPPORTUNITY),
        ("Closed - Not Converted", LifecycleStage.OTHER),
        ("Nurturing", LifecycleStage.OTHER),  # an org's own status
        (None, None),
    ],
)
def test_lead_statuses(status: str | None, stage: LifecycleStage | None) -> None:
    record = to_canonical(Lead.model_validate({**LEAD, "Status": status}))
    assert record is not None
    assert record.lifecycle_stage is stage


@pytest.mark.parametrize("email", [None, "", "not an email"])
def test_a_person_without_a_usable_email_has_no_identity(email: str | None) -> None:
    assert to_canonical(Lead.model_validate({**LEAD, "Email": email})) is None


@pytest.mark.parametrize(
    "drift",
    [
        {"Email__c": "x@y.co", "Email": ...},  # renamed: Email is missing
        {"SystemModstamp": 1740224719000},  # epoch milliseconds
        {"Id": 42},
    ],
)
def test_drift_does_not_validate(drift: dict[str, object]) -> None:
    raw = {**CONTACT, **drift}
    raw = {k: v for k, v in raw.items() if v is not ...}
    with pytest.raises(ValidationError):
        Contact.model_validate(raw)


def test_one_record_per_person_a_contact_else_the_latest_lead() -> None:
    contact = Contact.model_validate(CONTACT)
    latest = "2026-01-01T00:00:00.000+0000"
    same_person_lead = Lead.model_validate(
        {**LEAD, "Email": "HUGO.campbell74@proton.me", "LastModifiedDate": latest}
    )
    older = Lead.model_validate(LEAD)
    newer = Lead.model_validate(
        {**LEAD, "Id": "00Q5g00000QqRrTAAA", "LastModifiedDate": "2025-03-02T00:00:00.000+0000"}
    )
    tie = Lead.model_validate({**LEAD, "Id": "00Q5g00000QqRrZAAA"})
    chosen = choose([same_person_lead, older, tie, newer, contact])
    assert chosen["hugo.campbell74@proton.me"] is contact
    assert chosen["maya@initech.io"] is newer
    assert choose([tie, older])["maya@initech.io"] is older  # equal times: the older record


def test_an_account_is_a_company_and_an_opportunity_a_deal() -> None:
    company = to_company(Account.model_validate(ACCOUNT))
    assert company.id == RecordRef("company", Platform.SALESFORCE, "0015g00000XyZaBAAA").public_id()
    assert (company.name, company.domain, company.industry, company.employees) == (
        "Initech",
        "initech.io",
        "Technology",
        250,
    )
    deal = to_deal(Opportunity.model_validate(OPPORTUNITY), "EUR")
    assert deal.amount is not None
    assert (deal.amount.amount, deal.amount.currency_code) == (Decimal("45000.5"), "EUR")
    assert (deal.stage, deal.status, deal.close_date) == (
        "Closed Won",
        DealStatus.WON,
        date(2025, 6, 30),
    )
    assert deal.company_id == company.id
    lost = to_deal(
        Opportunity.model_validate({**OPPORTUNITY, "IsWon": False, "Amount": None}), "USD"
    )
    assert (lost.status, lost.amount) == (DealStatus.LOST, None)
    with pytest.raises(ValidationError):
        Opportunity.model_validate({**OPPORTUNITY, "Amount": "45000.5"})  # drift: a string


@pytest.mark.parametrize(
    ("website", "expected"),
    [
        ("acme.com", "acme.com"),
        ("https://www.acme.com/x", "acme.com"),
        ("http://ACME.co.uk", "acme.co.uk"),
        ("", None),
        ("localhost", None),
        (None, None),
    ],
)
def test_domains_from_websites(website: str | None, expected: str | None) -> None:
    assert domain(website) == expected


names = st.none() | st.text(st.characters(categories=["L"]), min_size=1, max_size=12)
emails = st.emails().filter(lambda e: "." in e.split("@")[1])
phones = st.none() | st.sampled_from(["+14155552671", "+442071838750", "+33142685300"])
STAMP = "2025-02-22T11:45:19.000+0000"


def echo(sent: dict[str, object], sobject: str, record_id: str) -> dict[str, object]:
    """What a query answers for a record created from `sent`: every field, nulls included."""
    fields = ["Email", "FirstName", "LastName", "Phone"]
    fields += ["Company", "Status"] if sobject == "Lead" else ["AccountId"]
    return {
        "attributes": {"type": sobject},
        "Id": record_id,
        "LastModifiedDate": STAMP,
        "SystemModstamp": STAMP,
        **{f: sent.get(f) for f in fields},
    }


@given(
    email=emails,
    first=names,
    last=names,
    phone=phones,
    company=names,
    stage=st.sampled_from(list(STAGE_LEAD_STATUSES)),
)
def test_a_new_lead_keeps_every_mapped_field(
    email: str,
    first: str | None,
    last: str | None,
    phone: str | None,
    company: str | None,
    stage: LifecycleStage,
) -> None:
    original = CustomerRecord(
        platform=Platform.SALESFORCE,
        external_id="00Q5g00000QqRrSAAA",
        email=email,
        first_name=first,
        last_name=last,
        phone=phone,
        company_name=company,
        lifecycle_stage=stage,
        updated_at=datetime(2025, 2, 22, 11, 45, 19, tzinfo=UTC),
    )
    sent = from_canonical(original, "Lead", creating=True)
    back = to_canonical(Lead.model_validate(echo(sent, "Lead", original.external_id)))
    assert back == original


@given(email=emails, first=names, last=names, phone=phones)
def test_a_contact_keeps_every_mapped_field(
    email: str, first: str | None, last: str | None, phone: str | None
) -> None:
    original = CustomerRecord(
        platform=Platform.SALESFORCE,
        external_id="0035g00000AbCdEAAA",
        email=email,
        first_name=first,
        last_name=last,
        phone=phone,
        updated_at=datetime(2025, 2, 22, 11, 45, 19, tzinfo=UTC),
    )
    sent = from_canonical(original, "Contact", creating=True)
    assert set(sent) <= {"attributes", "Email", "FirstName", "LastName", "Phone"}
    back = to_canonical(Contact.model_validate(echo(sent, "Contact", original.external_id)))
    assert back == original


def test_an_update_blanks_nothing_and_leaves_the_email_alone() -> None:
    sparse = CustomerRecord(
        platform=Platform.SALESFORCE,
        external_id="x",
        email="a@b.co",
        lifecycle_stage=LifecycleStage.CUSTOMER,
    )
    assert from_canonical(sparse, "Lead", creating=False) == {"attributes": {"type": "Lead"}}


def test_a_phone_without_a_country_code_is_read_in_the_given_region() -> None:
    for model, raw in ((Contact, CONTACT), (Lead, LEAD)):
        local = model.model_validate({**raw, "Phone": "020 7946 0958"})
        record = to_canonical(local, phone_region="GB")
        assert record is not None
        assert record.phone == "+442079460958"
