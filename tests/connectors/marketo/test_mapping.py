"""The pure Marketo mappings, against samples shaped as the documented API answers them, and
as a round-trip property."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from canonical_schema import CustomerRecord, EventType, LifecycleStage, Platform
from connectors.marketo.event_mapping import parse_activity, to_event
from connectors.marketo.mapping import (
    LEAD_STATUS_BY_STAGE,
    STAGE_BY_LEAD_STATUS,
    from_canonical,
    parse_lead,
    to_canonical,
)

# One `result` entry of GET /rest/v1/leads.json?filterType=email&fields=...
LEAD = {
    "id": 1060,
    "email": "Hugo.Campbell74@Proton.me",
    "firstName": "Hugo",
    "lastName": "Campbell",
    "phone": "+1-555-733-4374",
    "company": "Green Outfitters",
    "leadScore": 71,
    "leadStatus": "Nurturing",
    "updatedAt": "2025-03-26T17:49:30Z",
    "createdAt": "2025-02-03T23:28:03Z",
}


def test_a_lead_becomes_a_customer_record() -> None:
    record = to_canonical(parse_lead(LEAD))
    assert record is not None
    assert (record.platform, record.external_id) == (Platform.MARKETO, "1060")
    assert record.email == "hugo.campbell74@proton.me"
    assert (record.first_name, record.last_name) == ("Hugo", "Campbell")
    assert record.phone == "+15557334374"
    assert record.company_name == "Green Outfitters"
    assert record.lead_score == 71
    assert record.lifecycle_stage is LifecycleStage.MARKETING_QUALIFIED_LEAD
    assert record.email_consent is None  # not read from Marketo
    assert record.updated_at == datetime(2025, 3, 26, 17, 49, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "stage"),
    [
        ("New", LifecycleStage.LEAD),
        ("Working", LifecycleStage.SALES_QUALIFIED_LEAD),
        ("Qualified", LifecycleStage.OPPORTUNITY),
        ("Unqualified", LifecycleStage.OTHER),
        ("Recycled", LifecycleStage.OTHER),
        (" ", None),
        (None, None),
    ],
)
def test_lead_status_to_stage(status: str | None, stage: LifecycleStage | None) -> None:
    record = to_canonical(parse_lead({**LEAD, "leadStatus": status}))
    assert record is not None
    assert record.lifecycle_stage is stage


def test_a_lead_without_a_usable_email_has_no_identity() -> None:
    assert to_canonical(parse_lead({**LEAD, "email": None})) is None
    assert to_canonical(parse_lead({**LEAD, "email": "not-an-email"})) is None


@pytest.mark.parametrize(
    "drift",
    [{"leadScore": "71"}, {"id": "1060"}, {"updatedAt": None}, {"email": 5}],
)
def test_drifted_leads_do_not_validate(drift: dict[str, object]) -> None:
    raw = {**LEAD, **drift}
    if drift.get("updatedAt", "") is None:
        raw = {k: v for k, v in LEAD.items() if k != "updatedAt"} | {
            "updated_at": LEAD["updatedAt"]
        }
    with pytest.raises(ValidationError):
        parse_lead(raw)


def test_stages_without_one_status_are_not_written() -> None:
    assert set(LEAD_STATUS_BY_STAGE.values()) < set(STAGE_BY_LEAD_STATUS)
    for stage in (LifecycleStage.OTHER, LifecycleStage.CUSTOMER, LifecycleStage.SUBSCRIBER):
        record = CustomerRecord(
            platform=Platform.MARKETO, external_id="1", email="a@b.co", lifecycle_stage=stage
        )
        assert "leadStatus" not in from_canonical(record)
    score = CustomerRecord(platform=Platform.MARKETO, external_id="1", email="a@b.co", lead_score=5)
    assert from_canonical(score) == {"email": "a@b.co"}  # Marketo's scoring owns the score


names = st.none() | st.text(st.characters(categories=["L"]), min_size=1, max_size=12)
emails = st.emails().filter(lambda e: "." in e.split("@")[1])
phones = st.none() | st.sampled_from(["+14155552671", "+442071838750", "+15557334374"])


@given(
    email=emails,
    first=names,
    last=names,
    phone=phones,
    company=names,
    stage=st.none() | st.sampled_from(sorted(LEAD_STATUS_BY_STAGE)),
)
def test_writable_fields_survive_a_round_trip(
    email: str,
    first: str | None,
    last: str | None,
    phone: str | None,
    company: str | None,
    stage: LifecycleStage | None,
) -> None:
    updated = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    original = CustomerRecord(
        platform=Platform.MARKETO,
        external_id="7",
        email=email,
        first_name=first,
        last_name=last,
        phone=phone,
        company_name=company,
        lifecycle_stage=stage,
        updated_at=updated,
    )
    raw = {"id": 7, "updatedAt": "2025-01-02T03:04:05Z", **from_canonical(original)}
    assert to_canonical(parse_lead(raw)) == original


# `result` entries of GET /rest/v1/activities.json, as Marketo's documentation shows them.
def activity(
    type_id: int, primary: str, attributes: list[dict[str, object]], **extra: object
) -> dict[str, object]:
    return {
        "id": 400000123,
        "marketoGUID": "400000123",
        "leadId": 1060,
        "activityDate": "2025-04-30T00:21:32Z",
        "activityTypeId": type_id,
        "primaryAttributeValueId": 3004,
        "primaryAttributeValue": primary,
        "attributes": attributes,
        **extra,
    }


SAMPLES = [
    (
        activity(
            1,
            "www.example.com/pricing",
            [
                {"name": "Query Parameters", "value": "utm_campaign=spring"},
                {"name": "Webpage URL", "value": "/pricing"},
            ],
        ),
        EventType.WEB_VISIT,
        None,
        {"url": "www.example.com/pricing", "query": "utm_campaign=spring"},
    ),
    (
        activity(
            2, "Contact Us", [{"name": "Referrer URL", "value": "https://www.example.com/contact"}]
        ),
        EventType.FORM_SUBMITTED,
        None,
        {"form": "Contact Us", "referrer": "https://www.example.com/contact"},
    ),
    (
        activity(
            6,
            "Spring Sale 2025 - Email",
            [{"name": "Campaign Run ID", "value": 7004}],
            campaignId=5004,
        ),
        EventType.EMAIL_SENT,
        "Spring Sale 2025 - Email",
        {},
    ),
    (
        activity(
            10, "Spring Sale 2025 - Email", [{"name": "Device", "value": "iPhone"}], campaignId=5004
        ),
        EventType.EMAIL_OPENED,
        "Spring Sale 2025 - Email",
        {"device": "iPhone"},
    ),
    (
        activity(
            11,
            "Spring Sale 2025 - Email",
            [{"name": "Link", "value": "https://x.io/o"}, {"name": "Device", "value": "Desktop"}],
            campaignId=5004,
        ),
        EventType.EMAIL_CLICKED,
        "Spring Sale 2025 - Email",
        {"link": "https://x.io/o", "device": "Desktop"},
    ),
    (
        activity(
            22,
            "Lead Score",
            [
                {"name": "Change Value", "value": "+10"},
                {"name": "New Value", "value": 71},
                {"name": "Old Value", "value": "61"},
                {"name": "Reason", "value": "Opened email"},
            ],
        ),
        EventType.LEAD_SCORE_CHANGED,
        None,
        {"old_score": 61, "new_score": 71, "reason": "Opened email"},
    ),
]


@pytest.mark.parametrize(("raw", "kind", "campaign", "properties"), SAMPLES)
def test_activities_become_events(raw, kind, campaign, properties) -> None:
    event = to_event(parse_activity(raw), email="hugo@x.io")
    assert event is not None
    assert (event.type, event.platform, event.customer_email) == (
        kind,
        Platform.MARKETO,
        "hugo@x.io",
    )
    assert event.occurred_at == datetime(2025, 4, 30, 0, 21, 32, tzinfo=UTC)
    assert event.campaign_name == campaign
    assert event.campaign_external_id == ("5004" if campaign else None)
    assert event.properties == {"lead_id": "1060", **properties}
    assert event.id.startswith("evt_")
    assert event.id == to_event(parse_activity(raw), email=None).id


def test_unmapped_activity_types_are_left_out_and_drift_does_not_validate() -> None:
    assert to_event(parse_activity(activity(12, "1060", [])), email=None) is None
    with pytest.raises(ValidationError):
        parse_activity({**activity(1, "p", []), "leadId": "1060"})
    renamed = {k: v for k, v in activity(1, "p", []).items() if k != "activityDate"}
    with pytest.raises(ValidationError):
        parse_activity({**renamed, "activity_date": "2025-04-30T00:21:32Z"})


def test_a_phone_without_a_country_code_is_read_in_the_given_region() -> None:
    record = to_canonical(parse_lead({**LEAD, "phone": "020 7946 0958"}), phone_region="GB")
    assert record is not None
    assert record.phone == "+442079460958"
