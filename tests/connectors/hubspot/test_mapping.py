"""The pure contact mapping, against a recorded-shape sample and as a property."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canonical_schema import CustomerRecord, EmailConsent, LifecycleStage, Platform
from connectors.hubspot.mapping import (
    CONTACT_PROPERTIES,
    contact_record,
    from_canonical,
    opts_out,
    parse_contact,
    to_canonical,
)

# Shaped exactly like `POST /crm/v3/objects/contacts/batch/read` results (with the properties
# asked for: HubSpot answers an asked-for property without a value as null).
SAMPLE = {
    "id": "512",
    "properties": {
        "company": "Blue Capital",
        "createdate": "2025-02-03T23:28:03.769Z",
        "email": "Hugo.Campbell74@Proton.me",
        "firstname": "Hugo",
        "hs_email_optout": None,
        "hs_object_id": "512",
        "hubspotscore": "68",
        "lastmodifieddate": "2025-02-22T11:45:19.036Z",
        "lastname": "Campbell",
        "lifecyclestage": "marketingqualifiedlead",
        "phone": None,
    },
    "createdAt": "2025-02-03T23:28:03.769Z",
    "updatedAt": "2025-02-22T11:45:19.036Z",
    "archived": False,
}


def test_a_contact_becomes_a_customer_with_its_source() -> None:
    record = to_canonical(parse_contact(SAMPLE))
    assert record is not None
    assert record.email == "hugo.campbell74@proton.me"
    assert (record.first_name, record.last_name, record.phone) == ("Hugo", "Campbell", None)
    assert record.lifecycle_stage is LifecycleStage.MARKETING_QUALIFIED_LEAD
    assert record.lead_score == 68
    assert record.company_name == "Blue Capital"
    assert record.email_consent is None  # not opted out: no decision, not consent
    updated = datetime(2025, 2, 22, 11, 45, 19, 36000, tzinfo=UTC)
    assert (record.platform, record.external_id, record.updated_at) == (
        Platform.HUBSPOT,
        "512",
        updated,
    )


def test_an_opt_out_from_all_email_reads_as_unsubscribed() -> None:
    for value, consent in (("true", EmailConsent.UNSUBSCRIBED), ("false", None), ("", None)):
        opted = {**SAMPLE, "properties": {**SAMPLE["properties"], "hs_email_optout": value}}
        record = to_canonical(parse_contact(opted))
        assert record is not None
        assert record.email_consent is consent
        assert "hs_email_optout" not in from_canonical(record)  # read-only: never in upserts
        assert opts_out(record) is (consent is EmailConsent.UNSUBSCRIBED)


def test_what_hubspot_sends_loosely_is_read_leniently() -> None:
    loose = {
        **SAMPLE,
        "properties": {
            **SAMPLE["properties"],
            "lifecyclestage": "1029384",
            "hubspotscore": "12.5",
            "firstname": "  ",
            "phone": "(415) 555-2671",
        },
    }
    record = to_canonical(parse_contact(loose))
    assert record is not None
    assert record.lifecycle_stage is LifecycleStage.OTHER  # a portal's custom stage
    assert record.lead_score == 12
    assert record.first_name is None
    assert record.phone == "+14155552671"


def test_a_contact_without_email_has_no_canonical_identity() -> None:
    no_email = {**SAMPLE, "properties": {**SAMPLE["properties"], "email": None}}
    assert to_canonical(parse_contact(no_email)) is None


@pytest.mark.parametrize(
    "drifted",
    [
        {**SAMPLE, "updatedAt": 1740224719036},  # retyped to epoch milliseconds
        {
            **SAMPLE,
            "properties": {  # renamed: a missing key, not an empty value
                **{k: v for k, v in SAMPLE["properties"].items() if k != "firstname"},
                "first_name": "Hugo",
            },
        },
        {**SAMPLE, "id": 512},
        {**SAMPLE, "properties": {**SAMPLE["properties"], "hubspotscore": 68}},
        {k: v for k, v in SAMPLE.items() if k != "updatedAt"},
    ],
    ids=["updatedAt-epoch-ms", "firstname-renamed", "id-number", "value-number", "no-updatedAt"],
)
def test_drift_is_refused_not_read_as_missing(drifted: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"validation error|lacks the asked-for"):
        parse_contact(drifted)


def test_properties_not_asked_for_may_be_absent() -> None:
    partial = {**SAMPLE, "properties": {"email": "a@b.co"}}
    record = to_canonical(parse_contact(partial, expected=("email",)))
    assert record is not None
    assert record.first_name is None


def test_a_write_carries_only_the_fields_that_have_values() -> None:
    record = CustomerRecord(
        platform=Platform.SHOPIFY,
        external_id="9",
        email="A@B.co",
        first_name="Ada",
        lifecycle_stage=LifecycleStage.CUSTOMER,
        lead_score=90,
    )
    assert from_canonical(record) == {
        "email": "a@b.co",
        "firstname": "Ada",
        "lifecyclestage": "customer",
    }


names = st.none() | st.text(st.characters(categories=["L"]), min_size=1, max_size=12)
emails = st.emails().filter(lambda e: "." in e.split("@")[1])
phones = st.none() | st.sampled_from(["+14155552671", "+442071838750", "+4930123456"])
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))


@given(
    email=emails,
    first=names,
    last=names,
    phone=phones,
    company=names,
    stage=st.none() | st.sampled_from(list(LifecycleStage)),
    updated=moments,
)
def test_writable_fields_survive_a_round_trip(
    email: str,
    first: str | None,
    last: str | None,
    phone: str | None,
    company: str | None,
    stage: LifecycleStage | None,
    updated: datetime,
) -> None:
    original = CustomerRecord(
        platform=Platform.HUBSPOT,
        external_id="1",
        email=email,
        first_name=first,
        last_name=last,
        phone=phone,
        company_name=company,
        lifecycle_stage=stage,
        updated_at=updated,
    )
    stamp = updated.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    raw = {
        "id": "1",
        "properties": {**dict.fromkeys(CONTACT_PROPERTIES), **from_canonical(original)},
        "createdAt": stamp,
        "updatedAt": stamp,
    }
    back = to_canonical(parse_contact(raw))
    assert back == original


LOOSE = [
    SAMPLE,
    {**SAMPLE, "properties": {**SAMPLE["properties"], "hs_email_optout": "true"}},
    {**SAMPLE, "properties": {**SAMPLE["properties"], "email": None}},
    {**SAMPLE, "properties": {**SAMPLE["properties"], "email": " not an email "}},
    {
        **SAMPLE,
        "updatedAt": "2025-02-22T11:45:19+02:00",
        "properties": {
            **SAMPLE["properties"],
            "lifecyclestage": "1029384",
            "hubspotscore": "12.5",
            "firstname": "  Hugo \t Jr ",
            "phone": "(415) 555-2671",
            "company": "",
        },
    },
    {k: v for k, v in SAMPLE.items() if k != "archived"},
]


@pytest.mark.parametrize("raw", LOOSE)
def test_one_step_reads_a_contact_as_the_two_steps_do(raw: dict[str, object]) -> None:
    """`contact_record` builds without validating again: what it builds must be what
    validation builds, field for field and byte for byte (the store fingerprints the JSON)."""
    fast, checked = contact_record(raw), to_canonical(parse_contact(raw))
    assert fast == checked
    if fast is not None and checked is not None:
        assert fast.model_dump_json() == checked.model_dump_json()
        assert CustomerRecord.model_validate(fast.model_dump()) == fast


@pytest.mark.parametrize(
    "drifted",
    [
        {**SAMPLE, "updatedAt": 1740224719036},
        {**SAMPLE, "updatedAt": "last tuesday"},
        {**SAMPLE, "createdAt": None},
        {
            **SAMPLE,
            "properties": {
                **{k: v for k, v in SAMPLE["properties"].items() if k != "firstname"},
                "first_name": "Hugo",
            },
        },
        {**SAMPLE, "id": 512},
        {**SAMPLE, "id": ""},
        {**SAMPLE, "properties": {**SAMPLE["properties"], "hubspotscore": 68}},
        {**SAMPLE, "properties": ["email"]},
        {k: v for k, v in SAMPLE.items() if k != "updatedAt"},
        "512",
    ],
)
def test_one_step_refuses_what_the_two_steps_refuse(drifted: object) -> None:
    refused = r"validation error|lacks the asked-for|string|ISO 8601|JSON object"
    with pytest.raises(ValueError, match=refused):
        to_canonical(parse_contact(drifted))
    with pytest.raises(ValueError, match=refused):
        contact_record(drifted)


def test_one_step_is_stricter_only_where_hubspot_is_exact() -> None:
    # stricter than pydantic's lax mode, which reads "no" as False: HubSpot sends a boolean
    with pytest.raises(ValueError, match="archived"):
        contact_record({**SAMPLE, "archived": "no"})


def test_a_phone_without_a_country_code_is_read_in_the_given_region() -> None:
    local = {**SAMPLE, "properties": {**SAMPLE["properties"], "phone": "020 7946 0958"}}
    record = to_canonical(parse_contact(local), phone_region="GB")
    assert record is not None
    assert record.phone == "+442079460958"
    assert contact_record(local, phone_region="GB") == record
