"""The pure Mailchimp mappings, against recorded-shape samples and as a round-trip property."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from canonical_schema import (
    CustomerRecord,
    EmailConsent,
    EmailEngagement,
    EventType,
    Platform,
    RecordRef,
)
from connectors.mailchimp.campaign_mapping import (
    Activity,
    RawCampaign,
    Report,
    campaign_to_canonical,
    events_to_canonical,
)
from connectors.mailchimp.mapping import (
    from_canonical,
    parse_member,
    subscriber_hash,
    to_canonical,
)

# Shaped like the documented `GET /lists/{list_id}/members/{subscriber_hash}` response.
MEMBER: dict[str, Any] = {
    "id": "852aaa9532cb36adfb5e9fef7a4206a9",
    "email_address": "Urist.McVankab@freddiesjokes.com",
    "unique_email_id": "ad1ccdc8c0",
    "contact_id": "e3c8b3b7b8f1f2d0d8a5c4f1e2d3c4b5",
    "full_name": "Urist McVankab",
    "web_id": 105062673,
    "email_type": "html",
    "status": "subscribed",
    "consents_to_one_to_one_messaging": True,
    "merge_fields": {
        "FNAME": "Urist",
        "LNAME": "McVankab",
        "ADDRESS": "",
        "PHONE": "(415) 555-2671",
    },
    "interests": {"9143cf3bd1": False},
    "stats": {
        "avg_open_rate": 0.5,
        "avg_click_rate": 0.25,
        "ecommerce_data": {"total_revenue": 0, "number_of_orders": 0, "currency_code": "USD"},
    },
    "ip_signup": "",
    "timestamp_signup": "",
    "ip_opt": "198.2.191.34",
    "timestamp_opt": "2015-09-16T19:24:29+00:00",
    "member_rating": 2,
    "last_changed": "2015-09-16T19:24:29+00:00",
    "language": "",
    "vip": False,
    "email_client": "",
    "location": {
        "latitude": 0,
        "longitude": 0,
        "gmtoff": 0,
        "dstoff": 0,
        "country_code": "",
        "timezone": "",
    },
    "source": "API - Generic",
    "tags_count": 0,
    "tags": [],
    "list_id": "57afe96172",
    "_links": [
        {
            "rel": "self",
            "method": "GET",
            "href": "https://us21.api.mailchimp.com/3.0/lists/57afe96172/members/852aaa9532",
        }
    ],
}

CAMPAIGN: dict[str, Any] = {
    "id": "42694e9e57",
    "web_id": 4100002,
    "type": "regular",
    "create_time": "2015-09-15T14:31:54+00:00",
    "archive_url": "http://eepurl.com/xxxx",
    "status": "sent",
    "emails_sent": 2,
    "send_time": "2015-09-15T14:40:47+00:00",
    "content_type": "template",
    "recipients": {
        "list_id": "57afe96172",
        "list_name": "Freddie's Jokes",
        "segment_text": "",
        "recipient_count": 2,
    },
    "settings": {
        "subject_line": "Freddie's Jokes Vol. 1",
        "title": "Freddie's Jokes Vol. 1",
        "from_name": "Freddie",
        "reply_to": "freddie@freddiehats.com",
    },
    "tracking": {
        "opens": True,
        "html_clicks": True,
        "text_clicks": False,
        "goal_tracking": False,
        "ecomm360": False,
        "google_analytics": "jokes_vol_1",
        "clicktale": "",
    },
    "report_summary": {
        "opens": 3,
        "unique_opens": 1,
        "open_rate": 0.5,
        "clicks": 2,
        "subscriber_clicks": 1,
        "click_rate": 0.5,
    },
}

REPORT: dict[str, Any] = {
    "id": "42694e9e57",
    "campaign_title": "Freddie's Jokes Vol. 1",
    "type": "regular",
    "list_id": "57afe96172",
    "emails_sent": 2,
    "abuse_reports": 0,
    "unsubscribed": 1,
    "send_time": "2015-09-15T14:40:47+00:00",
    "bounces": {"hard_bounces": 0, "soft_bounces": 0, "syntax_errors": 0},
    "opens": {
        "opens_total": 3,
        "unique_opens": 1,
        "open_rate": 0.5,
        "last_open": "2015-09-15T19:15:47+00:00",
    },
    "clicks": {
        "clicks_total": 2,
        "unique_clicks": 1,
        "unique_subscriber_clicks": 1,
        "click_rate": 0.5,
        "last_click": "2015-09-15T19:15:47+00:00",
    },
}

ACTIVITY: dict[str, Any] = {
    "activity": [
        {
            "action": "unsub",
            "timestamp": "2015-09-16T20:00:00+00:00",
            "type": "regular",
            "campaign_id": "42694e9e57",
            "title": "Freddie's Jokes Vol. 1",
        },
        {
            "action": "click",
            "timestamp": "2015-09-15T19:15:47+00:00",
            "url": "http://freddiesjokes.com/?utm_campaign=jokes_vol_1",
            "type": "regular",
            "campaign_id": "42694e9e57",
            "title": "Freddie's Jokes Vol. 1",
        },
        {
            "action": "open",
            "timestamp": "2015-09-15T19:15:46+00:00",
            "type": "regular",
            "campaign_id": "42694e9e57",
            "title": "Freddie's Jokes Vol. 1",
        },
        {
            "action": "open",
            "timestamp": "2015-09-15T19:15:46+00:00",
            "type": "regular",
            "campaign_id": "42694e9e57",
            "title": "Freddie's Jokes Vol. 1",
        },
        {
            "action": "bounce",
            "timestamp": "2015-09-15T14:41:00+00:00",
            "type": "hard",
            "campaign_id": "0000000001",
            "title": "Old",
        },
        {
            "action": "sent",
            "timestamp": "2015-09-15T14:40:47+00:00",
            "type": "regular",
            "campaign_id": "42694e9e57",
            "title": "Freddie's Jokes Vol. 1",
        },
    ],
    "email_id": "852aaa9532cb36adfb5e9fef7a4206a9",
    "list_id": "57afe96172",
    "total_items": 6,
}


def test_a_member_becomes_a_customer_record() -> None:
    record = to_canonical(parse_member(MEMBER))
    assert record == CustomerRecord(
        platform=Platform.MAILCHIMP,
        external_id="852aaa9532cb36adfb5e9fef7a4206a9",
        email="urist.mcvankab@freddiesjokes.com",
        first_name="Urist",
        last_name="McVankab",
        phone="+14155552671",
        email_consent=EmailConsent.SUBSCRIBED,
        engagement=EmailEngagement(open_rate=0.5, click_rate=0.25),
        updated_at=datetime(2015, 9, 16, 19, 24, 29, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("status", "consent"),
    [
        ("subscribed", EmailConsent.SUBSCRIBED),
        ("unsubscribed", EmailConsent.UNSUBSCRIBED),
        ("cleaned", EmailConsent.CLEANED),
        ("pending", EmailConsent.PENDING),
        ("transactional", EmailConsent.UNKNOWN),
        ("archived", None),
        ("some-future-status", None),
    ],
)
def test_status_is_consent(status: str, consent: EmailConsent | None) -> None:
    record = to_canonical(parse_member({**MEMBER, "status": status}))
    assert record is not None
    assert record.email_consent == consent


def test_blank_merge_fields_are_absent_values() -> None:
    blank = {**MEMBER, "merge_fields": {"FNAME": " ", "LNAME": "", "PHONE": ""}, "last_changed": ""}
    record = to_canonical(parse_member(blank))
    assert record is not None
    assert (record.first_name, record.last_name, record.phone, record.updated_at) == (None,) * 4


def test_a_member_without_a_usable_email_has_no_identity() -> None:
    assert to_canonical(parse_member({**MEMBER, "email_address": "not an email"})) is None


@pytest.mark.parametrize(
    "drifted",
    [
        {k: v for k, v in MEMBER.items() if k != "merge_fields"}
        | {"merges": MEMBER["merge_fields"]},
        {**MEMBER, "stats": {"avg_open_rate": "0.5", "avg_click_rate": 0.25}},
        {**MEMBER, "id": None},
        {**MEMBER, "stats": {"avg_open_rate": 50, "avg_click_rate": 0.25}},
    ],
)
def test_drifted_members_do_not_validate(drifted: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        parse_member(drifted)


def test_the_subscriber_hash_is_md5_of_the_lowercased_email() -> None:
    assert subscriber_hash(" Urist.McVankab@FreddiesJokes.com") == (
        "62eeb292278cc15f5817cb78f7790b08"
    )


@pytest.mark.parametrize(
    ("consent", "status_if_new", "status"),
    [
        (EmailConsent.SUBSCRIBED, "subscribed", "subscribed"),
        (EmailConsent.UNSUBSCRIBED, "unsubscribed", "unsubscribed"),
        (EmailConsent.PENDING, "pending", "pending"),
        (EmailConsent.CLEANED, "transactional", None),
        (EmailConsent.UNKNOWN, "transactional", None),
        (None, "transactional", None),
    ],
)
def test_only_an_explicit_consent_sets_the_status(
    consent: EmailConsent | None, status_if_new: str, status: str | None
) -> None:
    record = CustomerRecord(
        platform=Platform.SHOPIFY,
        external_id="1",
        email="a@b.co",
        first_name="Ann",
        email_consent=consent,
    )
    body = from_canonical(record)
    assert body["status_if_new"] == status_if_new
    assert body.get("status") == status
    assert body["merge_fields"] == {"FNAME": "Ann"}  # nothing blanked


def test_a_campaign_and_its_report_become_a_campaign() -> None:
    campaign = campaign_to_canonical(
        RawCampaign.model_validate(CAMPAIGN), Report.model_validate(REPORT)
    )
    assert campaign.id == RecordRef("campaign", Platform.MAILCHIMP, "42694e9e57").public_id()
    assert (campaign.name, campaign.status, campaign.utm_campaign) == (
        "Freddie's Jokes Vol. 1",
        "sent",
        "jokes_vol_1",
    )
    assert campaign.sent_at == datetime(2015, 9, 15, 14, 40, 47, tzinfo=UTC)
    assert campaign.stats is not None
    assert campaign.stats.model_dump() == {
        "sent": 2,
        "opens": 1,
        "clicks": 1,
        "unsubscribes": 1,
        "open_rate": 0.5,
        "click_rate": 0.5,
    }
    assert campaign.sources[0].external_id == "42694e9e57"


def test_an_unsent_campaign_has_no_send_time_and_summary_stats() -> None:
    draft = {
        **CAMPAIGN,
        "status": "save",
        "send_time": "",
        "report_summary": None,
        "tracking": {**CAMPAIGN["tracking"], "google_analytics": ""},
        "settings": {"title": "", "subject_line": "Hello"},
    }
    campaign = campaign_to_canonical(RawCampaign.model_validate(draft))
    assert (campaign.sent_at, campaign.stats, campaign.utm_campaign) == (None, None, None)
    assert campaign.name == "Hello"
    summarized = campaign_to_canonical(RawCampaign.model_validate(CAMPAIGN))
    assert summarized.stats is not None
    assert (summarized.stats.opens, summarized.stats.unsubscribes) == (1, 0)


def test_activity_becomes_events_and_bounces_are_skipped() -> None:
    events = events_to_canonical(
        Activity.model_validate(ACTIVITY), email="urist@example.com", member_id="852a"
    )
    assert [e.type for e in events] == [
        EventType.UNSUBSCRIBED,
        EventType.EMAIL_CLICKED,
        EventType.EMAIL_OPENED,
        EventType.EMAIL_OPENED,
        EventType.EMAIL_SENT,
    ]
    click = events[1]
    assert click.properties == {"url": "http://freddiesjokes.com/?utm_campaign=jokes_vol_1"}
    assert (click.campaign_external_id, click.campaign_name) == (
        "42694e9e57",
        "Freddie's Jokes Vol. 1",
    )
    assert click.occurred_at == datetime(2015, 9, 15, 19, 15, 47, tzinfo=UTC)
    assert len({e.id for e in events}) == 5  # two opens in one second stay two events


names = st.none() | st.text(st.characters(categories=["L"]), min_size=1, max_size=12)
emails = st.emails().filter(lambda e: "." in e.split("@")[1])
phones = st.none() | st.from_regex(r"\+1[2-9][0-9]{2}[2-9][0-9]{6}", fullmatch=True)
writable = st.sampled_from(
    [EmailConsent.SUBSCRIBED, EmailConsent.UNSUBSCRIBED, EmailConsent.PENDING]
)


@given(email=emails, first=names, last=names, phone=phones, consent=writable)
def test_writable_fields_survive_a_round_trip(
    email: str, first: str | None, last: str | None, phone: str | None, consent: EmailConsent
) -> None:
    original = CustomerRecord(
        platform=Platform.MAILCHIMP,
        external_id=subscriber_hash(email),
        email=email,
        first_name=first,
        last_name=last,
        phone=phone,
        email_consent=consent,
    )
    body = from_canonical(original)
    # What Mailchimp holds after the PUT, as a member read returns it.
    member = {
        "id": subscriber_hash(body["email_address"]),
        "email_address": body["email_address"],
        "status": body.get("status", body["status_if_new"]),
        "merge_fields": {"FNAME": "", "LNAME": "", "PHONE": "", **body["merge_fields"]},
        "stats": {"avg_open_rate": 0, "avg_click_rate": 0},
        "last_changed": "",
    }
    back = to_canonical(parse_member(member))
    assert back is not None
    assert back.model_copy(update={"engagement": None}) == original


def test_a_phone_without_a_country_code_is_read_in_the_given_region() -> None:
    local = {**MEMBER, "merge_fields": {**MEMBER["merge_fields"], "PHONE": "020 7946 0958"}}
    record = to_canonical(parse_member(local), phone_region="GB")
    assert record is not None
    assert record.phone == "+442079460958"
