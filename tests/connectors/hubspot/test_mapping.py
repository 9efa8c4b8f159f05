"""The pure HubSpot mapping, against a recorded-shape sample and as a property."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from canonical_schema import CustomerRecord, LifecycleStage, Platform
from connectors.hubspot.mapping import from_canonical, parse_contact, to_canonical

SAMPLE = {
    "id": "512",
    "properties": {
        "createdate": "2025-02-03T23:28:03.769Z",
        "email": "Hugo.Campbell74@Proton.me",
        "firstname": "Hugo",
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
    assert record.email_consent is None  # HubSpot does not track email consent here
    updated = datetime(2025, 2, 22, 11, 45, 19, 36000, tzinfo=UTC)
    assert (record.platform, record.external_id, record.updated_at) == (
        Platform.HUBSPOT, "512", updated
    )  # fmt: skip


def test_what_hubspot_sends_loosely_is_read_leniently() -> None:
    loose = {**SAMPLE, "properties": {
        **SAMPLE["properties"], "lifecyclestage": "1029384", "hubspotscore": "12.5",
        "firstname": "  ", "phone": "(415) 555-2671",
    }}  # fmt: skip
    record = to_canonical(parse_contact(loose))
    assert record is not None
    assert record.lifecycle_stage is LifecycleStage.OTHER  # a portal's custom stage
    assert record.lead_score == 12
    assert record.first_name is None
    assert record.phone == "+14155552671"


def test_a_contact_without_email_has_no_canonical_identity() -> None:
    no_email = {**SAMPLE, "properties": {**SAMPLE["properties"], "email": None}}
    assert to_canonical(parse_contact(no_email)) is None


names = st.none() | st.text(st.characters(categories=["L"]), min_size=1, max_size=12)
emails = st.emails().filter(lambda e: "." in e.split("@")[1])


@given(
    email=emails,
    first=names,
    last=names,
    stage=st.none() | st.sampled_from(list(LifecycleStage)),
)
def test_writable_fields_survive_a_round_trip(
    email: str, first: str | None, last: str | None, stage: LifecycleStage | None
) -> None:
    original = CustomerRecord(
        platform=Platform.HUBSPOT, external_id="1", email=email, first_name=first,
        last_name=last, lifecycle_stage=stage,
    )  # fmt: skip
    raw = {"id": "1", "properties": from_canonical(original)}
    back = to_canonical(parse_contact(raw))
    assert back == original
