"""Campaigns with their reports, and a member's activity, read from the simulator."""

from __future__ import annotations

from typing import Any

import httpx

from canonical_schema import EventType, Platform, RecordRef
from connectors.mailchimp import MailchimpConnector
from tests.connectors.mailchimp.conftest import holders


async def raw(sim: httpx.AsyncClient, creds: dict[str, Any], path: str, **params: Any) -> Any:
    auth = ("anystring", creds["api_key"])
    return (await sim.get(f"/mailchimp/3.0{path}", params=params, auth=auth)).json()


async def test_every_campaign_is_read_with_its_report(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector, creds: dict[str, Any]
) -> None:
    listed = (await raw(sim, creds, "/campaigns", count=1000))["campaigns"]
    campaigns = await mailchimp.campaigns()
    assert len(campaigns) == len(listed) > 0
    for campaign, source in zip(campaigns, listed, strict=True):
        assert RecordRef.parse(campaign.id) == RecordRef(
            "campaign", Platform.MAILCHIMP, source["id"]
        )
        assert campaign.name == source["settings"]["title"]
        assert campaign.utm_campaign == (source["tracking"]["google_analytics"] or None)
        assert campaign.status == source["status"]
        if source["status"] != "sent":
            continue
        report = await raw(sim, creds, f"/reports/{source['id']}")
        assert campaign.stats is not None
        assert campaign.sent_at is not None
        assert campaign.stats.sent == report["emails_sent"]
        assert campaign.stats.opens == report["opens"]["unique_opens"]
        assert campaign.stats.clicks == report["clicks"]["unique_clicks"]
        assert campaign.stats.unsubscribes == report["unsubscribed"]


async def test_campaigns_filter_by_status_and_page_to_the_end(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector
) -> None:
    sent = await mailchimp.campaigns(status="sent")
    assert sent
    assert {c.status for c in sent} == {"sent"}
    assert all(c.stats is not None for c in sent)
    stats = (await sim.get("/_sim/stats")).json()["mailchimp"]["requests_by_route"]
    assert stats["GET /3.0/reports/{campaign_id}"] == len(sent)


async def test_one_campaign_by_id(mailchimp: MailchimpConnector) -> None:
    first = (await mailchimp.campaigns())[0]
    ref = RecordRef.parse(first.id)
    assert ref is not None
    assert await mailchimp.campaign(ref.external_id) == first
    assert await mailchimp.campaign("0000000000") is None
    assert await mailchimp.campaign("../lists") is None


async def test_member_activity_becomes_events(
    sim: httpx.AsyncClient, mailchimp: MailchimpConnector, creds: dict[str, Any]
) -> None:
    names = {c.sources[0].external_id: c.name for c in await mailchimp.campaigns()}
    checked = 0
    for email, member_id in (await holders(sim)).items():
        feed = await raw(sim, creds, f"/lists/{creds['list_id']}/members/{member_id}/activity")
        events = await mailchimp.activity(email.upper())
        kept = [a for a in feed["activity"] if a["action"] != "bounce"]
        assert [e.type for e in events] == [
            {
                "sent": EventType.EMAIL_SENT,
                "open": EventType.EMAIL_OPENED,
                "click": EventType.EMAIL_CLICKED,
                "unsub": EventType.UNSUBSCRIBED,
            }[a["action"]]
            for a in kept
        ]
        for event, item in zip(events, kept, strict=True):
            assert event.customer_email == email
            assert event.campaign_external_id == item["campaign_id"]
            assert event.campaign_name == names[item["campaign_id"]]
            assert ("url" in event.properties) == (item["action"] == "click")
        assert len({e.id for e in events}) == len(events)
        assert [e.id for e in await mailchimp.activity(email)] == [e.id for e in events]
        checked += bool(events)
    assert checked > 5
